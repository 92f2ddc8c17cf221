"""The queries of the web side, in one place."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from intake.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    Household,
    HouseholdMember,
    Message,
    Municipality,
    Person,
    StaffRole,
    StaffUser,
    Unit,
)
from portal.auth import _DUMMY_HASH, Principal

DUMMY_HASH = _DUMMY_HASH


def audit(
    db: Session,
    actor_kind: str,
    actor_id: int | None,
    action: str,
    *,
    object_type: str | None = None,
    object_id: int | None = None,
    detail: dict[str, Any] | None = None,
    commit: bool = True,
) -> None:
    """Record who did what to which case data. ``commit=False``: the event joins the change
    being made, committed with it by the caller (one transaction)."""
    db.add(
        AuditEvent(
            actor_kind=actor_kind,
            actor_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            detail=detail,
        )
    )
    if commit:
        db.commit()


def audit_staff(
    db: Session,
    user: Principal,
    role: str,
    action: str,
    object_type: str,
    object_id: int | None,
    **detail: Any,
) -> None:
    """A staff member's read or change of case data, with the role they acted in."""
    audit(
        db,
        "staff",
        user.subject_id,
        action,
        object_type=object_type,
        object_id=object_id,
        detail={"role": role, **detail},
    )


def application_with_household(
    db: Session, application_id: int
) -> tuple[Application, Household] | None:
    """The application and its household in one query, or None."""
    row = db.exec(
        select(Application, Household)
        .join(Household, col(Household.id) == Application.household_id)
        .where(Application.id == application_id)
    ).first()
    return (row[0], row[1]) if row is not None else None


def person_by_personnummer(db: Session, number: str) -> Person | None:
    return db.exec(select(Person).where(Person.personnummer == number)).first()


def staff_by_username(db: Session, username: str) -> StaffUser | None:
    return db.exec(select(StaffUser).where(StaffUser.username == username)).first()


def roles_of(db: Session, user: StaffUser) -> frozenset[str]:
    return frozenset(db.exec(select(StaffRole.role).where(StaffRole.user_id == user.id)).all())


def record_failed_login(db: Session, user: StaffUser) -> None:
    user.failed_logins += 1
    db.add(user)
    db.commit()
    audit(db, "staff", user.id, "sign_in_failed")


def record_successful_login(db: Session, user: StaffUser) -> None:
    if user.failed_logins:
        user.failed_logins = 0
        db.add(user)
        db.commit()


def save_language(db: Session, principal: Principal, language: str) -> None:
    target: StaffUser | Person | None = principal.staff or principal.person
    if target is None:
        return
    target.language = language
    db.add(target)
    db.commit()


def applications_of(db: Session, household: Household) -> list[Application]:
    return list(
        db.exec(
            select(Application)
            .where(Application.household_id == household.id)
            .where(col(Application.status) != ApplicationStatus.imported)  # a basis, not sent
            .order_by(col(Application.month).desc())
        ).all()
    )


def messages_to(db: Session, household: Household, limit: int = 10) -> list[Message]:
    return list(
        db.exec(
            select(Message)
            .where(Message.household_id == household.id)
            .where(Message.direction == "to_applicant")
            .order_by(col(Message.created_at).desc())
            .limit(limit)
        ).all()
    )


def members_of(db: Session, household: Household) -> list[tuple[HouseholdMember, Person]]:
    rows = db.exec(
        select(HouseholdMember, Person)
        .join(Person, col(Person.id) == HouseholdMember.person_id)
        .where(HouseholdMember.household_id == household.id)
        .order_by(col(HouseholdMember.id))
    ).all()
    return [(member, person) for member, person in rows]


def count_applications_by_status(db: Session, unit_id: int | None = None) -> dict[str, int]:
    query = select(Application.status, func.count()).group_by(Application.status)
    if unit_id is not None:
        query = query.join(Household, col(Household.id) == Application.household_id).where(
            Household.unit_id == unit_id
        )
    return {status: count for status, count in db.exec(query).all()}


def staff_with_roles(db: Session) -> list[tuple[StaffUser, list[str]]]:
    users = db.exec(select(StaffUser).order_by(col(StaffUser.username))).all()
    roles: dict[int, list[str]] = {}
    for user_id, role in db.exec(select(StaffRole.user_id, StaffRole.role)).all():
        roles.setdefault(user_id, []).append(role)
    return [(user, sorted(roles.get(user.id or 0, []))) for user in users]


def units(db: Session) -> list[tuple[Unit, Municipality]]:
    rows = db.exec(
        select(Unit, Municipality).join(Municipality, col(Municipality.id) == Unit.municipality_id)
    ).all()
    return [(unit, municipality) for unit, municipality in rows]


def unit_name(db: Session, unit_id: int | None) -> str | None:
    if unit_id is None:
        return None
    unit = db.get(Unit, unit_id)
    return unit.name if unit else None
