"""Queries for the informatör: the queue with its filters, one application's case file, and the
figures for the team lead."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from intake.models import (
    Application,
    ApplicationStatus,
    CompletionRequest,
    ContactNote,
    Finding,
    Household,
    HouseholdMember,
    Message,
    Person,
    StaffUser,
    Unit,
    utcnow,
)
from portal import protection
from portal.repository import application_with_household

PAGE_SIZE = 50
ROUTING = ("blocking", "review")
CO_APPLICANT_CODES = ("co_applicant_not_signed", "co_applicant_declined")
VIEWS: dict[str, tuple[str, ...]] = {
    "to_check": (ApplicationStatus.submitted,),
    "waiting": (ApplicationStatus.needs_completion,),
    "co_applicant": (ApplicationStatus.awaiting_co_applicant,),
    "all": (
        ApplicationStatus.submitted,
        ApplicationStatus.needs_completion,
        ApplicationStatus.awaiting_co_applicant,
    ),
}
WAITING_DAYS = (0, 1, 3, 7, 14)
# What the informatör works on (F7): applications being made complete, and those made complete
# until they are decided (so that a call from the applicant about one just passed on can be
# answered). Drafts are the applicant's alone; decided applications are the officers'.
INFORMATOR_STATUSES = (
    ApplicationStatus.awaiting_co_applicant,
    ApplicationStatus.submitted,
    ApplicationStatus.needs_completion,
    ApplicationStatus.complete,
)


def informator_units(db: Session, staff: StaffUser | None) -> list[int]:
    """The units an informatör works for: their own unit and the units they lead (as for the
    officers). Without a unit: none (fail closed)."""
    from portal.repository_officer import visible_units

    return visible_units(db, staff)


def application_for_informator(
    db: Session, application_id: int, unit_ids: Sequence[int]
) -> tuple[Application, Household] | None:
    """The application with its household when it is in one of the informatör's units and in a
    status the role works on; else None (404). Raises ``ProtectedIdentity`` (the placeholder
    page) when such a household has protected identity now."""
    row = application_with_household(db, application_id)
    if row is None:
        return None
    application, household = row
    if household.unit_id not in unit_ids or application.status not in INFORMATOR_STATUSES:
        return None
    protection.check(db, household.id)
    return application, household


@dataclass
class QueueFilter:
    view: str = "to_check"
    finding: str = ""
    unit: int | None = None
    language: str = ""
    waiting: int = 0  # at least this many days since it was received
    co_applicant: bool = False  # only those whose co-applicant has not signed
    page: int = 1

    def query(self, **changes: Any) -> str:
        """The filter as a query string (for paging links)."""
        values = {
            "view": self.view,
            "finding": self.finding,
            "unit": self.unit or "",
            "language": self.language,
            "waiting": self.waiting or "",
            "co_applicant": "pending" if self.co_applicant else "",
            "page": self.page if self.page > 1 else "",
            **changes,
        }
        return "&".join(f"{k}={v}" for k, v in values.items() if v not in ("", None))


@dataclass
class QueueRow:
    application: Application
    applicant: str
    unit: str
    days_waiting: int
    findings: list[Finding] = field(default_factory=list)
    rounds: int = 0
    answered: bool = False  # the applicant has answered the latest completion request


@dataclass
class Queue:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int


def _waiting_since(application: Application) -> dt.datetime:
    moment = application.submitted_at or application.updated_at
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def queue(
    db: Session, wanted: QueueFilter, unit_ids: Sequence[int], now: dt.datetime | None = None
) -> Queue:
    """One page of the informatör's queue in their units (none: an empty queue)."""
    now = now or utcnow()
    statuses = VIEWS.get(wanted.view, VIEWS["to_check"])
    query = (
        select(Application, Household)
        .join(Household, col(Household.id) == Application.household_id)
        .where(col(Application.status).in_(statuses))
        .where(col(Household.unit_id).in_(list(unit_ids)))
        .where(protection.household_unprotected())
    )
    if wanted.unit:
        query = query.where(Household.unit_id == wanted.unit)
    if wanted.language:
        query = query.where(Application.language == wanted.language)
    if wanted.waiting:
        cutoff = now - dt.timedelta(days=wanted.waiting)
        query = query.where(
            func.coalesce(Application.submitted_at, Application.updated_at) <= cutoff
        )
    if wanted.finding:
        query = query.where(
            col(Application.id).in_(
                select(Finding.application_id)
                .where(Finding.code == wanted.finding)
                .where(Finding.status == "open")
            )
        )
    if wanted.co_applicant:
        query = query.where(
            or_(
                col(Application.status) == ApplicationStatus.awaiting_co_applicant,
                col(Application.id).in_(
                    select(Finding.application_id)
                    .where(col(Finding.code).in_(CO_APPLICANT_CODES))
                    .where(Finding.status == "open")
                ),
            )
        )
    total = db.exec(select(func.count()).select_from(query.subquery())).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(wanted.page, 1), pages)
    rows = db.exec(
        query.order_by(
            func.coalesce(Application.submitted_at, Application.updated_at), col(Application.id)
        )
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    ids = [application.id for application, _ in rows]
    names = applicant_names(db, [household.id or 0 for _, household in rows])
    units = {unit.id: unit.name for unit in db.exec(select(Unit)).all()}
    findings: dict[int, list[Finding]] = defaultdict(list)
    for finding in db.exec(
        select(Finding)
        .where(col(Finding.application_id).in_(ids))
        .where(Finding.status == "open")
        .where(col(Finding.severity).in_(ROUTING))
        .order_by(col(Finding.severity), col(Finding.code))
    ).all():
        findings[finding.application_id].append(finding)
    rounds: dict[int, list[CompletionRequest]] = defaultdict(list)
    for request in db.exec(
        select(CompletionRequest)
        .where(col(CompletionRequest.application_id).in_(ids))
        .order_by(col(CompletionRequest.id))
    ).all():
        rounds[request.application_id].append(request)
    result = []
    for application, household in rows:
        requests = rounds.get(application.id or 0, [])
        result.append(
            QueueRow(
                application=application,
                applicant=names.get(household.id or 0, ""),
                unit=units.get(household.unit_id, ""),
                days_waiting=max(0, (now - _waiting_since(application)).days),
                findings=findings.get(application.id or 0, []),
                rounds=len(requests),
                answered=bool(requests)
                and requests[-1].answered_at is not None
                and application.status == ApplicationStatus.submitted,
            )
        )
    return Queue(result, total, page, pages)


def applicant_names(db: Session, household_ids: list[int]) -> dict[int, str]:
    rows = db.exec(
        select(HouseholdMember.household_id, Person.given_name, Person.family_name)
        .join(Person, col(Person.id) == HouseholdMember.person_id)
        .where(col(HouseholdMember.household_id).in_(household_ids))
        .where(HouseholdMember.role == "applicant")
    ).all()
    return {household_id: f"{given} {family}" for household_id, given, family in rows}


def counts(db: Session, unit_ids: Sequence[int]) -> dict[str, int]:
    """Applications per queue view in the units, for the tabs."""
    rows = db.exec(
        select(Application.status, func.count())
        .join(Household, col(Household.id) == Application.household_id)
        .where(col(Household.unit_id).in_(list(unit_ids)))
        .where(protection.household_unprotected())
        .group_by(Application.status)
    ).all()
    by_status = dict(rows)
    return {view: sum(by_status.get(s, 0) for s in statuses) for view, statuses in VIEWS.items()}


def open_finding_codes(db: Session) -> list[str]:
    return list(
        db.exec(
            select(Finding.code).where(Finding.status == "open").distinct().order_by(Finding.code)
        ).all()
    )


def notes_of(db: Session, application_id: int | None) -> list[tuple[ContactNote, str]]:
    rows = db.exec(
        select(ContactNote, StaffUser.display_name)
        .join(StaffUser, col(StaffUser.id) == ContactNote.author_id)
        .where(ContactNote.application_id == application_id)
        .order_by(col(ContactNote.created_at))
    ).all()
    return [(note, name) for note, name in rows]


def messages_about(db: Session, application: Application) -> list[Message]:
    return list(
        db.exec(
            select(Message)
            .where(Message.household_id == application.household_id)
            .where(
                or_(
                    col(Message.application_id) == application.id,
                    col(Message.created_at) >= (application.submitted_at or application.created_at),
                )
            )
            .order_by(col(Message.created_at))
        ).all()
    )


def staff_names(db: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.exec(
        select(StaffUser.id, StaffUser.display_name).where(col(StaffUser.id).in_(ids))
    ).all()
    return {user_id: name for user_id, name in rows if user_id is not None}


# --- figures for the team lead -------------------------------------------------------------------


@dataclass
class Figures:
    month: str
    unit: str
    applications: int  # sent and checked by the completeness rules
    complete_on_submission: int
    completed: int
    median_hours_to_complete: float | None
    rounds: dict[int, int]  # completion rounds (0, 1, 2, 3+) -> applications

    @property
    def share_complete_on_submission(self) -> float | None:
        return self.complete_on_submission / self.applications if self.applications else None

    @property
    def mean_rounds(self) -> float | None:
        if not self.applications:
            return None
        return sum(r * n for r, n in self.rounds.items()) / self.applications


def figures(
    db: Session, unit_ids: Sequence[int], months: int = 12, unit_id: int | None = None
) -> list[Figures]:
    """Per month applied for and unit, newest month first, each month followed by its total:
    the share complete on first submission, the median time from received to complete and how
    many completion rounds it took. Only applications the completeness rules checked count."""
    query = (
        select(Application, Household.unit_id)
        .join(Household, col(Household.id) == Application.household_id)
        .where(col(Application.complete_on_submission).is_not(None))
        .where(col(Application.submitted_at).is_not(None))
        .where(col(Household.unit_id).in_(list(unit_ids)))
        .where(protection.household_unprotected())
    )
    if unit_id:
        query = query.where(Household.unit_id == unit_id)
    rows = db.exec(query).all()
    recent = sorted({application.month for application, _ in rows}, reverse=True)[:months]
    rows = [(a, u) for a, u in rows if a.month in recent]
    rounds = dict(
        db.exec(
            select(CompletionRequest.application_id, func.count())
            .where(col(CompletionRequest.application_id).in_([a.id for a, _ in rows]))
            .group_by(col(CompletionRequest.application_id))
        ).all()
    )
    units = {unit.id: unit.name for unit in db.exec(select(Unit)).all()}
    groups: dict[tuple[str, str], list[Application]] = defaultdict(list)
    for application, unit_of in rows:
        groups[(application.month, units.get(unit_of, ""))].append(application)
        groups[(application.month, "")].append(application)
    result = []
    for (month, unit), applications in groups.items():
        hours = [
            (_aware(a.completed_at) - _aware(a.submitted_at)).total_seconds() / 3600
            for a in applications
            if a.completed_at is not None and a.submitted_at is not None
        ]
        distribution = {0: 0, 1: 0, 2: 0, 3: 0}
        for application in applications:
            distribution[min(rounds.get(application.id or 0, 0), 3)] += 1
        result.append(
            Figures(
                month=month,
                unit=unit,
                applications=len(applications),
                complete_on_submission=sum(1 for a in applications if a.complete_on_submission),
                completed=len(hours),
                median_hours_to_complete=statistics.median(hours) if hours else None,
                rounds=distribution,
            )
        )
    # Newest month first; in a month its units by name, then the month's total (unit "").
    result.sort(key=lambda f: (f.unit == "", f.unit))
    result.sort(key=lambda f: f.month, reverse=True)
    return result


def _aware(moment: dt.datetime | None) -> dt.datetime:
    assert moment is not None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
