"""Write a corpus of generated documents with a manifest of what each one says.

    .venv/bin/python bench/corpus/generate.py --seed 7 --per-kind 40 --photos 10 --out /tmp/corpus

The committed fixture set (tests/fixtures/documents) was made with ``--fixtures``; the benchmark
generates a fresh set with another seed, so its figures are on documents nobody tuned on.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus.documents import BUILDERS  # noqa: E402
from bench.corpus.photo import phone_photo, scanned_pdf  # noqa: E402

FIXTURE_SEED = 20261104


@dataclass
class Entry:
    file: str
    kind: str
    period: str | None
    amount: str | None
    layout: str
    variant: str  # "pdf", "scan" (a PDF without text) or "photo"
    note: str
    fields: dict[str, str]
    pages: int

    def to_json(self) -> dict[str, object]:
        return self.__dict__


def _amount(ore: int | None) -> str | None:
    if ore is None:
        return None
    sign = "-" if ore < 0 else ""
    return f"{sign}{abs(ore) // 100}.{abs(ore) % 100:02d}"


def generate(
    out: Path,
    seed: int,
    per_kind: int,
    photos_per_kind: int,
    scans_per_kind: int,
    kinds: list[str] | None = None,
) -> list[Entry]:
    out.mkdir(parents=True, exist_ok=True)
    entries: list[Entry] = []
    for kind in kinds or list(BUILDERS):
        rng = random.Random(f"{seed}-{kind}")
        photos_left, scans_left = photos_per_kind, scans_per_kind
        for number in range(per_kind):
            made = BUILDERS[kind](rng)
            pdf = made.sheet.bytes()
            stem = f"{kind}-{number:03d}-{made.layout}"
            truth = dict(
                kind=kind, period=made.period, amount=_amount(made.amount_ore), layout=made.layout
            )
            pages = made.sheet.page_count
            (out / f"{stem}.pdf").write_bytes(pdf)
            entries.append(
                Entry(
                    f"{stem}.pdf", variant="pdf", note="", fields=made.fields, pages=pages, **truth
                )
            )  # type: ignore[arg-type]
            if photos_left and pages == 1:
                photos_left -= 1
                # Every third photo is a hard one: further away, more tilted, blurred and shaded.
                photo = phone_photo(pdf, rng, hard=photos_left % 3 == 2)
                name = f"{stem}-photo{photo.suffix}"
                (out / name).write_bytes(photo.data)
                entries.append(
                    Entry(
                        name, variant="photo", note=photo.note, fields=made.fields, pages=1, **truth
                    )
                )  # type: ignore[arg-type]
            elif scans_left:
                scans_left -= 1
                name = f"{stem}-scan.pdf"
                (out / name).write_bytes(scanned_pdf(pdf, rng))
                entries.append(
                    Entry(name, variant="scan", note="", fields=made.fields, pages=pages, **truth)
                )  # type: ignore[arg-type]
    manifest = {"seed": seed, "documents": [e.to_json() for e in entries]}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    return entries


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    parser.add_argument("--per-kind", type=int, default=20, help="digital PDFs per kind")
    parser.add_argument("--photos", type=int, default=5, help="phone photos per kind")
    parser.add_argument("--scans", type=int, default=1, help="scanned (image-only) PDFs per kind")
    parser.add_argument("--fixtures", action="store_true", help="the small committed fixture set")
    args = parser.parse_args()
    if args.fixtures:
        entries = generate(args.out, FIXTURE_SEED, per_kind=3, photos_per_kind=1, scans_per_kind=0)
    else:
        entries = generate(args.out, args.seed, args.per_kind, args.photos, args.scans)
    print(f"{len(entries)} documents in {args.out}")


if __name__ == "__main__":
    main()
