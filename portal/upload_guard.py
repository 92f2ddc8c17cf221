"""Uploads are refused before their body is read unless a live session may make them.

A multipart body (the only way files reach the portal) is parsed by python-multipart into
spooled files before a route runs, and so before a route's sign-in check: 95 MiB from anyone
would be read and written to disk first. ``UploadGuard`` sits outside everything else and looks
only at the headers: the session cookie must name a live session (one short read, no body
read) of the kind the path belongs to: ``/applicant/`` takes an applicant's session, the staff
areas a staff member's; otherwise the answer is the sign-in redirect (401 with ``HX-Redirect``
for htmx, problem details on ``/api/``) or a 403, at once. The verified session is handed on
(``scope["state"]["upload_session"]``) so that the upload rate limit counts per real session
(portal/ratelimit.py), never per cookie value a client makes up.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import anyio
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from portal.auth import SESSION_COOKIE, live_session_kind, session_key
from portal.problems import is_api_path

log = logging.getLogger("portal.uploads")

STAFF_AREAS = ("/officer", "/informator", "/quality", "/admin", "/staff")


def is_upload(scope: Scope) -> bool:
    if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
        return False
    for name, value in scope.get("headers") or []:
        if name == b"content-type":
            return value.lower().startswith(b"multipart/form-data")
    return False


def kind_needed(path: str) -> str | None:
    """The session kind an upload to ``path`` needs (None: any signed-in user)."""
    if path.startswith("/applicant/"):
        return "applicant"
    if path.startswith(STAFF_AREAS):
        return "staff"
    return None


class UploadGuard:
    def __init__(self, app: ASGIApp, engine: Engine, settings: object) -> None:
        self.app = app
        self.engine = engine
        self.settings = settings

    def _kind(self, token: str) -> str | None:
        with Session(self.engine) as db:
            return live_session_kind(db, token, self.settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not is_upload(scope):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        token = request.cookies.get(SESSION_COOKIE)
        kind = await anyio.to_thread.run_sync(self._kind, token) if token else None
        needed = kind_needed(scope["path"])
        signed_in = kind in ("applicant", "staff")
        if signed_in and (needed is None or kind == needed):
            assert token is not None
            scope.setdefault("state", {})["upload_session"] = session_key(token)
            await self.app(scope, receive, send)
            return
        log.info("upload refused before its body: %s session", kind or "no")
        response = self._refusal(request, 403 if signed_in else 401)
        await response(scope, _nothing, send)

    def _refusal(self, request: Request, status: int) -> Response:
        from portal.app import _with_headers, error_response

        if status == 403 or is_api_path(request.url.path):
            response = error_response(request, status)
            if status == 401:
                response.headers["WWW-Authenticate"] = "Bearer"
            response.headers["Connection"] = "close"
            return response
        target = "/login?next=" + quote(request.url.path, safe="/")
        if request.headers.get("HX-Request") == "true":
            redirect: Response = Response(status_code=401, headers={"HX-Redirect": target})
        else:
            redirect = RedirectResponse(target, status_code=303)
        redirect.headers["Connection"] = "close"
        return _with_headers(request, redirect)


async def _nothing() -> dict[str, object]:
    return {"type": "http.disconnect"}
