"""``portal extract``: read kinds, periods and amounts from PDFs and photos."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import click

from intake.extract import ErrorCode, Extraction, Limits, extract_file


def _read(path: str, limits: Limits, explain: bool = False) -> Extraction:
    try:
        if Path(path).is_dir():
            return Extraction.unreadable(ErrorCode.not_found, "a folder, not a file")
        return extract_file(path, limits, explain=explain)
    except Exception as error:  # noqa: BLE001 - the contract: an answer for every file
        return Extraction.unreadable(
            ErrorCode.reader_crashed, f"reading failed ({type(error).__name__})"
        )


def _table(rows: list[tuple[str, Extraction]]) -> str:
    """A plain table: one line per file, the fields (or the error) last."""
    lines = [("file", "kind", "period", "amount", "conf", "fields / error")]
    for name, result in rows:
        notes = result.error or ", ".join(f"{k} {v}" for k, v in result.fields.items())
        amount = f"{result.amount} {result.currency}" if result.amount is not None else "–"
        period = result.period or "–"
        lines.append((name, result.kind.value, period, amount, f"{result.confidence:.2f}", notes))
    widths = [max(len(line[i]) for line in lines) for i in range(5)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line[:5], widths, strict=True))
        + "  "
        + line[5]
        for line in lines
    ).rstrip()


def _explanation(result: Extraction) -> str:
    if not result.explain:
        return "  (no amount candidates: the kind is unknown, or the file was not read)\n"
    lines = []
    for number, cand in enumerate(result.explain, start=1):
        lines.append(
            f"  {number}. {cand['amount']:>12}  score {cand['score']:+.2f}  "
            f"p {cand['probability']:.2f}  in: {cand['line']}"
        )
        lines.append(
            "       " + ", ".join(f"{name} {value:+.2f}" for name, value in cand["because"])
        )
    return "\n".join(lines) + "\n"


@click.command("extract")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file and line.")
@click.option(
    "--jobs",
    default=1,
    show_default=True,
    type=click.IntRange(1, max(1, os.cpu_count() or 1) * 4),
    help="Files read at the same time (each in a child process).",
)
@click.option("--timeout", default=60.0, show_default=True, type=float, help="Seconds per file.")
@click.option("--max-pages", default=50, show_default=True, type=int, help="Pages per PDF.")
@click.option("--memory-mb", default=1024, show_default=True, type=int, help="Memory per file.")
@click.option(
    "--explain",
    is_flag=True,
    help="Show the top amount candidates of each file and the features that weighed for them.",
)
def command(
    files: tuple[str, ...],
    as_json: bool,
    jobs: int,
    timeout: float,
    max_pages: int,
    memory_mb: int,
    explain: bool,
) -> None:
    """Read the kind, period and amount of each FILE (PDF, JPEG, PNG or HEIC).

    With --json, one object per file in the order given: {"file", "kind", "period" (YYYY-MM),
    "amount" ("1234.56"), "currency", "confidence" (0..1), "fields", "error"}. A file that cannot
    be read gets the kind "unreadable" and an error; the command still exits 0.

    With --explain, after each file's line: its top amount candidates, best first, each with its
    score, its probability and the features that added (+) or took away (-) the most."""
    limits = Limits(pages=max_pages, seconds=timeout, memory_bytes=memory_mb * 1024 * 1024)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = pool.map(lambda path: (path, _read(path, limits, explain)), files)
        if explain:
            for path, result in results:
                click.echo(_table([(path, result)]))
                click.echo(_explanation(result))
        elif as_json:
            for path, result in results:  # printed as each is ready, in input order
                click.echo(json.dumps(result.contract(path), ensure_ascii=False))
        else:
            click.echo(_table(list(results)))
