"""Queries for the yearly norm tables (``norm_table``), and the loader the calculation uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from intake.models import NormTable as NormTableRow
from intake.models import utcnow
from intake.norm import NormTable, builtin_table_files, parse_table_data, read_table_file
from intake.norm.months import BadMonth, month_index


class NormImportRefused(ValueError):
    """Importing would replace a real table with a demo table (example values)."""

    def __init__(self, year: int) -> None:
        super().__init__(f"demo_over_real:{year}")
        self.code = "demo_over_real"
        self.year = year


@dataclass(frozen=True)
class Imported:
    year: int
    is_demo: bool
    replaced: bool  # a table for the year was there before and is replaced


def table_rows(db: Session) -> list[NormTableRow]:
    return list(db.exec(select(NormTableRow).order_by(col(NormTableRow.year))).all())


def table_row(db: Session, year: int) -> NormTableRow | None:
    return db.exec(select(NormTableRow).where(NormTableRow.year == year)).first()


def table_for_year(db: Session, year: int) -> NormTable | None:
    """The imported table of ``year`` (validated again as it is read), or None."""
    row = table_row(db, year)
    if row is None:
        return None
    table = parse_table_data(row.data)
    if table.demo != row.is_demo or table.year != row.year:  # pragma: no cover - guarded on import
        raise ValueError(f"norm_table row {row.id} disagrees with its data")
    return table


def table_for_month(db: Session, month: str) -> NormTable | None:
    """The table for the year of ``month`` (``YYYY-MM``), or None: the calculation then refuses."""
    try:
        year = month_index(month) // 12
    except BadMonth:
        return None
    return table_for_year(db, year)


def table_lookup(db: Session) -> Callable[[int], NormTable | None]:
    """A table source for ``intake.norm.calculate`` that reads the database (once per year)."""
    cache: dict[int, NormTable | None] = {}

    def lookup(year: int) -> NormTable | None:
        if year not in cache:
            cache[year] = table_for_year(db, year)
        return cache[year]

    return lookup


def import_tables(
    db: Session, tables: list[NormTable], imported_by: str, *, allow_demo_over_real: bool = False
) -> list[Imported]:
    """Store the tables, replacing those of the same years, in one transaction. A demo table never
    replaces a real one unless ``allow_demo_over_real``."""
    results: list[Imported] = []
    for table in tables:
        row = table_row(db, table.year)
        if row is not None and table.demo and not row.is_demo and not allow_demo_over_real:
            db.rollback()
            raise NormImportRefused(table.year)
        replaced = row is not None
        if row is None:
            row = NormTableRow(year=table.year, source="", imported_by="")
        row.source = table.source.name[:500]
        row.is_demo = table.demo
        row.data = table.to_data()
        row.imported_at = utcnow()
        row.imported_by = imported_by[:100]
        db.add(row)
        results.append(Imported(table.year, table.demo, replaced))
    db.commit()
    return results


def import_builtin_tables(
    db: Session, imported_by: str = "seed-demo", *, include_demo: bool = True
) -> list[Imported]:
    """Import the tables shipped in ``intake/norm/tables`` whose year has no table yet (so that
    seeding never replaces a table an administrator loaded). Demo tables only with
    ``include_demo``."""
    tables = [read_table_file(path) for path in builtin_table_files()]
    missing = [
        table
        for table in tables
        if (include_demo or not table.demo) and table_row(db, table.year) is None
    ]
    return import_tables(db, missing, imported_by) if missing else []
