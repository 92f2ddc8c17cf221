"""The informatör's workspace: the queue of applications to make complete, one application with
its answers, documents and findings, and the actions (request completion, accept a finding with
a reason, note a phone call or visit, mark complete). The informatör never decides on assistance.

Every view of case data is written to the audit log before it is served.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, RedirectResponse, Response

from intake.completeness import Code
from intake.languages import NATIVE_NAMES, SUPPORTED
from intake.models import Application, Attachment, Household, Role
from portal import attachment_preview, completeness, media, repository, repository_flow
from portal import completeness_text as words
from portal import completeness_view as view
from portal import repository_completeness as queries
from portal import repository_officer as officer_repo
from portal.auth import Principal, require_role
from portal.db import SessionDep
from portal.flow_view import summary_of
from portal.i18n import N_
from portal.i18n import gettext as _
from portal.templating import is_htmx, render


def _rules(request: Request) -> None:
    """Make sure the rules this app was configured with are the ones used (see
    ``completeness.install``, which ``create_app`` calls at start-up)."""
    completeness.setup_of(request.app)


router = APIRouter(prefix="/informator", dependencies=[Depends(_rules)])
Informator = Annotated[Principal, Depends(require_role(Role.informator))]

ERRORS = {
    "pick_findings": N_("Choose at least one finding to ask about."),
    "no_such_finding": N_("That finding is no longer open. Reload the page."),
    "no_such_template": N_("Choose one of the wordings."),
    "reason_required": N_("Write why the finding can be accepted."),
    "not_open": N_("That finding is no longer open. Reload the page."),
    "note_kind": N_("Choose what kind of contact it was."),
    "note_required": N_("Write what was said or agreed."),
    "not_in_queue": N_("The application is no longer waiting for the informatör."),
    "open_findings": N_("Accept or resolve every finding that must be fixed or checked first."),
}


def _error(code: str) -> str:
    return _(ERRORS.get(code, code))


def _audit(
    db: SessionDep,
    user: Principal,
    action: str,
    object_type: str,
    object_id: int | None,
    **detail: object,
) -> None:
    repository.audit_staff(
        db, user, Role.informator.value, action, object_type, object_id, **detail
    )


def _redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


# --- the queue -------------------------------------------------------------------------------


def _int(value: str, default: int = 0) -> int:
    return int(value) if value.isdigit() and len(value) < 9 else default


def _filter(request: Request) -> queries.QueueFilter:
    params = request.query_params
    view_name = params.get("view", "to_check")
    finding = params.get("finding", "")
    language = params.get("language", "")
    waiting = _int(params.get("waiting", ""))
    return queries.QueueFilter(
        view=view_name if view_name in queries.VIEWS else "to_check",
        finding=finding if finding in {c.value for c in Code} else "",
        unit=_int(params.get("unit", "")) or None,
        language=language if language in SUPPORTED else "",
        waiting=waiting if waiting in queries.WAITING_DAYS else 0,
        co_applicant=params.get("co_applicant") == "pending",
        page=_int(params.get("page", ""), 1) or 1,
    )


@router.get("")
def home(request: Request, db: SessionDep, user: Informator) -> Response:
    units = queries.informator_units(db, user.staff)
    wanted = _filter(request)  # a unit outside the informatör's units gives an empty queue
    result = queries.queue(db, wanted, units)
    _audit(
        db,
        user,
        "view_informator_queue",
        "queue",
        None,
        applications=[row.application.id for row in result.rows],
    )
    context = {
        "filter": wanted,
        "queue": result,
        "counts": queries.counts(db, units),
        "units": officer_repo.units_named(db, units),
        "codes": [(code.value, words.title(code.value)) for code in Code],
        "languages": [(code, NATIVE_NAMES[code]) for code in SUPPORTED],
        "waiting_days": queries.WAITING_DAYS[1:],
        "views": list(queries.VIEWS),
        "titles": words.title,
        "fragment": is_htmx(request),
    }
    template = (
        "partials/_informator_queue.html" if is_htmx(request) else "pages/informator/queue.html"
    )
    response = render(request, template, context)
    response.headers["Vary"] = "HX-Request"
    return response


# --- one application -------------------------------------------------------------------------


def _application(
    db: SessionDep, user: Principal, application_id: int
) -> tuple[Application, Household]:
    """The application when it is in the informatör's units and work (else 404); protected
    identity gives the placeholder page (portal/protection.py)."""
    found = queries.application_for_informator(
        db, application_id, queries.informator_units(db, user.staff)
    )
    if found is None:
        raise HTTPException(404)
    return found


def _render_application(
    request: Request,
    db: SessionDep,
    user: Principal,
    application: Application,
    household: Household,
    *,
    errors: list[tuple[str, str]] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    _audit(db, user, "view_application", "application", application.id)
    settings = request.app.state.settings
    language = completeness.applicant_language(db, application)
    members = repository.members_of(db, household)
    requests = completeness.requests_of(db, application)
    notes = queries.notes_of(db, application.id)
    findings_rows = completeness.findings_of(db, application.id)
    staff = queries.staff_names(
        db,
        {f.resolved_by for f in findings_rows if f.resolved_by}
        | {r.requested_by for r in requests},
    )
    findings = view.staff_findings(db, application, language, staff)
    summary = summary_of(db, household, application, request.app.state.proof_rules, editable=False)
    documents = view.documents(db, application, settings.uploads, findings)
    _audit(
        db,
        user,
        "view_attachments",
        "application",
        application.id,
        attachments=[d.attachment.id for d in documents],
    )
    page = {
        "application": application,
        "household": household,
        "members": members,
        "applicant_names": [
            f"{person.given_name} {person.family_name}"
            for member, person in members
            if member.role in ("applicant", "co_applicant")
        ],
        "unit_name": repository.unit_name(db, household.unit_id),
        "applicant_language": language,
        "applicant_language_name": NATIVE_NAMES.get(language, language),
        "findings": findings,
        "open_findings": [f for f in findings if f.open],
        "closed_findings": [f for f in findings if not f.open],
        "askable": [f for f in findings if f.open],
        "requests": [(r, completeness.items_of(db, r)) for r in requests],
        "staff": staff,
        "notes": notes,
        "messages": queries.messages_about(db, application),
        "sections": summary.sections,
        "changed": repository_flow.changed_keys(db, application),
        "documents": documents,
        "signatures": repository_flow.signatures_of(db, application),
        "in_queue": application.status in completeness.IN_QUEUE,
        "errors": errors or [],
        "form": form or {},
        "note_kinds": [(k, _(v)) for k, v in words.NOTE_KINDS.items()],
        "severity_label": view.severity_label,
        "status_label": view.status_label,
        "titles": words.title,
    }
    return render(request, "pages/informator/application.html", page, status_code=status_code)


@router.get("/applications/{application_id}")
def application_page(
    request: Request, db: SessionDep, user: Informator, application_id: int
) -> Response:
    application, household = _application(db, user, application_id)
    return _render_application(request, db, user, application, household)


def _page_url(application: Application, anchor: str = "") -> str:
    return f"/informator/applications/{application.id}" + (f"#{anchor}" if anchor else "")


@router.post("/applications/{application_id}/request")
async def request_completion(
    request: Request, db: SessionDep, user: Informator, application_id: int
) -> Response:
    application, household = _application(db, user, application_id)
    form = await request.form()
    picks = []
    for raw in form.getlist("finding"):
        finding_id = _int(str(raw))
        template = str(form.get(f"template_{finding_id}", ""))
        picks.append(completeness.Pick(finding_id, template))
    note = str(form.get("note", ""))
    assert user.staff is not None
    try:
        completeness.request_completion(
            db,
            application,
            user.staff,
            picks,
            note,
            request.app.state.settings,
            view.request_message(db, application),
        )
    except completeness.ActionError as error:
        return _render_application(
            request,
            db,
            user,
            application,
            household,
            errors=[("request-findings", _error(error.code))],
            form={"note": note},
            status_code=422,
        )
    return _redirect(_page_url(application) + "?requested=1")


@router.post("/applications/{application_id}/findings/{finding_id}/accept")
async def accept_finding(
    request: Request, db: SessionDep, user: Informator, application_id: int, finding_id: int
) -> Response:
    application, household = _application(db, user, application_id)
    form = await request.form()
    reason = str(form.get("reason", ""))
    assert user.staff is not None
    try:
        completeness.accept_finding(db, application, finding_id, user.staff, reason)
    except completeness.ActionError as error:
        return _render_application(
            request,
            db,
            user,
            application,
            household,
            errors=[(f"reason-{finding_id}", _error(error.code))],
            status_code=422,
        )
    return _redirect(_page_url(application, "findings"))


@router.post("/applications/{application_id}/notes")
async def add_note(
    request: Request, db: SessionDep, user: Informator, application_id: int
) -> Response:
    application, household = _application(db, user, application_id)
    form = await request.form()
    kind, body = str(form.get("kind", "")), str(form.get("body", ""))
    assert user.staff is not None
    try:
        completeness.add_note(db, application, user.staff, kind, body)
    except completeness.ActionError as error:
        field = "note-kind" if error.code == "note_kind" else "note-body"
        return _render_application(
            request,
            db,
            user,
            application,
            household,
            errors=[(field, _error(error.code))],
            form={"kind": kind, "body": body},
            status_code=422,
        )
    return _redirect(_page_url(application, "notes"))


@router.post("/applications/{application_id}/complete")
def mark_complete(
    request: Request, db: SessionDep, user: Informator, application_id: int
) -> Response:
    application, household = _application(db, user, application_id)
    assert user.staff is not None
    try:
        completeness.mark_complete(db, application, user.staff)
    except completeness.ActionError as error:
        return _render_application(
            request,
            db,
            user,
            application,
            household,
            errors=[("complete", _error(error.code))],
            status_code=409,
        )
    return _redirect("/informator?completed=" + (application.reference or str(application.id)))


# --- documents -------------------------------------------------------------------------------


def _attachment(db: SessionDep, user: Principal, attachment_id: int) -> Attachment:
    attachment = db.get(Attachment, attachment_id)
    if attachment is None or attachment.removed_at is not None:
        raise HTTPException(404)
    _application(db, user, attachment.application_id)  # same rules as the application itself
    return attachment


@router.get("/attachments/{attachment_id}/pages/{page}")
def attachment_page(
    request: Request, db: SessionDep, user: Informator, attachment_id: int, page: int
) -> Response:
    """A page of the document as a re-encoded JPEG, for reading inline."""
    attachment = _attachment(db, user, attachment_id)
    uploads = request.app.state.settings.uploads
    preview = attachment_preview.prepare(
        uploads, uploads / attachment.storage_path, attachment.sha256
    )
    if preview is None or not 1 <= page <= preview.shown:
        raise HTTPException(404)
    _audit(db, user, "view_attachment", "attachment", attachment.id, page=page)
    return FileResponse(
        attachment_preview.page_path(uploads, attachment.sha256, page),
        media_type="image/jpeg",
        headers={
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/attachments/{attachment_id}/original")
def attachment_original(
    request: Request, db: SessionDep, user: Informator, attachment_id: int
) -> Response:
    """The document for staff: images re-encoded by the portal, PDFs and anything else as
    sandboxed downloads (portal/media.py)."""
    attachment = _attachment(db, user, attachment_id)
    _audit(db, user, "download_attachment", "attachment", attachment.id)
    try:
        return media.staff_file_response(request.app.state.settings.uploads, attachment)
    except FileNotFoundError as exc:
        raise HTTPException(404) from exc
    # media.MediaError (damaged, or a decompression bomb): "cannot be shown" (portal/app.py).


# --- figures for the team lead ---------------------------------------------------------------


@router.get("/figures")
def figures(request: Request, db: SessionDep, user: Informator) -> Response:
    units = queries.informator_units(db, user.staff)
    unit = _int(request.query_params.get("unit", "")) or None
    rows = queries.figures(db, units, unit_id=unit)
    _audit(db, user, "view_completeness_figures", "figures", None)
    context = {
        "rows": rows,
        "unit": unit,
        "units": officer_repo.units_named(db, units),
    }
    return render(request, "pages/informator/figures.html", context)
