"""The hand-off document: one application as versioned JSON for the municipality's case system
(Lifecare, Procapita, Viva, Treserva). The models below are the schema: ``docs/handoff-schema.json``
is generated from them (``python -m portal.handoff > docs/handoff-schema.json``) and a test keeps
the two equal; ``docs/handoff-schema.md`` explains the fields.

Versioning: ``version`` is ``MAJOR.MINOR``. A minor version only adds optional fields; a major
version may remove or change fields and gets a new API path (``/api/v1`` serves major 1).
Amounts are integers in öre (1 krona = 100 öre); times are ISO 8601 in UTC; months ``YYYY-MM``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from intake import flow
from intake.models import Application, Attachment, Household, HouseholdMember, Person, utcnow
from intake.norm import Calculation
from intake.officer.convert import Acceptance, applied_costs, applied_livsforing
from intake.officer.plan import PlanStatus
from intake.personnummer import Personnummer
from portal import protection, repository, repository_flow
from portal import repository_officer as repo
from portal.officer_settings import officer_settings_of
from portal.officer_view import changed_keys, flow_members, plan_of, preliminary

DOCUMENT_VERSION: Literal["1.0"] = "1.0"
SCHEMA_ID: Literal["urn:ekonomiskt-bistand-portal:handoff:1"] = (
    "urn:ekonomiskt-bistand-portal:handoff:1"
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Unit(_Model):
    id: int
    name: str


class Member(_Model):
    person_id: int
    role: Literal["applicant", "co_applicant", "child", "visiting_child"]
    personnummer: str = Field(description="Twelve digits, YYYYMMDDNNNC")
    given_name: str
    family_name: str
    birth_date: dt.date
    days_at_home: int | None = Field(
        default=None, description="Children: days a month in the home, as answered this month"
    )


class HouseholdDoc(_Model):
    id: int
    unit: Unit
    language: str
    interpreter_needed: bool
    members: list[Member]


class Income(_Model):
    person_id: int
    kind: str = Field(description="salary, unemployment_fund, ... (intake/flow.py INCOME_TYPES)")
    amount_ore: int = Field(description="Net amount for the month, öre")
    abroad: bool


class Amount(_Model):
    kind: str
    amount_ore: int


class Account(_Model):
    bank: str
    balance_ore: int


class Contact(_Model):
    methods: list[Literal["sms", "email"]]
    phone: str | None = None
    email: str | None = None
    interpreter: bool = False
    interpreter_language: str | None = None


class Answers(_Model):
    anything_changed: bool | None = None
    changes: list[str] = Field(default_factory=list)
    household_change: str | None = None
    housing_type: str | None = None
    children_days: dict[str, int] = Field(
        default_factory=dict, description="Person id (as text) -> days a month in the home"
    )
    incomes: list[Income] = Field(default_factory=list)
    no_income: list[int] = Field(
        default_factory=list, description="Adults (person ids) who declared no income"
    )
    pending_benefits: str | None = None
    bank_accounts: list[Account] = Field(default_factory=list)
    other_assets: str | None = None
    costs_outside_norm: list[Amount] = Field(
        default_factory=list,
        description="Rent, household electricity, home insurance and costs for work, öre a month",
    )
    livsforing: list[Amount] = Field(default_factory=list)
    activities: dict[str, list[str]] = Field(
        default_factory=dict, description="Person id (as text) -> activities"
    )
    other_info: str | None = None
    contact: Contact | None = None


class Extracted(_Model):
    status: Literal["pending", "done", "failed"]
    kind: str | None = None
    period: str | None = None
    amount_ore: int | None = None
    confidence: float | None = Field(default=None, ge=0, le=1)


class AttachmentDoc(_Model):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    received_at: dt.datetime
    answer_key: str | None = Field(default=None, description="The answer the document proves")
    expected_kind: str | None = Field(default=None, description="The proof it was given as")
    item: str | None = Field(default=None, description="E.g. the income type it proves")
    extracted: Extracted
    confirmed_amount_ore: int | None = Field(
        default=None, description="The amount the applicant confirmed or corrected"
    )
    href: str = Field(description="Where the API serves the file")


class FindingDoc(_Model):
    code: str
    severity: str
    status: str
    subject: str | None = None
    created_at: dt.datetime


class SignatureDoc(_Model):
    person_id: int
    role: str
    outcome: Literal["signed", "declined"]
    method: str
    signed_at: dt.datetime


class Obstacle(_Model):
    person_id: int
    code: str = Field(description="Försörjningshinder (intake/officer/decision.py)")


class DecisionDoc(_Model):
    outcome: Literal["granted", "partly", "refused"]
    amount_ore: int
    reason: str | None = None
    decided_at: dt.datetime
    decided_by: str = Field(description="The case officer's name")
    support_obstacles: list[Obstacle]


class PlanDoc(_Model):
    status: Literal["not_needed_yet", "missing", "up_to_date", "due_soon", "overdue"]
    established_on: dt.date | None = None
    last_follow_up: dt.date | None = None
    next_follow_up_due: dt.date | None = None


class CalculationLine(_Model):
    section: str
    code: str
    kind: Literal["item", "info", "total"]
    amount_ore: int
    rule: str
    params: dict[str, Any]


class CalculationTable(_Model):
    year: int
    title: str
    source: str
    is_demo: bool = Field(description="Example values, not the riksnorm: never decide on them")


class CalculationDoc(_Model):
    """The preliminary calculation: advice to the case officer, not a decision."""

    available: bool
    error: str | None = Field(
        default=None, description="Why there is none, e.g. norm.no_table_for_year"
    )
    month: str | None = None
    table: CalculationTable | None = None
    norm_ore: int | None = None
    costs_ore: int | None = None
    livsforing_ore: int | None = None
    income_ore: int | None = None
    need_ore: int | None = None
    amount_ore: int | None = None
    warnings: list[str] = Field(default_factory=list)
    lines: list[CalculationLine] = Field(default_factory=list)


class HandoffDoc(_Model):
    received_at: dt.datetime | None = None
    case_system: str | None = None
    case_reference: str | None = None


class ApplicationInfo(_Model):
    id: int
    reference: str | None = None
    month: str = Field(description="The month applied for, YYYY-MM")
    status: Literal["submitted", "needs_completion", "complete", "decided"]
    language: str
    submitted_at: dt.datetime | None = None
    previous_application_id: int | None = Field(
        default=None, description="Last month's application"
    )


class ApplicationDocument(_Model):
    """One application handed over to the case system."""

    model_config = ConfigDict(
        extra="forbid",
        title="Ekonomiskt bistånd application, hand-off document",
        json_schema_extra={"$id": SCHEMA_ID},
    )

    schema_id: Literal["urn:ekonomiskt-bistand-portal:handoff:1"] = Field(
        default=SCHEMA_ID, alias="schema"
    )
    version: Literal["1.0"] = DOCUMENT_VERSION
    generated_at: dt.datetime
    application: ApplicationInfo
    household: HouseholdDoc
    answers: Answers
    raw_answers: dict[str, Any] = Field(
        description="Every answer as stored, by key (intake/flow.py), for fields this version "
        "does not name"
    )
    changed_since_last_month: list[str] = Field(
        description="Answer keys that differ from last month's application"
    )
    attachments: list[AttachmentDoc]
    findings: list[FindingDoc]
    signatures: list[SignatureDoc]
    handlingsplan: PlanDoc
    preliminary_calculation: CalculationDoc
    decision: DecisionDoc | None = None
    handoff: HandoffDoc


# --- building a document -----------------------------------------------------------------------


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def answers_doc(answers: Mapping[str, Any], adults: Sequence[int]) -> Answers:
    incomes: list[Income] = []
    no_income: list[int] = []
    for person in adults:
        value = answers.get(f"incomes:{person}")
        if not isinstance(value, Mapping):
            continue
        abroad = set(value.get("abroad") or [])
        for kind, ore in (value.get("amounts") or {}).items():
            if isinstance(ore, int):
                incomes.append(
                    Income(person_id=person, kind=kind, amount_ore=ore, abroad=kind in abroad)
                )
        if value.get("none"):
            no_income.append(person)
    accounts = [
        Account(bank=str(a.get("bank", "")), balance_ore=int(a.get("balance") or 0))
        for a in answers.get("bank_accounts") or []
        if isinstance(a, Mapping)
    ]
    contact_value = answers.get("contact")
    contact = None
    if isinstance(contact_value, Mapping):
        contact = Contact(
            methods=[m for m in contact_value.get("methods", []) if m in ("sms", "email")],
            phone=_text(contact_value.get("phone")),
            email=_text(contact_value.get("email")),
            interpreter=bool(contact_value.get("interpreter")),
            interpreter_language=_text(contact_value.get("interpreter_language")),
        )
    days = answers.get("children_days")
    changed = answers.get("anything_changed")
    return Answers(
        anything_changed=changed if isinstance(changed, bool) else None,
        changes=[str(c) for c in answers.get("changes") or []],
        household_change=_text(answers.get("household_change")),
        housing_type=_text(answers.get("housing_type")),
        children_days={str(k): int(v) for k, v in days.items() if isinstance(v, int)}
        if isinstance(days, Mapping)
        else {},
        incomes=incomes,
        no_income=no_income,
        pending_benefits=_text(answers.get("pending_benefits")),
        bank_accounts=accounts,
        other_assets=_text(answers.get("other_assets")),
        costs_outside_norm=[
            Amount(kind=k, amount_ore=v) for k, v in applied_costs(answers).items()
        ],
        livsforing=[Amount(kind=k, amount_ore=v) for k, v in applied_livsforing(answers).items()],
        activities={
            str(person): [str(a) for a in answers.get(f"activity:{person}") or []]
            for person in adults
            if f"activity:{person}" in answers
        },
        other_info=_text(answers.get("other_info")),
        contact=contact,
    )


def calculation_doc(calculation: Calculation | None, error_code: str | None) -> CalculationDoc:
    if calculation is None:
        return CalculationDoc(available=False, error=error_code)
    data = calculation.to_dict()
    return CalculationDoc(
        available=True,
        month=data["month"],
        table=CalculationTable(**data["table"]),
        norm_ore=data["norm_ore"],
        costs_ore=data["costs_ore"],
        livsforing_ore=data["livsforing_ore"],
        income_ore=data["income_ore"],
        need_ore=data["need_ore"],
        amount_ore=data["amount_ore"],
        warnings=data["warnings"],
        lines=[CalculationLine(**line) for line in data["lines"]],
    )


def build(
    db: Session,
    application: Application,
    household: Household,
    *,
    unit_name: str,
    members: Sequence[tuple[HouseholdMember, Person]],
    answers: Mapping[str, Any],
    changed: Sequence[str],
    previous_id: int | None,
    attachments: Sequence[Attachment],
    findings: Sequence[Any],
    signatures: Sequence[Any],
    plan: PlanStatus,
    calculation: Calculation | None,
    calculation_error: str | None,
    decision: Any | None,
    obstacles: Mapping[int, str],
    decided_by: str,
    receipt: Any | None,
) -> ApplicationDocument:
    adults = [p.id or 0 for m, p in members if m.role in ("applicant", "co_applicant")]
    days = answers.get("children_days") if isinstance(answers.get("children_days"), Mapping) else {}
    base = f"/api/v1/applications/{application.id}"
    return ApplicationDocument(
        generated_at=utcnow(),
        application=ApplicationInfo(
            id=application.id or 0,
            reference=application.reference,
            month=application.month,
            status=application.status,  # type: ignore[arg-type]
            language=application.language,
            submitted_at=application.submitted_at,
            previous_application_id=previous_id,
        ),
        household=HouseholdDoc(
            id=household.id or 0,
            unit=Unit(id=household.unit_id, name=unit_name),
            language=household.language,
            interpreter_needed=household.interpreter_needed,
            members=[
                Member(
                    person_id=person.id or 0,
                    role=member.role,  # type: ignore[arg-type]
                    personnummer=person.personnummer,
                    given_name=person.given_name,
                    family_name=person.family_name,
                    birth_date=Personnummer(person.personnummer).birth_date,
                    days_at_home=(days or {}).get(str(person.id), member.days_at_home)
                    if member.role in ("child", "visiting_child")
                    else None,
                )
                for member, person in members
            ],
        ),
        answers=answers_doc(answers, adults),
        raw_answers=dict(answers),
        changed_since_last_month=sorted(changed),
        attachments=[
            AttachmentDoc(
                id=a.id or 0,
                filename=a.filename,
                content_type=a.content_type,
                size=a.size,
                sha256=a.sha256,
                received_at=a.received_at,
                answer_key=a.answer_key,
                expected_kind=a.expected_kind,
                item=a.item,
                extracted=Extracted(
                    status=a.extraction_status,  # type: ignore[arg-type]
                    kind=a.kind,
                    period=a.period,
                    amount_ore=a.amount_ore,
                    confidence=a.confidence,
                ),
                confirmed_amount_ore=a.confirmed_amount_ore,
                href=f"{base}/attachments/{a.id}",
            )
            for a in attachments
        ],
        findings=[
            FindingDoc(
                code=f.code,
                severity=f.severity,
                status=f.status,
                subject=f.subject,
                created_at=f.created_at,
            )
            for f in findings
        ],
        signatures=[
            SignatureDoc(
                person_id=s.person_id,
                role=s.role,
                outcome=s.outcome,
                method=s.method,
                signed_at=s.signed_at,
            )
            for s in signatures
        ],
        handlingsplan=PlanDoc(
            status=plan.code,  # type: ignore[arg-type]
            established_on=plan.established_on,
            last_follow_up=plan.last_follow_up,
            next_follow_up_due=plan.next_due,
        ),
        preliminary_calculation=calculation_doc(calculation, calculation_error),
        decision=DecisionDoc(
            outcome=decision.outcome,
            amount_ore=decision.amount_ore,
            reason=decision.reason,
            decided_at=decision.decided_at,
            decided_by=decided_by,
            support_obstacles=[
                Obstacle(person_id=person, code=code) for person, code in sorted(obstacles.items())
            ],
        )
        if decision is not None
        else None,
        handoff=HandoffDoc(
            received_at=receipt.received_at if receipt else None,
            case_system=receipt.case_system if receipt else None,
            case_reference=receipt.case_reference if receipt else None,
        ),
    )


def collect(
    db: Session, state: Any, application: Application, household: Household
) -> ApplicationDocument:
    """The document of an application from the database (``state``: the app's state, for the
    settings and the proof rules). Checks protected identity again as it builds."""
    protection.check(db, household.id)
    settings = officer_settings_of(state)
    members = repo.members_with_people(db, household.id or 0)
    rows = repo.answer_rows(db, application.id)
    answers = {row.key: row.value for row in rows}
    previous_application = repo.previous_sent(db, application)
    previous = repository_flow.answers_of(
        db, previous_application.id if previous_application else None
    )
    context = flow.Context(
        month=application.month,
        members=flow_members(members, application.month),
        previous=previous,
    )
    assessment = repo.assessment_of(db, application.id or 0)
    result = preliminary(
        db,
        application,
        household,
        members,
        answers,
        Acceptance.from_data(assessment.accepted if assessment else None),
        settings,
    )
    _plan, _follow_ups, plan_state = plan_of(db, household, application.month, settings)
    decision = repo.decision_of(db, application.id or 0)
    names = repo.staff_names(db, [decision.decided_by if decision else None])
    return build(
        db,
        application,
        household,
        unit_name=repository.unit_name(db, household.unit_id) or "",
        members=members,
        answers=answers,
        changed=changed_keys(answers, {r.key for r in rows if r.changed}, previous, context),
        previous_id=previous_application.id if previous_application else None,
        attachments=repository_flow.attachments_of(db, application),
        findings=repo.findings_of(db, application.id or 0),
        signatures=repository_flow.signatures_of(db, application),
        plan=plan_state,
        calculation=result.calculation,
        calculation_error=result.error.code if result.error else None,
        decision=decision,
        obstacles=repo.obstacles_of(db, decision.id if decision else None),
        decided_by=names.get(decision.decided_by, "") if decision else "",
        receipt=repo.receipt_of(db, application.id or 0),
    )


def dump(document: ApplicationDocument) -> dict[str, Any]:
    return document.model_dump(mode="json", by_alias=True)


def json_schema() -> dict[str, Any]:
    """The document's JSON Schema (draft 2020-12), as committed in docs/handoff-schema.json."""
    schema = ApplicationDocument.model_json_schema(by_alias=True, mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


if __name__ == "__main__":  # pragma: no cover - writes the committed schema file
    json.dump(json_schema(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
