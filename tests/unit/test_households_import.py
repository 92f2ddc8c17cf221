"""``portal households import``: the example file loads; a file with every kind of bad line is
rejected whole, every bad line reported by number and reason; a dry run stores nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from intake.models import AuditEvent, Household, Municipality, Person, Unit
from portal.cli import main
from tests.households_support import bad_checksum, fresh_pnr

pytestmark = pytest.mark.db
ROOT = Path(__file__).resolve().parents[2]
HEADER = (
    "external_id,unit,language,interpreter,protected_identity,personnummer,given_name,"
    "family_name,role,birth_date,days_at_home,email,phone,basis_month,rent,costs,incomes"
)


@pytest.fixture
def engine(command_database: Engine) -> Engine:
    with Session(command_database) as db:
        municipality = Municipality(name="Testkommun", code="9999")
        db.add(municipality)
        db.flush()
        for name in ("Försörjningsstöd Nord", "Försörjningsstöd Syd"):
            db.add(Unit(municipality_id=municipality.id or 0, name=name))
        db.commit()
    return command_database


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["households", "import", *args])


def count(engine: Engine, model: type) -> int:
    with Session(engine) as db:
        return int(db.exec(select(func.count()).select_from(model)).one())


def test_the_example_file_loads_and_loads_again_unchanged(engine: Engine) -> None:
    example = ROOT / "docs" / "households-example.csv"
    dry = run("--dry-run", str(example))
    assert dry.exit_code == 0, dry.output
    assert "Dry run" in dry.output and count(engine, Household) == 0
    first = run(str(example))
    assert first.exit_code == 0, first.output
    assert "3 new" in first.output
    assert count(engine, Household) == 3 and count(engine, Person) == 6
    again = run(str(example))
    assert "3 unchanged" in again.output
    with Session(engine) as db:
        actions = db.exec(select(AuditEvent.action)).all()
    assert actions.count("household_imported") == 6 and actions.count("households_import") == 2


def test_every_kind_of_bad_line_is_reported_and_nothing_is_stored(
    engine: Engine, tmp_path: Path
) -> None:
    shared = fresh_pnr()
    good = fresh_pnr()
    lines = [
        HEADER,
        f"OK-1,Försörjningsstöd Nord,sv,no,no,{good},Eva,Ek,applicant,,,,,,,,",  # 2: fine
        f"BAD-PNR,Försörjningsstöd Nord,sv,no,no,{bad_checksum(fresh_pnr())},Bo,Al,applicant"
        ",,,,,,,,",
        f"BAD-UNIT,Försörjningsstöd Väst,sv,no,no,{fresh_pnr()},Bo,Björk,applicant,,,,,,,,",
        f"BAD-ROLE,Försörjningsstöd Nord,sv,no,no,{fresh_pnr()},Bo,Asp,king,,,,,,,,",
        f"BAD-DATE,Försörjningsstöd Nord,sv,no,no,{fresh_pnr()},Bo,Alm,applicant,1999-02-30,,,,,,,",
        f"TWO-1,Försörjningsstöd Nord,sv,no,no,{fresh_pnr()},Ann,Lönn,applicant,,,,,,,,",
        f"TWO-1,,,,,{shared},Kim,Lönn,child,,20,,,,,,",  # 8
        f"TWO-2,Försörjningsstöd Syd,sv,no,no,{fresh_pnr()},Per,Gran,applicant,,,,,,,,",
        f"TWO-2,,,,,{shared},Kim,Lönn,child,,10,,,,,,",  # 10: the same child in two households
        f"BAD-FLAG,Försörjningsstöd Nord,sv,maybe,no,{fresh_pnr()},Bo,Ros,applicant,,,,,,,,",
        f"BAD-MONEY,Försörjningsstöd Nord,sv,no,no,{fresh_pnr()},Bo,Hägg,applicant"
        ",,,,,2026-11,lots,,",
        f"NO-APPLICANT,Försörjningsstöd Nord,sv,no,no,{fresh_pnr()},Bo,Tall,child,,,,,,,,",
        f"BAD-DAYS,Försörjningsstöd Nord,sv,no,no,{fresh_pnr()},Bo,Sälg,applicant,,,,,,,,",
        f"BAD-DAYS,,,,,{fresh_pnr(adult=False)},Li,Sälg,child,,40,,,,,,",  # 15
        f"BAD-LANG,Försörjningsstöd Nord,xx,no,no,{fresh_pnr()},Bo,Oxel,applicant,,,,,,,,",
        f",Försörjningsstöd Nord,sv,no,no,{fresh_pnr()},Bo,Lind,applicant,,,,,,,,",  # 17: no id
        f"NO-NAME,Försörjningsstöd Nord,sv,no,no,{fresh_pnr()},,,applicant,,,,,,,,",
    ]
    source = tmp_path / "bad.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(str(source))
    assert result.exit_code == 1
    reported = {
        (int(line.split()[1].rstrip(":")), line.split(": ")[1].split(":")[0])
        for line in result.output.splitlines()
        if line.startswith("line ")
    }
    assert reported == {
        (3, "personnummer_checksum"),
        (4, "unknown_unit"),
        (5, "bad_role"),
        (6, "bad_date"),
        (10, "person_in_two_households"),
        (11, "bad_flag"),
        (12, "bad_amount"),
        (13, "applicant_count"),
        (15, "bad_days"),
        (16, "unknown_language"),
        (17, "missing_external_id"),
        (18, "name_required"),
    }
    assert "nothing was stored" in result.output
    assert count(engine, Household) == 0 and count(engine, Person) == 0
    assert count(engine, AuditEvent) == 0


def test_a_person_already_in_another_household_is_rejected(engine: Engine, tmp_path: Path) -> None:
    number = fresh_pnr()
    first = tmp_path / "first.csv"
    first.write_text(f"{HEADER}\nA-1,Försörjningsstöd Nord,sv,no,no,{number},Eva,Ek,applicant\n")
    assert run(str(first)).exit_code == 0
    second = tmp_path / "second.jsonl"
    body = {
        "external_id": "A-2",
        "unit": "Försörjningsstöd Syd",
        "members": [
            {"personnummer": number, "given_name": "Eva", "family_name": "Ek", "role": "applicant"}
        ],
    }
    second.write_text("\n" + json.dumps(body) + "\n{not json\n")
    result = run(str(second))
    assert result.exit_code == 1
    assert "line 2 (A-2): person_in_other_household" in result.output
    assert "line 3: bad_json" in result.output
    assert count(engine, Household) == 1


def test_a_file_without_the_required_columns_is_refused(engine: Engine, tmp_path: Path) -> None:
    source = tmp_path / "wrong.csv"
    source.write_text("id,name\n1,Eva\n")
    result = run(str(source))
    assert result.exit_code == 2
    assert "missing columns" in result.output
