"""Figures for ``portal households import`` (issue 15), printed, never asserted.

Writes a CSV of N households (default 10 000; an applicant, in every third household a
co-applicant, and 0-3 children, with last month's basis), then on each database: reads the file,
imports it in one transaction (created), imports it again (every household unchanged: the
idempotent re-run), and, as the baseline in the same run, stores a sample of households one by
one through ``service.upsert`` (what N calls of PUT /api/v1/households would do, without HTTP).

Run: .venv/bin/python bench/households_import.py [--households 10000] [--baseline 300]
     [--database-url postgresql://postgres@127.0.0.1:5432/bench]  (repeatable; an empty
     database or schema; SQLite in a temporary folder is always measured)
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from intake.models import Municipality, Unit  # noqa: E402
from intake.personnummer import make  # noqa: E402
from portal.db import make_engine, migrate  # noqa: E402
from portal.households import importfile, service  # noqa: E402
from portal.households.schemas import HouseholdIn  # noqa: E402

HEADER = (
    "external_id,unit,language,interpreter,protected_identity,personnummer,given_name,"
    "family_name,role,birth_date,days_at_home,email,phone,basis_month,rent,costs,incomes"
)
UNITS = ("Försörjningsstöd Nord", "Försörjningsstöd Syd")


def _numbers(rng: random.Random) -> object:
    used: set[str] = set()

    def fresh(first: int, last: int) -> str:
        while True:
            birth = f"{rng.randint(first, last)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            number = make(birth, f"{rng.randint(0, 999):03d}")
            if number not in used and not number.startswith(("2026", "2025")):
                used.add(number)
                return f"{number[:8]}-{number[8:]}"

    return fresh


def write_file(path: Path, households: int, prefix: str = "B", seed: int = 15) -> int:
    rng = random.Random(seed)
    fresh = _numbers(rng)
    lines = [HEADER]
    for index in range(households):
        key = f"{prefix}-{index:06d}"
        unit = UNITS[index % 2]
        applicant = fresh(1950, 1999)  # type: ignore[operator]
        lines.append(
            f"{key},{unit},sv,no,no,{applicant},Anna,Test{index},applicant,,,,070-1234567,"
            f"2026-11,{rng.randint(4000, 9000)},union_fee=350,salary={rng.randint(0, 9000)}"
        )
        if index % 3 == 0:
            partner = fresh(1950, 1999)  # type: ignore[operator]
            lines.append(f"{key},,,,,{partner},Bo,Test{index},co_applicant,,,,,,,,")
        for _child in range(rng.randint(0, 3)):
            child = fresh(2010, 2020)  # type: ignore[operator]
            lines.append(f"{key},,,,,{child},Li,Test{index},child,,30,,,,,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 1


def prepare(url: str) -> object:
    engine = make_engine(url)
    migrate(engine)
    with Session(engine) as db:
        municipality = Municipality(name="Benchkommun", code="9998")
        db.add(municipality)
        db.flush()
        for name in UNITS:
            db.add(Unit(municipality_id=municipality.id or 0, name=name))
        db.commit()
    return engine


def measure(label: str, url: str, source: Path, households: int, baseline: int) -> None:
    engine = prepare(url)
    actor = service.Actor("system", None, "import", "bench")
    started = time.perf_counter()
    parsed = importfile.read(source)
    read = time.perf_counter() - started
    rounds = []
    for _round in ("created", "unchanged"):
        with Session(engine) as db:  # type: ignore[arg-type]
            started = time.perf_counter()
            report = service.import_households(db, parsed, actor)
            rounds.append(time.perf_counter() - started)
            assert report.stored and not report.rejected, report.rejected[:5]
    # Baseline: one transaction per household, as the API does it.
    other = ROOT / "var" / "bench-households-baseline.csv"
    other.parent.mkdir(exist_ok=True)
    write_file(other, baseline, prefix="S", seed=16)
    singles = [p for p in importfile.read(other) if p.data is not None]
    with Session(engine) as db:  # type: ignore[arg-type]
        started = time.perf_counter()
        for item in singles:
            assert isinstance(item.data, HouseholdIn)
            service.upsert(db, item.external_id, item.data, actor)
        single = (time.perf_counter() - started) / len(singles)
    engine.dispose()  # type: ignore[attr-defined]
    first, again = rounds
    print(f"\n{label}: {households} households")
    print(f"  read the CSV                 {read:8.2f} s")
    print(f"  import (all new)             {first:8.2f} s  {households / first:8.0f} households/s")
    print(f"  import again (unchanged)     {again:8.2f} s  {households / again:8.0f} households/s")
    print(
        f"  baseline: one upsert each    {single * 1000:8.2f} ms per household "
        f"({single * households:.1f} s for {households}); "
        f"import is x{single * households / first:.1f} faster"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=300)
    parser.add_argument("--database-url", action="append", default=[])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "households.csv"
        lines = write_file(source, args.households)
        print(f"{source.name}: {args.households} households, {lines} lines (members)")
        measure("SQLite", f"sqlite:///{folder}/bench.db", source, args.households, args.baseline)
        for url in args.database_url:
            engine = make_engine(url)
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA IF EXISTS bench_households CASCADE"))
                connection.execute(text("CREATE SCHEMA bench_households"))
            engine.dispose()
            separator = "&" if "?" in url else "?"
            scoped = f"{url}{separator}options=-csearch_path%3Dbench_households"
            measure("PostgreSQL", scoped, source, args.households, args.baseline)


if __name__ == "__main__":
    main()
