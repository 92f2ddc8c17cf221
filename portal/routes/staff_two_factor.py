"""The staff's second factor (TOTP): the code after the password, setting it up (enrolment) while
signing in when ``PORTAL_STAFF_TOTP=required``, and setting it up or replacing it once signed in.

The secret being set up is not stored until a code from it is confirmed: until then it travels in
the form, with an HMAC (the secret key) that binds it to the user, so that only a secret this
server made for this user can be confirmed. Recovery is an administrator's
``portal staff reset-two-factor USERNAME``.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from intake.models import StaffUser
from portal import repository, totp
from portal.auth import (
    PENDING_CODE,
    PENDING_ENROL,
    PublicUser,
    Staff,
    has_second_factor,
    home_for,
    pending_staff,
    set_second_factor,
    start_session,
    use_code,
)
from portal.bankid import qr_svg
from portal.db import SessionDep
from portal.i18n import N_
from portal.i18n import gettext as _
from portal.security import remember_language, safe_next
from portal.templating import render

router = APIRouter()

CODE_PAGE = "pages/login/two_factor_code.html"
SETUP_PAGE = "pages/staff/two_factor.html"

ERRORS = {
    "format": N_("Enter the 6-digit code from your authenticator app, for example 123 456."),
    "wrong": N_(
        "The code is wrong or has already been used. Wait for the next code in the app and try "
        "again."
    ),
    "current": N_("The code from the app you use now is wrong or has already been used."),
    "new": N_(
        "The code does not match the new key. Check that the app has just scanned this QR code "
        "and enter the code it shows now."
    ),
    "backoff": N_("Too many failed attempts. Wait %(seconds)s seconds before you try again."),
}


def _error(key: str, **values: Any) -> str:
    """The message ``ERRORS[key]`` in the user's language."""
    message: str = _(ERRORS[key], **values)
    return message


def code_path(next_path: str, page: str = "/login/staff/code") -> str:
    """Where the password step sends a staff member next, keeping the page they asked for."""
    return page + (f"?next={quote(next_path, safe='/')}" if next_path else "")


def _mac(request: Request, user: StaffUser, secret: str) -> str:
    key = request.app.state.settings.secret_key.encode()
    message = f"totp-enrol\0{user.id}\0{secret}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _setup_context(
    request: Request, user: StaffUser, secret: str | None = None, **extra: Any
) -> dict[str, Any]:
    secret = secret or totp.new_secret()
    issuer = request.app.state.settings.municipality_name
    uri = totp.provisioning_uri(secret, user.username, issuer)
    return {
        "secret": secret,
        "secret_mac": _mac(request, user, secret),
        "secret_grouped": totp.grouped(secret),
        "qr": qr_svg(uri, _("QR code for your authenticator app")),
        "enrolled": has_second_factor(user),
        "confirmed_at": user.totp_confirmed_at,
        **extra,
    }


def _signed_secret(request: Request, user: StaffUser, secret: str, mac: str) -> str:
    """The secret of the form, when this server made it for this user."""
    if not totp.is_secret(secret) or not hmac.compare_digest(mac, _mac(request, user, secret)):
        raise HTTPException(400)
    return secret


def _backoff(request: Request, user: StaffUser) -> int:
    return int(request.app.state.limiter.backoff_remaining(user.username))


def _failed(request: Request, db: Session, user: StaffUser) -> None:
    """A wrong code counts like a wrong password: in the back-off and on the account."""
    repository.record_failed_login(db, user)
    request.app.state.limiter.sign_in_failed(user.username)


def _finish_sign_in(
    request: Request, db: Session, user: StaffUser, next_path: str, method: str
) -> Response:
    """Both factors are right: a new session id, the back-off cleared, the user's home."""
    request.app.state.limiter.sign_in_succeeded(user.username)
    repository.record_successful_login(db, user)
    fallback = home_for("staff", repository.roles_of(db, user))
    response = RedirectResponse(safe_next(next_path, fallback), status_code=303)
    start_session(db, request, response, staff=user)
    repository.audit(db, "staff", user.id, "sign_in", detail={"second_factor": method})
    if user.language:
        remember_language(request, response, user.language)
    return response


def _refused(response: Response, wait: int) -> Response:
    response.headers["Retry-After"] = str(wait)
    return response


# --- the code after the password ------------------------------------------------------------


@router.get("/login/staff/code")
def code_form(request: Request, db: SessionDep, user: PublicUser, next: str = "") -> Response:
    staff = pending_staff(request, db, PENDING_CODE)
    if staff is None:
        return RedirectResponse("/login/staff", status_code=303)
    return render(request, CODE_PAGE, {"next": safe_next(next, "")})


@router.post("/login/staff/code")
def code_submit(
    request: Request,
    db: SessionDep,
    user: PublicUser,
    code: Annotated[str, Form(max_length=40)] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    staff = pending_staff(request, db, PENDING_CODE)
    if staff is None:
        return RedirectResponse("/login/staff", status_code=303)
    context: dict[str, Any] = {"next": safe_next(next, "")}
    wait = _backoff(request, staff)
    if wait:
        context["error"] = _error("backoff", seconds=wait)
        return _refused(render(request, CODE_PAGE, context, status_code=429), wait)
    if totp.clean_code(code) is None:
        context["error"] = _error("format")
        return render(request, CODE_PAGE, context, status_code=422)
    if not use_code(db, staff, code):
        _failed(request, db, staff)
        context["error"] = _error("wrong")
        return render(request, CODE_PAGE, context, status_code=422)
    return _finish_sign_in(request, db, staff, next, "totp")


# --- setting it up while signing in (PORTAL_STAFF_TOTP=required) ------------------------------


@router.get("/login/staff/two-factor")
def enrol_form(request: Request, db: SessionDep, user: PublicUser, next: str = "") -> Response:
    staff = pending_staff(request, db, PENDING_ENROL)
    if staff is None:
        return RedirectResponse("/login/staff", status_code=303)
    context = _setup_context(request, staff, signing_in=True, next=safe_next(next, ""))
    return render(request, SETUP_PAGE, context)


@router.post("/login/staff/two-factor")
def enrol_submit(
    request: Request,
    db: SessionDep,
    user: PublicUser,
    secret: Annotated[str, Form(max_length=128)] = "",
    secret_mac: Annotated[str, Form(max_length=128)] = "",
    code: Annotated[str, Form(max_length=40)] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    staff = pending_staff(request, db, PENDING_ENROL)
    if staff is None:
        return RedirectResponse("/login/staff", status_code=303)
    secret = _signed_secret(request, staff, secret, secret_mac)
    step = totp.verify(secret, code)
    if step is None:
        error = _error("format" if totp.clean_code(code) is None else "new")
        context = _setup_context(
            request,
            staff,
            secret,
            signing_in=True,
            next=safe_next(next, ""),
            errors={"code": error},
        )
        return render(request, SETUP_PAGE, context, status_code=422)
    set_second_factor(db, staff, secret, step)
    repository.audit(db, "staff", staff.id, "two_factor_enrolled")
    return _finish_sign_in(request, db, staff, next, "totp_enrolled")


# --- setting it up or replacing it, signed in -------------------------------------------------


@router.get("/staff/two-factor")
def setup_form(request: Request, user: Staff, done: str = "") -> Response:
    assert user.staff is not None
    return render(request, SETUP_PAGE, _setup_context(request, user.staff, done=bool(done)))


@router.post("/staff/two-factor")
def setup_submit(
    request: Request,
    db: SessionDep,
    user: Staff,
    secret: Annotated[str, Form(max_length=128)] = "",
    secret_mac: Annotated[str, Form(max_length=128)] = "",
    code: Annotated[str, Form(max_length=40)] = "",
    current_code: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    assert user.staff is not None
    staff = db.get(StaffUser, user.staff.id)
    assert staff is not None
    secret = _signed_secret(request, staff, secret, secret_mac)
    errors: dict[str, str] = {}
    status = 422
    replacing = has_second_factor(staff)
    step = totp.verify(secret, code)
    if step is None:
        errors["code"] = _error("format" if totp.clean_code(code) is None else "new")
    if replacing:
        # The app in use must agree before another replaces it: a session left open is not
        # enough to move someone's second factor to another phone. Its code is used up only
        # when the new one is right too (else it is only checked), so a slip on the new code
        # does not make the user wait for the next code of the old app.
        assert staff.totp_secret is not None
        wait = _backoff(request, staff)
        if wait:
            errors["current_code"] = _error("backoff", seconds=wait)
            status = 429
        elif totp.clean_code(current_code) is None:
            errors["current_code"] = _error("format")
        elif not (
            use_code(db, staff, current_code)
            if step is not None
            else totp.verify(staff.totp_secret, current_code, last_step=staff.totp_last_step)
            is not None
        ):
            _failed(request, db, staff)
            errors["current_code"] = _error("current")
    if errors or step is None:
        context = _setup_context(request, staff, secret, errors=errors)
        response = render(request, SETUP_PAGE, context, status_code=status)
        if status == 429:
            response.headers["Retry-After"] = str(_backoff(request, staff))
        return response
    set_second_factor(db, staff, secret, step)
    repository.audit(
        db, "staff", staff.id, "two_factor_replaced" if replacing else "two_factor_enrolled"
    )
    return RedirectResponse("/staff/two-factor?done=1", status_code=303)
