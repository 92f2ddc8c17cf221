"""Score the document reader on the independent set (issue 12, item 2) and print a table.

    .venv/bin/python bench/independent_eval.py [--jobs 2] [--details] [--save-raw FILE]
    .venv/bin/python bench/independent_eval.py --raw bench/independent_before.jsonl

The reader is run as a black box: ``portal extract --json FILE...`` (the CLI contract), one JSON
object per file. Truth comes from the set's manifest.json (kind, period YYYY-MM, amount with two
decimals, variant pdf/photo, layout). The table gives, per kind and for PDFs and photos, the share
of documents with the right kind, the right amount and the right period, and the number of wrong
amounts given with confidence >= 0.9.

Rules: kind is right when it equals the truth (documents of no known kind have the truth
"unknown"). Amount and period are scored on documents whose truth has an amount (the eight known
kinds); an amount is right when it equals the truth to the öre. A wrong confident amount is an
amount that differs from the truth (or is given for a document whose truth has none) with
confidence >= 0.9. ``--raw`` scores saved reader output instead of running the reader, so a
"before" run can be compared with an "after" run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import time
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SET = ROOT / "tests" / "fixtures" / "documents" / "independent" / "manifest.json"
CONFIDENT = 0.9


def load_truth(manifest: Path) -> list[dict[str, object]]:
    data = json.loads(manifest.read_text(encoding="utf-8"))
    docs = data["documents"] if isinstance(data, dict) else data
    for doc in docs:
        doc["path"] = str((manifest.parent / str(doc["file"])).resolve())
    return list(docs)


def run_reader(portal: str, files: list[str], jobs: int, timeout: float) -> list[dict]:
    cmd = [portal, "extract", "--json", "--jobs", str(jobs), "--timeout", str(timeout), *files]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"portal extract failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    out = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    if len(out) != len(files):
        sys.exit(f"expected {len(files)} results, got {len(out)}")
    return out


def as_amount(value: object) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def score(truth: list[dict[str, object]], results: list[dict]) -> list[dict[str, object]]:
    by_file = {str(Path(r["file"]).resolve()): r for r in results}
    rows = []
    for t in truth:
        r = by_file.get(str(t["path"]))
        if r is None:
            sys.exit(f"no reader result for {t['file']}")
        t_amount = as_amount(t["amount"])
        r_amount = as_amount(r.get("amount"))
        conf = float(r.get("confidence") or 0.0)
        has_amount = t_amount is not None
        rows.append(
            {
                "file": t["file"],
                "kind": t["kind"],
                "variant": t["variant"],
                "layout": t.get("layout", ""),
                "kind_ok": r.get("kind") == t["kind"],
                "amount_ok": (r_amount == t_amount) if has_amount else None,
                "period_ok": (r.get("period") == t["period"]) if has_amount else None,
                "confident_wrong": r_amount is not None
                and r_amount != t_amount
                and conf >= CONFIDENT,
                "truth": (t["kind"], t["period"], t["amount"]),
                "read": (r.get("kind"), r.get("period"), r.get("amount"), conf, r.get("error")),
            }
        )
    return rows


def pct(values: list[bool]) -> str:
    if not values:
        return "    –"
    return f"{100 * sum(values) / len(values):5.1f}"


def table(rows: list[dict[str, object]]) -> str:
    groups: dict[tuple[str, str], list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        for variant in (str(row["variant"]), "all"):
            groups[(str(row["kind"]), variant)].append(row)
            groups[("ALL", variant)].append(row)
            if row["kind"] != "unknown":
                groups[("ALL known kinds", variant)].append(row)
    lines = [
        f"{'kind':<22}{'variant':<8}{'n':>4}{'kind %':>8}{'amount %':>10}{'period %':>10}"
        f"{'wrong≥0.9':>11}"
    ]
    order = sorted({k for k, _ in groups if not k.startswith("ALL")}) + [
        "ALL known kinds",
        "ALL",
    ]
    for kind in order:
        for variant in ("pdf", "photo", "all"):
            g = groups.get((kind, variant))
            if not g:
                continue
            amount = [bool(r["amount_ok"]) for r in g if r["amount_ok"] is not None]
            period = [bool(r["period_ok"]) for r in g if r["period_ok"] is not None]
            lines.append(
                f"{kind:<22}{variant:<8}{len(g):>4}{pct([bool(r['kind_ok']) for r in g]):>8}"
                f"{pct(amount):>10}{pct(period):>10}"
                f"{sum(bool(r['confident_wrong']) for r in g):>11}"
            )
        lines.append("")
    return "\n".join(lines)


def details(rows: list[dict[str, object]]) -> str:
    out = []
    for r in rows:
        bad = [name for name in ("kind_ok", "amount_ok", "period_ok") if r[name] is False]
        if bad or r["confident_wrong"]:
            flags = ",".join(b.removesuffix("_ok") for b in bad)
            if r["confident_wrong"]:
                flags += ",CONFIDENT-WRONG"
            out.append(
                f"{r['file']}\n    wrong: {flags}\n    truth {r['truth']}\n    read  {r['read']}"
            )
    return "\n".join(out) if out else "(every document read right)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--manifest", type=Path, default=DEFAULT_SET, help="truth file")
    parser.add_argument("--portal", default=str(ROOT / ".venv" / "bin" / "portal"))
    parser.add_argument("--jobs", type=int, default=2, help="files read at the same time")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per file")
    parser.add_argument("--raw", type=Path, help="score saved `portal extract --json` output")
    parser.add_argument("--save-raw", type=Path, help="save the reader's output (JSON lines)")
    parser.add_argument("--details", action="store_true", help="list every wrong document")
    args = parser.parse_args()

    truth = load_truth(args.manifest)
    started = time.perf_counter()
    if args.raw:
        results = [json.loads(x) for x in args.raw.read_text().splitlines() if x.strip()]
        rel = args.raw.parent
        for r in results:
            p = Path(r["file"])
            r["file"] = str(
                p if p.is_absolute() else (ROOT / p if (ROOT / p).exists() else rel / p)
            )
    else:
        results = run_reader(args.portal, [str(t["path"]) for t in truth], args.jobs, args.timeout)
    elapsed = time.perf_counter() - started
    if args.save_raw:
        with args.save_raw.open("w", encoding="utf-8") as fh:
            for r in results:
                r = dict(r)
                with contextlib.suppress(ValueError):
                    r["file"] = str(Path(r["file"]).resolve().relative_to(ROOT))
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    rows = score(truth, results)
    print(f"independent set: {args.manifest} ({len(rows)} documents)")
    if not args.raw:
        print(f"reader: {args.portal} extract --json --jobs {args.jobs}; {elapsed:.1f} s in all")
    print()
    print(table(rows))
    if args.details:
        print(details(rows))


if __name__ == "__main__":
    main()
