"""Staff sign-in with the municipality's identity provider (OpenID Connect): off to the
provider, back with a code, the staff record brought up to date, a new session. See
portal/oidc.py for what is checked, and docs/security.md."""

from __future__ import annotations

import hmac
import logging
from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from portal import repository, repository_oidc
from portal.auth import PublicUser, home_for, start_session
from portal.db import SessionDep
from portal.oidc import CALLBACK_PATH, FLOW_COOKIE, FLOW_LIFETIME_SECONDS, OidcClient, SignInFailed
from portal.security import remember_language, safe_next
from portal.templating import render

router = APIRouter()
log = logging.getLogger(__name__)

REFUSED_PAGE = "pages/login/oidc_refused.html"
# Provider error codes that mean "the sign-in was not strong enough" (OpenID Connect Core 3.1.2.6).
_ACR_ERRORS = {"unmet_authentication_requirements"}


def _client(request: Request) -> OidcClient:
    client: OidcClient | None = getattr(request.app.state, "oidc", None)
    if client is None:
        raise HTTPException(404)
    return client


def _refused(
    request: Request,
    db: Session,
    kind: str,
    reason: str,
    *,
    staff_id: int | None = None,
    **detail: Any,
) -> Response:
    """The page that says why, in the person's language; the reason goes to the audit log."""
    repository.audit(
        db,
        "staff" if staff_id else "system",
        staff_id,
        "sign_in_refused",
        detail={"method": "oidc", "reason": reason, **detail},
    )
    log.info("OpenID Connect sign-in refused: %s", reason)
    status = 403 if kind in ("unmapped", "acr") else 400
    response = render(request, REFUSED_PAGE, {"kind": kind}, status_code=status)
    response.delete_cookie(FLOW_COOKIE, path=CALLBACK_PATH)
    return response


@router.get("/login/staff/oidc")
def oidc_start(request: Request, db: SessionDep, user: PublicUser, next: str = "") -> Response:
    client = _client(request)
    try:
        url, flow = client.start(safe_next(next, ""))
    except SignInFailed as exc:
        return _refused(request, db, "failed", exc.reason)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        FLOW_COOKIE,
        flow,
        max_age=FLOW_LIFETIME_SECONDS,
        httponly=True,
        secure=not request.app.state.settings.development,
        samesite="lax",  # sent on the provider's top-level redirect back to us
        path=CALLBACK_PATH,
    )
    return response


@router.get(CALLBACK_PATH)
def oidc_callback(
    request: Request,
    db: SessionDep,
    user: PublicUser,
    code: str = "",
    state: str = "",
    error: str = "",
) -> Response:
    client = _client(request)
    if FLOW_COOKIE not in request.cookies and user is not None and user.kind == "staff":
        # The callback again (reload, back button) after the sign-in went through.
        return RedirectResponse(user.home_path(), status_code=303)
    try:
        flow = client.flow_from_cookie(request.cookies.get(FLOW_COOKIE))
        if not state or not hmac.compare_digest(state.encode(), flow.state.encode()):
            raise SignInFailed("state mismatch")
        if error:
            kind = "acr" if error[:64] in _ACR_ERRORS else "failed"
            return _refused(request, db, kind, f"provider: {error[:64]}")
        if not code:
            raise SignInFailed("no code")
        identity = client.finish(flow, code)
    except SignInFailed as exc:
        return _refused(request, db, "acr" if exc.reason == "acr" else "failed", exc.reason)
    outcome = repository_oidc.sync(db, client.mapping, identity)
    staff = outcome.staff
    if outcome.refused is not None:
        # The turning off (if any) and the refusal are committed together.
        return _refused(
            request,
            db,
            "unmapped",
            outcome.refused,
            staff_id=staff.id if staff else None,
            subject=identity.subject,
        )
    assert staff is not None and staff.id is not None
    fallback = home_for("staff", repository.roles_of(db, staff))
    response = RedirectResponse(safe_next(flow.next, fallback), status_code=303)
    repository.audit(
        db,
        "staff",
        staff.id,
        "sign_in",
        detail={"method": "oidc", "acr": identity.claims.get("acr")},
        commit=False,
    )
    # A new session id; the changes to the staff record and their audit events are committed
    # with it.
    start_session(db, request, response, staff=staff)
    response.delete_cookie(FLOW_COOKIE, path=CALLBACK_PATH)
    if staff.language:
        remember_language(request, response, staff.language)
    return response
