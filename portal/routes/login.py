"""Sign-in for applicants (e-ID) and staff (username and password), sign-out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from intake import personnummer
from portal import repository
from portal.auth import (
    PENDING_CODE,
    PENDING_ENROL,
    PublicUser,
    end_session,
    has_second_factor,
    home_for,
    needs_second_factor,
    password_allowed,
    start_session,
    verify_password,
)
from portal.db import SessionDep
from portal.eid import TestEidProvider
from portal.i18n import N_
from portal.i18n import gettext as _
from portal.routes.staff_two_factor import code_path
from portal.security import remember_language, safe_next
from portal.templating import render

router = APIRouter()
test_eid = TestEidProvider()

PERSONNUMMER_ERRORS = {
    "format": N_("Write the personal identity number as YYYYMMDD-NNNN, for example 19860412-2389."),
    "date": N_(
        "The date in the personal identity number does not exist. Check the first eight digits."
    ),
    "checksum": N_("The last digit does not match. Check that the number is typed correctly."),
}


@router.get("/login")
def login_choice(request: Request, user: PublicUser, next: str = "") -> Response:
    if user is not None:
        return RedirectResponse(user.home_path(), status_code=303)
    return render(request, "pages/login/choose.html", {"next": safe_next(next, "")})


@router.get("/login/test-eid")
def test_eid_form(request: Request, user: PublicUser, next: str = "") -> Response:
    if not test_eid.available(request.app.state.settings.development):
        raise HTTPException(404)
    return render(request, "pages/login/test_eid.html", {"next": safe_next(next, "")})


@router.post("/login/test-eid")
def test_eid_submit(
    request: Request,
    db: SessionDep,
    user: PublicUser,
    pnr: Annotated[str, Form(max_length=40)] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    if not test_eid.available(request.app.state.settings.development):
        raise HTTPException(404)
    context = {"next": safe_next(next, ""), "pnr": pnr}
    try:
        identified = test_eid.identify(pnr)
    except personnummer.InvalidPersonnummer as exc:
        context["error"] = _(PERSONNUMMER_ERRORS[exc.code])
        return render(request, "pages/login/test_eid.html", context, status_code=422)
    person = repository.person_by_personnummer(db, identified.personnummer)
    if person is None:
        context["error"] = _(
            "We have no application for this person. Contact the social services to apply "
            "for the first time."
        )
        return render(request, "pages/login/test_eid.html", context, status_code=422)
    response = RedirectResponse(safe_next(next, "/applicant"), status_code=303)
    start_session(db, request, response, person=person)
    repository.audit(
        db, "applicant", person.id, "sign_in", detail={"provider": identified.provider}
    )
    if person.language:
        remember_language(request, response, person.language)
    return response


def _staff_context(request: Request, next: str, **extra: object) -> dict[str, object]:
    settings = request.app.state.settings
    return {
        "next": safe_next(next, ""),
        "oidc": settings.oidc_enabled,
        "password_restricted": settings.staff_password_restricted,
        **extra,
    }


@router.get("/login/staff")
def staff_form(request: Request, user: PublicUser, next: str = "") -> Response:
    return render(request, "pages/login/staff.html", _staff_context(request, next))


@router.post("/login/staff")
def staff_submit(
    request: Request,
    db: SessionDep,
    user: PublicUser,
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    limiter = request.app.state.limiter
    # Growing back-off after failed attempts, by username (known or not, alike): while it
    # lasts, not even the right password is checked.
    wait = limiter.backoff_remaining(username)
    if wait:
        context = _staff_context(
            request,
            next,
            username=username,
            error=_(
                "Too many failed attempts. Wait %(seconds)s seconds before you try again.",
                seconds=wait,
            ),
        )
        refused = render(request, "pages/login/staff.html", context, status_code=429)
        refused.headers["Retry-After"] = str(wait)
        return refused
    staff = repository.staff_by_username(db, username.strip())
    ok = verify_password(staff.password_hash if staff else repository.DUMMY_HASH, password)
    if staff is None or not ok or not staff.is_active:
        if staff is not None:
            repository.record_failed_login(db, staff)
        limiter.sign_in_failed(username)
        context = _staff_context(
            request, next, username=username, error=_("The username or password is wrong.")
        )
        return render(request, "pages/login/staff.html", context, status_code=422)
    settings = request.app.state.settings
    if not password_allowed(settings, staff):
        # OpenID Connect in production: passwords are for break-glass accounts only. Told only
        # after a right password, so that the page says nothing about who has an account.
        repository.audit(
            db, "staff", staff.id, "sign_in_refused", detail={"reason": "password_not_allowed"}
        )
        context = _staff_context(
            request,
            next,
            username=username,
            error=_(
                "Staff sign in with the municipality's account. Sign-in with a password is "
                "only for emergency accounts."
            ),
        )
        return render(request, "pages/login/staff.html", context, status_code=403)
    # The password is right. With a second factor the session is not a staff session yet: it
    # waits for the code (and the back-off is cleared only by a right code, so that the password
    # alone does not buy more guesses at codes). Without one, when it is required, the staff
    # member sets it up first.
    if has_second_factor(staff):
        response = RedirectResponse(code_path(safe_next(next, "")), status_code=303)
        start_session(db, request, response, staff=staff, pending=PENDING_CODE)
        repository.audit(db, "staff", staff.id, "sign_in_password")
        return response
    if needs_second_factor(settings, staff):
        target = code_path(safe_next(next, ""), "/login/staff/two-factor")
        response = RedirectResponse(target, status_code=303)
        start_session(db, request, response, staff=staff, pending=PENDING_ENROL)
        repository.audit(db, "staff", staff.id, "sign_in_password")
        return response
    limiter.sign_in_succeeded(username)
    repository.record_successful_login(db, staff)
    fallback = home_for("staff", repository.roles_of(db, staff))
    response = RedirectResponse(safe_next(next, fallback), status_code=303)
    start_session(db, request, response, staff=staff)
    repository.audit(db, "staff", staff.id, "sign_in")
    if staff.language:
        remember_language(request, response, staff.language)
    return response


@router.post("/logout")
def logout(request: Request, db: SessionDep, user: PublicUser) -> Response:
    target = "/?signed_out=1"
    oidc_client = request.app.state.oidc
    if user is not None and user.staff is not None and user.staff.oidc_subject and oidc_client:
        # RP-initiated sign-out: the provider ends its session too, then sends the browser back
        # to our start page. Our session ends first, whatever the provider does.
        target = oidc_client.logout_url() or target
    response = RedirectResponse(target, status_code=303)
    if user is not None:
        repository.audit(db, user.kind, user.subject_id, "sign_out")
    end_session(db, request, response)
    return response


@router.get("/home")
def home(request: Request, user: PublicUser) -> Response:
    if user is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(user.home_path(), status_code=303)
