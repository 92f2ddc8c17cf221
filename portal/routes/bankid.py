"""BankID sign-in and signing pages, and the functions the application flow calls to sign.

An order is bound to the browser that started it: a random token in the ``portal_bankid``
cookie, of which the order keeps only the hash. Nobody else can see, collect or cancel it.

For the application flow (see ``start_sign`` and ``use_signature``)::

    response = RedirectResponse("/", status_code=303)
    order = start_sign(db, request, response, person=..., application_id=...,
                       user_visible_data=..., return_to="/applicant/.../sign")
    response.headers["location"] = order_url(order)
    return response

When the order completes, the browser is sent to ``return_to`` with ``?eid_order=<id>``;
``use_signature(db, request, id)`` then gives the order once, for the ``Signature`` row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from intake.models import EidOrder, Person, utcnow
from portal import repository, repository_bankid
from portal.auth import PublicUser, household_of, load_principal, start_session
from portal.bankid import (
    COMPLETE,
    ERROR_CODES,
    FAILED,
    MESSAGES,
    PENDING,
    TRANSPORT_ERROR,
    BankIdClient,
    BankIdDep,
    BankIdError,
    Collected,
    autostart_url,
    client_of,
    error_message_code,
    message_code,
    qr_data,
    qr_svg,
)
from portal.db import SessionDep
from portal.i18n import N_
from portal.i18n import gettext as _
from portal.security import remember_language, safe_next
from portal.templating import is_htmx, render, templates

log = logging.getLogger("portal.bankid")
router = APIRouter(prefix="/bankid")

BROWSER_COOKIE = "portal_bankid"
DEVICES = ("this", "other")  # BankID on this device (autostart) / on another device (QR code)
APPLICANT_HOME = "/applicant"

# Outcomes decided by the portal, not by BankID.
UNKNOWN_PERSON, WRONG_PERSON, PROTECTED = "unknownPerson", "wrongPerson", "protectedIdentity"
PORTAL_MESSAGES = {
    UNKNOWN_PERSON: N_(
        "We have no application for this person. Contact the social services to apply "
        "for the first time."
    ),
    WRONG_PERSON: N_(
        "The BankID that was used belongs to someone else. Sign with your own BankID."
    ),
}


class BankIdNotConfigured(Exception):
    """BankID has no endpoint here: use the test identification (development only)."""


class ProtectedIdentity(Exception):
    """Skyddad identitet: nothing is processed automatically (fail closed)."""


# --- for the application flow ------------------------------------------------------------------


def bankid_available(request: Request) -> bool:
    return client_of(request.app) is not None


def order_url(order: EidOrder, device: str | None = None) -> str:
    """The order's status page; ``device`` ("this" or "other") skips the choice of device."""
    query = f"?device={device}" if device in DEVICES else ""
    return f"/bankid/orders/{order.id}{query}"


def start_sign(
    db: Session,
    request: Request,
    response: Response,
    *,
    person: Person,
    application_id: int | None,
    user_visible_data: str,
    return_to: str,
    user_non_visible_data: str | None = None,
) -> EidOrder:
    """Start a BankID signature of ``user_visible_data`` by ``person`` (the signed-in
    applicant or co-applicant), bound to this browser through a cookie set on ``response``.

    Raises ``BankIdNotConfigured``, ``ProtectedIdentity``, ``ValueError`` (text empty or over
    BankID's limit) or ``BankIdError`` (show ``bankid_error_text(exc)``; ``alreadyInProgress``
    is RFA4). Only that person's BankID can sign (``requirement.personalNumber``)."""
    client = client_of(request.app)
    if client is None:
        raise BankIdNotConfigured()
    household = household_of(db, person)
    if household is None or household.protected_identity:
        raise ProtectedIdentity()
    assert person.id is not None
    # A second tap on "Sign" replaces the order still open in this portal (else BankID
    # answers alreadyInProgress and stops both).
    for old in repository_bankid.pending_orders_of(db, person.id, "sign"):
        _cancel_at_bankid(client, old)
        repository_bankid.finish_order(db, old, status=FAILED, hint_code="cancelled")
    token_hash = _bind_browser(request, response)
    started = client.sign(
        _end_user_ip(request),
        user_visible_data,
        user_non_visible_data=user_non_visible_data,
        requirement={"personalNumber": person.personnummer},
    )
    return repository_bankid.create_order(
        db,
        started,
        kind="sign",
        browser_token_hash=token_hash,
        return_to=_local(return_to),
        application_id=application_id,
        person_id=person.id,
    )


def completed_signature(db: Session, request: Request, order_id: int) -> EidOrder | None:
    """The order if it is a completed signature, started in this browser by the signed-in
    applicant; else None. Read only: see ``use_signature`` to record it once."""
    order = repository_bankid.order_by_id(db, order_id)
    if order is None or order.kind != "sign" or order.status != COMPLETE:
        return None
    if not _belongs_to_browser(request, order):
        return None
    principal = load_principal(request, db)
    if principal is None or principal.person is None or principal.person.id != order.person_id:
        return None
    return order


def use_signature(db: Session, request: Request, order_id: int) -> EidOrder | None:
    """Like ``completed_signature``, and marks the order used: a second call gives None."""
    order = completed_signature(db, request, order_id)
    if order is None or not repository_bankid.use_signature(db, order):
        return None
    return order


def bankid_error_text(exc: BankIdError) -> str:
    return _(MESSAGES[exc.message_code])


# --- pages -------------------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request, user: PublicUser, bankid: BankIdDep, next: str = "") -> Response:
    if user is not None:
        return RedirectResponse(user.home_path(), status_code=303)
    return _login_page(request, bankid, next)


@router.post("/login")
def login_start(
    request: Request,
    db: SessionDep,
    user: PublicUser,
    bankid: BankIdDep,
    device: Annotated[str, Form(max_length=10)] = "",
    next: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    if bankid is None:
        return _login_page(request, bankid, next, status_code=503)
    response = RedirectResponse("/", status_code=303)
    token_hash = _bind_browser(request, response)
    try:
        started = bankid.auth(
            _end_user_ip(request),
            # Shown in the BankID app: where the user is signing in (against QR-code phishing).
            user_visible_data=_(
                "Sign in to the e-service for financial assistance, %(municipality)s.",
                municipality=request.app.state.settings.municipality_name,
            ),
        )
    except BankIdError as exc:
        status = 409 if exc.error_code == "alreadyInProgress" else 503
        return _login_page(request, bankid, next, error=bankid_error_text(exc), status_code=status)
    order = repository_bankid.create_order(
        db,
        started,
        kind="auth",
        browser_token_hash=token_hash,
        return_to=_local(next, APPLICANT_HOME),
    )
    response.headers["location"] = order_url(order, device)
    return response


@router.get("/orders/{order_id}")
def order_page(
    request: Request,
    db: SessionDep,
    user: PublicUser,
    bankid: BankIdDep,
    order_id: int,
    device: str = "",
) -> Response:
    """Collects the order once and shows where it stands: the whole page, or for htmx's poll
    the fragment with a new QR code (and the message, when it changed)."""
    order = _own_order(db, request, order_id)
    chosen = device if device in DEVICES else None
    if bankid is None:
        return _vary(_login_page(request, None, "", status_code=503))
    before = _message(order, chosen)
    if order.status == PENDING:
        finished = _collect(db, request, bankid, order)
        if finished is not None:
            return _vary(finished)
    if order.status in (COMPLETE, repository_bankid.USED):
        return _vary(_go(request, _destination(order)))
    if order.status == FAILED and order.hint_code == PROTECTED:
        if is_htmx(request):
            return _vary(_go(request, order_url(order, chosen)))
        return _vary(render(request, "pages/applicant/protected.html"))
    if order.status == FAILED and is_htmx(request):
        return _vary(_go(request, order_url(order, chosen)))  # the whole page shows the failure
    context = _order_context(order, chosen)
    if is_htmx(request):
        now = context["message"]
        context["oob_message"] = now if now != before else None
        return _vary(render(request, "partials/_bankid_order.html", context))
    status_code = 200 if order.status == PENDING else 422
    return _vary(render(request, "pages/bankid/order.html", context, status_code))


@router.post("/orders/{order_id}/cancel")
def cancel_order(
    request: Request, db: SessionDep, user: PublicUser, bankid: BankIdDep, order_id: int
) -> Response:
    order = _own_order(db, request, order_id)
    if order.status == PENDING:
        if bankid is not None:
            _cancel_at_bankid(bankid, order)
        repository_bankid.finish_order(db, order, status=FAILED, hint_code="userCancel")
    target = "/login" if order.kind == "auth" else (order.return_to or APPLICANT_HOME)
    return RedirectResponse(target, status_code=303)


# --- the steps ---------------------------------------------------------------------------------


def _collect(
    db: Session, request: Request, bankid: BankIdClient, order: EidOrder
) -> Response | None:
    """Ask BankID once and keep the answer. A response when the order completed a sign-in."""
    try:
        collected = bankid.collect(order.order_ref)
    except BankIdError as exc:
        if exc.error_code == "invalidParameters":  # BankID no longer knows the order
            repository_bankid.finish_order(db, order, status=FAILED, hint_code=exc.error_code)
        else:  # BankID busy or unreachable: the order may still go through, keep asking
            repository_bankid.set_pending_hint(db, order, exc.error_code)
        return None
    if collected.status == PENDING:
        repository_bankid.set_pending_hint(db, order, collected.hint_code)
        return None
    if collected.status == FAILED:
        repository_bankid.finish_order(db, order, status=FAILED, hint_code=collected.hint_code)
        return None
    return _complete(db, request, order, collected)


def _complete(
    db: Session, request: Request, order: EidOrder, collected: Collected
) -> Response | None:
    assert collected.user is not None
    person = repository.person_by_personnummer(db, collected.user.personal_number)
    if order.kind == "sign":
        if person is None or person.id != order.person_id:
            repository_bankid.finish_order(db, order, status=FAILED, hint_code=WRONG_PERSON)
        else:
            repository_bankid.finish_order(db, order, status=COMPLETE)
        return None
    if person is None:
        repository_bankid.finish_order(db, order, status=FAILED, hint_code=UNKNOWN_PERSON)
        return None
    household = household_of(db, person)
    if household is None or household.protected_identity:
        # Skyddad identitet: no session, no automated flow; the other channel is shown.
        if repository_bankid.finish_order(db, order, status=FAILED, hint_code=PROTECTED):
            repository.audit(
                db,
                "applicant",
                person.id,
                "sign_in_refused",
                detail={"provider": "bankid", "reason": "protected_identity"},
            )
        return None
    if not repository_bankid.finish_order(db, order, status=COMPLETE, person_id=person.id):
        return None  # another request for the same order got there first and signed in
    response = _go(request, _destination(order))
    start_session(db, request, response, person=person)
    repository.audit(db, "applicant", person.id, "sign_in", detail={"provider": "bankid"})
    if person.language:
        remember_language(request, response, person.language)
    return response


def _message(order: EidOrder, device: str | None) -> str:
    code = order.hint_code
    if code in PORTAL_MESSAGES:
        return _(PORTAL_MESSAGES[code])
    if order.status == PENDING and device is None:
        return ""  # the user is choosing a device: no status yet
    if code in ERROR_CODES or code == TRANSPORT_ERROR:
        key: str | None = error_message_code(code)
    else:
        key = message_code(order.status, code, kind=order.kind, qr=device != "this")
    return _(MESSAGES[key]) if key else ""


def _order_context(order: EidOrder, device: str | None) -> dict[str, Any]:
    failed = order.status == FAILED
    title = _("Sign in with BankID") if order.kind == "auth" else _("Sign with BankID")
    context: dict[str, Any] = {
        "order": order,
        "device": device,
        "failed": failed,
        "title": title,
        "message": _message(order, device),
        "self_url": order_url(order, device),
        "this_url": order_url(order, "this"),
        "other_url": order_url(order, "other"),
        "cancel_url": f"/bankid/orders/{order.id}/cancel",
        "retry_url": (
            "/bankid/login?next=" + quote(order.return_to or APPLICANT_HOME, safe="/")
            if order.kind == "auth"
            else order.return_to or APPLICANT_HOME
        ),
        "oob_message": None,
    }
    if not failed and device == "other" and order.qr_start_token and order.qr_start_secret:
        seconds = _seconds_since(order.started_at)
        data = qr_data(order.qr_start_token, order.qr_start_secret, seconds)
        context["qr"] = qr_svg(data, _("QR code to scan with the BankID app"))
    if not failed and device == "this" and order.auto_start_token:
        context["autostart"] = autostart_url(order.auto_start_token)
    return context


# --- helpers -----------------------------------------------------------------------------------


def _login_page(
    request: Request,
    bankid: BankIdClient | None,
    next: str,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {"configured": bankid is not None, "next": safe_next(next, ""), "error": error}
    return render(request, "pages/bankid/login.html", context, status_code)


def _own_order(db: Session, request: Request, order_id: int) -> EidOrder:
    """The order, if this browser started it (and, for a signature, its signer is signed in).
    Anything else is "not found", so that nobody learns which orders exist."""
    order = repository_bankid.order_by_id(db, order_id)
    if order is None or not _belongs_to_browser(request, order):
        raise HTTPException(404)
    if order.kind == "sign":
        principal = load_principal(request, db)
        if principal is None or principal.person is None or principal.person.id != order.person_id:
            raise HTTPException(404)
    return order


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _bind_browser(request: Request, response: Response) -> str:
    token = request.cookies.get(BROWSER_COOKIE) or ""
    if not 32 <= len(token) <= 100:
        token = secrets.token_urlsafe(32)
    response.set_cookie(
        BROWSER_COOKIE,
        token,
        httponly=True,
        secure=not request.app.state.settings.development,
        samesite="lax",
        path="/",
    )
    return _hash(token)


def _belongs_to_browser(request: Request, order: EidOrder) -> bool:
    token = request.cookies.get(BROWSER_COOKIE)
    return bool(token) and hmac.compare_digest(_hash(token or ""), order.browser_token_hash)


def _end_user_ip(request: Request) -> str:
    """The user's address as BankID wants it. Behind a proxy, run uvicorn with
    ``--proxy-headers --forwarded-allow-ips`` so that this is the user's, not the proxy's."""
    return request.client.host if request.client else ""


def _cancel_at_bankid(bankid: BankIdClient, order: EidOrder) -> None:
    try:
        bankid.cancel(order.order_ref)
    except BankIdError as exc:  # already gone at BankID: nothing left to stop
        log.info("BankID cancel of order %s: %s", order.id, exc.error_code)


def _local(target: str, fallback: str = APPLICANT_HOME) -> str:
    path = safe_next(target, fallback)
    return path if len(path) <= 300 else fallback


def _destination(order: EidOrder) -> str:
    target = order.return_to or APPLICANT_HOME
    if order.kind == "sign":
        separator = "&" if "?" in target else "?"
        target = f"{target}{separator}eid_order={order.id}"
    return target


def _go(request: Request, target: str) -> Response:
    """A redirect; for htmx, an ``HX-Redirect`` so that the whole page changes."""
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _vary(response: Response) -> Response:
    response.headers["Vary"] = "HX-Request"
    return response


def _seconds_since(started: dt.datetime) -> int:
    if started.tzinfo is None:
        started = started.replace(tzinfo=dt.UTC)
    return max(0, int((utcnow() - started).total_seconds()))


def _bankid_configured(request: Request) -> bool:
    """For templates outside this module (the sign-in choice)."""
    return client_of(request.app) is not None


templates.env.globals["bankid_configured"] = _bankid_configured
