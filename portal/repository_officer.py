"""Queries for the case officer: who sees which units, the queue, one application with what the
officer needs beside it, assessments, decisions and handlingsplaner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, literal, or_, true, union, update
from sqlalchemy import select as sa_select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from intake.models import (
    ActionPlan,
    ActionPlanFollowUp,
    Answer,
    Application,
    ApplicationStatus,
    Assessment,
    Attachment,
    AuditEvent,
    Decision,
    DecisionObstacle,
    Finding,
    HandoffReceipt,
    Household,
    HouseholdMember,
    Person,
    StaffRole,
    StaffUser,
    TeamLead,
    Unit,
    utcnow,
)
from intake.norm import PersonMonth
from intake.officer import decision as decision_rules
from intake.officer.convert import employment_income
from intake.officer.plan import attention_cutoff
from intake.officer.queue import (
    FLAGS,
    HOUSEHOLD_TYPES,
    LOW_CONFIDENCE,
    days_waiting,
    household_type,
)
from portal import protection
from portal.repository import application_with_household

ADULT_ROLES = ("applicant", "co_applicant")
SORTS = ("waiting", "newest", "month", "reference")

# --- who sees what ---------------------------------------------------------------------------


def lead_units(db: Session, staff_id: int | None) -> list[int]:
    """The units a team lead leads."""
    if staff_id is None:
        return []
    return list(db.exec(select(TeamLead.unit_id).where(TeamLead.staff_user_id == staff_id)).all())


def visible_units(db: Session, staff: StaffUser | None) -> list[int]:
    """Officers see only their unit's applications, team leads also the units they lead. A staff
    member without a unit sees nothing (fail closed)."""
    if staff is None:
        return []
    units = set(lead_units(db, staff.id))
    if staff.unit_id is not None:
        units.add(staff.unit_id)
    return sorted(units)


def units_named(db: Session, unit_ids: Iterable[int]) -> list[Unit]:
    ids = list(unit_ids)
    if not ids:
        return []
    return list(db.exec(select(Unit).where(col(Unit.id).in_(ids)).order_by(col(Unit.name))).all())


def officers_in(db: Session, unit_ids: Sequence[int]) -> list[StaffUser]:
    """Active staff with the officer role in the units: whom an application can be assigned to."""
    if not unit_ids:
        return []
    return list(
        db.exec(
            select(StaffUser)
            .join(StaffRole, col(StaffRole.user_id) == StaffUser.id)
            .where(StaffRole.role == "officer")
            .where(col(StaffUser.unit_id).in_(unit_ids))
            .where(col(StaffUser.is_active))
            .order_by(col(StaffUser.display_name))
        ).all()
    )


def application_in_units(
    db: Session, application_id: int, unit_ids: Sequence[int]
) -> tuple[Application, Household] | None:
    """The application with its household, when its household is in one of the units and it has
    been sent (drafts are the applicant's alone). Raises ``ProtectedIdentity`` (the placeholder
    page) when the household in scope has protected identity now."""
    row = application_with_household(db, application_id)
    if row is None:
        return None
    application, household = row
    if household.unit_id not in unit_ids or application.status in (
        ApplicationStatus.draft,
        ApplicationStatus.awaiting_co_applicant,
    ):
        return None
    protection.check(db, household.id)
    return application, household


# --- the queue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    unit: int | None = None
    assigned: str = ""  # "" / "me" / "unassigned"
    min_days: int | None = None
    flags: tuple[str, ...] = ()
    household_type: str = ""
    language: str = ""
    sort: str = "waiting"
    page: int = 1

    def query(self) -> dict[str, Any]:
        """The filter as query parameters (for links that keep it)."""
        params: dict[str, Any] = {
            "unit": self.unit or "",
            "assigned": self.assigned,
            "min_days": self.min_days if self.min_days is not None else "",
            "flag": list(self.flags),
            "household_type": self.household_type,
            "language": self.language,
            "sort": self.sort if self.sort != "waiting" else "",
        }
        return {k: v for k, v in params.items() if v not in ("", [], None)}


@dataclass
class QueueRow:
    id: int
    reference: str | None
    month: str
    submitted_at: dt.datetime | None
    days_waiting: int
    over_mark: bool
    language: str
    unit_name: str
    assigned_to: int | None
    assigned_name: str | None
    applicant_name: str
    household_type: str
    flags: list[str] = field(default_factory=list)


def _household_has(role: str) -> ColumnElement[bool]:
    return (
        select(literal(1))
        .where(HouseholdMember.household_id == Household.id, HouseholdMember.role == role)
        .exists()
    )


def _recently_planned(
    today: dt.date, interval_months: int, households: Sequence[int] | None = None
) -> Any:
    """Households whose handlingsplan was established or followed up within the interval
    (among ``households`` when given)."""
    cutoff = attention_cutoff(today, interval_months)
    established = select(ActionPlan.household_id).where(col(ActionPlan.established_on) >= cutoff)
    followed = (
        select(ActionPlan.household_id)
        .join(ActionPlanFollowUp, col(ActionPlanFollowUp.plan_id) == ActionPlan.id)
        .where(col(ActionPlanFollowUp.followed_up_on) >= cutoff)
    )
    if households is not None:
        established = established.where(col(ActionPlan.household_id).in_(households))
        followed = followed.where(col(ActionPlan.household_id).in_(households))
    return union(established, followed)


def _uncertain_documents() -> Any:
    return select(Attachment.application_id).where(
        col(Attachment.removed_at).is_(None),
        or_(
            col(Attachment.extraction_status) == "failed",
            col(Attachment.confidence) < LOW_CONFIDENCE,
        ),
    )


def _flag_condition(
    flag: str, now: dt.datetime, mark_days: int, interval_months: int
) -> ColumnElement[bool]:
    """Each flag as a condition; the subqueries are read once per query (IN), not per row."""
    if flag == "changed":
        changed = select(Answer.application_id).where(col(Answer.changed) == true())
        return col(Application.id).in_(changed)
    if flag == "findings":
        found = select(Finding.application_id).where(Finding.status == "open")
        return col(Application.id).in_(found)
    if flag == "low_confidence":
        return col(Application.id).in_(_uncertain_documents())
    if flag == "interpreter":
        return col(Household.interpreter_needed).is_(True)
    if flag == "plan":
        return col(Household.id).notin_(_recently_planned(now.date(), interval_months))
    if flag == "over_mark":
        return col(Application.submitted_at) <= now - dt.timedelta(days=mark_days)
    raise ValueError(flag)


def _conditions(
    units: Sequence[int],
    staff_id: int | None,
    chosen: QueueFilter,
    now: dt.datetime,
    mark_days: int,
    interval_months: int,
) -> list[ColumnElement[bool]]:
    allowed = [chosen.unit] if chosen.unit in units else list(units)
    conditions: list[ColumnElement[bool]] = [
        col(Application.status) == ApplicationStatus.complete,
        col(Household.unit_id).in_(allowed),
        protection.household_unprotected(),
    ]
    if chosen.assigned == "me":
        conditions.append(col(Application.assigned_to) == staff_id)
    elif chosen.assigned == "unassigned":
        conditions.append(col(Application.assigned_to).is_(None))
    if chosen.min_days:
        conditions.append(col(Application.submitted_at) <= now - dt.timedelta(days=chosen.min_days))
    if chosen.language:
        conditions.append(col(Application.language) == chosen.language)
    if chosen.household_type in HOUSEHOLD_TYPES:
        partner, children = _household_has("co_applicant"), _household_has("child")
        conditions.append(
            {
                "single": and_(~partner, ~children),
                "couple": and_(partner, ~children),
                "single_parent": and_(~partner, children),
                "couple_with_children": and_(partner, children),
            }[chosen.household_type]
        )
    for flag in chosen.flags:
        if flag in FLAGS:
            conditions.append(_flag_condition(flag, now, mark_days, interval_months))
    return conditions


_ORDER: dict[str, tuple[Any, Any]] = {
    "waiting": (col(Application.submitted_at).asc(), col(Application.id).asc()),
    "newest": (col(Application.submitted_at).desc(), col(Application.id).desc()),
    "month": (col(Application.month).asc(), col(Application.submitted_at).asc()),
    "reference": (col(Application.reference).asc(), col(Application.id).asc()),
}


def queue(
    db: Session,
    units: Sequence[int],
    staff_id: int | None,
    chosen: QueueFilter,
    *,
    now: dt.datetime,
    page_size: int,
    mark_days: int,
    interval_months: int,
) -> tuple[list[QueueRow], int]:
    """One page of complete applications in the units, filtered and sorted; and the total."""
    if not units:
        return [], 0
    conditions = _conditions(units, staff_id, chosen, now, mark_days, interval_months)
    total = db.exec(
        select(func.count())
        .select_from(Application)
        .join(Household, col(Household.id) == Application.household_id)
        .where(*conditions)
    ).one()
    page = max(chosen.page, 1)
    rows = db.execute(
        sa_select(
            col(Application.id),
            col(Application.reference),
            col(Application.month),
            col(Application.submitted_at),
            col(Application.language),
            col(Application.assigned_to),
            col(Application.household_id),
            col(Household.unit_id),
            col(Household.interpreter_needed),
        )
        .join(Household, col(Household.id) == Application.household_id)
        .where(*conditions)
        .order_by(*_ORDER.get(chosen.sort, _ORDER["waiting"]))
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return _queue_rows(db, rows, staff_id, now, mark_days, interval_months), int(total)


def _queue_rows(
    db: Session,
    rows: Sequence[Any],
    staff_id: int | None,
    now: dt.datetime,
    mark_days: int,
    interval_months: int,
) -> list[QueueRow]:
    if not rows:
        return []
    application_ids = [row[0] for row in rows]
    household_ids = list({row[6] for row in rows})
    names: dict[int, str] = {}
    adults: dict[int, int] = {}
    children: dict[int, int] = {}
    for household_id, role, given, family in db.exec(
        select(
            HouseholdMember.household_id,
            HouseholdMember.role,
            Person.given_name,
            Person.family_name,
        )
        .join(Person, col(Person.id) == HouseholdMember.person_id)
        .where(col(HouseholdMember.household_id).in_(household_ids))
    ).all():
        if role == "applicant":
            names[household_id] = f"{given} {family}"
        if role in ADULT_ROLES:
            adults[household_id] = adults.get(household_id, 0) + 1
        elif role == "child":
            children[household_id] = children.get(household_id, 0) + 1
    changed = set(
        db.exec(
            select(Answer.application_id)
            .where(col(Answer.application_id).in_(application_ids))
            .where(col(Answer.changed))
            .distinct()
        ).all()
    )
    findings = set(
        db.exec(
            select(Finding.application_id)
            .where(col(Finding.application_id).in_(application_ids))
            .where(Finding.status == "open")
            .distinct()
        ).all()
    )
    uncertain = set(
        db.exec(
            _uncertain_documents().where(col(Attachment.application_id).in_(application_ids))
        ).all()
    )
    recent = _recently_planned(now.date(), interval_months).subquery()
    planned = set(db.execute(select(recent.c[0]).where(recent.c[0].in_(household_ids))).scalars())
    staff_ids = {row[5] for row in rows if row[5] is not None}
    staff_names = {
        user.id: user.display_name
        for user in db.exec(select(StaffUser).where(col(StaffUser.id).in_(staff_ids))).all()
    }
    unit_names = {
        unit.id: unit.name
        for unit in db.exec(select(Unit).where(col(Unit.id).in_({row[7] for row in rows}))).all()
    }
    result = []
    for (
        app_id,
        reference,
        month,
        submitted,
        language,
        assigned,
        household_id,
        unit_id,
        interp,
    ) in rows:
        days = days_waiting(submitted, now)
        flags = [
            flag
            for flag, present in (
                ("changed", app_id in changed),
                ("findings", app_id in findings),
                ("low_confidence", app_id in uncertain),
                ("interpreter", bool(interp)),
                ("plan", household_id not in planned),
                ("over_mark", days >= mark_days),
            )
            if present
        ]
        result.append(
            QueueRow(
                id=app_id,
                reference=reference,
                month=month,
                submitted_at=submitted,
                days_waiting=days,
                over_mark=days >= mark_days,
                language=language,
                unit_name=unit_names.get(unit_id, ""),
                assigned_to=assigned,
                assigned_name=staff_names.get(assigned) if assigned else None,
                applicant_name=names.get(household_id, ""),
                household_type=household_type(
                    adults.get(household_id, 0), children.get(household_id, 0)
                ),
                flags=flags,
            )
        )
    return result


def assign(db: Session, application: Application, staff_id: int | None) -> bool:
    """Assign a complete application (None: unassign). False when it is no longer complete."""
    result = db.exec(
        update(Application)
        .where(col(Application.id) == application.id)
        .where(col(Application.status) == ApplicationStatus.complete)
        .values(assigned_to=staff_id, updated_at=utcnow())
    )
    db.commit()
    db.refresh(application)
    return bool(result.rowcount)


# --- one application -------------------------------------------------------------------------


def previous_sent(db: Session, application: Application) -> Application | None:
    """Last month's application: the one this was prefilled from, else the latest sent one
    before this month."""
    if application.prefilled_from is not None:
        found = db.get(Application, application.prefilled_from)
        if found is not None:
            return found
    return db.exec(
        select(Application)
        .where(Application.household_id == application.household_id)
        .where(Application.month < application.month)
        .where(
            col(Application.status).notin_(
                [ApplicationStatus.draft, ApplicationStatus.awaiting_co_applicant]
            )
        )
        .order_by(col(Application.month).desc())
    ).first()


def answer_rows(db: Session, application_id: int | None) -> list[Answer]:
    if application_id is None:
        return []
    return list(db.exec(select(Answer).where(Answer.application_id == application_id)).all())


def findings_of(db: Session, application_id: int) -> list[Finding]:
    return list(
        db.exec(
            select(Finding)
            .where(Finding.application_id == application_id)
            .order_by(col(Finding.created_at))
        ).all()
    )


def staff_names(db: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {
        user.id or 0: user.display_name
        for user in db.exec(select(StaffUser).where(col(StaffUser.id).in_(wanted))).all()
    }


# Audit actions that are views, not actions on the case (left out of the case's history).
VIEW_ACTIONS = frozenset(
    {
        "view_application",
        "view_attachment",
        "view_queue",
        "view_case_file",
        "view_household",
        "download_receipt",
        "api_view_application",
        "api_download_attachment",
        "api_list_applications",
        "view_review",
    }
)


def history_of(db: Session, application_id: int) -> list[AuditEvent]:
    """What staff, the applicant and systems did with the application (views left out)."""
    return list(
        db.exec(
            select(AuditEvent)
            .where(AuditEvent.object_type == "application")
            .where(AuditEvent.object_id == application_id)
            .where(col(AuditEvent.action).notin_(VIEW_ACTIONS))
            .order_by(col(AuditEvent.at))
        ).all()
    )


def applications_count(db: Session, household_id: int, up_to_month: str) -> int:
    """Sent applications of the household up to and including ``up_to_month``."""
    return int(
        db.exec(
            select(func.count())
            .select_from(Application)
            .where(Application.household_id == household_id)
            .where(Application.month <= up_to_month)
            .where(col(Application.status) != ApplicationStatus.draft)
        ).one()
    )


def histories(
    db: Session, household_id: int, month: str, adult_ids: Sequence[int]
) -> dict[int, list[PersonMonth]]:
    """Each adult's earlier months for jobbstimulans: on support when the month's decision gave
    support, and the net salary the month's application declared."""
    earlier = db.exec(
        select(Application.id, Application.month, Decision.outcome, Decision.amount_ore)
        .join(Decision, col(Decision.application_id) == Application.id, isouter=True)
        .where(Application.household_id == household_id)
        .where(Application.month < month)
        .where(col(Application.status) != ApplicationStatus.draft)
    ).all()
    if not earlier or not adult_ids:
        return {}
    keys = [f"incomes:{person}" for person in adult_ids]
    answers: dict[int, dict[str, Any]] = {}
    for row in db.exec(
        select(Answer)
        .where(col(Answer.application_id).in_([row[0] for row in earlier]))
        .where(col(Answer.key).in_(keys))
    ).all():
        answers.setdefault(row.application_id, {})[row.key] = row.value
    result: dict[int, list[PersonMonth]] = {}
    for application_id, month_text, outcome, amount in earlier:
        on_support = outcome in decision_rules.ON_SUPPORT and bool(amount)
        for person in adult_ids:
            salary = employment_income(answers.get(application_id or 0, {}), person)
            result.setdefault(person, []).append(PersonMonth(month_text, on_support, salary))
    return result


def assessment_of(db: Session, application_id: int) -> Assessment | None:
    return db.exec(select(Assessment).where(Assessment.application_id == application_id)).first()


def save_assessment(
    db: Session, application_id: int, accepted: dict[str, Any], staff_id: int
) -> None:
    row = assessment_of(db, application_id)
    if row is None:
        row = Assessment(application_id=application_id, accepted={}, updated_by=staff_id)
    row.accepted = accepted
    row.updated_by = staff_id
    row.updated_at = utcnow()
    db.add(row)
    db.commit()


def decision_of(db: Session, application_id: int) -> Decision | None:
    return db.exec(select(Decision).where(Decision.application_id == application_id)).first()


def obstacles_of(db: Session, decision_id: int | None) -> dict[int, str]:
    if decision_id is None:
        return {}
    return {
        row.person_id: row.code
        for row in db.exec(
            select(DecisionObstacle).where(DecisionObstacle.decision_id == decision_id)
        ).all()
    }


class AlreadyDecided(Exception):
    """The application was decided (or left the queue) before this decision was recorded."""


def record_decision(
    db: Session,
    application: Application,
    draft: decision_rules.Draft,
    staff_id: int,
    calculation: dict[str, Any] | None,
) -> Decision:
    """Record the decision and make the application read-only, in one transaction: of two
    officers deciding at once, the second gets ``AlreadyDecided``."""
    now = utcnow()
    result = db.exec(
        update(Application)
        .where(col(Application.id) == application.id)
        .where(col(Application.status) == ApplicationStatus.complete)
        .values(status=ApplicationStatus.decided, updated_at=now)
    )
    if not result.rowcount:
        db.rollback()
        raise AlreadyDecided()
    decision = Decision(
        application_id=application.id or 0,
        outcome=draft.outcome,
        amount_ore=draft.amount_ore or 0,
        reason=draft.reason.strip() or None,
        decided_by=staff_id,
        decided_at=now,
        calculation=calculation,
    )
    db.add(decision)
    db.flush()
    for person_id, code in sorted(draft.obstacles.items()):
        db.add(DecisionObstacle(decision_id=decision.id or 0, person_id=person_id, code=code))
    db.commit()
    db.refresh(application)
    db.refresh(decision)
    return decision


def receipt_of(db: Session, application_id: int) -> HandoffReceipt | None:
    return db.exec(
        select(HandoffReceipt).where(HandoffReceipt.application_id == application_id)
    ).first()


# --- handlingsplan -----------------------------------------------------------------------------


def current_plan(db: Session, household_id: int) -> tuple[ActionPlan | None, list[dt.date]]:
    """The latest plan of the household and the dates it was followed up."""
    plan = db.exec(
        select(ActionPlan)
        .where(ActionPlan.household_id == household_id)
        .order_by(col(ActionPlan.established_on).desc(), col(ActionPlan.id).desc())
    ).first()
    if plan is None:
        return None, []
    dates = db.exec(
        select(col(ActionPlanFollowUp.followed_up_on))
        .where(ActionPlanFollowUp.plan_id == plan.id)
        .order_by(col(ActionPlanFollowUp.followed_up_on))
    ).all()
    return plan, list(dates)


def add_plan(db: Session, household_id: int, established_on: dt.date, staff_id: int) -> None:
    db.add(
        ActionPlan(household_id=household_id, established_on=established_on, recorded_by=staff_id)
    )
    db.commit()


def add_follow_up(db: Session, plan: ActionPlan, on: dt.date, staff_id: int) -> None:
    db.add(ActionPlanFollowUp(plan_id=plan.id or 0, followed_up_on=on, recorded_by=staff_id))
    db.commit()


def members_with_people(db: Session, household_id: int) -> list[tuple[HouseholdMember, Person]]:
    rows = db.exec(
        select(HouseholdMember, Person)
        .join(Person, col(Person.id) == HouseholdMember.person_id)
        .where(HouseholdMember.household_id == household_id)
        .order_by(col(HouseholdMember.id))
    ).all()
    return [(member, person) for member, person in rows]
