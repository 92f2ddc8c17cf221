"""F6 of issue 13: an upload without a live session of the right kind is refused from its
headers, before its body is read (a real server, a 95 MiB body streamed at it); and the upload
rate limit counts per verified session, so a made-up cookie per request does not get around it.
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from portal.ratelimit import subject_for
from portal.settings import Settings
from tests.conftest import csrf_of, login_pnr, login_staff
from tests.security_support import PDF, app_with, client_for, start_application

BIG = 95 * 1024 * 1024
BOUNDARY = "portalboundary"


@contextmanager
def serve(app: FastAPI) -> Iterator[int]:
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def stream_big_upload(port: int, path: str, cookie: str = "") -> tuple[str, float, int]:
    """Announce a 95 MiB multipart body and send it slowly; the status line, the seconds until
    it came and how many body bytes had been sent by then."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {BIG}\r\n" + (f"Cookie: {cookie}\r\n" if cookie else "") + "\r\n"
    ).encode()
    part = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="documents__rent_notice__"; '
        f'filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode() + PDF
    chunk = b"\0" * (256 * 1024)
    started = time.monotonic()
    sent = 0
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(head + part)
        connection.settimeout(0.05)
        answer = b""
        while time.monotonic() - started < 5 and sent < BIG:
            try:
                answer += connection.recv(4096)
            except TimeoutError:
                pass
            except OSError:
                break  # the server closed the connection after answering
            if b"\r\n" in answer:
                break
            try:
                connection.sendall(chunk)
                sent += len(chunk)
            except OSError:
                break
            time.sleep(0.01)  # about 25 MiB/s at most: the whole body would take seconds
        connection.settimeout(2)
        while b"\r\n" not in answer:
            try:
                more = connection.recv(4096)
            except OSError:
                break
            if not more:
                break
            answer += more
    return answer.split(b"\r\n", 1)[0].decode(), time.monotonic() - started, sent


@pytest.fixture(scope="module")
def live(app: FastAPI) -> Iterator[int]:
    with serve(app) as port:
        yield port


def _cookie(client: TestClient) -> str:
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def test_an_anonymous_95_mib_upload_is_refused_before_its_body_is_read(live: int) -> None:
    for cookie in ("", f"portal_session={secrets.token_urlsafe(32)}"):
        status, seconds, sent = stream_big_upload(
            live, "/applicant/apply/2027-01/step/rent", cookie
        )
        assert status.startswith("HTTP/1.1 303"), (cookie, status)
        assert seconds < 2, seconds
        assert sent < 16 * 1024 * 1024, sent  # refused from the headers, not after the body


def test_an_upload_by_the_wrong_kind_of_user_is_refused_before_its_body(
    app: FastAPI, live: int
) -> None:
    with TestClient(app, base_url="http://127.0.0.1") as staff:
        login_staff(staff, "handlaggare")
        status, seconds, sent = stream_big_upload(
            live, "/applicant/apply/2027-01/step/rent", _cookie(staff)
        )
    assert status.startswith("HTTP/1.1 403"), status
    assert seconds < 2 and sent < 16 * 1024 * 1024


def test_htmx_and_api_uploads_are_refused_in_their_own_way(client: TestClient) -> None:
    files = {"documents__rent_notice__": ("a.pdf", PDF, "application/pdf")}
    htmx = client.post(
        "/applicant/apply/2027-01/step/rent",
        files=files,
        headers={"HX-Request": "true"},
        follow_redirects=False,
    )
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"].startswith("/login")
    api = client.post("/api/v1/applications/1/received", files=files)
    assert api.status_code == 401
    assert api.headers["content-type"] == "application/problem+json"


def test_a_signed_in_applicant_still_uploads(client: TestClient, new_household) -> None:  # type: ignore[no-untyped-def]
    login_pnr(client, new_household("en").members[0].personnummer)
    url = start_application(client)
    response = client.post(
        url,
        data={"upload_only": "1", "csrf_token": csrf_of(client, url)},
        files=[("documents__rent_notice__", ("hyra.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:300]


def test_made_up_cookies_do_not_get_around_the_upload_limit(
    settings: Settings, engine: Engine, new_household
) -> None:  # type: ignore[no-untyped-def]
    app = app_with(settings, engine, rate_limits=True, rate_limit_upload="3/600")
    files = [("documents__rent_notice__", ("hyra.pdf", PDF, "application/pdf"))]
    with client_for(app) as client:
        login_pnr(client, new_household("en").members[0].personnummer)
        url = start_application(client)
        token = csrf_of(client, url)
        real = client.cookies.get("portal_session")
        statuses = []
        for _ in range(6):
            # A new random session cookie each time: never a fresh counter, never an upload.
            client.cookies.delete("portal_session")
            client.cookies.set("portal_session", secrets.token_urlsafe(32))
            made_up = client.post(
                url, data={"csrf_token": token}, files=files, follow_redirects=False
            )
            statuses.append(made_up.status_code)
        assert set(statuses) == {303}, statuses
        assert made_up.headers["location"].startswith("/login")
        client.cookies.delete("portal_session")
        client.cookies.set("portal_session", real or "")
        counted = [
            client.post(
                url,
                data={"upload_only": "1", "csrf_token": token},
                files=files,
                follow_redirects=False,
            ).status_code
            for _ in range(4)
        ]
    assert counted[:3] == [303, 303, 303] and counted[3] == 429, counted


def test_the_rate_limit_never_keys_on_an_unverified_cookie() -> None:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/applicant/x",
        "client": ("10.9.8.7", 1),
        "headers": [
            (b"content-type", b"multipart/form-data; boundary=x"),
            (b"cookie", b"portal_session=made-up"),
        ],
    }
    assert subject_for(scope, "upload") == "address:10.9.8.7"
    assert subject_for({**scope, "state": {"upload_session": "abc"}}, "upload") == "session:abc"
