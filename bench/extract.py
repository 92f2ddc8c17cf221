"""Benchmark of document reading on a freshly generated corpus (a seed nobody tuned on).

    .venv/bin/python bench/extract.py                      # 30 PDFs + 8 photos + 2 scans per kind
    .venv/bin/python bench/extract.py --per-kind 60 --photos 15 --seed 99
    .venv/bin/python bench/extract.py --corpus tests/fixtures/documents
    .venv/bin/python bench/extract.py --grammar             # leave-family-out: held-out families
    .venv/bin/python bench/extract.py --grammar --rules-only   # the same with the rule reader

``--grammar`` generates documents of the grammar generator's families that the model was never
trained on (``bench/train_reader.py`` uses families 0..31; these are 32..47) and prints the
per-kind table and one line per family. ``--rules-only`` reads without the learned model (the
reader as it was before it), for the old-vs-new comparison.

Prints, per kind, the share of documents whose kind, amount and period were read right (digital
PDFs and photos/scans apart); amounts that were wrong although given with confidence >= 0.9;
median and p95 seconds per digital PDF page and per photo, each read as the worker reads it (a
child process from the warm fork server, one at a time); and, as the floor, `pdftotext -layout`
on the same PDFs with a naive "first amount after the label" reader.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from intake.extract import extract_file  # noqa: E402
from intake.extract.amounts import find_amounts, format_amount, normalise  # noqa: E402

HOLDOUT_SEED = 4242

NAIVE_LABELS = re.compile(
    r"(att utbetala|nettolön|utbetalt belopp|summa utbetalt|summa att betala|totalt att betala|"
    r"att betala|utgående saldo|netto|utbetalas)",
    re.IGNORECASE,
)


def naive_amount(text: str) -> str | None:
    """The floor: the first amount after the first label-like word in pdftotext's output."""
    for line in normalise(text).splitlines():
        match = NAIVE_LABELS.search(line)
        if match:
            amounts = find_amounts(line[match.end() :])
            if amounts:
                return format_amount(amounts[0].ore)
    return None


def pdftotext(path: Path) -> tuple[str, float]:
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        check=False,  # noqa: S607
    )
    return result.stdout.decode(errors="replace"), time.perf_counter() - started


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "    –  "


def quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, help="an existing corpus folder with manifest.json")
    parser.add_argument(
        "--seed", type=int, default=HOLDOUT_SEED, help="seed of the generated corpus"
    )
    parser.add_argument("--per-kind", type=int, default=30, help="digital PDFs per kind")
    parser.add_argument("--photos", type=int, default=8, help="phone photos per kind")
    parser.add_argument("--scans", type=int, default=2, help="scanned PDFs per kind")
    parser.add_argument("--keep", type=Path, help="write the generated corpus here and keep it")
    parser.add_argument("--show-errors", action="store_true", help="list every wrong reading")
    parser.add_argument(
        "--grammar", action="store_true", help="held-out families of the grammar generator"
    )
    parser.add_argument("--families", type=int, default=16, help="held-out families per kind")
    parser.add_argument("--per-family", type=int, default=2, help="documents per family")
    parser.add_argument(
        "--rules-only", action="store_true", help="read without the learned model (as before)"
    )
    parser.add_argument(
        "--independent",
        action="store_true",
        help="the independent set's table before (saved output) and now, by "
        "bench/independent_eval.py (from the corpus branch)",
    )
    args = parser.parse_args()
    if args.independent:
        independent()
        return
    if args.rules_only:
        os.environ["PORTAL_READER_RULES_ONLY"] = "1"  # inherited by the reading child processes

    temporary = None
    if args.corpus:
        folder = args.corpus
    elif args.grammar:
        from bench.corpus.grammar import generate as generate_grammar
        from bench.train_reader import TRAIN_FAMILIES

        folder = args.keep or Path(tempfile.mkdtemp(prefix="grammar-"))
        temporary = None if args.keep else folder
        started = time.perf_counter()
        generate_grammar(
            folder,
            args.seed,
            args.families,
            args.per_family,
            args.photos,
            first_family=TRAIN_FAMILIES,
        )
        print(
            f"Generated {folder}: grammar families {TRAIN_FAMILIES}.."
            f"{TRAIN_FAMILIES + args.families - 1} per kind (never trained on), seed {args.seed}, "
            f"in {time.perf_counter() - started:.0f} s"
        )
    else:
        from bench.corpus.generate import generate

        folder = args.keep or Path(tempfile.mkdtemp(prefix="corpus-"))
        temporary = None if args.keep else folder
        started = time.perf_counter()
        generate(folder, args.seed, args.per_kind, args.photos, args.scans)
        print(f"Generated {folder} (seed {args.seed}) in {time.perf_counter() - started:.0f} s")
    documents = json.loads((folder / "manifest.json").read_text())["documents"]

    extract_file(folder / documents[0]["file"])  # start the fork server: the worker is warm
    rows: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    timings: dict[str, list[float]] = defaultdict(list)
    confident_wrong, with_amount, errors = 0, 0, []
    families: dict[str, list[tuple[bool, bool, bool]]] = defaultdict(list)
    photos: dict[str, list[bool]] = defaultdict(list)
    floor_right, floor_total, floor_times = 0, 0, []
    for document in documents:
        path = folder / document["file"]
        started = time.perf_counter()
        result = extract_file(path)
        elapsed = time.perf_counter() - started
        variant = document["variant"]  # pdf, photo or scan
        kind = document["kind"]
        if document["variant"] == "pdf":
            document.setdefault("pages", 1)
            timings["pdf page"].append(elapsed / document["pages"])
            if document["pages"] == 1:
                timings["pdf 1 page"].append(elapsed)
            text, seconds = pdftotext(path)
            floor_times.append(seconds / document["pages"])
            if document["amount"] is not None:
                floor_total += 1
                floor_right += naive_amount(text) == document["amount"]
        elif document["variant"] == "photo":
            timings["photo"].append(elapsed)
        else:
            timings["scan page"].append(elapsed / document["pages"])
        kind_ok = result.kind.value == kind
        amount_ok = result.amount == document["amount"]
        period_ok = result.period == document["period"]
        row = rows[kind]
        row["kind"].append(kind_ok)
        row[f"amount {variant}"].append(amount_ok)
        row["period pdf" if variant == "pdf" else "period image"].append(period_ok)
        if "family" in document:
            families[document["family"]].append((kind_ok, amount_ok, period_ok))
        if variant == "photo":
            hardness = "hard" if "hard" in document["note"] else "normal"
            photos[hardness].append(amount_ok)
        if document["amount"] is not None:
            with_amount += 1
            if not amount_ok and result.confidence >= 0.9:
                confident_wrong += 1
        if not (kind_ok and amount_ok and period_ok):
            errors.append(
                f"{document['file']}: kind {result.kind.value} amount {result.amount} "
                f"(want {document['amount']}) period {result.period} (want {document['period']}) "
                f"conf {result.confidence:.2f} {result.error or ''}"
            )

    columns = ["kind", "amount pdf", "amount photo", "amount scan", "period pdf", "period image"]
    print()
    print(f"{'kind':22} {'docs':>5} " + " ".join(f"{c:>13}" for c in columns))
    totals: dict[str, list[int]] = defaultdict(list)
    for kind, row in rows.items():
        cells = []
        for column in columns:
            values = row.get(column, [])
            totals[column].extend(values)
            cells.append(f"{percent(sum(values), len(values))} ({len(values):3d})"[:13].rjust(13))
        print(f"{kind:22} {len(row['kind']):5d} " + " ".join(cells))
    cells = [
        f"{percent(sum(totals[c]), len(totals[c]))} ({len(totals[c]):3d})"[:13].rjust(13)
        for c in columns
    ]
    print(f"{'all':22} {len(documents):5d} " + " ".join(cells))
    print()
    print(
        "Photos, amount right: "
        + ", ".join(
            f"{k} {percent(sum(v), len(v)).strip()} of {len(v)}" for k, v in sorted(photos.items())
        )
        + " (hard: 115-150 dpi, more tilt, blur and shade)"
    )
    print(
        f"Wrong amount with confidence >= 0.9: {confident_wrong} of {with_amount} documents "
        "with an "
        f"amount ({percent(confident_wrong, with_amount).strip()})"
    )
    print()
    print(f"{'seconds':26} {'median':>8} {'p95':>8} {'n':>5}")
    for name in ("pdf 1 page", "pdf page", "scan page", "photo", "pdftotext (floor) page"):
        values = floor_times if name.startswith("pdftotext") else timings.get(name, [])
        median = statistics.median(values) if values else float("nan")
        print(f"{name:26} {median:8.3f} {quantile(values, 0.95):8.3f} {len(values):5d}")
    print()
    print(
        f"Floor: pdftotext -layout + first amount after a label: amount right in "
        f"{percent(floor_right, floor_total).strip()} of {floor_total} digital PDFs with an amount"
    )
    if families:
        print()
        print("Per family (held out): documents, kind, amount, period right")
        for name, marks in sorted(families.items()):
            n = len(marks)
            print(
                f"  {name:28} {n:3d}  kind {sum(m[0] for m in marks)}/{n}  "
                f"amount {sum(m[1] for m in marks)}/{n}  period {sum(m[2] for m in marks)}/{n}"
            )
    if args.show_errors and errors:
        print("\nWrong readings:")
        print("\n".join(f"  {e}" for e in errors))
    if temporary is not None:
        shutil.rmtree(temporary, ignore_errors=True)


def independent() -> None:
    """The independent set (tests/fixtures/documents/independent, written by someone who had not
    read intake/extract): its table as the reader before issue 12 read it, then as it reads now."""
    script = ROOT / "bench" / "independent_eval.py"
    before = ROOT / "bench" / "independent_before.jsonl"
    if not script.exists():
        sys.exit("bench/independent_eval.py is not here (it comes with the independent set)")
    if before.exists():
        print("Independent set, BEFORE (the reader of main before issue 12, saved output):")
        subprocess.run([sys.executable, str(script), "--raw", str(before)], check=False)
    print("\nIndependent set, NOW:")
    subprocess.run([sys.executable, str(script), "--jobs", "1"], check=False)


if __name__ == "__main__":
    main()
