"""The portal's data, as SQLModel tables. Migrations in ``portal/migrations`` follow these.

Times are timezone-aware UTC (``utcnow()``); SQLModel stores them so that SQLite and PostgreSQL
give back the same aware values.
Money is stored in öre (integers), never as floats.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel, col

# Named constraints, so that migrations can alter them on SQLite and PostgreSQL alike.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Role(enum.StrEnum):
    informator = "informator"
    officer = "officer"
    quality = "quality"
    admin = "admin"


class MemberRole(enum.StrEnum):
    applicant = "applicant"
    co_applicant = "co_applicant"
    child = "child"
    visiting_child = "visiting_child"


class ApplicationStatus(enum.StrEnum):
    draft = "draft"
    awaiting_co_applicant = "awaiting_co_applicant"
    submitted = "submitted"
    needs_completion = "needs_completion"
    complete = "complete"
    decided = "decided"
    # Last month's basis (rent, incomes, costs) brought in from the case system with the household
    # (portal/households): never sent, never decided in the portal; only what the first
    # återansökan is prefilled from.
    imported = "imported"


class Municipality(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    code: str = Field(max_length=4, unique=True)  # SCB kommunkod
    default_language: str = Field(default="sv", max_length=8)


class Unit(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    name: str = Field(max_length=200)


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_user"
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, unique=True)
    display_name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    language: str | None = Field(default=None, max_length=8)
    is_active: bool = True
    failed_logins: int = 0
    created_at: dt.datetime = Field(default_factory=utcnow)
    # Second factor (TOTP, portal/totp.py): the base32 secret once confirmed with a code, when,
    # and the last time step used (a code works once).
    totp_secret: str | None = Field(default=None, max_length=128)
    totp_confirmed_at: dt.datetime | None = None
    totp_last_step: int | None = None
    # Signing in with the municipality's OpenID Connect provider (portal/oidc.py): the account is
    # the provider's (issuer, subject), never matched by username or e-mail. ``break_glass``:
    # one of the few accounts that may still sign in with a password (and TOTP) in production
    # when OpenID Connect is configured (``portal staff break-glass USERNAME``).
    oidc_issuer: str | None = Field(default=None, max_length=500)
    oidc_subject: str | None = Field(default=None, max_length=255)
    email: str | None = Field(default=None, max_length=254)
    break_glass: bool = False


class StaffRole(SQLModel, table=True):
    __tablename__ = "staff_role"

    user_id: int = Field(foreign_key="staff_user.id", primary_key=True)
    role: str = Field(max_length=20, primary_key=True)


class Person(SQLModel, table=True):
    """A person known to the service. The personnummer is stored here and nowhere else."""

    id: int | None = Field(default=None, primary_key=True)
    personnummer: str = Field(max_length=12, min_length=12, unique=True)
    given_name: str = Field(max_length=100)
    family_name: str = Field(max_length=100)
    language: str | None = Field(default=None, max_length=8)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=30)


class Household(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    protected_identity: bool = False  # skyddad identitet: fail closed everywhere
    language: str = Field(default="sv", max_length=8)
    interpreter_needed: bool = False
    created_at: dt.datetime = Field(default_factory=utcnow)
    # The case system's id (PUT /api/v1/households/{external_id}, portal households import).
    external_id: str | None = Field(default=None, max_length=64, unique=True)
    closed_at: dt.datetime | None = None  # the case is closed: no new applications
    close_reason: str | None = Field(default=None, max_length=500)


class HouseholdMember(SQLModel, table=True):
    __tablename__ = "household_member"
    __table_args__ = (UniqueConstraint("household_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str = Field(max_length=20)  # MemberRole
    days_at_home: int | None = None  # children and visiting children, days per month


class HouseholdTask(SQLModel, table=True):
    """The applicant wrote what has changed in the household (answer ``household_change``): a
    task for the officer, done once the register is right."""

    __tablename__ = "household_task"

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    application_id: int = Field(foreign_key="application.id", unique=True)
    done_at: dt.datetime = Field(default_factory=utcnow)
    done_by: int = Field(foreign_key="staff_user.id")
    note: str | None = Field(default=None, max_length=2000)


class Application(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("household_id", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    month: str = Field(max_length=7, index=True)  # YYYY-MM applied for
    # 32: "awaiting_co_applicant" is 21 characters (migration 0006 widened it from 20).
    status: str = Field(default=ApplicationStatus.draft, max_length=32, index=True)
    language: str = Field(default="sv", max_length=8)
    current_step: str | None = Field(default=None, max_length=64)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    submitted_at: dt.datetime | None = Field(default=None, index=True)
    submitted_by: int | None = Field(default=None, foreign_key="person.id")
    assigned_to: int | None = Field(default=None, foreign_key="staff_user.id")
    reference: str | None = Field(default=None, max_length=32, unique=True)
    prefilled_from: int | None = Field(default=None, foreign_key="application.id")
    co_applicant_status: str | None = Field(default=None, max_length=16)  # pending/signed/declined
    # Completeness (intake.completeness): whether the rules found nothing blocking or for review
    # when it was sent, and whether it went to the case officers without the informatör.
    complete_on_submission: bool | None = None
    pre_validated: bool = False
    completed_at: dt.datetime | None = None  # when it became complete (officers' queue)


class Answer(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("application_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    key: str = Field(max_length=64)
    value: dict | list | str | int | bool | None = Field(default=None, sa_column=Column(JSON))
    changed: bool = False  # differs from last month's answer
    updated_at: dt.datetime = Field(default_factory=utcnow)


class Attachment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    answer_key: str | None = Field(default=None, max_length=64)
    expected_kind: str | None = Field(default=None, max_length=32)  # the proof it was given as
    item: str | None = Field(default=None, max_length=32)  # e.g. the income type it proves
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64, index=True)
    storage_path: str = Field(max_length=500)
    received_at: dt.datetime = Field(default_factory=utcnow)
    kind: str | None = Field(default=None, max_length=32)
    period: str | None = Field(default=None, max_length=7)
    amount_ore: int | None = None
    confidence: float | None = None
    extraction: dict | None = Field(default=None, sa_column=Column(JSON))
    extraction_status: str = Field(default="pending", max_length=16)  # pending/done/failed
    confirmed_amount_ore: int | None = None  # what the applicant confirmed or corrected
    removed_at: dt.datetime | None = None  # removed by the applicant; the file is deleted


class Finding(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    code: str = Field(max_length=64)
    severity: str = Field(max_length=16)  # blocking / review / info
    subject: str | None = Field(default=None, max_length=64)  # answer key or attachment id
    status: str = Field(default="open", max_length=16)  # open / accepted / resolved
    reason: str | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    resolved_by: int | None = Field(default=None, foreign_key="staff_user.id")
    params: dict | None = Field(default=None, sa_column=Column(JSON))  # what the words need
    resolved_at: dt.datetime | None = None  # accepted by staff, or gone on re-evaluation


class Message(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    application_id: int | None = Field(default=None, foreign_key="application.id")
    sender_staff_id: int | None = Field(default=None, foreign_key="staff_user.id")
    direction: str = Field(max_length=16)  # to_applicant / from_applicant
    body: str
    created_at: dt.datetime = Field(default_factory=utcnow)
    read_at: dt.datetime | None = None


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)
    actor_kind: str = Field(max_length=16)  # staff / applicant / system
    actor_id: int | None = None
    action: str = Field(max_length=64)
    object_type: str | None = Field(default=None, max_length=32)
    object_id: int | None = None
    detail: dict | None = Field(default=None, sa_column=Column(JSON))


def new_answer_id() -> str:
    """A survey answer's id: random, so that it tells nothing about when it was given."""
    return str(uuid.uuid4())


class SurveyAnswer(SQLModel, table=True):
    """An anonymous survey answer. By construction it has no link to a person or household,
    no exact time and no address: only what the statistics need. The id is random (UUID4), not a
    sequence, and the rows are stored in the order of their ids (SQLite: a table without rowid;
    PostgreSQL: see ``portal.repository_survey.add_answer``): neither says in which order people
    answered."""

    __tablename__ = "survey_answer"
    # The dashboard's comments are read by version and month range (migration 0003).
    # SQLite keeps the rows in the order of their (random) ids, not in the order they came.
    __table_args__ = (
        Index("ix_survey_answer_version_month", "question_set_version", "month"),
        {"sqlite_with_rowid": False},
    )

    id: str = Field(default_factory=new_answer_id, primary_key=True, max_length=36)
    question_set_version: str = Field(max_length=32, index=True)
    month: str = Field(max_length=7, index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    language: str = Field(max_length=8)
    channel: str = Field(max_length=16)
    answers: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    free_text: str | None = None


class WebSession(SQLModel, table=True):
    """A signed-in session. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=16)  # staff / applicant
    staff_user_id: int | None = Field(default=None, foreign_key="staff_user.id")
    person_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: dt.datetime = Field(default_factory=utcnow)
    last_seen_at: dt.datetime = Field(default_factory=utcnow, index=True)


class Signature(SQLModel, table=True):
    """A person's signature (or refusal) of an application's declaration (försäkran)."""

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    role: str = Field(max_length=20)  # applicant / co_applicant
    outcome: str = Field(max_length=16)  # signed / declined
    method: str = Field(max_length=16)  # bankid / test
    user_visible_data: str | None = None
    provider_reference: str | None = Field(default=None, max_length=200)
    signed_at: dt.datetime = Field(default_factory=utcnow)


class EidOrder(SQLModel, table=True):
    """An e-ID order in progress (BankID auth or sign), kept so any worker can collect it."""

    __tablename__ = "eid_order"

    id: int | None = Field(default=None, primary_key=True)
    order_ref: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=8)  # auth / sign
    browser_token_hash: str = Field(max_length=64, index=True)
    application_id: int | None = Field(default=None, foreign_key="application.id")
    person_id: int | None = Field(default=None, foreign_key="person.id")
    qr_start_token: str | None = Field(default=None, max_length=64)
    qr_start_secret: str | None = Field(default=None, max_length=64)
    auto_start_token: str | None = Field(default=None, max_length=64)
    status: str = Field(default="pending", max_length=16)  # pending / complete / failed
    hint_code: str | None = Field(default=None, max_length=64)
    personnummer: str | None = Field(default=None, max_length=12)
    return_to: str | None = Field(default=None, max_length=300)  # local path when complete
    started_at: dt.datetime = Field(default_factory=utcnow)


class Notification(SQLModel, table=True):
    """An e-mail or SMS, stored before it is sent so that nothing is lost. Bodies carry no
    personal details: only that there is something new in the portal."""

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=8)  # email / sms
    recipient: str = Field(max_length=254)
    subject: str | None = Field(default=None, max_length=200)
    body: str
    purpose: str = Field(max_length=32)
    # The household it is about: the sender withholds it if the household has protected
    # identity when it is sent (portal/protection.py). None only for rows from before 0010.
    household_id: int | None = Field(default=None, foreign_key="household.id")
    created_at: dt.datetime = Field(default_factory=utcnow)
    sent_at: dt.datetime | None = None
    attempts: int = 0
    error: str | None = None


class NormTable(SQLModel, table=True):
    """A yearly norm table (riksnorm) as imported by ``portal norm import``: ``data`` is the
    table file as plain data (see intake/norm/tables/README.md). One table per year; a demo
    table (``is_demo``) holds example values and must be labelled so wherever it is used."""

    __tablename__ = "norm_table"

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(unique=True)
    source: str = Field(max_length=500)
    is_demo: bool = False
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    imported_at: dt.datetime = Field(default_factory=utcnow)
    imported_by: str = Field(max_length=100)


# --- the bemötande survey: everything apart from the anonymous answers ---------------------------


class SurveyInvitation(SQLModel, table=True):
    """An open invitation to the survey. It knows the household (for the banner and the
    reminder), but an answer never learns it: the invitation and its tokens are deleted when the
    survey is answered or the link expires."""

    __tablename__ = "survey_invitation"

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    question_set_version: str = Field(max_length=32)
    month: str = Field(max_length=7)  # YYYY-MM the invitation was sent: the answer's month
    unit_id: int = Field(foreign_key="unit.id")
    language: str = Field(max_length=8)
    created_at: dt.datetime = Field(default_factory=utcnow)
    expires_at: dt.datetime = Field(index=True)
    reminded_at: dt.datetime | None = None


class SurveyInvitationToken(SQLModel, table=True):
    """A one-time link to an invitation; only the hash of the token is stored. One per channel
    (email, sms, portal), so that the answer can say how the respondent came."""

    __tablename__ = "survey_invitation_token"

    id: int | None = Field(default=None, primary_key=True)
    invitation_id: int = Field(foreign_key="survey_invitation.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    channel: str = Field(max_length=16)


class SurveyPause(SQLModel, table=True):
    """Households invited recently, so that none is invited more than once in N months. The key
    is a keyed hash of the household id: no foreign key, no unit, no language, nothing that joins
    to an answer. Deleted once the pause is over."""

    __tablename__ = "survey_pause"

    id: int | None = Field(default=None, primary_key=True)
    household_key: str = Field(max_length=64, unique=True)
    until_month: str = Field(max_length=7, index=True)  # may be invited again from this month


class SurveyCount(SQLModel, table=True):
    """Running counts behind the quality dashboard, kept in step with ``survey_answer`` (and
    rebuilt from it by ``portal survey recount``): how many respondents in a month, unit and
    language gave ``value`` to ``item``; ``_invited`` counts invitations (language empty)."""

    __tablename__ = "survey_count"
    __table_args__ = (
        UniqueConstraint("question_set_version", "month", "unit_id", "language", "item", "value"),
    )

    id: int | None = Field(default=None, primary_key=True)
    question_set_version: str = Field(max_length=32)
    month: str = Field(max_length=7)
    unit_id: int = Field(foreign_key="unit.id")
    language: str = Field(max_length=8)
    item: str = Field(max_length=32)
    value: str = Field(max_length=8)
    count: int = 0


# --- the case officer: queue, assessment, decisions, handlingsplan, hand-off, egenkontroll ------

# The officer's queue: complete applications by waiting time, with what its filters read
# (household for the unit, assignment) in the index; changed answers and household types
# found by index alone.
Index(
    "ix_application_queue",
    col(Application.status),
    col(Application.submitted_at),
    col(Application.household_id),
    col(Application.assigned_to),
)
Index("ix_application_assigned_to", col(Application.assigned_to))
Index("ix_answer_changed_application", col(Answer.changed), col(Answer.application_id))
Index(
    "ix_household_member_household_role",
    col(HouseholdMember.household_id),
    col(HouseholdMember.role),
)


class Assessment(SQLModel, table=True):
    """What the officer accepted for an application's preliminary calculation (see
    ``intake.officer.convert.Acceptance``): costs outside the norm and livsföring by kind in
    öre, kinds accepted above the municipal limit, persons in the home outside the household,
    children without lunch at home."""

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", unique=True)
    accepted: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_by: int = Field(foreign_key="staff_user.id")
    updated_at: dt.datetime = Field(default_factory=utcnow)


class Decision(SQLModel, table=True):
    """The officer's decision on an application: granted, refused or partly
    (``intake.officer.decision.OUTCOMES``). The application is read-only from then on."""

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", unique=True)
    outcome: str = Field(max_length=16)
    amount_ore: int
    reason: str | None = None
    decided_by: int = Field(foreign_key="staff_user.id")
    decided_at: dt.datetime = Field(default_factory=utcnow, index=True)
    # The preliminary calculation as the officer saw it when deciding (Calculation.to_dict()).
    calculation: dict | None = Field(default=None, sa_column=Column(JSON))


class DecisionObstacle(SQLModel, table=True):
    """Försörjningshinder registered with a decision, one per adult of the household."""

    __tablename__ = "decision_obstacle"
    __table_args__ = (UniqueConstraint("decision_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decision.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    code: str = Field(max_length=40)


class ActionPlan(SQLModel, table=True):
    """A handlingsplan (action plan towards self-sufficiency) of a household; the latest
    established is the current one."""

    __tablename__ = "action_plan"

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    established_on: dt.date
    recorded_by: int = Field(foreign_key="staff_user.id")
    recorded_at: dt.datetime = Field(default_factory=utcnow)


class ActionPlanFollowUp(SQLModel, table=True):
    __tablename__ = "action_plan_follow_up"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="action_plan.id", index=True)
    followed_up_on: dt.date
    recorded_by: int = Field(foreign_key="staff_user.id")
    recorded_at: dt.datetime = Field(default_factory=utcnow)


class ApiToken(SQLModel, table=True):
    """A token for the case system's hand-off API. Only the SHA-256 of the token is stored;
    ``prefix`` (its first characters) names it in lists."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = Field(default_factory=utcnow)
    created_by: str = Field(max_length=100)
    revoked_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None


class HandoffReceipt(SQLModel, table=True):
    """The case system said it has received the application (``POST .../received``)."""

    __tablename__ = "handoff_receipt"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", unique=True)
    token_id: int = Field(foreign_key="api_token.id")
    received_at: dt.datetime = Field(default_factory=utcnow)
    case_system: str | None = Field(default=None, max_length=50)
    case_reference: str | None = Field(default=None, max_length=100)
    document_version: str = Field(max_length=16)


class TeamLead(SQLModel, table=True):
    """A team lead (1:e socialsekreterare / enhetschef) of a unit: sees the unit's queue,
    draws egenkontroll samples and assigns reviewers."""

    __tablename__ = "team_lead"

    staff_user_id: int = Field(foreign_key="staff_user.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)


class ReviewSample(SQLModel, table=True):
    """An egenkontroll sample: decided applications of a unit and month, drawn reproducibly
    with ``seed`` (``intake.officer.sample``)."""

    __tablename__ = "review_sample"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    month: str = Field(max_length=7, index=True)
    seed: str = Field(max_length=64)
    size: int
    population: int
    drawn_by: int = Field(foreign_key="staff_user.id")
    drawn_at: dt.datetime = Field(default_factory=utcnow)


class ReviewItem(SQLModel, table=True):
    """One sampled application, its reviewer and the checklist (yes / no / not_applicable)."""

    __tablename__ = "review_item"
    __table_args__ = (UniqueConstraint("sample_id", "application_id"),)

    id: int | None = Field(default=None, primary_key=True)
    sample_id: int = Field(foreign_key="review_sample.id", index=True)
    application_id: int = Field(foreign_key="application.id")
    reviewer_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True)
    planning_visible: str | None = Field(default=None, max_length=16)
    household_right: str | None = Field(default=None, max_length=16)
    documents_support_costs: str | None = Field(default=None, max_length=16)
    other_benefits_applied: str | None = Field(default=None, max_length=16)
    comment: str | None = None
    reviewed_at: dt.datetime | None = None


# --- completeness: the informatör's work before a case officer sees an application ---------------


class CompletionRequest(SQLModel, table=True):
    """A request to the applicant to complete the application (komplettering): one round.
    ``note`` is the informatör's own words, sent as written; the items say what is asked for."""

    __tablename__ = "completion_request"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    requested_by: int = Field(foreign_key="staff_user.id")
    language: str = Field(max_length=8)  # the applicant's language when it was sent
    note: str | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    answered_at: dt.datetime | None = None  # the applicant sent what they could
    reply: str | None = None  # what the applicant wrote back


class CompletionItem(SQLModel, table=True):
    """One finding the applicant is asked to complete, with the informatör's chosen wording."""

    __tablename__ = "completion_item"
    __table_args__ = (UniqueConstraint("request_id", "finding_id"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="completion_request.id", index=True)
    finding_id: int = Field(foreign_key="finding.id", index=True)
    template: str = Field(max_length=32)


class ContactNote(SQLModel, table=True):
    """A note of a phone call, a visit or another contact about an application."""

    __tablename__ = "contact_note"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    author_id: int = Field(foreign_key="staff_user.id")
    kind: str = Field(max_length=16)  # phone / visit / other
    body: str
    created_at: dt.datetime = Field(default_factory=utcnow)


# --- abuse protection: rate limits and sign-in back-off -----------------------------------------


class RateLimit(SQLModel, table=True):
    """A rate-limit counter shared by every web process (``portal.ratelimit``): requests in one
    window, or failed staff sign-ins. ``key`` holds a keyed hash of the client address, session
    or username, never the value itself. Rows past ``expires_at`` are dead and purged."""

    __tablename__ = "rate_limit"

    key: str = Field(max_length=128, primary_key=True)
    count: int = 0
    updated_at: dt.datetime = Field(default_factory=utcnow)
    expires_at: dt.datetime = Field(index=True)
