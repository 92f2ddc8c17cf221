"""Queries for the applicant's monthly application."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from intake import flow
from intake.models import (
    Answer,
    Application,
    ApplicationStatus,
    Attachment,
    Household,
    HouseholdMember,
    Person,
    Signature,
    utcnow,
)
from intake.personnummer import Personnummer
from portal.repository import members_of


def application_for(db: Session, household: Household, month: str) -> Application | None:
    return db.exec(
        select(Application)
        .where(Application.household_id == household.id)
        .where(Application.month == month)
    ).first()


def get_or_create_draft(
    db: Session, household: Household, month: str, language: str
) -> Application:
    """The household's application for ``month``; created once even when two requests race."""
    existing = application_for(db, household, month)
    if existing is not None:
        return existing
    previous = previous_application(db, household, month)
    application = Application(
        household_id=household.id or 0,
        month=month,
        language=language,
        prefilled_from=previous.id if previous else None,
    )
    db.add(application)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        existing = application_for(db, household, month)
        assert existing is not None
        return existing
    db.refresh(application)
    return application


def previous_application(db: Session, household: Household, month: str) -> Application | None:
    """The latest sent application before ``month``: what this month is prefilled from."""
    return db.exec(
        select(Application)
        .where(Application.household_id == household.id)
        .where(Application.month < month)
        .where(Application.status != ApplicationStatus.draft)
        .order_by(col(Application.month).desc())
    ).first()


def answers_of(db: Session, application_id: int | None) -> dict[str, Any]:
    if application_id is None:
        return {}
    rows = db.exec(select(Answer).where(Answer.application_id == application_id)).all()
    return {row.key: row.value for row in rows}


def context_for(db: Session, household: Household, application: Application) -> flow.Context:
    today = dt.date.fromisoformat(application.month + "-01")
    members = []
    for member, person in members_of(db, household):
        members.append(
            flow.Member(
                id=person.id or 0,
                role=member.role,
                given_name=person.given_name,
                age=Personnummer(person.personnummer).age_on(today),
                days_at_home=member.days_at_home,
            )
        )
    previous = answers_of(db, application.prefilled_from)
    return flow.Context(month=application.month, members=tuple(members), previous=previous)


def save_answer(db: Session, application: Application, key: str, value: Any, changed: bool) -> None:
    """Store the answer and commit: it is saved before the applicant is told so."""
    save_answers(db, application, {key: value}, changed)


def save_answers(
    db: Session, application: Application, values: dict[str, Any], changed: bool
) -> None:
    """Store several answers in one transaction (all or none) and commit; the last key becomes
    the application's current step."""
    if not values:
        return
    rows = {
        row.key: row
        for row in db.exec(
            select(Answer)
            .where(Answer.application_id == application.id)
            .where(col(Answer.key).in_(list(values)))
        ).all()
    }
    now = utcnow()
    for key, value in values.items():
        row = rows.get(key) or Answer(application_id=application.id or 0, key=key)
        row.value = value
        row.changed = changed
        row.updated_at = now
        db.add(row)
    application.updated_at = now
    application.current_step = next(reversed(values))
    db.add(application)
    db.commit()


def delete_answers(db: Session, application: Application, keys: list[str]) -> None:
    for row in db.exec(select(Answer).where(Answer.application_id == application.id)).all():
        if row.key in keys:
            db.delete(row)
    db.commit()


def changed_keys(db: Session, application: Application) -> set[str]:
    rows = db.exec(
        select(Answer.key).where(Answer.application_id == application.id).where(Answer.changed)
    ).all()
    return set(rows)


def attachments_of(db: Session, application: Application) -> list[Attachment]:
    return list(
        db.exec(
            select(Attachment)
            .where(Attachment.application_id == application.id)
            .where(col(Attachment.removed_at).is_(None))
            .order_by(col(Attachment.received_at))
        ).all()
    )


def count_attachments(db: Session, application: Application) -> int:
    return len(attachments_of(db, application))


def signatures_of(db: Session, application: Application) -> list[Signature]:
    return list(
        db.exec(
            select(Signature)
            .where(Signature.application_id == application.id)
            .order_by(col(Signature.signed_at))
        ).all()
    )


def co_applicant_of(db: Session, household: Household) -> Person | None:
    return db.exec(
        select(Person)
        .join(HouseholdMember, col(HouseholdMember.person_id) == Person.id)
        .where(HouseholdMember.household_id == household.id)
        .where(HouseholdMember.role == "co_applicant")
    ).first()


def applicant_of(db: Session, household: Household) -> Person | None:
    return db.exec(
        select(Person)
        .join(HouseholdMember, col(HouseholdMember.person_id) == Person.id)
        .where(HouseholdMember.household_id == household.id)
        .where(HouseholdMember.role == "applicant")
    ).first()


def application_of_household(
    db: Session, household: Household, application_id: int
) -> Application | None:
    application = db.get(Application, application_id)
    if application is None or application.household_id != household.id:
        return None
    return application
