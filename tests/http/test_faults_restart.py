"""The server is killed while an application is being sent, and started again: the applicant
sends again and there is exactly one application, sent once, with one signature and its
documents. Drives a real ``portal serve`` process over HTTP and kills it with SIGKILL."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from intake.flow import month_to_apply_for
from intake.models import Application, Attachment, MemberRole, Signature, Unit
from portal import demo
from portal.auth import household_of
from portal.db import make_engine, migrate
from portal.repository import person_by_personnummer
from portal.settings import ROOT
from tests.security_support import PDF

MONTH = month_to_apply_for(dt.date.today())
SECRET = "s" * 48


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def portal_env(empty_database_url: str, tmp_path: Path) -> Iterator[tuple[dict[str, str], Engine]]:
    engine = make_engine(empty_database_url)
    migrate(engine)
    with Session(engine) as db:
        demo.seed(db, "Testkommun")
    env = {
        **os.environ,
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
        "PORTAL_DATABASE_URL": empty_database_url,
        "PORTAL_SECRET_KEY": SECRET,  # sessions and forms survive the restart
        "PYTHONPATH": str(ROOT),
    }
    yield env, engine
    engine.dispose()


def _household(engine: Engine, serial: int) -> str:
    person = demo.DemoPerson(
        "Omstart", "Testsson", "19750505", f"{serial:03d}", MemberRole.applicant
    )
    household = demo.DemoHousehold(
        "restart", "en", 0, (person,), rent_ore=785000, incomes=(("Omstart", "salary", 900000),)
    )
    with Session(engine) as db:
        unit = db.exec(select(Unit)).first()
        assert unit is not None
        today = dt.date.today()
        demo.add_household(db, household, unit.id or 0, f"{today.year:04d}-{today.month:02d}")
        db.commit()
    return person.personnummer


@contextmanager
def serving(env: dict[str, str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "portal.cli", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).text == "ok":
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "did not start"
            time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:300]
    return found.group(1)


def _to_review(client: httpx.Client, pnr: str) -> str:
    client.post(
        "/login/test-eid",
        data={"pnr": pnr, "csrf_token": _token(client.get("/login/test-eid").text)},
    )
    page = client.get("/applicant/apply")
    response = client.post("/applicant/apply", data={"csrf_token": _token(page.text)})
    url = response.headers["location"]
    response = client.post(url, data={"value": "no", "csrf_token": _token(client.get(url).text)})
    url = response.headers["location"]
    files = [("documents__rent_notice__", ("hyresavi.pdf", PDF, "application/pdf"))]
    token = _token(client.get(url).text)
    stored = client.post(url, data={"upload_only": "1", "csrf_token": token}, files=files)
    assert stored.status_code == 303, stored.text
    while "/review" not in url:
        response = client.post(
            url, data={"confirm": "yes", "csrf_token": _token(client.get(url).text)}
        )
        assert response.status_code == 303, response.text
        url = response.headers["location"]
    return url


def _sign(client: httpx.Client, review: str) -> httpx.Response:
    token = _token(client.get("/applicant").text)  # one token per browser, on every form
    return client.post(
        review.replace("/review", "/sign"), data={"declaration": "yes", "csrf_token": token}
    )


def _outcome(engine: Engine, pnr: str) -> tuple[list[str], int, int, str | None]:
    with Session(engine) as db:
        person = person_by_personnummer(db, pnr)
        assert person is not None
        household = household_of(db, person)
        assert household is not None
        applications = db.exec(
            select(Application)
            .where(Application.household_id == household.id)
            .where(Application.month == MONTH)
        ).all()
        ids = [a.id for a in applications]
        signatures = db.exec(select(Signature).where(Signature.application_id.in_(ids))).all()  # type: ignore[union-attr]
        attachments = db.exec(select(Attachment).where(Attachment.application_id.in_(ids))).all()  # type: ignore[union-attr]
        return (
            [a.status for a in applications],
            len(signatures),
            len(attachments),
            applications[0].reference if applications else None,
        )


@contextmanager
def database_held(engine: Engine, url: str) -> Iterator[None]:
    """Hold the application rows, so that a submit waits inside its transaction."""
    if engine.dialect.name == "sqlite":
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.rollback()
            connection.close()
        return
    with engine.connect() as held:
        held.execute(text("SELECT id FROM application FOR UPDATE"))
        try:
            yield
        finally:
            held.rollback()


def _sign_in_thread(client: httpx.Client, review: str) -> threading.Thread:
    token = _token(client.get(review).text)

    def post() -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server dies under us: the point
            client.post(
                review.replace("/review", "/sign"),
                data={"declaration": "yes", "csrf_token": token},
                timeout=30,
            )

    thread = threading.Thread(target=post)
    thread.start()
    return thread


def test_killed_while_sending_then_sent_again_gives_one_application(
    portal_env: tuple[dict[str, str], Engine],
) -> None:
    env, engine = portal_env
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    results = {}
    held_pnr = _household(engine, 901)
    timed = [_household(engine, 902 + i) for i in range(3)]
    with serving(env, port) as server:
        held = httpx.Client(base_url=base, timeout=30)
        review_held = _to_review(held, held_pnr)
        clients = [httpx.Client(base_url=base, timeout=30) for _ in timed]
        reviews = [_to_review(c, pnr) for c, pnr in zip(clients, timed, strict=True)]
        # 1. Killed while the submit waits for the database, inside its transaction.
        with database_held(engine, env["PORTAL_DATABASE_URL"]):
            thread = _sign_in_thread(held, review_held)
            time.sleep(1.0)
            assert thread.is_alive()  # the request is in the server, not answered
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)
        thread.join(10)
    results["held"] = _outcome(engine, held_pnr)
    assert results["held"][0] == ["draft"]  # nothing of the half-done submit was kept

    # 2. Killed a moment after the request went in, at different moments.
    for delay, (client, review) in zip(
        (0.0, 0.02, 0.08), zip(clients, reviews, strict=True), strict=True
    ):
        with serving(env, port) as server:
            thread = _sign_in_thread(client, review)
            time.sleep(delay)
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)
            thread.join(10)

    # Started again: everyone presses "send" again (or finds it sent), once.
    with serving(env, port):
        for client, review, pnr in [
            (held, review_held, held_pnr),
            *zip(clients, reviews, timed, strict=True),
        ]:
            response = _sign(client, review)
            assert response.status_code == 303
            assert response.headers["location"].startswith("/applicant/applications/")
            statuses, signatures, attachments, reference = _outcome(engine, pnr)
            assert len(statuses) == 1, statuses  # exactly one application
            assert statuses[0] in ("submitted", "complete"), statuses
            assert signatures == 1 and attachments == 1
            assert reference and reference.startswith(f"EB-{MONTH.replace('-', '')}-")
            receipt = client.get(response.headers["location"])
            assert reference in receipt.text
            # Pressing again changes nothing.
            assert _sign(client, review).status_code == 303
            assert _outcome(engine, pnr) == (statuses, 1, 1, reference)
