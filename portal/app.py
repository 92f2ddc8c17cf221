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
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import RedirectResponse, Response

from intake import proof_rules
from intake.flow import DEFAULT_PROOF_RULES
from portal import access_log, completeness, i18n, ratelimit, virusscan
from portal import bankid as bankid_client
from portal.auth import Forbidden, NotAuthenticated
from portal.db import make_engine, make_readiness_engine
from portal.media import MediaError
from portal.oidc import OidcClient
from portal.overload import LoadShedding, overloaded_response
from portal.problems import is_api_path, problem
from portal.protection import ProtectedIdentity
from portal.routes import (
    admin,
    api,
    applicant,
    applicant_flow,
    bankid,
    informator,
    login,
    officer,
    oidc,
    public,
    quality,
    staff_two_factor,
    survey,
)
from portal.security import LANG_COOKIE, CsrfError, WebMiddleware, security_headers, verify_csrf
from portal.settings import ROOT, Settings, get_settings
from portal.templating import is_htmx, render
from portal.upload_guard import UploadGuard
from portal.uploads import BodySizeLimit

log = logging.getLogger("portal")


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    access_log.install()  # no survey token in any log line (docs/security.md, F8)
    app = FastAPI(
        title="Ekonomiskt bistånd – portal",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        dependencies=[Depends(verify_csrf)],
    )
    app.state.settings = settings
    # Staff sign-in with the identity provider: a bad mapping file fails here, at start.
    app.state.oidc = OidcClient(settings) if settings.oidc_enabled else None
    capacity = settings.capacity
    app.state.engine = engine or make_engine(settings.database_url, capacity)
    # /readyz pings over a connection of its own, with short time-outs (never the request pool).
    app.state.readiness_engine = make_readiness_engine(app.state.engine)
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
        form_action=_form_action(app),
    )
    # Uploads: a request may carry a handful of files at the per-file limit, and no more.
    app.add_middleware(BodySizeLimit, limit=(settings.upload_max_file_mb * 5 + 1) * 1024 * 1024)
    # Outermost: an upload without a live session of the right kind is refused from its headers,
    # before any of its body is read (portal/upload_guard.py).
    app.add_middleware(UploadGuard, engine=app.state.engine, settings=settings)
    # Static files are compressed; pages are not (they hold CSRF tokens beside reflected input,
    # which compression would expose to BREACH-style guessing).
    # Outermost: at most max_in_flight requests in the works, a short queue, then a quick 503
    # with Retry-After (portal/overload.py); /healthz and /readyz pass untouched.
    app.add_middleware(LoadShedding, capacity=capacity)
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
        oidc,
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


def _form_action(app: FastAPI) -> tuple[str, ...]:
    """The identity provider's origin, where the sign-out form's answer may redirect."""
    client: OidcClient | None = getattr(app.state, "oidc", None)
    return (client.origin,) if client is not None else ()


def _install_error_pages(app: FastAPI) -> None:
    """Every error answer: a page in the user's language, or problem details on ``/api/``.

    None of them reads the database: the request's session is closed by the time a handler
    runs (the signed-in user is a snapshot, ``Principal.display_name`` is a plain string)."""

    @app.exception_handler(NotAuthenticated)
    async def _not_authenticated(request: Request, _exc: NotAuthenticated) -> Response:
        if is_api_path(request.url.path):
            return _error_page(request, 401, headers={"WWW-Authenticate": "Bearer"})
        target = "/login?next=" + quote(request.url.path, safe="/")
        if is_htmx(request):
            return _with_headers(
                request, Response(status_code=401, headers={"HX-Redirect": target})
            )
        return _with_headers(request, RedirectResponse(target, status_code=303))

    @app.exception_handler(MediaError)
    async def _unshowable(request: Request, _exc: MediaError) -> Response:
        # A damaged image or a decompression bomb: staff are told it cannot be shown.
        return _error_page(request, 404, "unshowable")

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, _exc: Forbidden) -> Response:
        return _error_page(request, 403)

    @app.exception_handler(ProtectedIdentity)
    async def _protected(request: Request, _exc: ProtectedIdentity) -> Response:
        # Skyddad identitet (portal/protection.py): staff see only that the case is handled
        # outside the portal; automation (the API) sees nothing at all.
        if is_api_path(request.url.path):
            return _with_headers(request, problem(404, "not_found", "No such application."))
        back = "/" + (request.url.path.strip("/").split("/") or [""])[0]
        response = render(request, "pages/staff/protected.html", {"back": back}, 403)
        response.headers["Cache-Control"] = "private, no-store"
        return _with_headers(request, response)

    @app.exception_handler(CsrfError)
    async def _csrf(request: Request, _exc: CsrfError) -> Response:
        return _error_page(request, 403, "csrf")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(app, request.scope)
        return _error_page(request, exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, _exc: RequestValidationError) -> Response:
        return _error_page(request, 422 if is_api_path(request.url.path) else 400)

    @app.exception_handler(OperationalError)
    async def _database_down(request: Request, exc: OperationalError) -> Response:
        log.error("database unavailable: %s", exc.orig)
        # The signed-in user was loaded through the lost connection: the page shows no one
        # rather than reading from it again.
        request.state.principal = None
        retry = str(request.app.state.settings.retry_after_seconds)
        return _error_page(request, 503, headers={"Retry-After": retry})

    @app.exception_handler(PoolTimeout)
    async def _no_connection(request: Request, exc: PoolTimeout) -> Response:
        # No connection came free within PORTAL_DB_POOL_TIMEOUT_SECONDS: busy, try again soon.
        log.error("no database connection in time on %s: %s", request.url.path, exc)
        request.state.principal = None
        settings = request.app.state.settings
        return overloaded_response(request, settings.retry_after_seconds)

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
        # Answered outside the middleware (Starlette's ServerErrorMiddleware): the locale and
        # the security headers are set here (_error_page), not by WebMiddleware.
        i18n.set_locale(getattr(request.state, "language", app.state.settings.default_language))
        return _error_page(request, 500)


def allowed_methods(app: Any, scope: Any) -> str:
    """The methods some route of the app answers at this path (for ``Allow`` with a 405)."""
    from starlette.routing import Match

    methods: set[str] = set()
    for route in api_routes(app):
        match, _child = route.matches({**scope, "method": "-"})
        if match in (Match.PARTIAL, Match.FULL):
            methods |= set(route.methods or ())
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


def _with_headers(request: Request, response: Response) -> Response:
    """The security headers on an answer given outside WebMiddleware too (500, 413, 429)."""
    settings = request.app.state.settings
    headers = security_headers(
        secure=not settings.development, form_action=_form_action(request.app)
    )
    for name, value in headers.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _error_page(
    request: Request,
    status: int,
    code: int | str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """An error page in the user's language, never a stack trace; problem details (RFC 9457)
    for the API. Every one carries the security headers."""
    response: Response
    if is_api_path(request.url.path):
        response = problem(status, "csrf" if code == "csrf" else None)
    else:
        response = render(request, "pages/errors/error.html", {"code": code or status}, status)
    if headers:
        response.headers.update(headers)
    return _with_headers(request, response)


def choose_request_language(request: Request) -> str:
    """The request's language (cookie, then Accept-Language), also before WebMiddleware ran."""
    if not hasattr(request.state, "language"):
        request.state.language = i18n.choose_language(
            request.cookies.get(LANG_COOKIE),
            request.headers.get("accept-language"),
            request.app.state.settings.default_language,
        )
    return str(request.state.language)


def error_response(request: Request, status: int, code: str | None = None) -> Response:
    """An error page for middleware that answers before the app does, with the same headers."""
    i18n.set_locale(choose_request_language(request))
    return _error_page(request, status, code)
