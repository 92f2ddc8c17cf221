"""Security headers, CSRF tokens and the per-request locale.

CSRF: a random value in the ``portal_csrf`` cookie; the token in forms (``csrf_token``) and in
htmx requests (``X-CSRF-Token``, sent via ``hx-headers`` on ``<body>``) is its HMAC under the
secret key. Every state-changing request must carry a token matching its cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable

from fastapi import Request
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import Response

from portal import i18n
from portal.auth import SESSION_COOKIE

CSRF_COOKIE = "portal_csrf"
LANG_COOKIE = "portal_lang"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def content_security_policy(form_action: tuple[str, ...] = ()) -> str:
    """The policy of every page. ``form_action``: origins beyond our own that a form may lead
    to, through a redirect: the identity provider's, for the sign-out (RP-initiated logout),
    since browsers apply form-action to where the form's answer redirects."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            " ".join(["form-action 'self'", *form_action]),
            "frame-ancestors 'none'",
        ]
    )


CONTENT_SECURITY_POLICY = content_security_policy()


def security_headers(secure: bool, form_action: tuple[str, ...] = ()) -> dict[str, str]:
    """Headers every response carries."""
    headers = {
        "Content-Security-Policy": content_security_policy(form_action),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(self), geolocation=(), microphone=()",
    }
    if secure:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


# Headers a route may set more strictly (the survey: ``Referrer-Policy: no-referrer``).
ROUTE_MAY_SET = frozenset({"Content-Security-Policy", "Referrer-Policy"})
SURVEY_SIGNED_IN = "/survey/start"  # the banner on the applicant's page


def is_survey_path(path: str) -> bool:
    """The anonymous survey's pages (docs/security.md, F8): no session, no cookie."""
    return path.startswith("/survey/") and path != SURVEY_SIGNED_IN


class CsrfError(Exception):
    """A state-changing request without a valid CSRF token."""


def csrf_token_for(seed: str, secret: str) -> str:
    return hmac.new(secret.encode(), seed.encode(), hashlib.sha256).hexdigest()


def rotate_csrf(request: Request, response: Response) -> None:
    """A new CSRF seed (at sign-in and sign-out): tokens of the earlier seed stop working.
    The page drawn for this request already uses the new token."""
    seed = secrets.token_urlsafe(32)
    request.state.csrf_token = csrf_token_for(seed, request.app.state.settings.secret_key)
    request.state.csrf_rotated = True
    response.set_cookie(
        CSRF_COOKIE,
        seed,
        httponly=True,
        secure=not request.app.state.settings.development,
        samesite="lax",
        path="/",
    )


class WebMiddleware(BaseHTTPMiddleware):
    """Sets the locale, the CSRF seed and the security headers for every request."""

    def __init__(
        self,
        app: object,
        *,
        secret: str,
        secure_cookies: bool,
        default_language: str,
        form_action: tuple[str, ...] = (),
    ):
        super().__init__(app)  # type: ignore[arg-type]
        self.form_action = form_action
        self.secret = secret
        self.secure_cookies = secure_cookies
        self.default_language = default_language

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        seed = request.cookies.get(CSRF_COOKIE)
        new_seed = not seed or len(seed) < 32
        if new_seed:
            seed = secrets.token_urlsafe(32)
        assert seed is not None
        request.state.csrf_token = csrf_token_for(seed, self.secret)
        language = i18n.choose_language(
            request.cookies.get(LANG_COOKIE),
            request.headers.get("accept-language"),
            self.default_language,
        )
        request.state.language = language
        i18n.set_locale(language)

        response = await call_next(request)

        # The anonymous survey sets no cookie: nothing there that a later visit could carry.
        if (
            new_seed
            and not getattr(request.state, "csrf_rotated", False)
            and not is_survey_path(request.url.path)
        ):
            response.set_cookie(
                CSRF_COOKIE,
                seed,
                httponly=True,
                secure=self.secure_cookies,
                samesite="lax",
                path="/",
            )
        headers = response.headers
        for name, value in security_headers(self.secure_cookies, self.form_action).items():
            if name not in ROUTE_MAY_SET or name.lower() not in headers:
                headers[name] = value
        if request.url.path.startswith("/survey/"):
            # A survey page's address may hold its one-time token: never sent on as a Referer.
            headers["Referrer-Policy"] = "no-referrer"
        if "cache-control" not in headers and not request.url.path.startswith("/static/"):
            headers["Cache-Control"] = "no-store"
        return response


def _is_bearer_api_call(request: Request) -> bool:
    """An API request that carries a bearer token and no session cookie."""
    return (
        request.url.path.startswith("/api/")
        and request.headers.get("authorization", "").lower().startswith("bearer ")
        and SESSION_COOKIE not in request.cookies
    )


async def verify_csrf(request: Request) -> None:
    """App-wide dependency: refuse a state-changing request without a matching token."""
    if request.method in SAFE_METHODS:
        return
    if _is_bearer_api_call(request):
        # A case system calling the API with its token: no browser, no ambient credentials to
        # forge. The route itself refuses the call without a valid token (portal/routes/api.py).
        return
    if is_survey_path(request.url.path):
        # The anonymous survey carries its one-time token in the form: a forged request would
        # need that secret, and with it could only answer the forger's own survey. No cookie,
        # so nothing from the applicant's browser joins the answer (portal/routes/survey.py).
        return
    expected = getattr(request.state, "csrf_token", None)
    sent = request.headers.get("x-csrf-token")
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise CsrfError()


def remember_language(request: Request, response: Response, language: str) -> None:
    """The user's explicit language choice, kept for a year."""
    response.set_cookie(
        LANG_COOKIE,
        language,
        max_age=365 * 24 * 3600,
        httponly=True,
        secure=not request.app.state.settings.development,
        samesite="lax",
        path="/",
    )


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Only local paths are followed after a form: never another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target
