"""API tokens: made, listed and revoked with ``portal api-token``, stored only as hashes; a good
token opens the API, a wrong or revoked one gets a 401 in JSON, never a redirect to a sign-in
page; signed-in staff without a token get no access either."""

from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from intake.models import ApiToken, AuditEvent
from portal.app import api_routes
from portal.cli import main
from portal.repository_handoff import create_token, revoke
from tests.conftest import csrf_of
from tests.officer_support import sign_in

API = "/api/v1/applications"


@pytest.fixture
def fresh(command_database: Engine) -> Engine:
    return command_database


def test_tokens_are_made_listed_and_revoked_from_the_command_line(fresh: Engine) -> None:
    runner = CliRunner()
    made = runner.invoke(main, ["api-token", "create", "Lifecare prod", "--by", "alva"])
    assert made.exit_code == 0, made.output
    secret = made.output.strip().splitlines()[-1]
    assert secret.startswith("ebp_") and len(secret) > 40
    assert "it is not shown again" in made.output
    with Session(fresh) as db:
        [row] = db.exec(select(ApiToken)).all()
        assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in (row.token_hash, row.prefix, row.name)
        assert secret.startswith(row.prefix) and row.created_by == "alva"
    listed = runner.invoke(main, ["api-token", "list"])
    assert listed.exit_code == 0
    assert "Lifecare prod" in listed.output and "active" in listed.output
    assert secret not in listed.output
    revoked = runner.invoke(main, ["api-token", "revoke", row.prefix])
    assert revoked.exit_code == 0 and "is revoked" in revoked.output
    assert "revoked" in runner.invoke(main, ["api-token", "list"]).output
    unknown = runner.invoke(main, ["api-token", "revoke", "999"])
    assert unknown.exit_code != 0 and "No API token" in unknown.output
    assert runner.invoke(main, ["api-token", "create", ""]).exit_code != 0


@pytest.fixture
def token(db: Session) -> tuple[ApiToken, str]:
    return create_token(db, "auth test", "tests")


def test_a_good_token_opens_the_api(
    client: TestClient, db: Session, token: tuple[ApiToken, str]
) -> None:
    row, secret = token
    response = client.get(API, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and "items" in response.json()
    db.refresh(row)
    assert row.last_used_at is not None
    event = db.exec(
        select(AuditEvent)
        .where(AuditEvent.actor_kind == "api")
        .where(AuditEvent.actor_id == row.id)
        .where(AuditEvent.action == "api_list_applications")
    ).first()
    assert event is not None and event.detail and event.detail["token"] == "auth test"


@pytest.mark.parametrize(
    ("headers", "error"),
    [
        ({}, "unauthorized"),
        ({"Authorization": "Bearer ebp_not-a-real-token"}, "invalid_token"),
        ({"Authorization": "Bearer "}, "unauthorized"),
        ({"Authorization": "Basic YWRtaW46ZGVtbw=="}, "unauthorized"),
        ({"Authorization": "Bearer something-else"}, "invalid_token"),
    ],
)
def test_without_a_valid_token_the_answer_is_401_json(
    app: FastAPI, client: TestClient, headers: dict[str, str], error: str
) -> None:
    routes = [
        (
            r.path.replace("{application_id}", "1")
            .replace("{attachment_id}", "1")
            .replace("{external_id}", "x-1"),
            sorted(r.methods)[0],
        )
        for r in api_routes(app)
        if r.path.startswith("/api/")
    ]
    assert len(routes) >= 6  # the hand-off and the household register
    for path, method in routes:
        extra = {"X-CSRF-Token": csrf_of(client)} if method != "GET" else {}
        response = client.request(
            method, path, headers={**headers, **extra}, follow_redirects=False
        )
        assert response.status_code == 401, (path, response.text[:200])
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"] == error
        assert "location" not in response.headers


def test_a_revoked_token_stops_working_at_once(
    client: TestClient, db: Session, token: tuple[ApiToken, str]
) -> None:
    row, secret = token
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(API, headers=headers).status_code == 200
    revoke(db, row)
    response = client.get(API, headers=headers)
    assert response.status_code == 401 and response.json()["error"] == "invalid_token"


def test_a_staff_session_is_no_api_token(client: TestClient) -> None:
    sign_in(client, "admin")
    response = client.get(API, follow_redirects=False)
    assert response.status_code == 401 and response.json()["error"] == "unauthorized"
