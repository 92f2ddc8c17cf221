"""Skyddad identitet (protected identity) on the staff side: the one mechanism.

A household's ``protected_identity`` is usually set *after* it has applied (the Tax Agency
marks the person later). From that moment nothing about the household may be processed or shown
by the portal: its case is handled outside the portal. So the flag is read at the moment of use,
never trusted from when the application was sent:

* every staff-facing select of applications, households or what hangs on them (answers,
  attachments, review items) adds :func:`application_unprotected` or
  :func:`household_unprotected`, so lists, counts, samples and the API never see such a household;
* every page, file, PDF or action addressed to one application calls :func:`check` after the
  staff member's scope (unit, role, status) has been checked: it reads the flag again from the
  database and raises :class:`ProtectedIdentity`, which the app answers with the "handled outside
  the portal" placeholder (``templates/pages/staff/protected.html``, no names, answers, files or
  personnummer) and, under ``/api/``, with a plain 404;
* the builders of what leaves the portal (the case-file PDF, the hand-off document) call
  :func:`check` again when they build;
* a notification carries its household and :func:`portal.notify.deliver` re-checks it at send
  time; messages waiting for a household that became protected are withheld and their
  recipient and text erased.

An unknown household counts as protected (fail closed).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from intake.models import Application, Household


class ProtectedIdentity(Exception):
    """The household has protected identity: the case is handled outside the portal."""

    def __init__(self, household_id: int | None) -> None:
        super().__init__("protected identity")
        self.household_id = household_id


def protected_households() -> Any:
    """A subquery: the ids of households with protected identity."""
    return select(Household.id).where(col(Household.protected_identity).is_(True))


def household_unprotected() -> ColumnElement[bool]:
    """A condition on ``Household`` (joined in the query): no protected identity."""
    return col(Household.protected_identity).is_(False)


def application_unprotected() -> ColumnElement[bool]:
    """A condition on ``Application`` that needs no join: its household has no protected
    identity."""
    return col(Application.household_id).notin_(protected_households())


def application_protected() -> ColumnElement[bool]:
    """The opposite condition: the application's household has protected identity."""
    return col(Application.household_id).in_(protected_households())


def is_protected(db: Session, household_id: int | None) -> bool:
    """The flag as the database has it now (not the copy loaded earlier in the request)."""
    if household_id is None:
        return True
    value = db.exec(
        select(Household.protected_identity).where(Household.id == household_id)
    ).first()
    return value is None or bool(value)


def application_is_protected(db: Session, application_id: int | None) -> bool:
    if application_id is None:
        return True
    household_id = db.exec(
        select(Application.household_id).where(Application.id == application_id)
    ).first()
    return is_protected(db, household_id)


def check(db: Session, household_id: int | None) -> None:
    """Raise :class:`ProtectedIdentity` when the household has protected identity now."""
    if is_protected(db, household_id):
        raise ProtectedIdentity(household_id)


def check_application(db: Session, application_id: int | None) -> None:
    if application_is_protected(db, application_id):
        raise ProtectedIdentity(None)
