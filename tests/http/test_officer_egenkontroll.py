"""Egenkontroll: a team lead draws a reproducible sample of a month's decided applications,
assigns reviewers (never to their own decisions), reviewers answer the checklist, and the lead
sees the monthly summary. Also the team-lead and seed commands, and the admin's audit search."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from intake.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    Decision,
    Household,
    ReviewItem,
    ReviewSample,
    StaffRole,
    StaffUser,
    TeamLead,
    Unit,
    utcnow,
)
from intake.officer.sample import draw
from portal import demo
from portal.auth import hash_password
from portal.cli import main
from tests.conftest import check_page
from tests.officer_support import household_of_pnr, post, sign_in, text_of

MONTH = "2031-04"  # months of their own, so that other tests' applications are not drawn
_months = iter(f"{2032 + n // 12}-{n % 12 + 1:02d}" for n in range(120))


def _staff(db: Session, username: str) -> StaffUser:
    return db.exec(select(StaffUser).where(StaffUser.username == username)).one()


@pytest.fixture
def lead(db: Session) -> Iterator[StaffUser]:
    """Hans Handläggare leads his unit for the test."""
    user = _staff(db, "handlaggare")
    row = TeamLead(staff_user_id=user.id or 0, unit_id=user.unit_id or 0)
    db.add(row)
    db.commit()
    yield user
    db.delete(row)
    db.commit()


@dataclass
class Decided:
    month: str
    ids: list[int]


@pytest.fixture
def decided(db: Session, lead: StaffUser, new_household) -> Decided:  # type: ignore[no-untyped-def]
    """Twelve decided applications of the unit for a month of their own, decided by Hans."""
    month = next(_months)
    ids = []
    for _ in range(12):
        made = new_household()
        household = household_of_pnr(db, made.members[0].personnummer)
        application = Application(
            household_id=household.id or 0,
            month=month,
            status=ApplicationStatus.decided,
            submitted_at=utcnow(),
        )
        db.add(application)
        db.commit()
        db.add(
            Decision(
                application_id=application.id or 0,
                outcome="granted",
                amount_ore=100000,
                decided_by=lead.id or 0,
            )
        )
        db.commit()
        ids.append(application.id or 0)
    return Decided(month, ids)


def test_a_lead_draws_a_reproducible_sample(
    client: TestClient, db: Session, decided: Decided
) -> None:
    sign_in(client, "handlaggare")
    home = client.get("/officer/egenkontroll")
    check_page(home.text)
    assert "Draw a sample" in home.text
    unit = _staff(db, "handlaggare").unit_id
    response = post(
        client,
        "/officer/egenkontroll/samples",
        {"unit": str(unit), "month": decided.month, "size": "4", "seed": "mars-2031"},
        page="/officer/egenkontroll",
    )
    assert response.status_code == 303
    sample_id = int(response.headers["location"].rsplit("/", 1)[1])
    sample = db.get(ReviewSample, sample_id)
    assert sample is not None and (sample.size, sample.population) == (4, 12)
    items = db.exec(
        select(ReviewItem.application_id).where(ReviewItem.sample_id == sample_id)
    ).all()
    assert sorted(items) == draw(decided.ids, 4, "mars-2031")
    page = client.get(f"/officer/egenkontroll/samples/{sample_id}")
    check_page(page.text)
    assert "mars-2031" in page.text and "4 of 12 decided applications" in text_of(page.text)
    # The same seed again gives the same sample.
    again = post(
        client,
        "/officer/egenkontroll/samples",
        {"unit": str(unit), "month": decided.month, "size": "4", "seed": "mars-2031"},
        page="/officer/egenkontroll",
    )
    second = int(again.headers["location"].rsplit("/", 1)[1])
    assert sorted(
        db.exec(select(ReviewItem.application_id).where(ReviewItem.sample_id == second)).all()
    ) == sorted(items)
    # Without a seed one is made and shown.
    fresh = post(
        client,
        "/officer/egenkontroll/samples",
        {"unit": str(unit), "month": decided.month, "size": "3", "seed": ""},
        page="/officer/egenkontroll",
    )
    fresh_sample = db.get(ReviewSample, int(fresh.headers["location"].rsplit("/", 1)[1]))
    assert fresh_sample is not None and re.fullmatch(r"[0-9a-f]{16}", fresh_sample.seed)


def test_bad_sample_requests_show_their_errors(
    client: TestClient, db: Session, lead: StaffUser
) -> None:
    sign_in(client, "handlaggare")
    other_unit = db.exec(select(Unit).where(Unit.name == demo.UNITS[1])).one()
    response = post(
        client,
        "/officer/egenkontroll/samples",
        {"unit": str(other_unit.id), "month": "2031-13", "size": "0", "seed": "no spaces"},
        page="/officer/egenkontroll",
    )
    assert response.status_code == 422
    check_page(response.text)
    words = text_of(response.text)
    for message in (
        "Choose one of your units.",
        "Write the month as YYYY-MM",
        "Write a sample size from 1 to 200.",
        "Use only letters, digits",
    ):
        assert message in words


def test_reviewers_the_checklist_and_the_summary(
    client: TestClient, app, db: Session, decided: Decided, lead: StaffUser
) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "handlaggare")
    response = post(
        client,
        "/officer/egenkontroll/samples",
        {"unit": str(lead.unit_id), "month": decided.month, "size": "2", "seed": "s"},
        page="/officer/egenkontroll",
    )
    sample_url = response.headers["location"]
    sample_id = int(sample_url.rsplit("/", 1)[1])
    items = db.exec(select(ReviewItem).where(ReviewItem.sample_id == sample_id)).all()
    teamledare = _staff(db, "teamledare")  # an officer of the other unit: not offered
    page = client.get(sample_url).text
    assert f'value="{teamledare.id}"' not in page
    assert f'value="{lead.id}"' not in page  # Hans decided them: he cannot review them
    # Give Hans's decisions to a colleague in his unit to review.
    colleague = StaffUser(
        username="granskare-" + str(sample_id),
        display_name="Greta Granskare",
        password_hash=hash_password("demo-granskare-x"),
        unit_id=lead.unit_id,
    )
    db.add(colleague)
    db.commit()
    db.add(StaffRole(user_id=colleague.id or 0, role="officer"))
    db.commit()
    saved = post(
        client,
        f"{sample_url}/reviewers",
        {f"reviewer_{item.id}": str(colleague.id) for item in items}
        | {f"reviewer_{items[0].id}": str(lead.id)},  # his own decision: refused quietly
        page=sample_url,
    )
    assert saved.status_code == 303
    db.expire_all()
    reviewers = {
        i.id: i.reviewer_id
        for i in db.exec(select(ReviewItem).where(ReviewItem.sample_id == sample_id)).all()
    }
    assert reviewers[items[0].id] is None and reviewers[items[1].id] == colleague.id
    # The colleague reviews the item assigned to her.
    with TestClient(app, base_url="http://127.0.0.1") as reviewer:
        reviewer.cookies.set("portal_lang", "en")
        token_page = reviewer.get("/login/staff").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', token_page).group(1)  # type: ignore[union-attr]
        reviewer.post(
            "/login/staff",
            data={
                "username": colleague.username,
                "password": "demo-granskare-x",
                "csrf_token": token,
            },
        )
        mine = reviewer.get("/officer/egenkontroll").text
        assert f"/officer/egenkontroll/items/{items[1].id}" in mine
        assert reviewer.get(f"/officer/egenkontroll/items/{items[0].id}").status_code == 403
        item_url = f"/officer/egenkontroll/items/{items[1].id}"
        incomplete = post(reviewer, item_url, {"planning_visible": "yes"}, page=item_url)
        assert incomplete.status_code == 422
        assert "Answer: The household is right" in text_of(incomplete.text)
        done = post(
            reviewer,
            item_url,
            {
                "planning_visible": "yes",
                "household_right": "no",
                "documents_support_costs": "yes",
                "other_benefits_applied": "not_applicable",
                "comment": "Hushållet saknar medsökande.",
            },
            page=item_url,
        )
        assert done.status_code == 303
    summary = text_of(client.get("/officer/egenkontroll").text)
    assert "1 of 2 reviewed" in summary
    assert "The household is right 0 1 0 0 %" in summary
    assert "The planning is visible in the case 1 0 0 100 %" in summary
    actions = db.exec(
        select(AuditEvent.action).where(AuditEvent.object_id == items[1].application_id)
    ).all()
    assert "egenkontroll_reviewed" in actions and "view_review" in actions


def test_officers_who_lead_nothing_cannot_draw(client: TestClient, db: Session) -> None:
    sign_in(client, "handlaggare2")
    page = client.get("/officer/egenkontroll").text
    assert "Draw a sample" not in page
    response = post(
        client,
        "/officer/egenkontroll/samples",
        {"unit": "1", "month": MONTH, "size": "2", "seed": "x"},
        page="/officer/egenkontroll",
    )
    assert response.status_code == 403
    sample = ReviewSample(unit_id=1, month=MONTH, seed="x", size=1, population=0, drawn_by=1)
    db.add(sample)
    db.commit()
    assert client.get(f"/officer/egenkontroll/samples/{sample.id}").status_code == 403


def test_a_team_lead_sees_the_units_they_lead(
    client: TestClient, db: Session, new_household, lead: StaffUser
) -> None:  # type: ignore[no-untyped-def]
    other_unit = db.exec(select(Unit).where(Unit.name == demo.UNITS[1])).one()
    db.add(TeamLead(staff_user_id=lead.id or 0, unit_id=other_unit.id or 0))
    db.commit()
    try:
        household = db.exec(select(Household).where(Household.unit_id == other_unit.id)).first()
        assert household is not None
        syd = db.exec(
            select(Application)
            .where(Application.household_id == household.id)
            .where(Application.status == "complete")
        ).first()
        sign_in(client, "handlaggare")
        queue = client.get("/officer")
        assert '<label for="filter-unit">Unit</label>' in queue.text
        assert syd is not None  # the demo data has open applications in both units
        assert (
            f'href="/officer/applications/{syd.id}"'
            in client.get(f"/officer?unit={other_unit.id}").text
        )
        assert client.get(f"/officer/applications/{syd.id}").status_code == 200
    finally:
        row = db.get(TeamLead, (lead.id, other_unit.id))
        if row is not None:
            db.delete(row)
            db.commit()


def test_admins_search_the_audit_log(client: TestClient, db: Session) -> None:
    sign_in(client, "handlaggare")
    client.get("/officer")
    client.cookies.clear()
    sign_in(client, "admin")
    response = client.get("/admin/audit?username=handlaggare&action=view_")
    check_page(response.text)
    words = text_of(response.text)
    assert (
        "Hans Handläggare (handlaggare)" in words and "view_queue" in words and "officer" in words
    )
    none = client.get("/admin/audit?username=nobody")
    assert "0 events" in text_of(none.text)
    assert "Search the audit log" in client.get("/admin").text
    searched = db.exec(
        select(AuditEvent)
        .where(AuditEvent.action == "search_audit_log")
        .order_by(col(AuditEvent.id).desc())
    ).first()
    assert searched is not None and searched.detail and searched.detail["role"] == "admin"
    client.cookies.clear()
    sign_in(client, "handlaggare")
    assert client.get("/admin/audit").status_code == 403


# --- commands ----------------------------------------------------------------------------------


@pytest.fixture
def fresh(command_database: Engine) -> Engine:
    with Session(command_database) as db:
        demo.seed(db, "Seedkommun")
    return command_database


def test_the_seed_command_fills_the_queue(fresh: Engine) -> None:
    result = CliRunner().invoke(main, ["officer", "seed", "--households", "60"])
    assert result.exit_code == 0, result.output
    assert "Added 60 households, 180 applications (60 open)" in result.output
    again = CliRunner().invoke(main, ["officer", "seed", "--households", "40"])
    assert again.exit_code == 0, again.output
    with Session(fresh) as db:
        open_count = db.exec(
            select(func.count()).select_from(Application).where(Application.status == "complete")
        ).one()
        assert open_count == 100 + 8  # the demo's 8 open applications
        waiting = db.exec(
            select(Application.submitted_at).where(Application.status == "complete")
        ).all()
        spread = {(utcnow() - when).days for when in waiting if when is not None}
        assert len(spread) > 10  # days waiting vary
        assert db.exec(select(func.count()).select_from(Decision)).one() == 200


def test_the_team_lead_command(fresh: Engine) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["officer", "team-lead", "teamledare"])
    assert result.exit_code == 0 and "teamledare leads Försörjningsstöd Syd." in result.output
    result = runner.invoke(
        main, ["officer", "team-lead", "teamledare", "--unit", "Försörjningsstöd Nord"]
    )
    assert result.exit_code == 0
    with Session(fresh) as db:
        assert len(db.exec(select(TeamLead)).all()) == 2
    assert runner.invoke(main, ["officer", "team-lead", "kvalitet"]).exit_code != 0
    assert runner.invoke(main, ["officer", "team-lead", "nobody"]).exit_code != 0
    removed = runner.invoke(main, ["officer", "team-lead", "teamledare", "--remove"])
    assert removed.exit_code == 0 and "no longer leads" in removed.output
    with Session(fresh) as db:
        assert len(db.exec(select(TeamLead)).all()) == 1


def test_seed_demo_makes_the_queue_for_the_benchmark_and_a_team_lead(
    command_database: Engine,
) -> None:
    """`portal seed-demo --households N` is what the issue and bench/officer_queue.py name."""
    engine = command_database
    result = CliRunner().invoke(main, ["seed-demo", "--households", "25"])
    assert result.exit_code == 0, result.output
    assert "Made-up queue data: 25 households, 25 open applications." in result.output
    assert "teamledare" in result.output and "quality, team lead" in result.output
    with Session(engine) as db:
        made_up = db.exec(
            select(func.count()).select_from(Application).where(Application.status == "complete")
        ).one()
        lead = _staff(db, "teamledare")
        leads = db.exec(select(TeamLead).where(TeamLead.staff_user_id == lead.id)).all()
    assert made_up >= 25
    assert [row.unit_id for row in leads] == [lead.unit_id]
    again = CliRunner().invoke(main, ["seed-demo", "--quiet"])
    assert again.exit_code == 0 and "Demo data: 0 staff" in again.output
    with Session(engine) as db:
        assert len(db.exec(select(TeamLead)).all()) == 1
