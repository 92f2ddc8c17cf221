"""What the completeness templates show: "What is still missing" for the applicant (before
sending and on the status page), the completion request in the applicant's language, and the
informatör's view of findings, documents and their read and declared values."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session

from intake.completeness import FIXABLE_BY_APPLICANT, Code, Finding, Severity, reading_problem
from intake.completeness.rules import declared_amount
from intake.models import (
    Application,
    ApplicationStatus,
    Attachment,
    CompletionItem,
    CompletionRequest,
    Household,
)
from intake.models import Finding as FindingRow
from portal import attachment_preview, completeness, repository_flow
from portal import completeness_text as words
from portal.flow_text import DOCUMENTS, OPTIONS, text
from portal.i18n import format_month, format_ore
from portal.i18n import gettext as _

ROUTING = ("blocking", "review")


def names_for(db: Session, application: Application) -> words.Names:
    household = db.get(Household, application.household_id)
    assert household is not None
    context = repository_flow.context_for(db, household, application)
    co_applicant = repository_flow.co_applicant_of(db, household)
    return words.Names(
        files={a.id or 0: a.filename for a in repository_flow.attachments_of(db, application)},
        people={m.id: m.given_name for m in context.members},
        co_applicant=co_applicant.given_name if co_applicant else "",
    )


def _step_for(code: str, params: dict[str, Any]) -> str:
    if code == Code.household_change_facts:
        return "household_change"
    return str(params.get("answer_key") or "")


def document_key(code: str, params: dict[str, Any]) -> str:
    """What an upload fixing this finding is filed as: ``document|item|answer key``."""
    document = params.get("document")
    if code == Code.rent_increase:
        document = "rent_notice"
    if not document or code not in words.FIXED_BY_DOCUMENT:
        return "other||"
    return f"{document}|{params.get('item') or ''}|{params.get('answer_key') or ''}"


# --- the applicant ---------------------------------------------------------------------------


@dataclass
class MissingItem:
    title: str
    text: str
    url: str
    severity: str


def missing_before_sending(
    db: Session, application: Application, month: str, setup: completeness.Setup | None = None
) -> list[MissingItem]:
    """What the rules find in a draft that the applicant can fix, each linking to its question."""
    names = names_for(db, application)
    items = []
    for finding in completeness.evaluate(db, application, setup):
        if finding.code not in FIXABLE_BY_APPLICANT or finding.severity is Severity.info:
            continue
        step = _step_for(finding.code, finding.params)
        items.append(
            MissingItem(
                title=words.title(finding.code),
                text=words.for_applicant(finding.code, finding.params, names),
                url=f"/applicant/apply/{month}/step/{step}?edit=1&back=review" if step else "",
                severity=finding.severity.value,
            )
        )
    return items


@dataclass
class FixItem:
    id: int  # the finding
    title: str
    text: str
    asked: str  # the informatör's chosen wording, when asked in a completion request
    document_key: str
    upload: bool
    done: bool


@dataclass
class Completion:
    """The applicant's side of completeness on the status page."""

    application_id: int
    request: CompletionRequest | None
    items: list[FixItem] = field(default_factory=list)
    can_fix: bool = True

    @property
    def open_items(self) -> list[FixItem]:
        return [item for item in self.items if not item.done]


def for_applicant(db: Session, application: Application) -> Completion | None:
    """The open completion request, or else what is still missing; None when nothing is."""
    if application.status not in (
        ApplicationStatus.submitted,
        ApplicationStatus.needs_completion,
    ):
        return None
    names = names_for(db, application)
    request = (
        completeness.open_request(db, application)
        if application.status == ApplicationStatus.needs_completion
        else None
    )
    view = Completion(application.id or 0, request)
    pairs: list[tuple[CompletionItem | None, FindingRow]]
    if request is not None:
        pairs = list(completeness.items_of(db, request))
    else:
        pairs = [
            (None, finding)
            for finding in completeness.findings_of(db, application.id)
            if finding.status == "open"
            and finding.severity in ROUTING
            and finding.code in FIXABLE_BY_APPLICANT
        ]
    for item, finding in pairs:
        view.items.append(_fix_item(item, finding, names))
    return view if view.items else None


def _fix_item(item: CompletionItem | None, finding: FindingRow, names: words.Names) -> FixItem:
    params = finding.params or {}
    key = document_key(finding.code, params)
    return FixItem(
        id=finding.id or 0,
        title=words.title(finding.code),
        text=words.for_applicant(finding.code, params, names),
        asked=words.template_text(item.template, finding.code, params, names) if item else "",
        document_key=key,
        upload=key != "other||" or finding.code in words.FIXED_BY_DOCUMENT,
        done=completeness.settled(finding),
    )


def request_message(
    db: Session, application: Application
) -> Any:  # a callable for completeness.request_completion
    """The message a completion request leaves in the applicant's messages (rendered in the
    applicant's language by the caller)."""
    names = names_for(db, application)

    def render(request: CompletionRequest, picks: list[tuple[Any, FindingRow]]) -> str:
        lines = [_("We need more information to handle your application.")]
        for pick, finding in picks:
            asked = words.template_text(pick.template, finding.code, finding.params or {}, names)
            lines.append(f"- {asked}")
        if request.note:
            lines.append(request.note)
        lines.append(_("Open your application to add documents or write to us."))
        return "\n".join(lines)

    return render


# --- the informatör ----------------------------------------------------------------------------


@dataclass
class FindingView:
    finding: FindingRow
    title: str
    text: str
    anchor: str  # where on the page its subject is
    templates: list[tuple[str, str, str]]  # (id, in the informatör's language, applicant's)
    resolved_by: str = ""

    @property
    def open(self) -> bool:
        return self.finding.status == "open"

    @property
    def routing(self) -> bool:
        return self.finding.severity in ROUTING


def staff_findings(
    db: Session, application: Application, applicant_language: str, staff: dict[int, str]
) -> list[FindingView]:
    from portal.i18n import use_locale

    names = names_for(db, application)
    views = []
    for finding in completeness.findings_of(db, application.id):
        params = finding.params or {}
        templates = []
        for template in words.templates_for(finding.code):
            mine = words.template_text(template, finding.code, params, names)
            with use_locale(applicant_language):
                theirs = words.template_text(template, finding.code, params, names)
            templates.append((template, mine, theirs))
        subject = finding.subject or ""
        anchor = (
            f"#attachment-{subject.split(':')[1]}"
            if subject.startswith("attachment:")
            else f"#answer-{params.get('answer_key', '')}".replace(":", "-")
            if params.get("answer_key")
            else ""
        )
        views.append(
            FindingView(
                finding=finding,
                title=words.title(finding.code),
                text=words.for_staff(finding.code, params, names),
                anchor=anchor,
                templates=templates,
                resolved_by=staff.get(finding.resolved_by or 0, ""),
            )
        )
    return views


@dataclass
class DocumentView:
    attachment: Attachment
    given_as: str
    read_as: str
    period: str
    amount: str
    confidence: str
    confirmed: str
    declared: list[str]
    pages: list[int]
    more_pages: int
    findings: list[FindingView]


def documents(
    db: Session, application: Application, uploads: Path, findings: list[FindingView]
) -> list[DocumentView]:
    answers = repository_flow.answers_of(db, application.id)
    views = []
    for attachment in repository_flow.attachments_of(db, application):
        given = text(DOCUMENTS, attachment.expected_kind or "") or _("Something else")
        if attachment.item and attachment.item in OPTIONS:
            given = f"{given}: {text(OPTIONS, attachment.item)}"
        declared: list[str] = []
        if attachment.answer_key == "bank_accounts":
            declared = [
                f"{a.get('bank', '')}: {format_ore(a.get('balance'))}"
                for a in answers.get("bank_accounts") or []
                if isinstance(a, dict)
            ]
        elif attachment.answer_key:
            amount = declared_amount(answers, attachment.answer_key, attachment.item or "")
            if amount is not None:
                declared = [format_ore(amount)]
        preview = attachment_preview.prepare(
            uploads, uploads / attachment.storage_path, attachment.sha256
        )
        subject = f"attachment:{attachment.id}"
        views.append(
            DocumentView(
                attachment=attachment,
                given_as=given,
                read_as=_read_as(attachment),
                period=format_month(attachment.period) if attachment.period else "",
                amount=format_ore(attachment.amount_ore),
                confidence=f"{round((attachment.confidence or 0) * 100)} %"
                if attachment.confidence is not None and attachment.amount_ore is not None
                else "",
                confirmed=format_ore(attachment.confirmed_amount_ore),
                declared=declared,
                pages=list(range(1, preview.shown + 1)) if preview else [],
                more_pages=(preview.pages - preview.shown) if preview else 0,
                findings=[f for f in findings if f.finding.subject == subject],
            )
        )
    return views


def _read_as(attachment: Attachment) -> str:
    if attachment.extraction_status == "pending":
        return _("Not read yet")
    if attachment.extraction_status == "failed" or attachment.kind == "unreadable":
        return _("Could not be read")
    if attachment.kind in (None, "unknown"):
        return _("Not recognised")
    return text(DOCUMENTS, attachment.kind) or attachment.kind


def severity_label(severity: str) -> str:
    message = words.SEVERITIES.get(severity)
    return _(message) if message else severity


def status_label(status: str) -> str:
    message = words.STATUSES.get(status)
    return _(message) if message else status


def routing_findings(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.routes_to_informator]


def reading_notes(
    db: Session, application: Application, attachments: list[Attachment]
) -> dict[int, str]:
    """Why an uploaded document cannot be used as it is, said on the screen where it was added
    (a locked PDF, a blurred photo, another kind of document, another month); by attachment id.
    Documents without a problem, or with one the reader is unsure of, get no note."""
    config = completeness.setup_for(db).config
    sent_month = completeness.month_of(
        None if application.status == ApplicationStatus.draft else application.submitted_at
    )
    notes: dict[int, str] = {}
    for attachment in attachments:
        if attachment.id is None or not attachment.expected_kind:
            continue
        reason, params = _reading_reason(attachment, config, application.month, sent_month)
        if reason:
            names = words.Names(files={attachment.id: attachment.filename}, people={})
            params = {**params, "attachment": attachment.id, "document": attachment.expected_kind}
            notes[attachment.id] = words.on_upload(reason, params, names)
    return notes


def _reading_reason(
    attachment: Attachment, config: Any, month: str, sent_month: str
) -> tuple[str, dict[str, Any]]:
    code = (attachment.extraction or {}).get("error_code")
    if attachment.extraction_status == "failed" and code in words.ON_UPLOAD:
        return str(code), {}
    found = reading_problem(
        completeness.document_of(attachment),
        attachment.expected_kind or "",
        month,
        sent_month,
        config,
    )
    if found is not None and found[0] in (Code.wrong_kind, Code.wrong_period):
        return found[0].value, {**found[1], "kind": attachment.kind}
    return "", {}
