"""Fuzzing every operation in /openapi.json with schemathesis: whatever is sent, as whoever,
the portal never answers 5xx. On a database of its own (the fuzzer's posts change things),
as four callers: anonymous without a CSRF token, anonymous with one, an applicant, and a
staff member holding every role with a hand-off API token. Examples are bounded so that the
run stays short; raise FUZZ_EXAMPLES to search longer."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.python import asgi
from sqlmodel import Session

from intake.models import Role, StaffRole, StaffUser
from portal import demo
from portal.app import create_app
from portal.auth import hash_password
from portal.bankid import configure
from portal.db import make_engine, migrate
from portal.repository_handoff import create_token
from tests.conftest import applicant_pnr, csrf_of, login_pnr, post_form
from tests.fake_bankid import FakeBankId
from tests.security_support import own_settings

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
PASSWORD = "fuzz-" + "x" * 20


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    from tests.conftest import _database

    tmp = tmp_path_factory.mktemp("fuzz")
    for url in _database(tmp, "fuzz"):
        settings = own_settings(tmp, url)
        engine = make_engine(url)
        migrate(engine)
        with Session(engine) as db:
            demo.seed(db, "Fuzzkommun")
            user = StaffUser(
                username="everything",
                display_name="All roles",
                password_hash=hash_password(PASSWORD),
            )
            db.add(user)
            db.flush()
            for role in Role:
                db.add(StaffRole(user_id=user.id or 0, role=role))
            db.commit()
            _row, token = create_token(db, "fuzzer", "test")
        app = create_app(settings, engine)
        app.state.api_token = token
        with FakeBankId(tmp / "bankid") as bankid:  # BankID set up as in production
            configure(app, bankid.settings())
            yield app
            configure(app, None)
        engine.dispose()


def _identity(app: FastAPI, who: str) -> tuple[dict[str, str], dict[str, str]]:
    """Cookies and headers of a caller, signed in through the real pages."""
    if who == "anonymous":
        return {}, {}
    with TestClient(app, base_url="http://127.0.0.1") as client:
        if who == "applicant":
            login_pnr(client, applicant_pnr("single adult"))
        elif who == "staff":
            response = post_form(
                client, "/login/staff", {"username": "everything", "password": PASSWORD}
            )
            assert response.status_code == 303, response.text
        token = csrf_of(client, "/")
        cookies = {name: value for name, value in client.cookies.items()}
    headers = {"X-CSRF-Token": token}
    if who == "staff":
        headers["Authorization"] = f"Bearer {app.state.api_token}"
    return cookies, headers


@pytest.mark.parametrize("who", ["anonymous", "anonymous_with_csrf", "applicant", "staff"])
def test_no_operation_answers_5xx(fuzz_app: FastAPI, who: str) -> None:
    cookies, headers = _identity(fuzz_app, "anonymous" if who == "anonymous_with_csrf" else who)
    if who == "anonymous_with_csrf":
        cookies, headers = _anonymous_csrf(fuzz_app)
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    failures: list[str] = []
    calls = 0
    with asgi.get_client(_from_an_address(fuzz_app)) as session:
        session.cookies.update(cookies)
        for result in schema.get_all_operations():
            operation = result.ok()

            @given(case=operation.as_strategy())
            @hypothesis_settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                nonlocal calls
                calls += 1
                response = case.call(session=session, headers=headers)
                if response.status_code >= 500:
                    failures.append(
                        f"{case.method} {case.formatted_path} -> {response.status_code}: "
                        f"{case.as_curl_command()[:300]}"
                    )

            run()
    assert calls >= 70 * 2
    assert failures == [], "\n".join(failures)


def _from_an_address(app: FastAPI) -> Any:
    """The app as reached over the network: requests come from an IP address (BankID wants
    the user's), not from the test client's made-up host name."""

    async def asgi_app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope = {**scope, "client": ("192.0.2.10", 50000)}
        await app(scope, receive, send)

    return asgi_app


def _anonymous_csrf(app: FastAPI) -> tuple[dict[str, str], dict[str, str]]:
    with TestClient(app, base_url="http://127.0.0.1") as client:
        token = csrf_of(client, "/")
        cookies = {name: value for name, value in client.cookies.items()}
    return cookies, {"X-CSRF-Token": token}


def test_the_schema_lists_every_route(fuzz_app: FastAPI, tmp_path: Path) -> None:
    from portal.app import api_routes

    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    listed = {(r.ok().method.upper(), r.ok().path) for r in schema.get_all_operations()}
    routes = {
        (method, route.path)
        for route in api_routes(fuzz_app)
        if route.include_in_schema
        for method in route.methods
    }
    assert routes <= listed
