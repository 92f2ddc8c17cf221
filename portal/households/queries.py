"""Every SELECT of the household register."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from intake.models import (
    Answer,
    Application,
    ApplicationStatus,
    AuditEvent,
    Household,
    HouseholdMember,
    HouseholdTask,
    MemberRole,
    Person,
    StaffUser,
    Unit,
)
from portal import protection

CHUNK = 500  # values per IN (...): well below SQLite's and PostgreSQL's limits


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def units(db: Session) -> list[Unit]:
    return list(db.exec(select(Unit).order_by(col(Unit.name))).all())


def persons_by_personnummer(db: Session, numbers: Iterable[str]) -> dict[str, Person]:
    found: dict[str, Person] = {}
    for part in _chunks(sorted(set(numbers))):
        for person in db.exec(select(Person).where(col(Person.personnummer).in_(part))).all():
            found[person.personnummer] = person
    return found


def open_households_of(db: Session, person_ids: Iterable[int]) -> dict[int, int]:
    """Person id → the id of the open (not closed) household the person belongs to."""
    found: dict[int, int] = {}
    for part in _chunks(sorted(set(person_ids))):
        rows = db.exec(
            select(HouseholdMember.person_id, HouseholdMember.household_id)
            .join(Household, col(Household.id) == HouseholdMember.household_id)
            .where(col(HouseholdMember.person_id).in_(part))
            .where(col(Household.closed_at).is_(None))
        ).all()
        found.update({person_id: household_id for person_id, household_id in rows})
    return found


def households_by_external_id(db: Session, external_ids: Iterable[str]) -> dict[str, Household]:
    found: dict[str, Household] = {}
    for part in _chunks(sorted(set(external_ids))):
        for household in db.exec(
            select(Household).where(col(Household.external_id).in_(part))
        ).all():
            assert household.external_id is not None
            found[household.external_id] = household
    return found


def household_by_external_id(db: Session, external_id: str) -> Household | None:
    return db.exec(select(Household).where(Household.external_id == external_id)).first()


def members_of(db: Session, household_id: int) -> list[tuple[HouseholdMember, Person]]:
    rows = db.exec(
        select(HouseholdMember, Person)
        .join(Person, col(Person.id) == HouseholdMember.person_id)
        .where(HouseholdMember.household_id == household_id)
        .order_by(col(HouseholdMember.id))
    ).all()
    return [(member, person) for member, person in rows]


def application_for_month(db: Session, household_id: int, month: str) -> Application | None:
    return db.exec(
        select(Application)
        .where(Application.household_id == household_id)
        .where(Application.month == month)
    ).first()


def answers_of(db: Session, application_id: int) -> list[Answer]:
    return list(db.exec(select(Answer).where(Answer.application_id == application_id)).all())


def basis_month(db: Session, household_id: int) -> str | None:
    return db.exec(
        select(Application.month)
        .where(Application.household_id == household_id)
        .where(Application.status == ApplicationStatus.imported)
        .order_by(col(Application.month).desc())
    ).first()


# --- the officer's pages ---------------------------------------------------------------------


@dataclass
class RegisterRow:
    household: Household
    applicant: Person | None
    members: int
    unit: str


def register(
    db: Session, unit_ids: Sequence[int], text: str, *, closed: bool, page: int, page_size: int
) -> tuple[list[RegisterRow], int]:
    """Households of the units, by applicant name; ``text`` matches a name, a personnummer or
    the case system's id; never a household with protected identity."""
    if not unit_ids:
        return [], 0
    applicant = (
        select(HouseholdMember.household_id, HouseholdMember.person_id)
        .where(HouseholdMember.role == MemberRole.applicant)
        .subquery()
    )
    query = (
        select(Household, Person, Unit.name)
        .join(Unit, col(Unit.id) == Household.unit_id)
        .join(applicant, applicant.c.household_id == Household.id, isouter=True)
        .join(Person, col(Person.id) == applicant.c.person_id, isouter=True)
        .where(col(Household.unit_id).in_(unit_ids))
        # Skyddad identitet: never listed (portal/protection.py, the one mechanism).
        .where(protection.household_unprotected())
    )
    query = query.where(
        col(Household.closed_at).is_not(None) if closed else col(Household.closed_at).is_(None)
    )
    words = text.strip()
    if words:
        digits = re.sub(r"\D", "", words)
        matching = (
            select(HouseholdMember.household_id)
            .join(Person, col(Person.id) == HouseholdMember.person_id)
            .where(
                or_(
                    func.lower(Person.given_name + " " + Person.family_name).contains(
                        words.lower(), autoescape=True
                    ),
                    *(
                        [col(Person.personnummer).contains(digits, autoescape=True)]
                        if len(digits) >= 6
                        else []
                    ),
                )
            )
        )
        query = query.where(
            or_(col(Household.id).in_(matching), col(Household.external_id) == words)
        )
    total = int(db.exec(select(func.count()).select_from(query.subquery())).one())
    rows = db.exec(
        query.order_by(col(Person.family_name), col(Person.given_name), col(Household.id))
        .offset((max(page, 1) - 1) * page_size)
        .limit(page_size)
    ).all()
    ids = [household.id for household, _person, _unit in rows]
    counts = dict(
        db.exec(
            select(HouseholdMember.household_id, func.count())
            .where(col(HouseholdMember.household_id).in_(ids))
            .group_by(col(HouseholdMember.household_id))
        ).all()
    )
    return [
        RegisterRow(household, person, int(counts.get(household.id or 0, 0)), unit)
        for household, person, unit in rows
    ], total


def household_in_units(db: Session, household_id: int, unit_ids: Sequence[int]) -> Household | None:
    household = db.get(Household, household_id)
    if household is None or household.unit_id not in unit_ids:
        return None
    return household


@dataclass
class ChangeTask:
    application: Application
    text: str
    done: HouseholdTask | None


def change_tasks(db: Session, household_id: int) -> list[ChangeTask]:
    """What applicants wrote under "what has changed in your household", newest first, with
    whether an officer has acted on it."""
    rows = db.exec(
        select(Application, Answer, HouseholdTask)
        .join(Answer, col(Answer.application_id) == Application.id)
        .join(HouseholdTask, col(HouseholdTask.application_id) == Application.id, isouter=True)
        .where(Application.household_id == household_id)
        .where(Answer.key == "household_change")
        .where(
            col(Application.status).notin_([ApplicationStatus.draft, ApplicationStatus.imported])
        )
        .order_by(col(Application.month).desc())
    ).all()
    return [
        ChangeTask(application, answer.value.strip(), task)
        for application, answer, task in rows
        if isinstance(answer.value, str) and answer.value.strip()
    ]


def history(db: Session, household_id: int) -> list[tuple[AuditEvent, str]]:
    """The register's changes to the household, newest first, with who made them."""
    events = db.exec(
        select(AuditEvent)
        .where(AuditEvent.object_type == "household")
        .where(AuditEvent.object_id == household_id)
        .where(col(AuditEvent.action).startswith("household_"))
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .limit(50)
    ).all()
    staff_ids = {e.actor_id for e in events if e.actor_kind == "staff" and e.actor_id}
    names = {
        user.id: user.display_name
        for user in db.exec(select(StaffUser).where(col(StaffUser.id).in_(staff_ids))).all()
    }
    found = []
    for event in events:
        detail = event.detail if isinstance(event.detail, dict) else {}
        if event.actor_kind == "staff":
            who = names.get(event.actor_id, "")
        else:
            who = str(detail.get("token") or detail.get("source") or "")
        found.append((event, who))
    return found
