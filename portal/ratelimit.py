"""Rate limits on sign-in, uploads and the survey, and a growing back-off for failed staff
sign-ins, with counters every web process shares.

Counters live in the database (table ``rate_limit``, the default: ``make run`` needs no other
server) or in Redis when ``PORTAL_RATE_LIMIT_URL=redis://...`` is set. A limit is a fixed
window: ``30/300`` lets 30 requests through per 300 seconds and answers the rest ``429 Too Many
Requests`` with ``Retry-After``. Keys are keyed hashes (HMAC with the secret key) of the client
address, the session or the username: no address or username is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import anyio
from sqlalchemy import case, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from intake.models import RateLimit, utcnow
from portal.settings import Settings

log = logging.getLogger("portal.ratelimit")

BACKOFF_BASE_SECONDS = 2
BACKOFF_FORGET = dt.timedelta(hours=24)  # failures older than a day without another are forgotten


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit:
        count, seconds = (int(part) for part in text.split("/"))
        return cls(count, max(1, seconds))


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window ends


class Store(Protocol):
    def hit(self, key: str, seconds: int, now: float) -> tuple[int, float]:
        """Count one request in ``key``'s window; the count so far and when the window ends."""

    def fail(self, key: str, now: dt.datetime) -> int:
        """Count one failure; the failures so far (a day without failures starts again)."""

    def failures(self, key: str, now: dt.datetime) -> tuple[int, dt.datetime | None]:
        """Failures so far and the time of the last one."""

    def clear(self, key: str) -> None: ...

    def purge(self, now: dt.datetime) -> int:
        """Forget counters that have run out; how many."""


class DatabaseStore:
    """Counters in the ``rate_limit`` table: one atomic upsert per request (SQLite and
    PostgreSQL both have ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.table = RateLimit.__table__  # type: ignore[attr-defined]
        self._insert: Callable[..., Any] = (
            pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
        )

    def _upsert(self, key: str, now: dt.datetime, expires: dt.datetime) -> int:
        table = self.table
        statement = (
            self._insert(table)
            .values(key=key, count=1, updated_at=now, expires_at=expires)
            .on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    # A window (or a back-off) that has run out starts again at 1.
                    "count": case(
                        (table.c.expires_at <= now, 1),
                        else_=table.c.count + 1,
                    ),
                    "expires_at": case(
                        (table.c.expires_at <= now, expires),
                        else_=table.c.expires_at,
                    ),
                    "updated_at": now,
                },
            )
            .returning(table.c.count, table.c.expires_at)
        )
        with self.engine.begin() as connection:
            count, _ = connection.execute(statement).one()
        return int(count)

    def hit(self, key: str, seconds: int, now: float) -> tuple[int, float]:
        window = math.floor(now / seconds)
        ends = (window + 1) * seconds
        moment = dt.datetime.fromtimestamp(now, dt.UTC)
        expires = dt.datetime.fromtimestamp(ends, dt.UTC)
        return self._upsert(f"{key}:{window}", moment, expires), ends

    def fail(self, key: str, now: dt.datetime) -> int:
        table = self.table
        statement = (
            self._insert(table)
            .values(key=key, count=1, updated_at=now, expires_at=now + BACKOFF_FORGET)
            .on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "count": case((table.c.expires_at <= now, 1), else_=table.c.count + 1),
                    "expires_at": now + BACKOFF_FORGET,
                    "updated_at": now,
                },
            )
            .returning(table.c.count)
        )
        with self.engine.begin() as connection:
            return int(connection.execute(statement).scalar_one())

    def failures(self, key: str, now: dt.datetime) -> tuple[int, dt.datetime | None]:
        table = self.table
        with self.engine.connect() as connection:
            row = connection.execute(
                select(table.c.count, table.c.updated_at)
                .where(table.c.key == key)
                .where(table.c.expires_at > now)
            ).first()
        if row is None:
            return 0, None
        count, last = row[0], row[1]
        if last.tzinfo is None:
            last = last.replace(tzinfo=dt.UTC)
        return int(count), last

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(self.table).where(self.table.c.key == key))

    def purge(self, now: dt.datetime) -> int:
        with self.engine.begin() as connection:
            result = connection.execute(delete(self.table).where(self.table.c.expires_at <= now))
        return int(result.rowcount or 0)


class RedisStore:
    """Counters in Redis: ``SET NX EX`` then ``INCR`` in one transaction; Redis forgets them."""

    def __init__(self, url: str, prefix: str = "portal:rl:") -> None:
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix

    def hit(self, key: str, seconds: int, now: float) -> tuple[int, float]:
        window = math.floor(now / seconds)
        ends = (window + 1) * seconds
        name = f"{self.prefix}{key}:{window}"
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(name, 0, ex=max(1, math.ceil(ends - now)) + 1, nx=True)
        pipe.incr(name)
        _, count = pipe.execute()
        return int(count), ends

    def fail(self, key: str, now: dt.datetime) -> int:
        name = self.prefix + key
        pipe = self.redis.pipeline(transaction=True)
        pipe.hincrby(name, "count", 1)
        pipe.hset(name, "at", str(now.timestamp()))
        pipe.expire(name, int(BACKOFF_FORGET.total_seconds()))
        count, _, _ = pipe.execute()
        return int(count)

    def failures(self, key: str, now: dt.datetime) -> tuple[int, dt.datetime | None]:
        values = self.redis.hgetall(self.prefix + key)
        if not values:
            return 0, None
        at = dt.datetime.fromtimestamp(float(values[b"at"]), dt.UTC)
        return int(values[b"count"]), at

    def clear(self, key: str) -> None:
        self.redis.delete(self.prefix + key)

    def purge(self, now: dt.datetime) -> int:
        return 0  # Redis expires its keys itself


class Limiter:
    """The limits of one app: request limits by rule, and the staff sign-in back-off."""

    def __init__(self, store: Store, secret: str, limits: dict[str, Limit], free: int, cap: int):
        self.store = store
        self.secret = secret.encode()
        self.limits = limits
        self.free_attempts = free
        self.backoff_cap = cap

    def _key(self, kind: str, subject: str) -> str:
        digest = hmac.new(self.secret, f"{kind}\0{subject}".encode(), hashlib.sha256)
        return f"{kind}:{digest.hexdigest()[:40]}"

    def check(self, rule: str, subject: str, now: float | None = None) -> Verdict:
        """Count a request by ``subject`` (an address or a session) under ``rule``."""
        limit = self.limits[rule]
        now = time.time() if now is None else now
        count, ends = self.store.hit(self._key(rule, subject), limit.seconds, now)
        return Verdict(count <= limit.count, count, max(1, math.ceil(ends - now)))

    # --- failed staff sign-ins ---------------------------------------------------------------

    def backoff_delay(self, failures: int) -> int:
        """Seconds to wait after ``failures`` failed sign-ins: none for the first free ones,
        then 2, 4, 8 ... up to the cap."""
        if failures < self.free_attempts:
            return 0
        return int(
            min(self.backoff_cap, BACKOFF_BASE_SECONDS * 2 ** (failures - self.free_attempts))
        )

    def backoff_remaining(self, username: str, now: dt.datetime | None = None) -> int:
        """Seconds before this username may try again (0: now)."""
        now = now or utcnow()
        failures, last = self.store.failures(self._key("staff", _fold(username)), now)
        if last is None:
            return 0
        until = last + dt.timedelta(seconds=self.backoff_delay(failures))
        return max(0, math.ceil((until - now).total_seconds()))

    def sign_in_failed(self, username: str, now: dt.datetime | None = None) -> int:
        return self.store.fail(self._key("staff", _fold(username)), now or utcnow())

    def sign_in_succeeded(self, username: str) -> None:
        self.store.clear(self._key("staff", _fold(username)))


def _fold(username: str) -> str:
    return username.strip().casefold()


def make_limiter(settings: Settings, engine: Engine) -> Limiter:
    store: Store = (
        RedisStore(settings.rate_limit_url) if settings.rate_limit_url else DatabaseStore(engine)
    )
    limits = {
        "sign_in": Limit.parse(settings.rate_limit_sign_in),
        "upload": Limit.parse(settings.rate_limit_upload),
        "survey": Limit.parse(settings.rate_limit_survey),
    }
    return Limiter(
        store,
        settings.secret_key,
        limits,
        settings.staff_login_free_attempts,
        settings.staff_login_backoff_max_seconds,
    )


# --- which requests count ------------------------------------------------------------------------

SIGN_IN_PATHS = re.compile(r"^/login(/staff(/code|/two-factor)?|/test-eid|/bankid)?/?$")
SURVEY_PATHS = re.compile(r"^/survey/(t/[^/]+|answer|language)/?$")


def rule_for(scope: Scope) -> str | None:
    """The rule a request falls under: sign-in posts, multipart posts (uploads), survey links."""
    method = scope["method"]
    path = scope["path"]
    if SURVEY_PATHS.match(path):
        return "survey"
    if method != "POST":
        return None
    if SIGN_IN_PATHS.match(path):
        return "sign_in"
    for name, value in scope.get("headers") or []:
        if name == b"content-type" and value.startswith(b"multipart/form-data"):
            return "upload"
    return None


def subject_for(scope: Scope, rule: str) -> str:
    """Uploads count per verified session (an applicant on a shared network is not held back
    by others): the session portal/upload_guard.py found live, never the cookie's value as
    sent (a new made-up cookie per request would be a new counter each time). The rest, and
    an upload without a verified session, count per client address (as uvicorn's proxy
    headers give it)."""
    if rule == "upload":
        verified = (scope.get("state") or {}).get("upload_session")
        if verified:
            return "session:" + verified
    client = scope.get("client")
    return "address:" + (client[0] if client else "unknown")


class RateLimitMiddleware:
    """Answers ``429`` with ``Retry-After`` and a page in the user's language when a limit is
    reached. When the counter store fails the request goes through (and the failure is logged):
    the limits protect the service, they must not take it down."""

    def __init__(self, app: ASGIApp, limiter: Limiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rule = rule_for(scope) if scope["type"] == "http" else None
        if rule is None:
            await self.app(scope, receive, send)
            return
        subject = subject_for(scope, rule)
        try:
            verdict = await anyio.to_thread.run_sync(self.limiter.check, rule, subject)
        except Exception:  # noqa: BLE001 - the store is down: let the request through
            log.exception("rate limit store unavailable")
            await self.app(scope, receive, send)
            return
        if verdict.allowed:
            await self.app(scope, receive, send)
            return
        log.warning("rate limit %s reached (%s requests)", rule, verdict.count)
        from portal.app import error_response  # the error page lives with the app

        response = error_response(Request(scope), 429)
        response.headers["Retry-After"] = str(verdict.retry_after)
        await response(scope, receive, send)
