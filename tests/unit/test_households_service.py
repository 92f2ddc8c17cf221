"""The household register's service: every change and its audit event in one transaction (a
change whose audit event cannot be written is not made), the officer's changes with their why,
the household-change task."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from intake.models import (
    Answer,
    Application,
    ApplicationStatus,
    AuditEvent,
    Household,
    HouseholdMember,
    Municipality,
    Person,
    StaffUser,
    Unit,
)
from portal.households import queries, service
from portal.households.schemas import HouseholdIn, MemberIn
from tests.households_support import fresh_pnr, household_body

pytestmark = pytest.mark.db
API = service.Actor("api", 1, "api", "Viva")


@pytest.fixture
def db(command_database: Engine) -> Iterator[Session]:
    with Session(command_database) as session:
        municipality = Municipality(name="Testkommun", code="9999")
        session.add(municipality)
        session.flush()
        for name in ("Försörjningsstöd Nord", "Försörjningsstöd Syd"):
            session.add(Unit(municipality_id=municipality.id or 0, name=name))
        session.flush()  # units 1 and 2
        session.add(StaffUser(username="hans", display_name="Hans", password_hash="x", unit_id=1))
        session.commit()
        yield session


@pytest.fixture
def officer(db: Session) -> service.Actor:
    user = db.exec(select(StaffUser)).one()
    return service.Actor("staff", user.id, "officer")


def body(**changes: object) -> HouseholdIn:
    return HouseholdIn.model_validate(household_body(**changes))


def events(db: Session) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all())


def count(db: Session, model: type) -> int:
    return int(db.exec(select(func.count()).select_from(model)).one())


def break_the_audit_log(db: Session) -> None:
    """From now on every insert into the audit log fails, as a full or broken log would."""
    if db.get_bind().dialect.name == "postgresql":
        db.exec(  # type: ignore[call-overload]
            text(
                "CREATE FUNCTION audit_broken() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$"
            )
        )
        db.exec(  # type: ignore[call-overload]
            text(
                "CREATE TRIGGER audit_broken BEFORE INSERT ON audit_event "
                "FOR EACH ROW EXECUTE FUNCTION audit_broken()"
            )
        )
    else:
        db.exec(  # type: ignore[call-overload]
            text(
                "CREATE TRIGGER audit_broken BEFORE INSERT ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END"
            )
        )
    db.commit()


def test_upsert_writes_the_household_and_its_event_together(db: Session) -> None:
    result = service.upsert(db, "V-1", body(), API)
    assert result.created and result.household.external_id == "V-1"
    assert [e.action for e in events(db)] == ["household_created"]
    assert events(db)[0].object_id == result.household.id
    again = service.upsert(db, "V-1", body(), API)  # other people: the members are replaced
    assert not again.created and "member_removed" in again.changes
    assert count(db, Household) == 1 and count(db, HouseholdMember) == 2


CHANGES = ["upsert", "close", "register", "add", "move", "protect", "task"]


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_whose_audit_event_cannot_be_written_is_not_made(
    db: Session, officer: service.Actor, change: str
) -> None:
    household = service.upsert(db, "V-2", body(), API).household
    month = Application(household_id=household.id or 0, month="2026-10", status="submitted")
    db.add(month)
    db.flush()
    db.add(Answer(application_id=month.id or 0, key="household_change", value="A baby was born"))
    db.commit()
    before = {
        "households": count(db, Household),
        "members": count(db, HouseholdMember),
        "persons": count(db, Person),
        "events": count(db, AuditEvent),
    }
    break_the_audit_log(db)
    household_id = household.id or 0
    with pytest.raises(Exception, match="audit log unavailable"):
        if change == "upsert":
            service.upsert(db, "V-3", body(), API)
        elif change == "close":
            service.close_by_external_id(db, "V-2", "Moved", API)
        elif change == "register":
            service.register(db, body(), officer, "First meeting")
        elif change == "add":
            child = MemberIn(
                personnummer=fresh_pnr(adult=False),
                given_name="Ny",
                family_name="Född",
                role="child",
            )
            service.add_member(db, household, child, officer, "Born")
        elif change == "move":
            service.move(db, household, 2, officer, "Moved south")
        elif change == "protect":
            service.mark_protected(db, household, officer, "Granted")
        else:
            service.task_done(db, household, month.id or 0, officer, "Registered the baby")
    db.expire_all()
    stored = db.get(Household, household_id)
    assert stored is not None
    assert (stored.unit_id, stored.protected_identity, stored.closed_at) == (1, False, None)
    assert queries.change_tasks(db, household_id)[0].done is None
    assert {
        "households": count(db, Household),
        "members": count(db, HouseholdMember),
        "persons": count(db, Person),
        "events": count(db, AuditEvent),
    } == before


def test_the_officer_keeps_the_register_right_and_says_why(
    db: Session, officer: service.Actor
) -> None:
    data = body()
    data.members = data.members[:1]
    household = service.register(db, data, officer, "Grundutredning 3 Dec")
    with pytest.raises(service.HouseholdProblem) as refused:
        service.move(db, household, 2, officer, "   ")
    assert refused.value.problems[0].code == "why_required"
    partner = MemberIn(
        personnummer=fresh_pnr(), given_name="Abdi", family_name="W", role="co_applicant"
    )
    service.add_member(db, household, partner, officer, "Moved in")
    second = MemberIn(
        personnummer=fresh_pnr(), given_name="Omar", family_name="W", role="co_applicant"
    )
    with pytest.raises(service.HouseholdProblem) as two:
        service.add_member(db, household, second, officer, "Another")
    assert [p.code for p in two.value.problems] == ["co_applicant_count"]
    person = db.exec(select(Person).where(Person.given_name == "Abdi")).one()
    service.remove_member(db, household, person.id or 0, officer, "Moved out")
    service.move(db, household, 2, officer, "Moved south")
    service.mark_protected(db, household, officer, "Skyddad identitet beviljad")
    service.close(db, household, officer, "Self-supporting")
    db.refresh(household)
    assert household.unit_id == 2 and household.protected_identity and household.closed_at
    logged = [(e.action, (e.detail or {}).get("why")) for e in events(db)]
    assert logged == [
        ("household_registered", "Grundutredning 3 Dec"),
        ("household_member_added", "Moved in"),
        ("household_member_removed", "Moved out"),
        ("household_moved", "Moved south"),
        ("household_protected", "Skyddad identitet beviljad"),
        ("household_closed", "Self-supporting"),
    ]
    assert all(e.actor_kind == "staff" and e.actor_id == officer.id for e in events(db))
    with pytest.raises(service.HouseholdProblem) as closed:
        service.add_member(db, household, second, officer, "After closing")
    assert closed.value.status == 409


def test_a_household_change_is_a_task_until_done(db: Session, officer: service.Actor) -> None:
    household = service.upsert(db, "V-4", body(), API).household
    for month, status, words in (
        ("2026-09", ApplicationStatus.draft, "not sent yet"),
        ("2026-10", ApplicationStatus.submitted, "Abdi moved in on 1 October"),
        ("2026-11", ApplicationStatus.submitted, ""),
    ):
        application = Application(household_id=household.id or 0, month=month, status=status)
        db.add(application)
        db.flush()
        db.add(Answer(application_id=application.id or 0, key="household_change", value=words))
    db.commit()
    tasks = queries.change_tasks(db, household.id or 0)
    assert [(t.application.month, t.text, t.done) for t in tasks] == [
        ("2026-10", "Abdi moved in on 1 October", None)
    ]
    service.task_done(db, household, tasks[0].application.id or 0, officer, "Added Abdi")
    done = queries.change_tasks(db, household.id or 0)[0].done
    assert done is not None and done.note == "Added Abdi" and done.done_by == officer.id
