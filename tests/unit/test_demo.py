import datetime as dt

import pytest
from sqlmodel import Session, func, select

from intake.models import Application, Household, Person, StaffUser
from intake.personnummer import parse
from portal import demo
from portal.db import make_engine, migrate

pytestmark = pytest.mark.db


def test_seed_is_idempotent_and_covers_the_shapes(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    migrate(engine)
    with Session(engine) as db:
        first = demo.seed(db, "Demokommun", today=dt.date(2026, 11, 24))
        again = demo.seed(db, "Demokommun", today=dt.date(2026, 11, 24))
        households = db.exec(select(Household)).all()
        months = sorted({a.month for a in db.exec(select(Application)).all()})
        staff = db.exec(select(func.count()).select_from(StaffUser)).one()
        people = db.exec(select(Person)).all()
    engine.dispose()
    assert first == {"staff": 6, "households": 9, "applications": 24, "norm_tables": 5}
    assert again == {"staff": 0, "households": 0, "applications": 0, "norm_tables": 0}
    assert staff == 6
    assert {h.language for h in households} == {"sv", "fi", "ar", "so", "ti", "uk", "fa"}
    assert sum(h.protected_identity for h in households) == 1
    assert months == ["2026-09", "2026-10", "2026-11"]
    for person in people:
        assert parse(person.personnummer).value == person.personnummer


def test_month_offset() -> None:
    assert demo.month_offset("2026-01", -1) == "2025-12"
    assert demo.month_offset("2026-12", 1) == "2027-01"
    assert demo.month_offset("2026-05", 0) == "2026-05"
