"""``create_app()``: the FastAPI application with its middleware, routes and error pages."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import RedirectResponse, Response

from intake import proof_rules
from intake.flow import DEFAULT_PROOF_RULES
from portal import bankid as bankid_client
from portal import completeness, i18n, ratelimit, virusscan
from portal.auth import Forbidden, NotAuthenticated
from portal.db import make_engine
from portal.routes import (
    admin,
    api,
    applicant,
    applicant_flow,
    bankid,
    informator,
    login,
    officer,
    public,
    quality,
    staff_two_factor,
    survey,
)
from portal.security import LANG_COOKIE, CsrfError, WebMiddleware, security_headers, verify_csrf
from portal.settings import ROOT, Settings, get_settings
from portal.templating import is_htmx, render
from portal.uploads import BodySizeLimit

log = logging.getLogger("portal")


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Ekonomiskt bistånd – portal",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        dependencies=[Depends(verify_csrf)],
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.database_url)
    app.state.proof_rules = (
        proof_rules.load(settings.proof_rules_file)
        if settings.proof_rules_file
        else DEFAULT_PROOF_RULES
    )
    # The completeness rules (PORTAL_COMPLETENESS_RULES_FILE): a bad file stops the start.
    completeness.install(app)
    # Every stored upload is queued for reading (huey: SQLite in var/, or Redis).
    from portal.tasks import PortalQueue

    app.state.queue = PortalQueue(settings, app.state.engine)
    app.state.on_upload = app.state.queue.enqueue_extraction
    settings.uploads.mkdir(parents=True, exist_ok=True)
    # Rate limits and the staff sign-in back-off (shared counters); optional ClamAV scan.
    app.state.limiter = ratelimit.make_limiter(settings, app.state.engine)
    app.state.virus_scanner = virusscan.from_settings(
        settings.clamav_address, settings.clamav_timeout, settings.clamav_fail_closed
    )
    if settings.rate_limits_on:
        app.add_middleware(ratelimit.RateLimitMiddleware, limiter=app.state.limiter)

    app.add_middleware(
        WebMiddleware,
        secret=settings.secret_key,
        secure_cookies=not settings.development,
        default_language=settings.default_language,
    )
    # Uploads: a request may carry a handful of files at the per-file limit, and no more.
    app.add_middleware(BodySizeLimit, limit=(settings.upload_max_file_mb * 5 + 1) * 1024 * 1024)
    # Static files are compressed; pages are not (they hold CSRF tokens beside reflected input,
    # which compression would expose to BREACH-style guessing).
    static = GZipMiddleware(StaticFiles(directory=ROOT / "static"), minimum_size=500)
    app.mount("/static", static, name="static")
    for module in (
        public,
        login,
        bankid,
        applicant,
        applicant_flow,
        survey,
        informator,
        officer,
        quality,
        admin,
        api,
        staff_two_factor,
    ):
        app.include_router(module.router)
    from portal.households import routes as households

    app.include_router(households.api)
    app.include_router(households.pages)
    _install_error_pages(app)
    # BankID from PORTAL_BANKID_* settings; bad settings fail here, at start.
    bankid_client.configure(app, bankid_client.BankIdSettings())
    return app


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every endpoint of the app. Routers set their prefix themselves, so paths are complete;
    newer FastAPI wraps included routers, older ones copy their routes: both are walked."""
    found: list[APIRoute] = []

    def walk(routes: list[Any]) -> None:
        for route in routes:
            if isinstance(route, APIRoute):
                found.append(route)
            elif hasattr(route, "original_router"):
                walk(route.original_router.routes)

    walk(app.routes)
    return found


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    async def _not_authenticated(request: Request, _exc: NotAuthenticated) -> Response:
        target = "/login?next=" + quote(request.url.path, safe="/")
        if is_htmx(request):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, _exc: Forbidden) -> Response:
        return _error_page(request, 403)

    @app.exception_handler(CsrfError)
    async def _csrf(request: Request, _exc: CsrfError) -> Response:
        return _error_page(request, 403, "csrf")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error_page(request, exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, _exc: RequestValidationError) -> Response:
        return _error_page(request, 400)

    @app.exception_handler(OperationalError)
    async def _database_down(request: Request, exc: OperationalError) -> Response:
        log.error("database unavailable: %s", exc.orig)
        # The signed-in user was loaded through the lost connection: the page shows no one
        # rather than reading from it again.
        request.state.principal = None
        return _error_page(request, 503)

    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def _value_out_of_range(request: Request, exc: Exception) -> Response:
        # A value the database cannot hold (an id beyond its integer range, found by fuzzing:
        # PostgreSQL says DataError, SQLite's driver OverflowError): the request is wrong.
        log.warning("value out of range on %s %s: %s", request.method, request.url.path, exc)
        request.state.principal = None  # loaded in the transaction that failed
        return _error_page(request, 400)

    @app.exception_handler(Exception)
    async def _server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        # The request's database session is closed by now and the signed-in user's rows may
        # have been expired by a commit: the page shows no one rather than reading them.
        request.state.principal = None
        i18n.set_locale(getattr(request.state, "language", app.state.settings.default_language))
        return _error_page(request, 500)


def _error_page(request: Request, status: int, code: int | str | None = None) -> Response:
    """An error page in the user's language; never a stack trace."""
    return render(request, "pages/errors/error.html", {"code": code or status}, status)


def error_response(request: Request, status: int) -> Response:
    """An error page for middleware that answers before the app does, with the same headers."""
    settings = request.app.state.settings
    if not hasattr(request.state, "language"):
        request.state.language = i18n.choose_language(
            request.cookies.get(LANG_COOKIE),
            request.headers.get("accept-language"),
            settings.default_language,
        )
    i18n.set_locale(request.state.language)
    response = _error_page(request, status)
    response.headers.update(security_headers(secure=not settings.development))
    return response
