"""Figures for the team lead, the demo queue, and the rules file checked at start-up."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from intake.completeness import Code, ConfigError
from intake.models import (
    Application,
    Household,
    Municipality,
    StaffUser,
    TeamLead,
    Unit,
    utcnow,
)
from portal import completeness, repository_completeness
from portal.completeness_demo import CASES
from portal.completeness_demo import seed as seed_demo
from portal.settings import Settings
from tests.completeness_support import MONTH, ask, make_household, send
from tests.conftest import check_page, login_staff


def _in_new_unit(db: Session, name: str, *households: object) -> Unit:
    municipality = db.exec(select(Municipality)).first()
    assert municipality is not None
    unit = Unit(municipality_id=municipality.id or 0, name=name)
    db.add(unit)
    db.commit()
    for sent in households:
        household = db.get(Household, sent.household.id)  # type: ignore[attr-defined]
        assert household is not None
        household.unit_id = unit.id or 0
        db.add(household)
    db.commit()
    return unit


def test_share_complete_median_time_and_rounds_by_month_and_unit(
    client: TestClient, db: Session, settings: Settings
) -> None:
    clean = send(db, settings.uploads, make_household(db, "sv"))
    asked = send(
        db,
        settings.uploads,
        make_household(db, "sv"),
        drop=("rent",),
        submitted_at=utcnow() - dt.timedelta(hours=50),
    )
    waiting = send(db, settings.uploads, make_household(db, "sv"), drop=("rent",))
    unit = _in_new_unit(db, "Enhet för figurer", clean, asked, waiting)
    ask(db, settings, asked.application)
    staff = db.exec(select(StaffUser).where(StaffUser.username == "informator")).one()
    finding = completeness.findings_of(db, asked.application.id)[0]
    completeness.accept_finding(db, asked.application, finding.id or 0, staff, "Per telefon")
    completeness.mark_complete(db, asked.application, staff)

    rows = repository_completeness.figures(db, [unit.id or 0], unit_id=unit.id)
    assert [(r.month, r.unit) for r in rows] == [(MONTH, "Enhet för figurer"), (MONTH, "")]
    row = rows[0]
    assert row.applications == 3
    assert row.complete_on_submission == 1
    assert row.share_complete_on_submission == pytest.approx(1 / 3)
    assert row.completed == 2
    assert row.median_hours_to_complete == pytest.approx(25, abs=0.1)
    assert row.rounds == {0: 2, 1: 1, 2: 0, 3: 0}
    assert row.mean_rounds == pytest.approx(1 / 3)

    lead = db.exec(select(StaffUser).where(StaffUser.username == "teamledare")).one()
    db.add(TeamLead(staff_user_id=lead.id or 0, unit_id=unit.id or 0))  # figures: own units only
    db.commit()
    client.cookies.set("portal_lang", "en")
    login_staff(client, "teamledare")  # team lead: officer, informatör and quality
    page = client.get(f"/informator/figures?unit={unit.id}")
    check_page(page.text)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))
    assert "Completeness by month and unit" in text
    assert "Enhet för figurer 3 33 % (1) 25 hours 0.3 2 / 1 / 0 / 0" in text


def test_the_demo_queue_is_seeded_once(empty_database_url: str, tmp_path: Path) -> None:
    """In a database of its own, so that the demo households stay out of the other tests."""
    from portal import demo
    from portal.db import make_engine, migrate

    engine = make_engine(empty_database_url)
    migrate(engine)
    try:
        with Session(engine) as db:
            demo.seed(db, "Testkommun")
            assert seed_demo(db, tmp_path) == len(CASES)
            assert seed_demo(db, tmp_path) == 0
            wanted = repository_completeness.QueueFilter(view="all")
            every_unit = [u.id or 0 for u in db.exec(select(Unit)).all()]
            queue = repository_completeness.queue(db, wanted, every_unit)
            names = {row.applicant for row in queue.rows}
            assert names == {"Erik Johansson", "Karim Haddad", "Amina Warsame", "Selam Gebre"}
            erik = next(row for row in queue.rows if row.applicant == "Erik Johansson")
            assert sorted(f.code for f in erik.findings) == [
                "household_change_facts",
                "missing_attachment",
                "wrong_period",
            ]
            selam = next(row for row in queue.rows if row.applicant == "Selam Gebre")
            assert selam.application.status == "needs_completion" and selam.rounds == 1
            petra = db.exec(
                select(Application)
                .where(Application.month == MONTH)
                .where(Application.status == "complete")
            ).all()
            assert len(petra) == 1 and petra[0].pre_validated  # complete when sent
            assert all((tmp_path / str(a.id)).is_dir() for a in petra)  # with real documents
    finally:
        engine.dispose()


def test_a_bad_rules_file_stops_the_portal_at_start(tmp_path: Path, app) -> None:  # type: ignore[no-untyped-def]
    rules = tmp_path / "completeness.toml"
    rules.write_text('[rules]\nwrong_period = "sometimes"\n')
    with pytest.raises(ConfigError) as error:
        completeness.install(app, completeness.CompletenessSettings(completeness_rules_file=rules))
    assert f"{rules}:2: rules.wrong_period: must be one of" in str(error.value)
    good = tmp_path / "good.toml"
    good.write_text('[rules]\nincome_disappeared = "off"\n')
    setup = completeness.install(
        app, completeness.CompletenessSettings(completeness_rules_file=good)
    )
    try:
        assert setup.config.severity(Code.income_disappeared) is None
    finally:
        completeness.install(app, completeness.CompletenessSettings())
