"""Load shedding: a bounded number of requests in the works, a short queue, and beyond it a quick
503 with ``Retry-After`` in the user's language instead of a pile-up.

Per web process at most ``max_in_flight`` requests are worked on at once (settings.capacity);
the next ones wait in order up to ``queue_wait_seconds``, at most ``max_queued`` of them. A
request that gets no slot in time is answered at once: 503, ``Retry-After``, the security
headers, and a page in the user's language (``application/problem+json``, RFC 9457, under
``/api/``). Since the worker threads and the connection pool are sized from the same figure, an
admitted request never waits for a thread or a connection (docs/deploy.md, "Capacity").

``/healthz`` and ``/readyz`` are never queued: they answer within a second under any load.
"""

from __future__ import annotations

import logging
import time
from collections import deque

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from portal.settings import Capacity

log = logging.getLogger("portal.overload")

EXEMPT = frozenset({"/healthz", "/readyz"})
PROBLEM_JSON = "application/problem+json"


class Gate:
    """At most ``limit`` holders; the others wait first come, first served. A slot that is
    given back goes straight to the longest waiter."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.active = 0
        self.waiters: deque[anyio.Event] = deque()
        self.service_seconds = 0.0  # moving average of how long a request holds its slot

    def expected_wait(self) -> float:
        """How long a request that joins the queue now would wait, going by recent requests."""
        return (len(self.waiters) + 1) * self.service_seconds / self.limit

    def record(self, seconds: float) -> None:
        self.service_seconds += 0.1 * (seconds - self.service_seconds)

    @property
    def waiting(self) -> int:
        return len(self.waiters)

    async def enter(self, timeout: float, max_waiting: int) -> bool:
        if self.active < self.limit and not self.waiters:
            self.active += 1
            return True
        if timeout <= 0 or len(self.waiters) >= max_waiting:
            return False
        if len(self.waiters) >= self.limit and self.expected_wait() > timeout:
            return False  # a long queue that would not be served in time: answer now
        event = anyio.Event()
        self.waiters.append(event)
        try:
            with anyio.move_on_after(timeout):
                await event.wait()
        except BaseException:  # the client went away while waiting
            if event.is_set():
                self.leave()
            else:
                self.waiters.remove(event)
            raise
        if event.is_set():
            return True  # handed over by leave(): counted in ``active`` already
        self.waiters.remove(event)
        return False

    def leave(self) -> None:
        if self.waiters:
            self.waiters.popleft().set()
        else:
            self.active -= 1


class LoadShedding:
    """The outermost middleware: admits, queues or sheds every HTTP request."""

    def __init__(self, app: ASGIApp, capacity: Capacity) -> None:
        self.app = app
        self.capacity = capacity
        self.gate = Gate(capacity.max_in_flight)
        self._limiter: object = None
        self._shed = 0
        self._logged_at = 0.0

    def _log_shed(self) -> None:
        """One log line a second at most, with the count: logging each would add to the load."""
        self._shed += 1
        now = time.monotonic()
        if now - self._logged_at >= 1.0:
            log.warning(
                "overloaded: %d answered 503 (%d in flight, %d waiting)",
                self._shed,
                self.gate.active,
                self.gate.waiting,
            )
            self._shed = 0
            self._logged_at = now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limiter = anyio.to_thread.current_default_thread_limiter()  # one per event loop
        if limiter is not self._limiter:
            # The worker threads for sync routes and dependencies (anyio's default limiter,
            # which Starlette and FastAPI use): one per admitted request, and a few more.
            limiter.total_tokens = self.capacity.threads
            self._limiter = limiter
        if scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        capacity = self.capacity
        if not await self.gate.enter(capacity.queue_wait_seconds, capacity.max_queued):
            self._log_shed()
            response = overloaded_response(Request(scope), capacity.retry_after_seconds)
            await response(scope, receive, send)
            return
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.gate.record(time.perf_counter() - started)
            self.gate.leave()


_pages: dict[tuple[str, str, bool], bytes] = {}


def overloaded_response(request: Request, retry_after: int) -> Response:
    """503 with Retry-After and the security headers: a page in the user's language, or a
    problem+json document under /api/. The page is rendered once per language and kept:
    shedding must cost next to nothing."""
    from portal import i18n
    from portal.app import choose_request_language
    from portal.security import security_headers
    from portal.templating import templates

    if request.url.path.startswith("/api/"):
        return problem_response(request, retry_after)
    settings = request.app.state.settings
    language = choose_request_language(request)
    key = (language, settings.municipality_name, settings.development)
    body = _pages.get(key)
    if body is None:
        i18n.set_locale(language)
        body = _pages[key] = (
            templates.get_template("pages/errors/busy.html")
            .render(
                lang=language,
                dir=i18n.text_direction(language),
                municipality_name=settings.municipality_name,
            )
            .encode()
        )
    headers = {
        **security_headers(secure=not settings.development),
        "Retry-After": str(retry_after),
        "Cache-Control": "no-store",
        "Content-Language": language,
    }
    return Response(body, status_code=503, headers=headers, media_type="text/html")


def problem_response(request: Request, retry_after: int) -> Response:
    from portal import i18n
    from portal.app import choose_request_language
    from portal.security import security_headers

    settings = request.app.state.settings
    i18n.set_locale(choose_request_language(request))
    body = {
        "type": "about:blank",
        "title": i18n.gettext("The service is very busy right now"),
        "status": 503,
        "detail": i18n.gettext(
            "Many people are using the service at the same time. Wait a moment and try again."
        ),
    }
    headers = {
        **security_headers(secure=not settings.development),
        "Retry-After": str(retry_after),
        "Cache-Control": "no-store",
        "Content-Language": i18n.get_locale(),
    }
    return JSONResponse(body, status_code=503, headers=headers, media_type=PROBLEM_JSON)
