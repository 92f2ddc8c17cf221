"""What the officer's application page shows, built from the database and the domain: the
answers grouped with what changed since last month, the documents with their extracted values,
and the preliminary calculation line by line with its trace, in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session

from intake import flow
from intake.models import (
    ActionPlan,
    Application,
    Attachment,
    Finding,
    Household,
    HouseholdMember,
    Person,
)
from intake.norm import Calculation, Line, NormError, calculate
from intake.officer.convert import Acceptance, Conversion, CostItem, case_from_answers
from intake.officer.convert import Person as CasePerson
from intake.officer.decision import suggest_obstacle
from intake.officer.plan import PlanStatus, plan_status
from intake.officer.queue import LOW_CONFIDENCE
from intake.personnummer import Personnummer
from portal import attachment_preview
from portal import repository_officer as repo
from portal.completeness_text import Names, for_staff, title
from portal.flow_text import DOCUMENTS, text
from portal.flow_view import SummarySection, question_for, summarise, summary_sections
from portal.i18n import format_month, format_ore, ngettext
from portal.i18n import gettext as _
from portal.officer_settings import OfficerSettings
from portal.officer_text import COST_STATUS, RULES, kind_label, label, norm_error
from portal.repository_norm import table_lookup

ADULT_ROLES = ("applicant", "co_applicant")


def plan_of(
    db: Session, household: Household, month: str, settings: OfficerSettings
) -> tuple[ActionPlan | None, list[dt.date], PlanStatus]:
    """The household's current handlingsplan, its follow-ups, and where it stands today for the
    application of ``month`` (seed 004: a plan, and a follow-up at least every few months)."""
    plan, follow_ups = repo.current_plan(db, household.id or 0)
    state = plan_status(
        plan.established_on if plan else None,
        follow_ups,
        dt.date.today(),
        applications=repo.applications_count(db, household.id or 0, month),
        interval_months=settings.plan_interval_months,
        needed_from_application=settings.plan_needed_from_application,
    )
    return plan, follow_ups, state


def flow_members(
    members: Sequence[tuple[HouseholdMember, Person]], month: str
) -> tuple[flow.Member, ...]:
    day = flow_day(month)
    return tuple(
        flow.Member(
            id=person.id or 0,
            role=member.role,
            given_name=person.given_name,
            age=Personnummer(person.personnummer).age_on(day),
            days_at_home=member.days_at_home,
        )
        for member, person in members
    )


def flow_day(month: str) -> dt.date:
    return dt.date.fromisoformat(month + "-01")


# --- answers and changes -----------------------------------------------------------------------


@dataclass
class Change:
    key: str
    question: str
    before: list[str]
    after: list[str]
    new: bool = False  # not answered last month


@dataclass
class AnswersView:
    sections: list[SummarySection]
    changes: list[Change]
    changed_keys: set[str]
    context: flow.Context


def changed_keys(
    answers: Mapping[str, Any],
    changed_flags: set[str],
    previous: Mapping[str, Any],
    context: flow.Context,
) -> list[str]:
    """Answer keys that differ from last month: the applicant's own ``changed`` marks, any
    difference against last month's answer, and answers new this month."""
    found = []
    for step in flow.active_steps(answers, context):
        if step.key not in answers or step.key == "anything_changed":
            continue
        value = answers[step.key]
        new = bool(previous) and step.key not in previous and not flow.is_empty(value)
        if step.key in changed_flags or flow.differs(value, previous.get(step.key)) or new:
            found.append(step.key)
    return found


def answers_view(
    answers: Mapping[str, Any],
    changed_flags: set[str],
    previous: Mapping[str, Any],
    members: tuple[flow.Member, ...],
    application: Application,
    attachments: list[Attachment],
    rules: flow.ProofRules,
) -> AnswersView:
    """The answers by section, and every answer that changed since last month in words."""
    context = flow.Context(month=application.month, members=members, previous=previous)
    sections, _missing = summary_sections(
        answers, context, attachments, application.month, editable=False, rules=rules
    )
    changes: list[Change] = []
    keys = changed_keys(answers, changed_flags, previous, context)
    for key in keys:
        step = flow.find_step(key, context)
        if step is None:
            continue
        before = previous.get(key)
        changes.append(
            Change(
                key=key,
                question=question_for(step, context),
                before=summarise(step, before, context) if before is not None else [],
                after=summarise(step, answers[key], context),
                new=bool(previous) and key not in previous,
            )
        )
    return AnswersView(sections, changes, set(keys), context)


# --- documents ---------------------------------------------------------------------------------


@dataclass
class AttachmentView:
    attachment: Attachment
    label: str
    is_image: bool
    is_pdf: bool
    extracted_kind: str
    claimed_ore: int | None
    confidence_percent: int | None
    low_confidence: bool
    differs: bool  # the document's amount is not what the applicant gave
    pages: list[int] = field(default_factory=list)  # preview pages (JPEG) to show inline
    more_pages: int = 0  # pages beyond the previews


def claimed_amount(answers: Mapping[str, Any], attachment: Attachment) -> int | None:
    """The amount the answer that the document proves gives, when there is one."""
    value = answers.get(attachment.answer_key or "")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, Mapping) and attachment.item:
        amounts = value.get("amounts")
        if isinstance(amounts, Mapping):
            found = amounts.get(attachment.item)
            return found if isinstance(found, int) else None
    return None


def attachment_views(
    attachments: list[Attachment], answers: Mapping[str, Any], uploads: Path | None = None
) -> list[AttachmentView]:
    """The documents with what was read from them; with ``uploads``, their pages are rendered
    as pictures (``portal.attachment_preview``, in a child process) to show inline."""
    views = []
    for attachment in attachments:
        preview = (
            attachment_preview.prepare(
                uploads, uploads / attachment.storage_path, attachment.sha256
            )
            if uploads is not None
            else None
        )
        document = attachment.expected_kind or "unknown"
        name = text(DOCUMENTS, document) or text(DOCUMENTS, "unknown")
        if attachment.item:
            name = f"{name}: {kind_label(attachment.item)}"
        confidence = attachment.confidence
        claimed = claimed_amount(answers, attachment)
        found = (
            attachment.confirmed_amount_ore
            if attachment.confirmed_amount_ore is not None
            else attachment.amount_ore
        )
        extracted = attachment.kind or ""
        views.append(
            AttachmentView(
                attachment=attachment,
                label=name,
                is_image=attachment.content_type in ("image/jpeg", "image/png"),
                is_pdf=attachment.content_type == "application/pdf",
                extracted_kind=(text(DOCUMENTS, extracted) or extracted) if extracted else "",
                claimed_ore=claimed,
                confidence_percent=round(confidence * 100) if confidence is not None else None,
                low_confidence=attachment.extraction_status == "failed"
                or (confidence is not None and confidence < LOW_CONFIDENCE),
                differs=claimed is not None and found is not None and claimed != found,
                pages=list(range(1, preview.shown + 1)) if preview else [],
                more_pages=(preview.pages - preview.shown) if preview else 0,
            )
        )
    return views


# --- the preliminary calculation ---------------------------------------------------------------


@dataclass
class LineView:
    section: str
    kind: str  # item / info / total
    text: str
    detail: str
    amount_ore: int
    rule: str
    rule_text: str


@dataclass
class CostView:
    item: CostItem
    label: str
    status: str


@dataclass
class CalculationView:
    calculation: Calculation | None
    error: str | None
    lines: list[LineView] = field(default_factory=list)
    costs: list[CostView] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    conversion: Conversion | None = None

    @property
    def is_demo(self) -> bool:
        return bool(self.calculation and self.calculation.is_demo)


def case_people(
    members: Sequence[tuple[HouseholdMember, Person]],
) -> list[CasePerson]:
    return [
        CasePerson(
            id=person.id or 0,
            role=member.role,
            birth_date=Personnummer(person.personnummer).birth_date,
            days_at_home=member.days_at_home,
        )
        for member, person in members
    ]


@dataclass
class Preliminary:
    conversion: Conversion
    calculation: Calculation | None
    error: NormError | None


def preliminary(
    db: Session,
    application: Application,
    household: Household,
    members: Sequence[tuple[HouseholdMember, Person]],
    answers: Mapping[str, Any],
    acceptance: Acceptance,
    settings: OfficerSettings,
) -> Preliminary:
    """The preliminary calculation of the application as the officer accepted it, or why there
    is none (a month whose year has no norm table, a household that cannot be calculated)."""
    adults = [person.id or 0 for member, person in members if member.role in ADULT_ROLES]
    histories = repo.histories(db, household.id or 0, application.month, adults)
    conversion = case_from_answers(
        application.month, case_people(members), answers, acceptance, histories
    )
    try:
        calculation = calculate(conversion.case, table_lookup(db), settings.norm_config)
    except NormError as exc:
        return Preliminary(conversion, None, exc)
    return Preliminary(conversion, calculation, None)


def calculation_view(
    db: Session,
    application: Application,
    household: Household,
    members: Sequence[tuple[HouseholdMember, Person]],
    answers: Mapping[str, Any],
    acceptance: Acceptance,
    settings: OfficerSettings,
) -> CalculationView:
    result = preliminary(db, application, household, members, answers, acceptance, settings)
    conversion = result.conversion
    names = {str(person.id): person.given_name for _member, person in members}
    costs = [
        CostView(item, kind_label(item.kind), label(COST_STATUS, item.status))
        for item in conversion.items
    ]
    notes = [_note(code, person, names) for code, person in conversion.notes]
    if result.calculation is None:
        assert result.error is not None
        error = norm_error(result.error.code, result.error.params)
        return CalculationView(None, error, [], costs, notes, conversion)
    lines = [_line_view(line, names) for line in result.calculation.lines]
    return CalculationView(result.calculation, None, lines, costs, notes, conversion)


def _note(code: str, person: int | None, names: Mapping[str, str]) -> str:
    name = names.get(str(person), "")
    if code == "adult_child_in_home":
        return _(
            "%(name)s is 21 or older and is counted as another person in the home, not as a "
            "child of the household.",
            name=name,
        )
    if code == "adult_visitor":
        return _("%(name)s is 21 or older and is left out as a visiting child.", name=name)
    if code == "visiting_days_missing":
        return _("No visiting days are given for %(name)s: counted as 0 days.", name=name)
    return code


def _name(params: Mapping[str, Any], names: Mapping[str, str], key: str = "member") -> str:
    return names.get(str(params.get(key, "")), str(params.get(key, "")))


def _line_view(line: Line, names: Mapping[str, str]) -> LineView:
    heading, detail = line_words(line, names)
    return LineView(
        section=line.section,
        kind=line.kind,
        text=heading,
        detail=detail,
        amount_ore=line.amount_ore,
        rule=line.rule,
        rule_text=label(RULES, line.rule),
    )


def line_words(line: Line, names: Mapping[str, str]) -> tuple[str, str]:
    """A line of the trace as a heading and a detail, in the active language."""
    p = dict(line.params)
    code = line.code
    name = _name(p, names)
    if code == "table.used":
        return _("Norm table %(year)s: %(title)s", year=p["year"], title=p["title"]), _(
            "Source: %(source)s", source=p["source"]
        )
    if code == "table.demo":
        return _("Example values, not the riksnorm"), _(
            "The table for %(year)s is a demo table. Do not use this amount for a decision.",
            year=p["year"],
        )
    if code == "table.derived":
        return _("Derived table"), _(
            "The table of %(from_year)s raised by %(percent)s per cent (%(source)s).",
            from_year=p["from_year"],
            percent=p["percent"],
            source=p["source"],
        )
    if code == "table.note":
        return _("Note on the table"), str(p.get("note", ""))
    if code == "norm.personal.adult_alone":
        return _("Personal costs, adult: %(name)s", name=name), ""
    if code == "norm.personal.adult_couple":
        members = p.get("members")
        keys = members if isinstance(members, list) else []
        together = " & ".join(names.get(str(m), str(m)) for m in keys)
        return _("Personal costs, couple: %(names)s", names=together), ""
    if code in ("norm.personal.child", "norm.personal.child_part_time"):
        heading = _("Personal costs, child: %(name)s, %(age)s years", name=name, age=p["age"])
        detail = ""
        if code == "norm.personal.child_part_time":
            detail = _(
                "%(days)s of %(divisor)s days at home; full amount %(full)s",
                days=p["days"],
                divisor=p["days_divisor"],
                full=format_ore(_int(p["full_amount_ore"])),
            )
        if p.get("lunch_outside_home"):
            detail = " ".join(filter(None, [detail, _("Lunch outside the home.")]))
        return heading, detail
    if code == "norm.personal.visiting_child":
        return _("Visiting child: %(name)s, %(age)s years", name=name, age=p["age"]), _(
            "%(percent)s per cent of %(full)s for %(days)s of %(divisor)s days",
            percent=p["percent"],
            full=format_ore(_int(p["full_amount_ore"])),
            days=p["days"],
            divisor=p["days_divisor"],
        )
    if code == "norm.common":
        heading = ngettext(
            "Household-common costs, %(num)s person",
            "Household-common costs, %(num)s persons",
            _int(p["persons"]),
        )
        detail = ""
        if p.get("extra_persons"):
            detail = _(
                "The amount for 7 persons (%(seven)s) and %(step)s for each of %(extra)s more",
                seven=format_ore(_int(p["amount_for_7_ore"])),
                step=format_ore(_int(p["step_ore"])),
                extra=p["extra_persons"],
            )
        return heading, detail
    if code == "norm.common.shared":
        return _("Household-common costs, shared home"), _(
            "%(household)s of %(persons)s persons in the home belong to the household; full "
            "amount %(full)s",
            household=p["household_persons"],
            persons=p["persons"],
            full=format_ore(_int(p["full_amount_ore"])),
        )
    if code.startswith("cost."):
        detail = ""
        if p.get("limit_waived"):
            detail = _(
                "Accepted above the municipality's limit of %(limit)s",
                limit=format_ore(_int(p["limit_ore"])),
            )
        elif p.get("above_limit"):
            detail = _(
                "%(accepted)s accepted; limited to the municipality's limit of %(limit)s",
                accepted=format_ore(_int(p["accepted_ore"])),
                limit=format_ore(_int(p["limit_ore"])),
            )
        return kind_label(code.removeprefix("cost.")), detail
    if code.startswith("livsforing."):
        return kind_label(code.removeprefix("livsforing.")), ""
    if code in ("income.visiting_child_excluded", "income.child_earnings_excluded"):
        return _(
            "Not counted: %(kind)s, %(name)s", kind=kind_label(str(p["income_kind"])), name=name
        ), _("%(amount)s is left out", amount=format_ore(_int(p["excluded_ore"])))
    if code == "income.jobbstimulans":
        return _("Jobbstimulans: %(name)s", name=name), _(
            "%(percent)s per cent of the salary %(salary)s is left out; month %(number)s of "
            "%(window)s (%(start)s – %(end)s)",
            percent=p["percent"],
            salary=format_ore(_int(p["employment_income_ore"])),
            number=p["month_in_period"],
            window=p["window_months"],
            start=_month(p.get("period_start")),
            end=_month(p.get("period_end")),
        )
    if code == "income.jobbstimulans_not_qualified":
        return _("No jobbstimulans: %(name)s", name=name), _(
            "%(months)s months on support in a row before this month; %(needed)s needed",
            months=p["consecutive_support_months"],
            needed=p["qualifying_months"],
        )
    if code == "income.jobbstimulans_period_ended":
        return _("No jobbstimulans: %(name)s", name=name), _(
            "The period %(start)s – %(end)s has ended",
            start=_month(p.get("period_start")),
            end=_month(p.get("period_end")),
        )
    if code.startswith("income."):
        detail = _("Tax-free") if p.get("tax_free") else ""
        return _(
            "%(kind)s, %(name)s", kind=kind_label(code.removeprefix("income.")), name=name
        ), detail
    totals = {
        "total.norm": _("Norm"),
        "total.costs": _("Costs outside the norm"),
        "total.livsforing": _("Livsföring costs accepted"),
        "total.income": _("Income counted"),
        "result.need": _("Need"),
    }
    if code in totals:
        return totals[code], ""
    if code == "result.amount":
        detail = ""
        if p.get("income_exceeds_need"):
            detail = _(
                "The income is %(surplus)s more than the need.",
                surplus=format_ore(_int(p["surplus_ore"])),
            )
        return _("Preliminary amount"), detail
    return code, ""


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _month(value: Any) -> str:
    return format_month(value) if isinstance(value, str) and value else ""


# --- the decision form -------------------------------------------------------------------------


def suggested_obstacles(
    answers: Mapping[str, Any], adults: Sequence[Person]
) -> dict[int, str | None]:
    suggestions: dict[int, str | None] = {}
    for person in adults:
        activities = answers.get(f"activity:{person.id}")
        incomes = answers.get(f"incomes:{person.id}")
        amounts = incomes.get("amounts", {}) if isinstance(incomes, Mapping) else {}
        suggestions[person.id or 0] = suggest_obstacle(
            activities if isinstance(activities, list) else [], amounts
        )
    return suggestions


# --- the informatör's findings -----------------------------------------------------------------


@dataclass
class FindingView:
    finding: Finding
    title: str
    text: str


def finding_views(
    findings: Sequence[Finding],
    attachments: Sequence[Attachment],
    members: Sequence[tuple[HouseholdMember, Person]],
) -> list[FindingView]:
    """The completeness findings in the staff's words (``portal.completeness_text``)."""
    names = Names(
        files={a.id or 0: a.filename for a in attachments},
        people={person.id or 0: person.given_name for _m, person in members},
        co_applicant=next((p.given_name for m, p in members if m.role == "co_applicant"), ""),
    )
    return [
        FindingView(f, title(f.code), for_staff(f.code, f.params or {}, names) or f.reason or "")
        for f in findings
    ]
