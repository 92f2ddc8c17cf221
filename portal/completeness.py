"""Completeness on the web side: evaluate an application with ``intake.completeness``, keep its
findings in step, route it on submission, and run the completion loop (the informatör asks, the
applicant answers, the findings are evaluated again at once).

Routing: an application without open ``blocking`` or ``review`` findings goes straight to the case
officers (status ``complete``, marked pre-validated); the others stay ``submitted`` in the
informatör's queue. The informatör never decides on assistance: the furthest they move an
application is ``complete``.
"""

from __future__ import annotations

import datetime as dt
import logging
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from intake import completeness, flow, proof_rules
from intake.completeness import CoApplicant, Config, Document, Facts, Severity, Stage
from intake.models import (
    Application,
    ApplicationStatus,
    Attachment,
    CompletionItem,
    CompletionRequest,
    ContactNote,
    Finding,
    Household,
    Message,
    Person,
    StaffUser,
    utcnow,
)
from portal import notify, protection, repository, repository_flow
from portal.i18n import gettext as _
from portal.i18n import use_locale

log = logging.getLogger("portal.completeness")
STOCKHOLM = ZoneInfo("Europe/Stockholm")
ROUTING = (Severity.blocking.value, Severity.review.value)
OPEN = "open"
ACCEPTED = "accepted"
RESOLVED = "resolved"


class CompletenessSettings(BaseSettings):
    """``PORTAL_COMPLETENESS_RULES_FILE``: the municipality's rule table (TOML); defaults if unset.
    ``PORTAL_PROOF_RULES_FILE`` is read here only when no app has installed its rules."""

    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")

    completeness_rules_file: Path | None = None
    proof_rules_file: Path | None = None


@dataclass(frozen=True)
class Setup:
    config: Config
    proof_rules: flow.ProofRules


_setups: weakref.WeakKeyDictionary[Engine, Setup] = weakref.WeakKeyDictionary()


def load_config(settings: CompletenessSettings | None = None) -> Config:
    """The configured rule table; ``completeness.ConfigError`` names the file, line and key."""
    settings = settings or CompletenessSettings()
    if settings.completeness_rules_file is None:
        return completeness.DEFAULT
    return completeness.load(settings.completeness_rules_file)


def install(app: Any, settings: CompletenessSettings | None = None) -> Setup:
    """Check the rules file and remember the rules for this app's database. Call it in
    ``create_app`` so that a bad file stops the portal at start-up."""
    setup = Setup(load_config(settings), app.state.proof_rules)
    app.state.completeness = setup
    _setups[app.state.engine] = setup
    return setup


def setup_of(app: Any) -> Setup:
    setup = getattr(app.state, "completeness", None)
    return setup if isinstance(setup, Setup) else install(app)


def setup_for(db: Session) -> Setup:
    """The rules for the database this session works on (installed by the app)."""
    bind = db.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    setup = _setups.get(engine)
    if setup is None:
        settings = CompletenessSettings()
        rules = (
            proof_rules.load(settings.proof_rules_file)
            if settings.proof_rules_file
            else flow.DEFAULT_PROOF_RULES
        )
        setup = Setup(load_config(settings), rules)
        _setups[engine] = setup
    return setup


# --- facts and evaluation ------------------------------------------------------------------------


def month_of(moment: dt.datetime | None) -> str:
    moment = moment or utcnow()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(STOCKHOLM)
    return f"{local.year:04d}-{local.month:02d}"


def document_of(attachment: Attachment) -> Document:
    return Document(
        id=attachment.id or 0,
        answer_key=attachment.answer_key,
        expected_kind=attachment.expected_kind,
        item=attachment.item,
        kind=attachment.kind,
        period=attachment.period,
        amount_ore=attachment.amount_ore,
        confidence=attachment.confidence,
        status=attachment.extraction_status,
        confirmed_amount_ore=attachment.confirmed_amount_ore,
    )


def facts_for(db: Session, application: Application, setup: Setup) -> Facts:
    household = db.get(Household, application.household_id)
    assert household is not None
    co_applicant = None
    if repository_flow.co_applicant_of(db, household) is not None:
        status = application.co_applicant_status
        co_applicant = (
            CoApplicant(status) if status in ("signed", "declined") else CoApplicant.pending
        )
    draft = application.status == ApplicationStatus.draft
    return Facts(
        month=application.month,
        sent_month=month_of(None if draft else application.submitted_at),
        answers=repository_flow.answers_of(db, application.id),
        context=repository_flow.context_for(db, household, application),
        documents=tuple(document_of(a) for a in repository_flow.attachments_of(db, application)),
        co_applicant=co_applicant,
        stage=Stage.draft if draft else Stage.sent,
        proof_rules=setup.proof_rules,
    )


def evaluate(db: Session, application: Application, setup: Setup | None = None) -> list[Any]:
    """The findings as the rules see the application now (not stored): for a draft's review."""
    setup = setup or setup_for(db)
    return completeness.evaluate(facts_for(db, application, setup), setup.config)


def findings_of(db: Session, application_id: int | None) -> list[Finding]:
    rows = db.exec(
        select(Finding).where(Finding.application_id == application_id).order_by(col(Finding.id))
    ).all()
    order = {"blocking": 0, "review": 1, "info": 2}
    status_order = {OPEN: 0, ACCEPTED: 1, RESOLVED: 2}
    return sorted(rows, key=lambda f: (status_order.get(f.status, 3), order.get(f.severity, 3)))


def refresh(db: Session, application: Application, setup: Setup | None = None) -> list[Finding]:
    """Evaluate again and bring the stored findings in step: new ones are added, those the rules
    no longer find are resolved, resolved ones that come back are opened again. Findings staff
    accepted stay accepted."""
    setup = setup or setup_for(db)
    found = completeness.evaluate(facts_for(db, application, setup), setup.config)
    existing = {(row.code, row.subject or ""): row for row in findings_of(db, application.id)}
    now = utcnow()
    for finding in found:
        row = existing.pop(finding.key, None)
        if row is None:
            db.add(
                Finding(
                    application_id=application.id or 0,
                    code=finding.code.value,
                    severity=finding.severity.value,
                    subject=finding.subject,
                    params=finding.params,
                )
            )
            continue
        row.severity = finding.severity.value
        row.params = finding.params
        if row.status == RESOLVED:
            row.status, row.resolved_at, row.resolved_by, row.reason = OPEN, None, None, None
        db.add(row)
    for row in existing.values():
        if row.status == OPEN:
            row.status, row.resolved_at = RESOLVED, now
            db.add(row)
    db.commit()
    return findings_of(db, application.id)


def open_routing(findings: list[Finding]) -> list[Finding]:
    """Open findings that keep an application from the case officers."""
    return [f for f in findings if f.status == OPEN and f.severity in ROUTING]


# --- routing -------------------------------------------------------------------------------------


def on_submitted(db: Session, application: Application) -> None:
    """The application has just been received: evaluate it and route it. A failure here must
    never lose the application: it then simply waits in the informatör's queue."""
    try:
        findings = refresh(db, application)
    except Exception:
        db.rollback()
        log.exception("completeness evaluation failed for application %s", application.id)
        return
    clean = not open_routing(findings)
    application.complete_on_submission = clean
    db.add(application)
    db.commit()
    if clean:
        _route_to_officers(db, application)
    else:
        repository.audit(
            db,
            "system",
            None,
            "application_to_informator",
            object_type="application",
            object_id=application.id,
            detail={"findings": sorted({f.code for f in open_routing(findings)})},
        )


def _route_to_officers(db: Session, application: Application) -> None:
    application.status = ApplicationStatus.complete
    application.pre_validated = True
    application.completed_at = utcnow()
    application.updated_at = application.completed_at
    db.add(application)
    db.commit()
    repository.audit(
        db,
        "system",
        None,
        "application_pre_validated",
        object_type="application",
        object_id=application.id,
    )


def staff_involved(db: Session, application: Application) -> bool:
    """Whether the informatör has begun on it: then only the informatör marks it complete."""
    if db.exec(
        select(CompletionRequest.id).where(CompletionRequest.application_id == application.id)
    ).first():
        return True
    if db.exec(select(ContactNote.id).where(ContactNote.application_id == application.id)).first():
        return True
    return any(f.status == ACCEPTED for f in findings_of(db, application.id))


def open_request(db: Session, application: Application) -> CompletionRequest | None:
    return db.exec(
        select(CompletionRequest)
        .where(CompletionRequest.application_id == application.id)
        .where(col(CompletionRequest.answered_at).is_(None))
        .order_by(col(CompletionRequest.id).desc())
    ).first()


def requests_of(db: Session, application: Application) -> list[CompletionRequest]:
    return list(
        db.exec(
            select(CompletionRequest)
            .where(CompletionRequest.application_id == application.id)
            .order_by(col(CompletionRequest.id))
        ).all()
    )


def items_of(db: Session, request: CompletionRequest) -> list[tuple[CompletionItem, Finding]]:
    rows = db.exec(
        select(CompletionItem, Finding)
        .join(Finding, col(Finding.id) == CompletionItem.finding_id)
        .where(CompletionItem.request_id == request.id)
        .order_by(col(CompletionItem.id))
    ).all()
    return [(item, finding) for item, finding in rows]


def settled(finding: Finding) -> bool:
    return finding.status != OPEN or finding.severity not in ROUTING


def after_applicant_change(db: Session, application: Application) -> None:
    """The applicant added documents (or the reader finished one): evaluate again at once.
    A completion request whose every finding is now settled is answered; an application no one
    has begun on that is now clean goes to the case officers."""
    if application.status not in (
        ApplicationStatus.submitted,
        ApplicationStatus.needs_completion,
    ) or protection.is_protected(db, application.household_id):
        return
    findings = refresh(db, application)
    request = open_request(db, application)
    if application.status == ApplicationStatus.needs_completion and request is not None:
        if all(settled(finding) for _, finding in items_of(db, request)):
            _answer(db, application, request, reply=None)
        return
    if (
        application.status == ApplicationStatus.submitted
        and not open_routing(findings)
        and not staff_involved(db, application)
    ):
        _route_to_officers(db, application)


def after_extraction(db: Session, attachment_id: int) -> None:
    """For the extraction worker: an attachment has been read; evaluate its application."""
    attachment = db.get(Attachment, attachment_id)
    if attachment is None:
        return
    application = db.get(Application, attachment.application_id)
    if application is not None:
        after_applicant_change(db, application)


def applicant_replied(
    db: Session, application: Application, person: Person | None, reply: str
) -> bool:
    """The applicant sends what they have for the open request, with or without words: it goes
    back to the informatör's queue. Without an open request the words are kept as a message.
    Returns whether anything was sent."""
    reply = reply.strip()[:4000]
    request = open_request(db, application)
    if reply:
        db.add(
            Message(
                household_id=application.household_id,
                application_id=application.id,
                direction="from_applicant",
                body=reply,
            )
        )
        db.commit()
    answered = request is not None and application.status == ApplicationStatus.needs_completion
    if request is not None and answered:
        _answer(db, application, request, reply=reply or None)
    if not reply and not answered:
        return False
    repository.audit(
        db,
        "applicant",
        person.id if person else None,
        "completion_reply",
        object_type="application",
        object_id=application.id,
    )
    return True


def _answer(
    db: Session, application: Application, request: CompletionRequest, reply: str | None
) -> None:
    request.answered_at = utcnow()
    if reply:
        request.reply = reply
    application.status = ApplicationStatus.submitted
    application.updated_at = request.answered_at
    db.add(request)
    db.add(application)
    db.commit()


# --- the informatör's actions --------------------------------------------------------------------


class ActionError(Exception):
    """An action the informatör cannot take now; ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


IN_QUEUE = (ApplicationStatus.submitted, ApplicationStatus.needs_completion)


def accept_finding(
    db: Session, application: Application, finding_id: int, staff: StaffUser, reason: str
) -> Finding:
    finding = db.get(Finding, finding_id)
    if finding is None or finding.application_id != application.id:
        raise ActionError("no_such_finding")
    reason = reason.strip()
    if not reason:
        raise ActionError("reason_required")
    if finding.status != OPEN:
        raise ActionError("not_open")
    finding.status = ACCEPTED
    finding.reason = reason[:2000]
    finding.resolved_by = staff.id
    finding.resolved_at = utcnow()
    db.add(finding)
    db.commit()
    repository.audit(
        db,
        "staff",
        staff.id,
        "finding_accepted",
        object_type="application",
        object_id=application.id,
        detail={"finding": finding.id, "code": finding.code},
    )
    return finding


def add_note(
    db: Session, application: Application, staff: StaffUser, kind: str, body: str
) -> ContactNote:
    if kind not in ("phone", "visit", "other"):
        raise ActionError("note_kind")
    body = body.strip()
    if not body:
        raise ActionError("note_required")
    note = ContactNote(
        application_id=application.id or 0, author_id=staff.id or 0, kind=kind, body=body[:4000]
    )
    db.add(note)
    db.commit()
    repository.audit(
        db,
        "staff",
        staff.id,
        "contact_note_added",
        object_type="application",
        object_id=application.id,
        detail={"kind": kind},
    )
    return note


def mark_complete(db: Session, application: Application, staff: StaffUser) -> None:
    """The informatör is satisfied: the application moves to the case officers' queue. Open
    blocking or review findings must be accepted (with a reason) first."""
    if application.status not in IN_QUEUE:
        raise ActionError("not_in_queue")
    findings = refresh(db, application)
    if open_routing(findings):
        raise ActionError("open_findings")
    now = utcnow()
    application.status = ApplicationStatus.complete
    application.completed_at = now
    application.updated_at = now
    request = open_request(db, application)
    if request is not None:
        request.answered_at = now
        db.add(request)
    db.add(application)
    db.commit()
    repository.audit(
        db,
        "staff",
        staff.id,
        "application_marked_complete",
        object_type="application",
        object_id=application.id,
    )


@dataclass(frozen=True)
class Pick:
    finding_id: int
    template: str


def applicant_language(db: Session, application: Application) -> str:
    household = db.get(Household, application.household_id)
    person = repository_flow.applicant_of(db, household) if household else None
    return (person.language if person and person.language else None) or (
        household.language if household else application.language
    )


def request_completion(
    db: Session,
    application: Application,
    staff: StaffUser,
    picks: list[Pick],
    note: str,
    settings: Any,
    render_message: Any,
) -> CompletionRequest:
    """Ask the applicant to complete: the chosen findings, each with its wording, and the
    informatör's own note. The message is written in the applicant's language; the applicant is
    told by e-mail and SMS that there is a new message (no personal details)."""
    from portal.completeness_text import templates_for

    if application.status not in IN_QUEUE:
        raise ActionError("not_in_queue")
    if not picks:
        raise ActionError("pick_findings")
    findings = {f.id: f for f in findings_of(db, application.id)}
    for pick in picks:
        finding = findings.get(pick.finding_id)
        if finding is None or finding.status != OPEN:
            raise ActionError("no_such_finding")
        if pick.template not in templates_for(finding.code):
            raise ActionError("no_such_template")
    language = applicant_language(db, application)
    request = CompletionRequest(
        application_id=application.id or 0,
        requested_by=staff.id or 0,
        language=language,
        note=note.strip()[:4000] or None,
    )
    db.add(request)
    db.flush()
    for pick in picks:
        db.add(
            CompletionItem(
                request_id=request.id or 0, finding_id=pick.finding_id, template=pick.template
            )
        )
    application.status = ApplicationStatus.needs_completion
    application.updated_at = utcnow()
    db.add(application)
    db.flush()
    with use_locale(language):
        body = render_message(request, [(pick, findings[pick.finding_id]) for pick in picks])
    db.add(
        Message(
            household_id=application.household_id,
            application_id=application.id,
            sender_staff_id=staff.id,
            direction="to_applicant",
            body=body,
        )
    )
    db.commit()
    db.refresh(request)
    repository.audit(
        db,
        "staff",
        staff.id,
        "completion_requested",
        object_type="application",
        object_id=application.id,
        detail={"request": request.id, "findings": [p.finding_id for p in picks]},
    )
    notify_applicant(db, application, settings, language, purpose="completion_request")
    return request


def notify_applicant(
    db: Session, application: Application, settings: Any, language: str, *, purpose: str
) -> int:
    """Tell the applicant there is a new message, by the ways they chose: no personal details,
    only who it is from and where to read it. Returns how many messages were queued."""
    household = db.get(Household, application.household_id)
    person = repository_flow.applicant_of(db, household) if household else None
    contact = repository_flow.answers_of(db, application.id).get("contact") or {}
    methods = contact.get("methods") or []
    email = (contact.get("email") if "email" in methods else None) or (
        person.email if person else None
    )
    phone = (contact.get("phone") if "sms" in methods else None) or (
        person.phone if person else None
    )
    with use_locale(language):
        body = _(
            "You have a new message from %(municipality)s. Sign in at %(url)s to read it.",
            municipality=settings.municipality_name,
            url=settings.base_url,
        )
    queued = 0
    if email:
        queued += bool(
            notify.queue(
                db,
                household_id=application.household_id,
                channel="email",
                recipient=email,
                body=body,
                subject=settings.municipality_name,
                purpose=purpose,
            )
        )
    if phone:
        queued += bool(
            notify.queue(
                db,
                household_id=application.household_id,
                channel="sms",
                recipient=phone,
                body=body,
                purpose=purpose,
            )
        )
    db.commit()
    if queued:
        notify.deliver(db, settings)
    return queued
