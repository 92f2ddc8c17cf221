"""The case officer's queue over HTTP: only the unit's complete applications, the filters, the
order, days waiting with the 14-day mark, taking and assigning, with and without htmx."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from intake.models import ActionPlan, Application, AuditEvent, Finding, Household, StaffUser
from portal.officer_settings import OfficerSettings
from tests.conftest import check_page
from tests.officer_support import (
    Case,
    case_of,
    links_to_applications,
    post,
    set_answer,
    sign_in,
    text_of,
    waiting_since,
)


@pytest.fixture(autouse=True)
def _one_page(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every complete application of the unit on one page, whatever other tests added."""
    monkeypatch.setattr(
        app.state, "officer_settings", OfficerSettings(page_size=500), raising=False
    )


@pytest.fixture
def officer(client: TestClient) -> TestClient:
    sign_in(client, "handlaggare")
    return client


def _staff(db: Session, username: str) -> StaffUser:
    return db.exec(select(StaffUser).where(StaffUser.username == username)).one()


def test_the_queue_lists_the_units_complete_applications(
    officer: TestClient, db: Session, new_household
) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household())
    response = officer.get("/officer")
    check_page(response.text)
    assert "<h1>Applications to decide</h1>" in response.text
    assert case.id in links_to_applications(response.text)
    # Only complete applications: the household's decided months are not in the queue.
    decided = db.exec(
        select(Application.id)
        .where(Application.household_id == case.household.id)
        .where(Application.status == "decided")
    ).all()
    assert decided and not set(decided) & links_to_applications(response.text)
    # Every listed application is complete and belongs to the officer's unit.
    staff = _staff(db, "handlaggare")
    for application_id in links_to_applications(response.text):
        application = db.get(Application, application_id)
        assert application is not None and application.status == "complete"
        household = db.get(Household, application.household_id)
        assert household is not None and household.unit_id == staff.unit_id


def test_officers_of_another_unit_see_neither_the_row_nor_the_application(
    client: TestClient, db: Session, new_household
) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household())
    sign_in(client, "handlaggare2")  # Försörjningsstöd Syd
    assert case.id not in links_to_applications(client.get("/officer").text)
    assert client.get(case.url).status_code == 404
    assert client.get(case.url + "/case-file.pdf").status_code == 404


def test_days_waiting_and_the_14_day_mark(officer: TestClient, db: Session, new_household) -> None:  # type: ignore[no-untyped-def]
    old, fresh = case_of(db, new_household()), case_of(db, new_household())
    waiting_since(db, old, 20)
    waiting_since(db, fresh, 2)
    html = officer.get("/officer").text
    row_old = html.split(f'href="/officer/applications/{old.id}"')[1].split("</tr>")[0]
    row_fresh = html.split(f'href="/officer/applications/{fresh.id}"')[1].split("</tr>")[0]
    assert "waiting--over" in row_old and "20 days" in text_of(row_old)
    assert "(over 14)" in text_of(row_old)
    assert "waiting--over" not in row_fresh and "2 days" in text_of(row_fresh)
    # Waited longest first; newest first on request.
    assert html.index(f'/officer/applications/{old.id}"') < html.index(
        f'/officer/applications/{fresh.id}"'
    )
    newest = officer.get("/officer?sort=newest").text
    assert newest.index(f'/officer/applications/{fresh.id}"') < newest.index(
        f'/officer/applications/{old.id}"'
    )
    over = links_to_applications(officer.get("/officer?flag=over_mark").text)
    assert old.id in over and fresh.id not in over
    at_least = links_to_applications(officer.get("/officer?min_days=14").text)
    assert old.id in at_least and fresh.id not in at_least


def test_filters_by_flag(officer: TestClient, db: Session, new_household) -> None:  # type: ignore[no-untyped-def]
    changed, findings, plain = (case_of(db, new_household()) for _ in range(3))
    set_answer(db, changed.id, "rent", 915000, changed=True)
    db.add(Finding(application_id=findings.id, code="rent_increase", severity="review"))
    db.add(
        ActionPlan(
            household_id=plain.household.id or 0,
            established_on=dt.date.today(),
            recorded_by=_staff(db, "handlaggare").id or 0,
        )
    )
    db.commit()

    def listed(query: str) -> set[int]:
        return links_to_applications(officer.get("/officer?" + query).text) & {
            changed.id,
            findings.id,
            plain.id,
        }

    assert listed("flag=changed") == {changed.id}
    assert listed("flag=findings") == {findings.id}
    assert listed("flag=plan") == {changed.id, findings.id}  # plain has a fresh plan
    assert listed("flag=changed&flag=findings") == set()
    assert listed("flag=nonsense") == {changed.id, findings.id, plain.id}
    html = officer.get("/officer").text
    row = html.split(f'href="/officer/applications/{changed.id}"')[1].split("</tr>")[0]
    assert "Changed since last month" in text_of(row)


def test_filters_by_household_type_and_language(
    officer: TestClient, db: Session, new_household
) -> None:  # type: ignore[no-untyped-def]
    single = case_of(db, new_household("sv"))
    couple = case_of(db, new_household("sv", co_applicant=True))
    parent = case_of(db, new_household("ar", children=2))
    family = case_of(db, new_household("so", co_applicant=True, children=1))
    mine = {single.id, couple.id, parent.id, family.id}

    def listed(query: str) -> set[int]:
        return links_to_applications(officer.get("/officer?" + query).text) & mine

    assert listed("household_type=single") == {single.id}
    assert listed("household_type=couple") == {couple.id}
    assert listed("household_type=single_parent") == {parent.id}
    assert listed("household_type=couple_with_children") == {family.id}
    assert listed("language=ar") == {parent.id}
    assert listed("language=so&household_type=couple_with_children") == {family.id}
    assert listed("language=xx") == mine  # an unknown value is no filter
    html = officer.get("/officer?household_type=single_parent").text
    assert '<option value="single_parent" selected>Single parent</option>' in html


def test_take_and_assign_and_the_assigned_to_me_filter(
    officer: TestClient, db: Session, new_household
) -> None:  # type: ignore[no-untyped-def]
    taken, other = case_of(db, new_household()), case_of(db, new_household())
    response = post(officer, f"/officer/applications/{taken.id}/take", {}, page="/officer")
    assert response.status_code == 303
    assert response.headers["location"] == f"/officer/applications/{taken.id}"
    me = _staff(db, "handlaggare")
    db.expire_all()
    assert db.get(Application, taken.id).assigned_to == me.id  # type: ignore[union-attr]
    assert links_to_applications(officer.get("/officer?assigned=me").text) & {
        taken.id,
        other.id,
    } == {taken.id}
    assert other.id in links_to_applications(officer.get("/officer?assigned=unassigned").text)
    row = officer.get("/officer").text.split(f'href="/officer/applications/{taken.id}"')[1]
    assert "Hans Handläggare" in row.split("</tr>")[0]
    # Unassign from the application's page; an officer of another unit cannot be chosen.
    response = post(officer, f"{taken.url}/assign", {"staff_id": ""}, page=taken.url)
    assert response.status_code == 303
    db.expire_all()
    assert db.get(Application, taken.id).assigned_to is None  # type: ignore[union-attr]
    other_unit = _staff(db, "handlaggare2")
    refused = post(officer, f"{taken.url}/assign", {"staff_id": str(other_unit.id)}, page=taken.url)
    assert refused.status_code == 400
    actions = db.exec(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "application")
        .where(AuditEvent.object_id == taken.id)
    ).all()
    assert {"take_application", "unassign_application"} <= set(actions)


def test_the_filter_works_with_htmx_and_without(
    officer: TestClient, db: Session, new_household
) -> None:  # type: ignore[no-untyped-def]
    case: Case = case_of(db, new_household("fi"))
    full = officer.get("/officer?language=fi")
    assert full.headers["vary"] == "HX-Request"
    assert '<form method="get" action="/officer"' in full.text
    fragment = officer.get("/officer?language=fi", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and '<form method="get"' not in fragment.text
    assert case.id in links_to_applications(fragment.text)
    assert "officer-queue" in fragment.text


def test_every_queue_view_is_audit_logged(officer: TestClient, db: Session, new_household) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household())
    officer.get("/officer?flag=changed")
    officer.get("/officer")
    event = db.exec(
        select(AuditEvent).where(AuditEvent.action == "view_queue").order_by(AuditEvent.id.desc())  # type: ignore[union-attr]
    ).first()
    assert event is not None
    assert event.actor_id == _staff(db, "handlaggare").id
    assert event.detail is not None and event.detail["role"] == "officer"
    assert case.id in event.detail["applications"]


def test_pages_of_the_queue(officer: TestClient, app: FastAPI, new_household) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        new_household()
    app.state.officer_settings = OfficerSettings(page_size=5)  # the autouse fixture restores it
    first = officer.get("/officer").text
    second = officer.get("/officer?page=2").text
    assert len(links_to_applications(first)) == 5
    assert not links_to_applications(first) & links_to_applications(second)
    assert "Page 1 of" in text_of(first) and 'href="/officer?page=2"' in first
    assert 'href="/officer"' in second or 'rel="prev"' in second
