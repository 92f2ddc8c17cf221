"""``portal norm import`` / ``portal norm list`` and the loader, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.engine import Engine
from sqlmodel import Session

from intake.models import NormTable as NormTableRow
from intake.norm import Case, Member, MemberKind, NormError, calculate
from intake.norm.table import TABLES_DIR
from portal.cli import main
from portal.repository_norm import (
    import_builtin_tables,
    table_for_month,
    table_lookup,
    table_row,
    table_rows,
)

pytestmark = pytest.mark.db

GOOD_2023 = TABLES_DIR / "riksnorm-2023.toml"


@pytest.fixture
def engine(command_database: Engine) -> Engine:
    return command_database


def portal(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def rows(engine: Engine) -> list[NormTableRow]:
    with Session(engine) as db:
        return table_rows(db)


def test_import_a_good_file_and_list_it(engine: Engine) -> None:
    result = portal("norm", "import", str(GOOD_2023), "--by", "admin")
    assert result.exit_code == 0, result.output
    assert "Imported the norm table for 2023 (not a demo table)." in result.output
    [row] = rows(engine)
    assert (row.year, row.is_demo, row.imported_by) == (2023, False, "admin")
    assert row.source.startswith("Ängelholms kommun")
    assert row.data["common"]["2"] == 1150
    assert row.imported_at.tzinfo is not None

    listed = portal("norm", "list")
    assert listed.exit_code == 0
    assert "2023  published" in listed.output and "by admin" in listed.output


def test_a_bad_file_is_refused_with_the_key_and_line_and_nothing_is_stored(
    engine: Engine, tmp_path: Path
) -> None:
    bad = tmp_path / "riksnorm-2027.toml"
    bad.write_text(
        GOOD_2023.read_text()
        .replace("year = 2023", "year = 2027")
        .replace("child_3 = 2410", "child_3 = 2410.50")
        .replace("7 = 2510\n", "")
    )
    line = next(n for n, text in enumerate(bad.read_text().splitlines(), 1) if "2410.50" in text)
    result = portal("norm", "import", str(GOOD_2023), str(bad))
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output
    assert (
        f"{bad}:{line}: personal.child_3: must be whole kronor a month (a whole number), "
        "got 2410.5" in result.output
    )
    assert f"{bad}: common.7: missing from [common]" in result.output
    assert rows(engine) == []  # not even the good file


def test_a_file_that_is_not_toml(engine: Engine, tmp_path: Path) -> None:
    bad = tmp_path / "table.toml"
    bad.write_text('format = 1\nyear = 2027\n[source\nname = "x"\n')
    result = portal("norm", "import", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:3: not valid TOML" in result.output
    missing = portal("norm", "import", str(tmp_path / "nowhere.toml"))
    assert missing.exit_code == 2 and "does not exist" in missing.output
    assert portal("norm", "import").exit_code == 2


def test_reimport_replaces_the_table_of_the_year(engine: Engine, tmp_path: Path) -> None:
    assert portal("norm", "import", str(GOOD_2023), "--by", "first").exit_code == 0
    corrected = tmp_path / "riksnorm-2023-corrected.toml"
    corrected.write_text(
        GOOD_2023.read_text()
        .replace("2 = 1150", "2 = 1250")
        .replace('name = "Ängelholms kommun', 'name = "Corrected: Ängelholms kommun')
    )
    result = portal("norm", "import", str(corrected), "--by", "second")
    assert result.exit_code == 0, result.output
    assert "Replaced the norm table for 2023" in result.output
    [row] = rows(engine)
    assert (row.imported_by, row.data["common"]["2"]) == ("second", 1250)
    assert row.source.startswith("Corrected")
    with Session(engine) as db:
        table = table_for_month(db, "2023-05")
    assert table is not None and table.common(2) == 125_000


def test_dry_run_stores_nothing_and_builtin_imports_every_shipped_table(engine: Engine) -> None:
    dry = portal("norm", "import", "--builtin", "--dry-run")
    assert dry.exit_code == 0 and "Dry run: nothing stored." in dry.output
    assert "2025  DEMO (example values)" in dry.output
    assert "2024  derived from 2023 + 8.7 %" in dry.output
    assert rows(engine) == []
    assert portal("norm", "import", "--builtin").exit_code == 0
    assert [(r.year, r.is_demo) for r in rows(engine)] == [
        (2019, False),
        (2023, False),
        (2024, False),
        (2025, True),
        (2026, True),
    ]
    listed = portal("norm", "list").output
    assert "2025  DEMO (example values)" in listed and "2024  derived" in listed


def test_a_demo_table_never_silently_replaces_a_published_one(
    engine: Engine, tmp_path: Path
) -> None:
    published = tmp_path / "riksnorm-2025.toml"
    published.write_text(
        (TABLES_DIR / "demo-2025.toml").read_text().replace("demo = true", "demo = false")
    )
    assert portal("norm", "import", str(published)).exit_code == 0
    result = portal("norm", "import", str(TABLES_DIR / "demo-2025.toml"))
    assert result.exit_code == 1
    assert "would be replaced by a demo table" in result.output
    assert [r.is_demo for r in rows(engine)] == [False]
    forced = portal("norm", "import", str(TABLES_DIR / "demo-2025.toml"), "--allow-demo-over-real")
    assert forced.exit_code == 0
    assert [r.is_demo for r in rows(engine)] == [True]


def test_seeding_imports_the_demo_tables_but_keeps_what_an_administrator_loaded(
    engine: Engine, tmp_path: Path
) -> None:
    own = tmp_path / "own-2023.toml"
    own.write_text(GOOD_2023.read_text().replace("adult_alone = 3490", "adult_alone = 3500"))
    assert portal("norm", "import", str(own)).exit_code == 0
    with Session(engine) as db:
        added = import_builtin_tables(db)
        assert sorted(i.year for i in added) == [2019, 2024, 2025, 2026]
        assert import_builtin_tables(db) == []  # idempotent
        assert table_row(db, 2023).data["personal"]["adult_alone"] == 3500  # type: ignore[union-attr]
        assert table_row(db, 2025).is_demo  # type: ignore[union-attr]


def test_the_calculation_reads_its_table_from_the_database(engine: Engine) -> None:
    adult = Member("a", MemberKind.adult, dt.date(1985, 1, 1))
    with Session(engine) as db:
        with pytest.raises(NormError) as caught:
            calculate(Case("2025-03", (adult,)), table_lookup(db))
        assert caught.value.code == "norm.no_table_for_year"
        import_builtin_tables(db)
        # Demo 2025: 3 790 + 1 230 = 5 020 kr, labelled as example values.
        result = calculate(Case("2025-03", (adult,)), table_lookup(db))
        assert (result.amount_ore, result.is_demo) == (502_000, True)
        # 2023 from the database: 3 490 + 1 130 = 4 620 kr.
        assert calculate(Case("2023-05", (adult,)), table_lookup(db)).amount_ore == 462_000
        assert table_for_month(db, "2022-12") is None
        assert table_for_month(db, "not a month") is None
