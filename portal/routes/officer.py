"""The case officer's (socialsekreterare's) pages: the queue of complete applications, one
application with its changes, documents and preliminary calculation, and the decision.

Officers see only the applications of their unit (and team leads of the units they lead). Every
view of an application or a document is written to the audit log before it is served: a read
that cannot be logged is not served.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.responses import FileResponse, RedirectResponse, Response

from intake.languages import SUPPORTED
from intake.models import Application, ApplicationStatus, Attachment, Household, Role, utcnow
from intake.money import AmountError, parse_amount
from intake.officer import decision as decision_rules
from intake.officer.convert import Acceptance
from intake.officer.queue import FLAGS, HOUSEHOLD_TYPES
from portal import attachment_preview, media, repository, repository_flow
from portal import repository_officer as repo
from portal.auth import Principal, require_role
from portal.db import SessionDep
from portal.officer_page import case_file_pdf, page_context, parse_acceptance, tell_applicant
from portal.officer_settings import OfficerSettings, officer_settings_of
from portal.officer_text import DECISION_ERRORS, helpers, label
from portal.officer_view import (
    ADULT_ROLES,
    calculation_view,
)
from portal.routes import officer_egenkontroll
from portal.survey_invitations import invite_after_decision
from portal.templating import is_htmx, render

log = logging.getLogger("portal.officer")

router = APIRouter(prefix="/officer")
Officer = Annotated[Principal, Depends(require_role(Role.officer))]
# Documents open in a tab of their own with nothing active: no script, no form, no plugin.
DOCUMENT_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def audit_view(
    db: Session,
    user: Principal,
    action: str,
    object_type: str,
    object_id: int | None,
    **detail: Any,
) -> None:
    """Log an officer's read (before it is served) or change of case data: who, what, when,
    in which role."""
    repository.audit_staff(db, user, Role.officer.value, action, object_type, object_id, **detail)


def _units(db: Session, user: Principal) -> list[int]:
    return repo.visible_units(db, user.staff)


def _application(
    db: Session, user: Principal, application_id: int
) -> tuple[Application, Household]:
    found = repo.application_in_units(db, application_id, _units(db, user))
    if found is None:
        raise HTTPException(404)
    return found


def _settings(request: Request) -> OfficerSettings:
    return officer_settings_of(request.app.state)


# --- the queue -----------------------------------------------------------------------------------


def _int(value: str | None, low: int = 0, high: int = 10_000) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    number = int(value)
    return number if low <= number <= high else None


@router.get("")
def queue(
    request: Request,
    db: SessionDep,
    user: Officer,
    unit: str = "",
    assigned: str = "",
    min_days: str = "",
    flag: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI reads the default
    household_type: str = "",
    language: str = "",
    sort: str = "waiting",
    page: str = "1",
) -> Response:
    settings = _settings(request)
    units = _units(db, user)
    chosen = repo.QueueFilter(
        unit=_int(unit, 1, 2**31) if _int(unit, 1, 2**31) in units else None,
        assigned=assigned if assigned in ("me", "unassigned") else "",
        min_days=_int(min_days, 1, 365),
        flags=tuple(f for f in FLAGS if f in flag),
        household_type=household_type if household_type in HOUSEHOLD_TYPES else "",
        language=language if language in SUPPORTED else "",
        sort=sort if sort in repo.SORTS else "waiting",
        page=_int(page, 1) or 1,
    )
    now = utcnow()
    rows, total = repo.queue(
        db,
        units,
        user.subject_id,
        chosen,
        now=now,
        page_size=settings.page_size,
        mark_days=settings.waiting_mark_days,
        interval_months=settings.plan_interval_months,
    )
    audit_view(
        db,
        user,
        "view_queue",
        "queue",
        None,
        filters=chosen.query(),
        page=chosen.page,
        applications=[row.id for row in rows],
    )
    pages = max((total + settings.page_size - 1) // settings.page_size, 1)
    context = {
        **helpers(),
        "rows": rows,
        "total": total,
        "chosen": chosen,
        "pages": pages,
        "units": repo.units_named(db, units),
        "languages": SUPPORTED,
        "mark_days": settings.waiting_mark_days,
        "link": lambda **changes: _queue_link(chosen, **changes),
        "is_lead": bool(repo.lead_units(db, user.subject_id)),
    }
    template = "partials/_officer_queue.html" if is_htmx(request) else "pages/officer/queue.html"
    response = render(request, template, context)
    response.headers["Vary"] = "HX-Request"
    return response


def _queue_link(chosen: repo.QueueFilter, **changes: Any) -> str:
    params = chosen.query()
    params.update({k: v for k, v in changes.items() if v not in (None, "")})
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
    if "page" not in changes and chosen.page > 1:
        params["page"] = chosen.page
    if params.get("page") == 1:
        params.pop("page")
    return "/officer?" + urlencode(params, doseq=True) if params else "/officer"


@router.post("/applications/{application_id}/take")
def take(request: Request, db: SessionDep, user: Officer, application_id: int) -> Response:
    application, _household = _application(db, user, application_id)
    if application.status != ApplicationStatus.complete:
        return _show(request, db, user, application_id, status_code=409, notice="decided")
    repo.assign(db, application, user.subject_id)
    audit_view(db, user, "take_application", "application", application.id)
    return RedirectResponse(f"/officer/applications/{application_id}", status_code=303)


@router.post("/applications/{application_id}/assign")
async def assign(request: Request, db: SessionDep, user: Officer, application_id: int) -> Response:
    application, household = _application(db, user, application_id)
    if application.status != ApplicationStatus.complete:
        return _show(request, db, user, application_id, status_code=409, notice="decided")
    form = await request.form()
    raw = str(form.get("staff_id", ""))
    officers = {o.id for o in repo.officers_in(db, [household.unit_id])}
    target = int(raw) if raw.isdigit() and int(raw) in officers else None
    if raw and target is None:
        raise HTTPException(400)
    repo.assign(db, application, target)
    audit_view(
        db,
        user,
        "assign_application" if target else "unassign_application",
        "application",
        application.id,
        assigned_to=target,
    )
    return RedirectResponse(f"/officer/applications/{application_id}", status_code=303)


# --- one application -------------------------------------------------------------------------


@router.get("/applications/{application_id}")
def application_page(
    request: Request, db: SessionDep, user: Officer, application_id: int, notice: str = ""
) -> Response:
    return _show(request, db, user, application_id, notice=notice)


def _show(
    request: Request,
    db: Session,
    user: Principal,
    application_id: int,
    *,
    status_code: int = 200,
    notice: str = "",
    errors: dict[str, str] | None = None,
    form: FormData | None = None,
    form_name: str = "",
) -> Response:
    application, household = _application(db, user, application_id)
    audit_view(db, user, "view_application", "application", application.id)
    context = page_context(request, db, user, application, household)
    messages = {name: label(DECISION_ERRORS, code) for name, code in (errors or {}).items()}
    context |= {
        "notice": notice,
        "errors": messages,
        "error_list": [(f"field-{name}", message) for name, message in messages.items()],
        "form": form,
        "form_name": form_name,
    }
    return render(request, "pages/officer/application.html", context, status_code)


@router.get("/applications/{application_id}/attachments/{attachment_id}")
def attachment_file(
    request: Request,
    db: SessionDep,
    user: Officer,
    application_id: int,
    attachment_id: int,
    download: str = "",
) -> Response:
    """A document of the application: images re-encoded by the portal (never the applicant's
    bytes), PDFs and anything else as sandboxed downloads (portal/media.py)."""
    application, _household = _application(db, user, application_id)
    attachment = db.get(Attachment, attachment_id)
    if attachment is None or attachment.application_id != application.id:
        raise HTTPException(404)
    if attachment.removed_at is not None:
        raise HTTPException(404)
    uploads = request.app.state.settings.uploads
    if not (uploads / attachment.storage_path).is_file():
        raise HTTPException(404)
    audit_view(
        db,
        user,
        "view_attachment",
        "attachment",
        attachment.id,
        application_id=application.id,
        download=bool(download),
    )
    try:
        return media.staff_file_response(uploads, attachment, download=bool(download))
    except FileNotFoundError as exc:
        raise HTTPException(404) from exc
    # media.MediaError (damaged, or a decompression bomb): "cannot be shown" (portal/app.py).


@router.get("/applications/{application_id}/attachments/{attachment_id}/pages/{page}")
def attachment_page(
    request: Request,
    db: SessionDep,
    user: Officer,
    application_id: int,
    attachment_id: int,
    page: int,
) -> Response:
    """A page of a document as a picture rendered by the portal: shown inline on the
    application's page, so that the browser never opens the applicant's file itself."""
    application, _household = _application(db, user, application_id)
    attachment = db.get(Attachment, attachment_id)
    if attachment is None or attachment.application_id != application.id:
        raise HTTPException(404)
    uploads = request.app.state.settings.uploads
    source = uploads / attachment.storage_path
    if attachment.removed_at is not None or not source.is_file():
        raise HTTPException(404)
    preview = attachment_preview.prepare(uploads, source, attachment.sha256)
    path = attachment_preview.page_path(uploads, attachment.sha256, page)
    if preview is None or not 1 <= page <= preview.shown or not path.is_file():
        raise HTTPException(404)
    audit_view(
        db,
        user,
        "view_attachment",
        "attachment",
        attachment.id,
        application_id=application.id,
        page=page,
    )
    return FileResponse(
        path,
        media_type="image/jpeg",
        headers={"Content-Security-Policy": DOCUMENT_CSP, "Cache-Control": "private, no-store"},
    )


@router.get("/applications/{application_id}/case-file.pdf")
def case_file(request: Request, db: SessionDep, user: Officer, application_id: int) -> Response:
    """The application in Swedish, as a PDF for the case file."""
    application, household = _application(db, user, application_id)
    audit_view(db, user, "view_case_file", "application", application.id)
    content = case_file_pdf(request, db, application, household)
    filename = f"{application.reference or application.month}-sv.pdf"
    return media.pdf_download(content, filename)


# --- assessment: what the officer accepts for the calculation ------------------------------


@router.post("/applications/{application_id}/assessment")
async def save_assessment(
    request: Request, db: SessionDep, user: Officer, application_id: int
) -> Response:
    application, household = _application(db, user, application_id)
    if application.status != ApplicationStatus.complete:
        return _show(request, db, user, application_id, status_code=409, notice="decided")
    form = await request.form()
    children = [
        person.id or 0
        for member, person in repo.members_with_people(db, household.id or 0)
        if member.role == "child"
    ]
    current = repo.assessment_of(db, application.id or 0)
    acceptance, errors = parse_acceptance(
        form, children, Acceptance.from_data(current.accepted if current else None)
    )
    if errors:
        return _show(
            request,
            db,
            user,
            application_id,
            status_code=422,
            errors=errors,
            form=form,
            form_name="assessment",
        )
    repo.save_assessment(db, application.id or 0, acceptance.to_data(), user.subject_id or 0)
    audit_view(
        db, user, "assessment_saved", "application", application.id, accepted=acceptance.to_data()
    )
    return RedirectResponse(
        f"/officer/applications/{application_id}?notice=assessment#calculation", status_code=303
    )


# --- handlingsplan ---------------------------------------------------------------------------


@router.post("/applications/{application_id}/plan")
async def record_plan(
    request: Request, db: SessionDep, user: Officer, application_id: int
) -> Response:
    """Record that the household's handlingsplan was established, or followed up, on a date."""
    application, household = _application(db, user, application_id)
    if application.status != ApplicationStatus.complete:
        return _show(request, db, user, application_id, status_code=409, notice="decided")
    form = await request.form()
    action = str(form.get("action", ""))
    raw = str(form.get("date", "")).strip()
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        day = None
    error = "date_format" if day is None else ("date_in_future" if day > dt.date.today() else "")
    plan, _follow_ups = repo.current_plan(db, household.id or 0)
    if action not in ("established", "followed_up") or (action == "followed_up" and not plan):
        raise HTTPException(400)
    if error or day is None:
        return _show(
            request,
            db,
            user,
            application_id,
            status_code=422,
            errors={"plan_date": error or "date_format"},
            form=form,
            form_name="plan",
        )
    if action == "established":
        repo.add_plan(db, household.id or 0, day, user.subject_id or 0)
    else:
        assert plan is not None
        repo.add_follow_up(db, plan, day, user.subject_id or 0)
    audit_view(db, user, f"plan_{action}", "application", application.id, date=day.isoformat())
    return RedirectResponse(
        f"/officer/applications/{application_id}?notice=plan#plan", status_code=303
    )


# --- the decision ------------------------------------------------------------------------------


@router.post("/applications/{application_id}/decision")
async def decide(request: Request, db: SessionDep, user: Officer, application_id: int) -> Response:
    application, household = _application(db, user, application_id)
    if application.status != ApplicationStatus.complete:
        return _show(request, db, user, application_id, status_code=409, notice="decided")
    form = await request.form()
    members = repo.members_with_people(db, household.id or 0)
    adults = [person.id or 0 for member, person in members if member.role in ADULT_ROLES]
    errors: dict[str, str] = {}
    amount: int | None = None
    raw_amount = str(form.get("amount", "")).strip()
    if raw_amount:
        try:
            amount = parse_amount(raw_amount)
        except AmountError as exc:
            errors["amount"] = f"amount_{exc.code}"
    draft = decision_rules.Draft(
        outcome=str(form.get("outcome", "")),
        amount_ore=amount,
        reason=str(form.get("reason", "")),
        obstacles={person: str(form.get(f"obstacle_{person}", "")) for person in adults},
    )
    for problem in decision_rules.check(draft, adults):
        errors.setdefault(problem.field, problem.code)
    if errors:
        return _show(
            request,
            db,
            user,
            application_id,
            status_code=422,
            errors=errors,
            form=form,
            form_name="decision",
        )
    answers = repository_flow.answers_of(db, application.id)
    assessment = repo.assessment_of(db, application.id or 0)
    calculation = calculation_view(
        db,
        application,
        household,
        members,
        answers,
        Acceptance.from_data(assessment.accepted if assessment else None),
        _settings(request),
    ).calculation
    try:
        decision = repo.record_decision(
            db,
            application,
            draft,
            user.subject_id or 0,
            calculation.to_dict() if calculation else None,
        )
    except repo.AlreadyDecided:
        return _show(request, db, user, application_id, status_code=409, notice="decided")
    audit_view(
        db,
        user,
        "decision_made",
        "application",
        application.id,
        decision_id=decision.id,
        outcome=decision.outcome,
        amount_ore=decision.amount_ore,
    )
    tell_applicant(request, db, application, household)
    try:
        invite_after_decision(db, request.app.state.settings, application)
    except Exception:  # noqa: BLE001 - the decision stands even if the survey cannot invite
        log.exception("survey invitation after decision %s failed", decision.id)
    return RedirectResponse(
        f"/officer/applications/{application_id}?notice=decided_now", status_code=303
    )


officer_egenkontroll.register(router)
