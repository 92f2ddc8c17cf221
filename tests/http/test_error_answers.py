"""Every error answer, whoever gives it (F9, F10, F13 of issue 13):

- F9: no error page reads the database: the request's session is closed when it is drawn, and
  a signed-in user's rows may have been expired by a commit (a damaged image opened by staff,
  after the view was logged, gave a 500 instead of a 404).
- F10: every status carries the same security headers (500 pages had none).
- F13: every ``/api/`` error is problem details (RFC 9457, ``application/problem+json``), and a
  405 says which methods the path takes (``Allow``), on every route.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import DataError, OperationalError
from sqlmodel import Session
from starlette.exceptions import HTTPException

from portal.app import api_routes, create_app
from portal.auth import Forbidden, NotAuthenticated, Staff
from portal.db import SessionDep, make_engine
from portal.security import CsrfError, security_headers
from portal.settings import Settings
from tests.conftest import csrf_of
from tests.officer_support import add_document, case_of, sign_in

HEADERS = {name.lower() for name in security_headers(secure=False)}


def _same_security_headers(response: Any) -> None:
    present = {name.lower() for name in response.headers}
    missing = HEADERS - present
    assert not missing, (response.status_code, missing)
    expected = security_headers(secure=False)
    for name, value in expected.items():
        if name == "Content-Security-Policy" and response.headers.get(name) != value:
            # Only files may narrow it further (sandbox); an error page never does.
            raise AssertionError((response.status_code, response.headers.get(name)))
        if name == "Referrer-Policy" and response.headers[name] == "no-referrer":
            continue  # stricter still: the survey's addresses (their one-time token)
        assert response.headers[name] == value, (response.status_code, name)
    assert response.headers.get("cache-control") == "no-store", response.status_code


# --- F9: error pages never read the database -----------------------------------------------------


def test_a_damaged_image_opened_by_staff_is_a_404_not_a_500(
    app: FastAPI, db: Session, settings: Settings, new_household
) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household())
    damaged = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"broken" * 40
    attachment = add_document(
        db, settings.uploads, case, damaged, filename="skadad.png", content_type="image/png"
    )
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        sign_in(client, "handlaggare")
        response = client.get(f"{case.url}/attachments/{attachment.id}")
    assert response.status_code == 404, response.text[:300]
    assert "Traceback" not in response.text
    _same_security_headers(response)


def _explode_with(exc: Exception) -> Callable[..., None]:
    def route(db: SessionDep, user: Staff) -> None:
        db.commit()  # expires every row the session holds, the signed-in user's too
        raise exc

    return route


HANDLED: list[tuple[str, Exception, int]] = [
    ("not-found", HTTPException(404), 404),
    ("gone", HTTPException(410), 410),
    ("forbidden", Forbidden(), 403),
    ("csrf", CsrfError(), 403),
    ("not-authenticated", NotAuthenticated(), 303),
    ("database", OperationalError("SELECT 1", {}, Exception("lost")), 503),
    ("data", DataError("SELECT 1", {}, Exception("out of range")), 400),
    ("overflow", OverflowError("int too big"), 400),
    ("unhandled", RuntimeError("secret internals"), 500),
]


@pytest.fixture(scope="module")
def exploding_app(settings: Settings, engine) -> FastAPI:  # type: ignore[no-untyped-def]
    app = create_app(settings, engine)
    for name, exc, _status in HANDLED:
        app.add_api_route(f"/explode/{name}", _explode_with(exc))
        app.add_api_route(f"/api/v1/explode/{name}", _explode_with(exc))
    return app


@pytest.mark.parametrize(("name", "status"), [(n, s) for n, _e, s in HANDLED])
def test_every_error_handler_answers_after_the_session_has_closed(
    exploding_app: FastAPI, name: str, status: int
) -> None:
    """Every exception handler, for a signed-in staff member whose rows a commit expired."""
    with TestClient(
        exploding_app, base_url="http://127.0.0.1", raise_server_exceptions=False
    ) as client:
        sign_in(client, "handlaggare")
        response = client.get(f"/explode/{name}", follow_redirects=False)
        assert response.status_code == status, (name, response.text[:300])
        assert "secret internals" not in response.text and "Traceback" not in response.text
        _same_security_headers(response)
        if status not in (303, 503, 400):
            # The page header still knows who is signed in (a snapshot, not a read).
            assert "user-nav__name" in response.text, name
        api = client.get(f"/api/v1/explode/{name}", follow_redirects=False)
        expected = 401 if status == 303 else status
        assert api.status_code == expected, (name, api.status_code)
        assert api.headers["content-type"] == "application/problem+json", name
        body = api.json()
        assert body["status"] == expected and body["title"] and body["type"] == "about:blank"
        assert "secret internals" not in api.text
        _same_security_headers(api)


# --- F10: the same security headers on every status --------------------------------------------


def test_every_status_carries_the_security_headers(
    exploding_app: FastAPI, settings: Settings, new_household
) -> None:  # type: ignore[no-untyped-def]
    seen: dict[int, Any] = {}
    with TestClient(
        exploding_app, base_url="http://127.0.0.1", raise_server_exceptions=False
    ) as client:
        seen[404] = client.get("/no-such-page")
        seen[405] = client.put("/")
        seen[400] = client.post(
            "/login/staff",
            data={"username": "x" * 500, "password": "y"},
            headers={"X-CSRF-Token": csrf_of(client)},
        )
        seen[403] = client.post("/login/staff", data={"username": "a", "password": "b"})
        limit = (settings.upload_max_file_mb * 5 + 1) * 1024 * 1024
        seen[413] = client.post(
            "/login/staff", content=b"x", headers={"Content-Length": str(limit + 1)}
        )
        household = new_household("en")
        from tests.conftest import login_pnr

        login_pnr(client, household.members[0].personnummer)
        token = csrf_of(client, "/applicant")
        client.post("/applicant/apply", data={"csrf_token": token})
        from tests.http.test_flow_input_properties import MONTH

        seen[422] = client.post(
            f"/applicant/apply/{MONTH}/step/anything_changed", data={"csrf_token": token}
        )
        client.cookies.clear()
        sign_in(client, "handlaggare")
        seen[500] = client.get("/explode/unhandled")
    broken = make_engine("postgresql://nobody@127.0.0.1:1/none?connect_timeout=1")
    with TestClient(
        create_app(settings, broken), base_url="http://127.0.0.1", raise_server_exceptions=False
    ) as client:
        client.cookies.set("portal_session", "x" * 43)
        seen[503] = client.get("/")
    for status, response in seen.items():
        assert response.status_code == status, (status, response.status_code)
        _same_security_headers(response)


# --- F13: problem details on the API, Allow with every 405 ------------------------------------


def _concrete(path: str) -> str:
    return path.replace("{application_id}", "999999").replace("{attachment_id}", "999999")


def test_every_api_error_is_problem_details(app: FastAPI, db: Session) -> None:
    from portal.repository_handoff import create_token

    _row, secret = create_token(db, "problem test", "tests")
    routes = [r for r in api_routes(app) if r.path.startswith("/api/")]
    assert routes
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        answers: list[tuple[str, int, Any]] = []
        for route in routes:
            path = _concrete(route.path)
            method = sorted(route.methods)[0]
            csrf = {"X-CSRF-Token": csrf_of(client)} if method != "GET" else {}
            answers.append((path, 401, client.request(method, path, headers=csrf)))
            bearer = {"Authorization": f"Bearer {secret}"}
            # A route that takes a body (an upsert, a close with its reason) finds nothing sent
            # a bad body first, before it looks for the record.
            body = route.body_field
            missing = 422 if body is not None and body.field_info.is_required() else 404
            answers.append((path, missing, client.request(method, path, headers=bearer)))
            wrong = "DELETE" if "DELETE" not in route.methods else "PATCH"
            answers.append((path, 405, client.request(wrong, path, headers=bearer)))
            answers.append(
                (path, 422, client.request(method, path.replace("999999", "x"), headers=bearer))
            )
            if "POST" in route.methods:
                too_big = {**bearer, "Content-Length": str(10**10)}
                answers.append((path, 413, client.post(path, content=b"{}", headers=too_big)))
                # A browser's session cookie without a CSRF token.
                client.cookies.set("portal_session", "x" * 43)
                answers.append((path, 403, client.post(path, json={})))
                client.cookies.clear()
        answers.append(("/api/v1/nothing-here", 404, client.get("/api/v1/nothing-here")))
        for path, status, response in answers:
            if path.endswith("/applications") and status in (404, 422):
                continue  # the list has no id to miss
            assert response.status_code == status, (path, status, response.status_code)
            assert response.headers["content-type"] == "application/problem+json", (path, status)
            body = response.json()
            assert body["status"] == status and body["title"] and body["detail"], body
            assert body["error"], body
            _same_security_headers(response)
            if status == 405:
                allowed = {m.strip() for m in response.headers["allow"].split(",")}
                assert allowed, path


def test_a_405_says_which_methods_the_path_takes_on_every_route(app: FastAPI) -> None:
    every = ("GET", "POST", "PUT", "PATCH", "DELETE")
    by_path: dict[str, set[str]] = {}
    for route in api_routes(app):
        by_path.setdefault(route.path, set()).update(route.methods)
    assert len(by_path) > 40
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        for template, methods in by_path.items():
            path = _concrete(template).replace("{", "").replace("}", "")
            unused = next(m for m in every if m not in methods)
            headers = {"X-CSRF-Token": csrf_of(client)}
            response = client.request(unused, path, headers=headers, follow_redirects=False)
            if response.status_code == 404:
                continue  # a placeholder that does not match the path's pattern
            assert response.status_code == 405, (template, unused, response.status_code)
            allowed = {m.strip() for m in response.headers["allow"].split(",")}
            assert methods <= allowed, (template, allowed, methods)
            _same_security_headers(response)


def test_a_rate_limited_api_call_is_problem_details(settings: Settings, engine) -> None:  # type: ignore[no-untyped-def]
    from tests.security_support import app_with, client_for

    app = app_with(settings, engine, rate_limits=True, rate_limit_upload="1/600")
    files = {"file": ("a.txt", b"x", "text/plain")}
    with client_for(app) as client:
        sign_in(client, "handlaggare")
        headers = {"X-CSRF-Token": csrf_of(client)}
        path = "/api/v1/applications/1/received"
        client.post(path, files=files, headers=headers)
        limited = client.post(path, files=files, headers=headers)
    assert limited.status_code == 429, limited.status_code
    assert limited.headers["content-type"] == "application/problem+json"
    assert limited.json()["status"] == 429 and limited.headers["retry-after"]
    _same_security_headers(limited)
