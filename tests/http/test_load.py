"""Issue 13, F1: no pile-up under load. A request holds a database connection only while it uses
it; beyond capacity the portal answers at once with 503, Retry-After and a page in the user's
language (problem+json under /api/), with the security headers; /healthz and /readyz answer
within a second whatever the load. Against a real uvicorn on a free port, on SQLite or
PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from portal.app import create_app
from portal.db import make_engine
from portal.settings import Settings

BUSY = {
    "sv": "Tjänsten är mycket hårt belastad just nu",
    "ar": "الخدمة مزدحمة جدًا في الوقت الحالي",
    "en": "The service is very busy right now",
}


@contextmanager
def serve(app: Any) -> Iterator[tuple[str, int]]:
    """``app`` served by uvicorn in a thread on a free port: (base URL, port)."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(autouse=True)
def _migrated(engine: Engine) -> None:
    """The session's database, migrated and with the demo data."""


@contextmanager
def portal(settings: Settings, **capacity: Any) -> Iterator[tuple[Any, Engine]]:
    """The portal with the capacity settings given and an engine sized by them."""
    tuned = settings.model_copy(update=capacity)
    engine = make_engine(settings.database_url, tuned.capacity)
    try:
        yield create_app(tuned, engine), engine
    finally:
        engine.dispose()


def unknown_token() -> str:
    """A session cookie of the right shape that matches no session: it costs a lookup."""
    return secrets.token_urlsafe(32)


@contextmanager
def held_slot(port: int) -> Iterator[None]:
    """One request in the works that does not finish: a form post whose body never comes."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(
        b"POST /language HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
    )
    time.sleep(0.3)  # admitted, now waiting for its body
    try:
        yield
    finally:
        sock.close()


def assert_busy_page(response: httpx.Response, language: str) -> None:
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert BUSY[language] in response.text
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in response.text


async def _burst(base: str, count: int, cookies: list[str]) -> list[tuple[int, str, str, float]]:
    limits = httpx.Limits(max_connections=count)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=15) as client:

        async def one(index: int) -> tuple[int, str, str, float]:
            started = time.perf_counter()
            response = await client.get(
                "/",
                headers={"Cookie": f"portal_session={cookies[index % len(cookies)]}"},
            )
            elapsed = time.perf_counter() - started
            return (
                response.status_code,
                response.headers.get("retry-after", ""),
                response.text,
                elapsed,
            )

        return await asyncio.gather(*(one(i) for i in range(count)))


def test_many_anonymous_requests_never_pile_up(settings: Settings) -> None:
    """The probe of issue 13 at small scale: a pool of two connections, two requests at once,
    and 80 concurrent GET / with junk and well-formed unknown session cookies. Before the fix
    the session held its connection while the request waited for a thread, and threads waited
    for connections: 500s after the pool time-out. Now each is 200, or 503 with Retry-After and
    the page in Swedish, quickly."""
    with (
        portal(
            settings,
            max_in_flight=2,
            db_pool_extra=0,
            queue_wait_seconds=0.5,
            db_pool_timeout_seconds=2.0,
        ) as (app, engine),
        serve(app) as (base, _port),
    ):
        assert engine.pool.size() == 2  # type: ignore[attr-defined]
        cookies = ["junk", unknown_token(), unknown_token()]
        answers = asyncio.run(_burst(base, 80, cookies))
    statuses = [status for status, *_ in answers]
    assert set(statuses) <= {200, 503}, statuses
    assert statuses.count(200) >= 2
    for status, retry_after, text, elapsed in answers:
        assert elapsed < 10, f"{status} after {elapsed:.1f} s"
        if status == 503:
            assert retry_after and int(retry_after) > 0
            assert BUSY["sv"] in text


def test_a_request_holds_its_connection_only_while_it_uses_it(settings: Settings) -> None:
    """One connection for 40 requests at once (40 threads): since the signed-in user is loaded
    in a thread of its own and the connection goes back before the route waits for the next
    thread, they share it in turn and all get their page. Before the fix the first request kept
    the connection while waiting for a thread that the others held while waiting for the
    connection: time-outs."""
    tuned = settings.model_copy(
        update={"max_in_flight": 40, "queue_wait_seconds": 10, "db_pool_timeout_seconds": 3}
    )
    one = make_engine(
        settings.database_url, dataclasses.replace(tuned.capacity, pool_size=1, pool_overflow=0)
    )
    try:
        with serve(create_app(tuned, one)) as (base, _port):
            answers = asyncio.run(_burst(base, 80, [unknown_token() for _ in range(8)]))
    finally:
        one.dispose()
    assert [status for status, *_ in answers] == [200] * 80


def test_no_connection_in_time_is_a_quick_503_not_a_500(settings: Settings) -> None:
    """Every connection taken elsewhere: a request that needs one gets 503 with Retry-After
    after the short pool time-out, and /readyz (a connection of its own) still answers at once."""
    with (
        portal(settings, max_in_flight=1, db_pool_extra=0, db_pool_timeout_seconds=0.5) as (
            app,
            engine,
        ),
        TestClient(app, base_url="http://127.0.0.1") as client,
        engine.connect() as taken,
    ):
        assert taken is not None  # the only connection of the pool
        started = time.perf_counter()
        ready = client.get("/readyz")
        assert time.perf_counter() - started < 1.0
        assert ready.status_code == 200, ready.text
        started = time.perf_counter()
        page = client.get("/", headers={"Cookie": f"portal_session={unknown_token()}"})
        waited = time.perf_counter() - started
        assert waited < 3.0
        assert_busy_page(page, "sv")
        assert client.get("/healthz").status_code == 200


def test_health_checks_answer_within_a_second_at_capacity(settings: Settings) -> None:
    """The only slot taken and no queue: pages get the busy answer, the probes still answer."""
    with (
        portal(settings, max_in_flight=1, queue_wait_seconds=0) as (app, _engine),
        serve(app) as (base, port),
        held_slot(port),
        httpx.Client(base_url=base, timeout=5) as client,
    ):
        for path in ("/healthz", "/readyz"):
            started = time.perf_counter()
            response = client.get(path)
            assert response.status_code == 200, (path, response.text)
            assert time.perf_counter() - started < 1.0
        assert client.get("/").status_code == 503


@pytest.mark.parametrize("language", ["sv", "ar", "en"])
def test_the_busy_page_is_in_the_users_language(settings: Settings, language: str) -> None:
    with (
        portal(settings, max_in_flight=1, queue_wait_seconds=0) as (app, _engine),
        serve(app) as (base, port),
        held_slot(port),
        httpx.Client(base_url=base, timeout=5) as client,
    ):
        by_header = client.get("/", headers={"Accept-Language": f"{language},en;q=0.5"})
        assert_busy_page(by_header, language)
        by_cookie = client.get("/applicant", headers={"Cookie": f"portal_lang={language}"})
        assert_busy_page(by_cookie, language)
        assert by_cookie.headers["content-language"] == language


def test_the_api_gets_problem_json(settings: Settings) -> None:
    with (
        portal(settings, max_in_flight=1, queue_wait_seconds=0) as (app, _engine),
        serve(app) as (base, port),
        held_slot(port),
        httpx.Client(base_url=base, timeout=5) as client,
    ):
        response = client.get(
            "/api/v1/applications", headers={"Authorization": "Bearer x", "Accept-Language": "fi"}
        )
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    assert "default-src 'self'" in response.headers["content-security-policy"]
    problem = json.loads(response.text)
    assert problem["status"] == 503
    assert problem["title"] == "Palvelu on juuri nyt hyvin ruuhkainen"
    assert problem["detail"]


def test_a_waiting_request_is_served_when_a_slot_comes_free(settings: Settings) -> None:
    """Within the queue wait a request waits its turn instead of being turned away."""
    with (
        portal(settings, max_in_flight=1, queue_wait_seconds=5) as (app, _engine),
        serve(app) as (base, port),
        httpx.Client(base_url=base, timeout=10) as client,
    ):
        with held_slot(port):
            pending: dict[str, int] = {}

            def fetch() -> None:
                pending["status"] = client.get("/").status_code

            thread = threading.Thread(target=fetch)
            thread.start()
            time.sleep(0.5)
            assert "status" not in pending  # waiting in the queue
        thread.join(timeout=8)  # the held request ends with its socket: the slot goes over
        assert pending.get("status") == 200


def test_capacity_is_consistent() -> None:
    """Threads and connections are derived from the one figure, so that an admitted request
    never waits for either; uvicorn's own limit stays above ours."""
    for in_flight in (1, 8, 50):
        capacity = Settings(max_in_flight=in_flight, secret_key="x" * 32).capacity
        assert capacity.threads >= capacity.max_in_flight
        assert capacity.pool_size + capacity.pool_overflow >= capacity.max_in_flight
        assert capacity.limit_concurrency > capacity.max_in_flight + capacity.max_queued
        assert f"{capacity.max_in_flight} requests at once" in capacity.describe()
