"""The monthly re-application as a conversation: one question per screen, saved as it goes.

Every step is a plain form post that answers ``303 See Other``; with htmx the next question is
swapped in (the same partial serves the full page and the fragment).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from sqlalchemy import update
from sqlmodel import Session
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, RedirectResponse, Response

from intake import flow
from intake.languages import SUPPORTED
from intake.models import Application, ApplicationStatus, Attachment, Household, Signature, utcnow
from intake.money import AmountError, parse_amount
from portal import (
    completeness,
    completeness_view,
    media,
    notify,
    repository,
    repository_flow,
    repository_officer,
)
from portal.auth import Applicant, Principal
from portal.bankid import BankIdError
from portal.db import SessionDep
from portal.flow_text import ERRORS
from portal.flow_text import text as flow_text
from portal.flow_view import document_label, step_view, summary_of, transcript
from portal.i18n import format_month, use_locale
from portal.i18n import gettext as _
from portal.receipt_pdf import render as receipt_pdf_render
from portal.routes.bankid import (
    bankid_available,
    bankid_error_text,
    order_url,
    start_sign,
    use_signature,
)
from portal.templating import is_htmx, render
from portal.uploads import UploadError, discard_stored, store

router = APIRouter(prefix="/applicant")


def _household(user: Principal) -> Household:
    household = user.household
    if household is None or household.protected_identity:
        # Skyddad identitet: nothing is processed here (fail closed).
        raise HTTPException(404)
    return household


def _draft(db: Session, household: Household, month: str) -> Application:
    application = repository_flow.application_for(db, household, month)
    if application is None:
        raise HTTPException(404)
    return application


def _step_url(month: str, key: str, **params: str) -> str:
    query = urlencode({name: value for name, value in params.items() if value})
    return f"/applicant/apply/{month}/step/{key}" + (f"?{query}" if query else "")


def _status_url(application: Application) -> str:
    return f"/applicant/applications/{application.id}"


def _redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _go(request: Request, url: str) -> Response:
    """After a successful step: 303 for a plain form; for htmx, fetch the next question into
    the conversation (and the address bar) without a full page load."""
    if is_htmx(request):
        if "/step/" not in url:  # the review and status pages are whole pages
            return Response(status_code=204, headers={"HX-Redirect": url})
        location = json.dumps({"path": url, "target": "#flow", "swap": "outerHTML"})
        return Response(status_code=204, headers={"HX-Location": location})
    return _redirect(url)


@router.get("/apply")
def start(request: Request, db: SessionDep, user: Applicant) -> Response:
    household = user.household
    if household is None or household.protected_identity:
        return render(request, "pages/applicant/protected.html")
    settings = request.app.state.settings
    today = dt.date.today()
    month = flow.month_to_apply_for(today)
    opens = today.replace(day=settings.apply_from_day)
    application = repository_flow.application_for(db, household, month)
    context = {"month": month, "application": application, "opens": opens, "open": today >= opens}
    return render(request, "pages/applicant/apply_start.html", context)


@router.post("/apply")
def begin(request: Request, db: SessionDep, user: Applicant) -> Response:
    household = _household(user)
    settings = request.app.state.settings
    today = dt.date.today()
    if today.day < settings.apply_from_day:
        return _redirect("/applicant/apply")
    month = flow.month_to_apply_for(today)
    application = repository_flow.get_or_create_draft(db, household, month, request.state.language)
    if application.status != ApplicationStatus.draft:
        return _redirect(_status_url(application))
    repository.audit(
        db,
        "applicant",
        user.subject_id,
        "application_started",
        object_type="application",
        object_id=application.id,
    )
    answers = repository_flow.answers_of(db, application.id)
    context = repository_flow.context_for(db, household, application)
    step = flow.next_step(answers, context)
    if step is None:
        return _redirect(f"/applicant/apply/{month}/review")
    return _redirect(_step_url(month, step.key))


@router.get("/apply/{month}/step/{key}")
def show_step(
    request: Request,
    db: SessionDep,
    user: Applicant,
    month: str,
    key: str,
    edit: str = "",
    back: str = "",
) -> Response:
    household = _household(user)
    application = _draft(db, household, month)
    if application.status != ApplicationStatus.draft:
        return _redirect(_status_url(application))
    return _render_step(request, db, application, household, key, edit=bool(edit), back=back)


def _render_step(
    request: Request,
    db: Session,
    application: Application,
    household: Household,
    key: str,
    *,
    edit: bool = False,
    back: str = "",
    errors: dict[str, str] | None = None,
    form: Any = None,
    status_code: int = 200,
) -> Response:
    answers = repository_flow.answers_of(db, application.id)
    context = repository_flow.context_for(db, household, application)
    step = flow.find_step(key, context)
    if step is None or not step.when(answers, context):
        raise HTTPException(404)
    attachments = [
        a for a in repository_flow.attachments_of(db, application) if a.answer_key == step.key
    ]
    settings = request.app.state.settings
    view = step_view(
        step,
        answers,
        context,
        attachments=attachments,
        edit=edit,
        errors=errors or {},
        form=form,
        upload_max_mb=settings.upload_max_file_mb,
        rules=request.app.state.proof_rules,
    )
    page = {
        "application": application,
        "month": application.month,
        "step": view,
        "transcript": transcript(answers, context, until=step.key),
        "remaining": flow.remaining(answers, context),
        "back": back,
        "back_url": _previous_url(step, answers, context, application.month),
        "fragment": is_htmx(request),
        "document_label": document_label,
        "reading_notes": completeness_view.reading_notes(db, application, attachments),
    }
    template = "partials/_step.html" if is_htmx(request) else "pages/applicant/step.html"
    response = render(request, template, page, status_code=status_code)
    response.headers["Vary"] = "HX-Request"
    if is_htmx(request):
        response.headers["HX-Push-Url"] = str(request.url.path) + (
            f"?{request.url.query}" if request.url.query else ""
        )
    return response


def _previous_url(step: flow.Step, answers: Any, context: flow.Context, month: str) -> str:
    keys = [s.key for s in flow.active_steps(answers, context)]
    index = keys.index(step.key) if step.key in keys else 0
    return _step_url(month, keys[index - 1]) if index > 0 else "/applicant/apply"


@router.post("/apply/{month}/step/{key}")
async def answer_step(
    request: Request,
    db: SessionDep,
    user: Applicant,
    month: str,
    key: str,
) -> Response:
    household = _household(user)
    application = _draft(db, household, month)
    if application.status != ApplicationStatus.draft:
        return _go(request, _status_url(application))
    form = await request.form()
    answers = repository_flow.answers_of(db, application.id)
    context = repository_flow.context_for(db, household, application)
    step = flow.find_step(key, context)
    if step is None or not step.when(answers, context):
        raise HTTPException(404)
    # Where to go after the answer: only the review page is a place to go back to.
    back = "review" if form.get("back") == "review" else ""

    # Files first: each is on disk, with its checksum, before anything says "saved".
    upload_errors = await _store_uploads(request, db, application, step.key, form)

    editing = form.get("edit") == "1"
    if "upload_only" in form:
        # "Upload" stores the files and comes back to the same question; a valid answer typed
        # meanwhile is kept too, an unfinished one is simply not saved yet.
        if not flow.confirming(step, answers, context) or editing:
            parsed = flow.parse(step, form, context)
            if parsed.ok:
                changed = flow.differs(parsed.value, context.previous.get(step.key))
                repository_flow.save_answer(db, application, step.key, parsed.value, changed)
        if upload_errors:
            return _render_step(
                request,
                db,
                application,
                household,
                key,
                edit=editing,
                back=back,
                errors=upload_errors,
                form=form,
                status_code=422,
            )
        return _go(request, _step_url(month, key, edit="1" if editing else "", back=back))
    if flow.confirming(step, answers, context) and not editing and "confirm" in form:
        choice = form.get("confirm")
        if choice == "changed":
            return _go(request, _step_url(month, key, edit="1", back=back))
        if choice != "yes":
            return _render_step(
                request,
                db,
                application,
                household,
                key,
                back=back,
                errors={"confirm": "confirm"},
                status_code=422,
            )
        value = context.previous[step.key]
        parsed = flow.Parsed(value=value)
    else:
        parsed = flow.parse(step, form, context)
    if not parsed.ok or upload_errors:
        return _render_step(
            request,
            db,
            application,
            household,
            key,
            edit=editing,
            back=back,
            errors={**parsed.errors, **upload_errors},
            form=form,
            status_code=422,
        )
    changed = flow.differs(parsed.value, context.previous.get(step.key))
    repository_flow.save_answer(db, application, step.key, parsed.value, changed)
    answers = {**answers, step.key: parsed.value}
    if step.key == "anything_changed":
        answers = _carry_over(db, application, answers, context)
    if back == "review":
        return _go(request, f"/applicant/apply/{month}/review")
    following = flow.step_after(step.key, answers, context)
    if following is None:
        return _go(request, f"/applicant/apply/{month}/review")
    return _go(request, _step_url(month, following.key))


def _carry_over(
    db: Session, application: Application, answers: dict[str, Any], context: flow.Context
) -> dict[str, Any]:
    """Take over what "nothing has changed" confirms; undo that when something has changed."""
    earlier = answers.get(flow.CARRIED) or []
    if answers.get("anything_changed") is True and earlier:
        repository_flow.delete_answers(db, application, [*earlier, flow.CARRIED])
        return {k: v for k, v in answers.items() if k not in earlier and k != flow.CARRIED}
    carried = flow.carried_over(answers, context)
    if carried:
        # One transaction: either everything is taken over (and the list of what was), or
        # nothing is, and the question is simply asked again.
        values = {**carried, flow.CARRIED: sorted(carried)}
        repository_flow.save_answers(db, application, values, changed=False)
    return {**answers, **carried}


async def _store_uploads(
    request: Request, db: Session, application: Application, answer_key: str, form: Any
) -> dict[str, str]:
    """Store the files of inputs named ``documents__<kind>__<item>``; errors by field."""
    settings = request.app.state.settings
    files = [
        (name, upload)
        for name in form
        if name.startswith("documents__")
        for upload in form.getlist(name)
        if isinstance(upload, UploadFile) and upload.filename
    ]
    errors: dict[str, str] = {}
    for name, upload in files:
        _, document, item = (name.split("__") + ["", ""])[:3]
        if repository_flow.count_attachments(db, application) >= settings.upload_max_files:
            errors["documents"] = flow_text(
                ERRORS, "upload_too_many", count=settings.upload_max_files
            )
            break
        try:
            stored = await store(
                upload,
                settings.uploads,
                str(application.id),
                settings.upload_max_file_mb * 1024 * 1024,
                scanner=getattr(request.app.state, "virus_scanner", None),
            )
        except UploadError as exc:
            errors["documents"] = flow_text(
                ERRORS, f"upload_{exc.code}", file=exc.filename, mb=settings.upload_max_file_mb
            )
            continue
        attachment = Attachment(
            application_id=application.id or 0,
            answer_key=answer_key,
            expected_kind=document or None,
            item=item or None,
            filename=stored.filename,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            storage_path=stored.path,
        )
        db.add(attachment)
        try:
            db.commit()
        except BaseException:
            # The database failed: no row, so no file either (the error page says try again).
            db.rollback()
            discard_stored(settings.uploads, stored)
            raise
        db.refresh(attachment)
        _after_upload(request, attachment)
    return errors


def _after_upload(request: Request, attachment: Attachment) -> None:
    """Hand the stored file to the reader (the extraction queue, when it is installed)."""
    hook = getattr(request.app.state, "on_upload", None)
    if hook is not None:
        hook(attachment.id)


@router.post("/apply/{month}/step/{key}/attachments/{attachment_id}/remove")
def remove_attachment(
    request: Request,
    db: SessionDep,
    user: Applicant,
    month: str,
    key: str,
    attachment_id: int,
    back: Annotated[str, Form()] = "",
) -> Response:
    household = _household(user)
    application = _draft(db, household, month)
    attachment = db.get(Attachment, attachment_id)
    if (
        attachment is None
        or attachment.application_id != application.id
        or application.status != ApplicationStatus.draft
    ):
        raise HTTPException(404)
    attachment.removed_at = utcnow()
    db.add(attachment)
    db.commit()
    (request.app.state.settings.uploads / attachment.storage_path).unlink(missing_ok=True)
    return _redirect(_step_url(month, key, edit="1", back=back))


@router.get("/apply/{month}/review")
def review(request: Request, db: SessionDep, user: Applicant, month: str) -> Response:
    household = _household(user)
    application = _draft(db, household, month)
    if application.status != ApplicationStatus.draft:
        return _redirect(_status_url(application))
    return _render_review(request, db, application, household)


def _render_review(
    request: Request,
    db: Session,
    application: Application,
    household: Household,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    summary = summary_of(db, household, application, request.app.state.proof_rules, editable=True)
    unanswered = flow.next_step(summary.answers, summary.context)
    page = {
        "application": application,
        "month": application.month,
        "sections": summary.sections,
        "missing": summary.missing,
        "unanswered": unanswered,
        "co_applicant": repository_flow.co_applicant_of(db, household),
        "errors": errors or {},
        "bankid": bankid_available(request),
        # What the completeness rules find that the applicant can still fix before sending
        # (setup_of: the rules this app was configured with, proof rules included).
        "still_missing": completeness_view.missing_before_sending(
            db, application, application.month, completeness.setup_of(request.app)
        ),
    }
    return render(request, "pages/applicant/review.html", page, status_code=status_code)


@router.post("/apply/{month}/sign")
def sign(
    request: Request,
    db: SessionDep,
    user: Applicant,
    month: str,
    declaration: Annotated[str, Form()] = "",
) -> Response:
    household = _household(user)
    application = _draft(db, household, month)
    if application.status != ApplicationStatus.draft:
        return _redirect(_status_url(application))  # a second tap changes nothing
    answers = repository_flow.answers_of(db, application.id)
    context = repository_flow.context_for(db, household, application)
    if flow.next_step(answers, context) is not None:
        return _redirect(f"/applicant/apply/{month}/review")
    if declaration != "yes":
        return _render_review(
            request,
            db,
            application,
            household,
            errors={"declaration": "declaration"},
            status_code=422,
        )
    if bankid_available(request):
        try:
            return _sign_with_bankid(
                request, db, user, application, household, f"/applicant/apply/{month}/signed"
            )
        except BankIdError as exc:
            return _render_review(
                request,
                db,
                application,
                household,
                errors={"bankid": bankid_error_text(exc)},
                status_code=409,
            )
    return _applicant_signed(request, db, user, application, household, "test", None)


def _sign_with_bankid(
    request: Request,
    db: Session,
    user: Principal,
    application: Application,
    household: Household,
    return_to: str,
) -> Response:
    """Start a BankID signing of the application and send the applicant to follow it; BankID
    brings them back to ``return_to``. Raises ``BankIdError`` when the order cannot start."""
    assert user.person is not None
    response = _redirect("/")
    order = start_sign(
        db,
        request,
        response,
        person=user.person,
        application_id=application.id,
        user_visible_data=_visible_data(application, household, db),
        return_to=return_to,
    )
    response.headers["location"] = order_url(order)
    return response


@router.get("/apply/{month}/signed")
def signed_with_bankid(
    request: Request,
    db: SessionDep,
    user: Applicant,
    month: str,
    eid_order: int = 0,
) -> Response:
    """BankID brings the applicant back here once the signing is complete."""
    household = _household(user)
    application = _draft(db, household, month)
    if application.status != ApplicationStatus.draft:
        return _redirect(_status_url(application))
    order = use_signature(db, request, eid_order)
    if order is None or order.application_id != application.id:
        return _redirect(f"/applicant/apply/{month}/review")
    return _applicant_signed(request, db, user, application, household, "bankid", order.order_ref)


def _applicant_signed(
    request: Request,
    db: Session,
    user: Principal,
    application: Application,
    household: Household,
    method: str,
    reference: str | None,
) -> Response:
    """The applicant has signed: on to the co-applicant, or received."""
    co_applicant = repository_flow.co_applicant_of(db, household)
    target = (
        ApplicationStatus.awaiting_co_applicant if co_applicant else ApplicationStatus.submitted
    )
    # One transaction: the claim, the signature and (alone) the reference and received time
    # are stored together or not at all. A crash or a lost database in between leaves the
    # draft as it was, to be signed again; never a sent application without its signature.
    if not _claim(db, application, target):
        db.rollback()
        db.refresh(application)
        return _redirect(_status_url(application))
    assert user.person is not None
    db.add(
        Signature(
            application_id=application.id or 0,
            person_id=user.person.id or 0,
            role="applicant",
            outcome="signed",
            method=method,
            provider_reference=reference,
            user_visible_data=_visible_data(application, household, db),
        )
    )
    if co_applicant is None:
        _receive(application)
    else:
        application.co_applicant_status = "pending"
        db.add(application)
    db.commit()
    db.refresh(application)
    if co_applicant is None:
        completeness.on_submitted(db, application)
    else:
        _notify_co_applicant(request, db, co_applicant, household.id)
    repository.audit(
        db,
        "applicant",
        user.subject_id,
        "application_signed",
        object_type="application",
        object_id=application.id,
        detail={"method": method},
    )
    return _redirect(_status_url(application) + "?sent=1")


def _claim(db: Session, application: Application, status: str) -> bool:
    """Move a draft on exactly once, even when the submit button is tapped twice (or two
    processes race): the conditional update holds the row until the caller commits."""
    result = db.execute(
        update(Application)
        .where(Application.id == application.id)  # type: ignore[arg-type]
        .where(Application.status == ApplicationStatus.draft)  # type: ignore[arg-type]
        .values(status=status, updated_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _receive(application: Application) -> None:
    """The application is received: its reference and received time (the caller commits)."""
    application.status = ApplicationStatus.submitted
    application.submitted_at = utcnow()
    application.reference = f"EB-{application.month.replace('-', '')}-{application.id:06d}"


def _finish(db: Session, application: Application) -> None:
    """Received, then routed: to the case officers when the completeness rules find nothing
    to fix or check, else to the informatör's queue."""
    _receive(application)
    db.add(application)
    db.commit()
    completeness.on_submitted(db, application)


def _visible_data(application: Application, household: Household, db: Session) -> str:
    names = ", ".join(
        f"{person.given_name} {person.family_name}"
        for member, person in repository.members_of(db, household)
        if member.role in ("applicant", "co_applicant")
    )
    return f"Ansökan om ekonomiskt bistånd för {format_month(application.month)}. Hushåll: {names}."


def _notify_co_applicant(
    request: Request, db: Session, person: Any, household_id: int | None
) -> None:
    settings = request.app.state.settings
    body = _(
        "You have a new message from %(municipality)s. Sign in at %(url)s to read it.",
        municipality=settings.municipality_name,
        url=settings.base_url,
    )
    if person.email:
        notify.queue(
            db,
            household_id=household_id,
            channel="email",
            recipient=person.email,
            body=body,
            subject=settings.municipality_name,
            purpose="co_applicant_sign",
        )
    if person.phone:
        notify.queue(
            db,
            household_id=household_id,
            channel="sms",
            recipient=person.phone,
            body=body,
            purpose="co_applicant_sign",
        )
    db.commit()
    notify.deliver(db, settings)


@router.get("/applications/{application_id}")
def status(
    request: Request,
    db: SessionDep,
    user: Applicant,
    application_id: int,
    sent: str = "",
) -> Response:
    household = _household(user)
    application = repository_flow.application_of_household(db, household, application_id)
    if application is None:
        raise HTTPException(404)
    repository.audit(
        db,
        "applicant",
        user.subject_id,
        "view_application",
        object_type="application",
        object_id=application.id,
    )
    summary = summary_of(db, household, application, request.app.state.proof_rules, editable=False)
    signatures = repository_flow.signatures_of(db, application)
    assert user.person is not None
    must_sign = application.status == ApplicationStatus.awaiting_co_applicant and not any(
        s.person_id == user.person.id for s in signatures
    )
    page = {
        "application": application,
        "sections": summary.sections,
        "missing": summary.missing,
        "signatures": signatures,
        "sent": bool(sent),
        "must_sign": must_sign,
        "messages": repository.messages_to(db, household),
        "attachments": summary.attachments,
        "upload_max_mb": request.app.state.settings.upload_max_file_mb,
        # The informatör's completion request, or what is still missing, with ways to fix it.
        "completion": completeness_view.for_applicant(db, application),
        "decision": repository_officer.decision_of(db, application.id or 0),
    }
    return render(request, "pages/applicant/status.html", page)


@router.post("/applications/{application_id}/cosign")
def cosign(
    request: Request,
    db: SessionDep,
    user: Applicant,
    application_id: int,
    decision: Annotated[str, Form()] = "",
    declaration: Annotated[str, Form()] = "",
) -> Response:
    household = _household(user)
    application = repository_flow.application_of_household(db, household, application_id)
    if application is None or user.person is None:
        raise HTTPException(404)
    co_applicant = repository_flow.co_applicant_of(db, household)
    if (
        co_applicant is None
        or co_applicant.id != user.person.id
        or application.status != ApplicationStatus.awaiting_co_applicant
    ):
        return _redirect(_status_url(application))
    if decision not in ("sign", "decline") or (decision == "sign" and declaration != "yes"):
        return _redirect(_status_url(application) + "?cosign_error=1")
    if decision == "sign" and bankid_available(request):
        return_to = f"/applicant/applications/{application.id}/cosigned"
        try:
            return _sign_with_bankid(request, db, user, application, household, return_to)
        except BankIdError:
            return _redirect(_status_url(application) + "?cosign_error=bankid")
    return _co_applicant_decided(db, user, application, household, decision, "test", None)


@router.get("/applications/{application_id}/cosigned")
def cosigned_with_bankid(
    request: Request,
    db: SessionDep,
    user: Applicant,
    application_id: int,
    eid_order: int = 0,
) -> Response:
    household = _household(user)
    application = repository_flow.application_of_household(db, household, application_id)
    if application is None:
        raise HTTPException(404)
    order = use_signature(db, request, eid_order)
    if order is None or order.application_id != application.id:
        return _redirect(_status_url(application))
    return _co_applicant_decided(
        db, user, application, household, "sign", "bankid", order.order_ref
    )


def _co_applicant_decided(
    db: Session,
    user: Principal,
    application: Application,
    household: Household,
    decision: str,
    method: str,
    reference: str | None,
) -> Response:
    """The co-applicant signed or declined: either way the application is now received."""
    assert user.person is not None
    co_applicant = repository_flow.co_applicant_of(db, household)
    if co_applicant is None or co_applicant.id != user.person.id:
        return _redirect(_status_url(application))
    result = db.execute(
        update(Application)
        .where(Application.id == application.id)  # type: ignore[arg-type]
        .where(Application.status == ApplicationStatus.awaiting_co_applicant)  # type: ignore[arg-type]
        .values(
            status=ApplicationStatus.submitted,
            co_applicant_status="signed" if decision == "sign" else "declined",
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        db.rollback()
    else:
        # The status, the signature and the reference in one transaction, as for the applicant.
        db.add(
            Signature(
                application_id=application.id or 0,
                person_id=user.person.id or 0,
                role="co_applicant",
                outcome="signed" if decision == "sign" else "declined",
                method=method,
                provider_reference=reference,
                user_visible_data=_visible_data(application, household, db),
            )
        )
        _finish(db, application)
        repository.audit(
            db,
            "applicant",
            user.subject_id,
            f"co_applicant_{decision}",
            object_type="application",
            object_id=application.id,
            detail={"method": method},
        )
    return _redirect(_status_url(application) + "?sent=1")


@router.get("/applications/{application_id}/receipt.pdf")
def receipt_pdf(
    request: Request,
    db: SessionDep,
    user: Applicant,
    application_id: int,
    lang: str = "",
) -> Response:
    """The application as a PDF, in the applicant's language or (``?lang=sv``) in Swedish."""
    household = _household(user)
    application = repository_flow.application_of_household(db, household, application_id)
    if application is None or application.status in (ApplicationStatus.draft,):
        raise HTTPException(404)
    language = lang if lang in SUPPORTED else request.state.language
    repository.audit(
        db,
        "applicant",
        user.subject_id,
        "download_receipt",
        object_type="application",
        object_id=application.id,
    )
    with use_locale(language):
        summary = summary_of(
            db, household, application, request.app.state.proof_rules, editable=False
        )
        names = [
            f"{person.given_name} {person.family_name}"
            for member, person in repository.members_of(db, household)
        ]
        content = receipt_pdf_render(
            language,
            municipality=request.app.state.settings.municipality_name,
            application=application,
            names=names,
            sections=summary.sections,
            missing=summary.missing,
            attachments=summary.attachments,
        )
    filename = f"{application.reference or application.month}-{language}.pdf"
    return media.pdf_download(content, filename)


@router.post("/applications/{application_id}/documents")
async def add_documents(
    request: Request,
    db: SessionDep,
    user: Applicant,
    application_id: int,
) -> Response:
    """Documents added after sending: received with their own time, for the case file."""
    household = _household(user)
    application = repository_flow.application_of_household(db, household, application_id)
    if application is None or application.status == ApplicationStatus.decided:
        raise HTTPException(404)
    form = await request.form()
    document, item, answer_key = (str(form.get("document", "")).split("|") + ["", "", ""])[:3]
    renamed = _Renamed(form, f"documents__{document}__{item}")
    stored_before = repository_flow.count_attachments(db, application)
    errors = await _store_uploads(request, db, application, answer_key or "later", renamed)
    added = repository_flow.count_attachments(db, application) > stored_before
    if added:
        repository.audit(
            db,
            "applicant",
            user.subject_id,
            "documents_added",
            object_type="application",
            object_id=application.id,
        )
        # Findings are evaluated again at once: a fixed one disappears from "still missing".
        completeness.after_applicant_change(db, application)
    if form.get("send"):  # "Send to the social services" from what is still missing
        reply = str(form.get("reply", ""))
        sent = completeness.applicant_replied(db, application, user.person, reply)
        return _redirect(_status_url(application) + ("?replied=1" if sent else "") + "#completion")
    if errors:
        return _redirect(_status_url(application) + "?upload_error=1")
    if not added:
        return _redirect(_status_url(application) + "?upload_error=1")
    return _redirect(_status_url(application) + "?added=1")


class _Renamed:
    """The form with its ``documents`` files under the name that says what they prove."""

    def __init__(self, form: Any, name: str) -> None:
        self.form = form
        self.name = name

    def __iter__(self) -> Any:
        return iter([self.name])

    def getlist(self, name: str) -> list[Any]:
        return list(self.form.getlist("documents")) if name == self.name else []


@router.get("/attachments/{attachment_id}")
def own_attachment(
    request: Request,
    db: SessionDep,
    user: Applicant,
    attachment_id: int,
) -> Response:
    """The applicant's own upload, to look at again (images inline, PDFs as a download)."""
    attachment = _own_attachment(db, user, attachment_id)
    path = request.app.state.settings.uploads / attachment.storage_path
    inline = attachment.content_type in ("image/jpeg", "image/png")
    return FileResponse(
        path,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": media.content_disposition(
                "inline" if inline else "attachment", attachment.filename
            ),
            "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'",
            "Cache-Control": "private, no-store",
        },
    )


def _own_attachment(db: Session, user: Principal, attachment_id: int) -> Attachment:
    household = _household(user)
    attachment = db.get(Attachment, attachment_id)
    application = db.get(Application, attachment.application_id) if attachment else None
    if (
        attachment is None
        or application is None
        or application.household_id != household.id
        or attachment.removed_at is not None
    ):
        raise HTTPException(404)
    return attachment


def _attachment_step_url(db: Session, attachment: Attachment) -> str:
    application = db.get(Application, attachment.application_id)
    assert application is not None
    if application.status != ApplicationStatus.draft or not attachment.answer_key:
        return _status_url(application)
    return _step_url(application.month, attachment.answer_key, edit="1")


def _reading(request: Request, db: Session, attachment: Attachment, **extra: Any) -> Response:
    application = db.get(Application, attachment.application_id)
    assert application is not None
    notes = completeness_view.reading_notes(db, application, [attachment])
    response = render(
        request,
        "partials/_reading.html",
        {
            "attachment": attachment,
            "document_label": document_label,
            "reading_notes": notes,
            **extra,
        },
        status_code=422 if extra.get("reading_error") else 200,
    )
    response.headers["Vary"] = "HX-Request"
    return response


@router.get("/attachments/{attachment_id}/reading")
def reading(request: Request, db: SessionDep, user: Applicant, attachment_id: int) -> Response:
    """What has been read from a document so far (htmx polls this while it is read)."""
    attachment = _own_attachment(db, user, attachment_id)
    if not is_htmx(request):
        return _redirect(_attachment_step_url(db, attachment))
    return _reading(request, db, attachment)


@router.post("/attachments/{attachment_id}/confirm")
def confirm_reading(
    request: Request,
    db: SessionDep,
    user: Applicant,
    attachment_id: int,
    answer: Annotated[str, Form()] = "",
    amount: Annotated[str, Form()] = "",
) -> Response:
    """The applicant confirms the amount we read, or writes the right one. Both are kept: the
    extracted amount stays beside the confirmed one for the completeness rules."""
    attachment = _own_attachment(db, user, attachment_id)
    if answer == "yes" and attachment.amount_ore is not None:
        attachment.confirmed_amount_ore = attachment.amount_ore
    else:
        try:
            attachment.confirmed_amount_ore = parse_amount(amount, allow_negative=True)
        except AmountError as exc:
            message = flow_text(ERRORS, f"amount_{exc.code}")
            if is_htmx(request):
                return _reading(request, db, attachment, reading_error=message, error_value=amount)
            return _redirect(_attachment_step_url(db, attachment) + "&reading_error=1")
    db.add(attachment)
    db.commit()
    repository.audit(
        db,
        "applicant",
        user.subject_id,
        "reading_confirmed",
        object_type="attachment",
        object_id=attachment.id,
        detail={"extracted": attachment.amount_ore, "confirmed": attachment.confirmed_amount_ore},
    )
    if is_htmx(request):
        return _reading(request, db, attachment)
    return _redirect(_attachment_step_url(db, attachment))
