"""F11 and F12 of issue 13: a session ends PORTAL_SESSION_ABSOLUTE_HOURS after sign-in however
active it is (ASVS 3.3.2), for applicants and staff; and every sign-in (test e-ID, BankID, staff
password, staff password and one-time code) changes the CSRF token, so that a token known
before the sign-in (planted by an attacker, or read off a shared computer) is refused after."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from intake.models import Role, WebSession, utcnow
from portal import totp
from portal.app import create_app
from portal.bankid import configure
from portal.settings import Settings
from tests.conftest import add_staff, applicant_pnr, csrf_of, login_pnr, login_staff, post_form
from tests.fake_bankid import FakeBankId, read_qr_svg


def _refused_after_sign_in(client: TestClient, old: str) -> None:
    """The token from before the sign-in no longer works; the page's new one does."""
    new = csrf_of(client, "/")
    assert new != old
    stale = client.post("/logout", data={"csrf_token": old}, follow_redirects=False)
    assert stale.status_code == 403, stale.status_code
    fresh = client.post("/logout", data={"csrf_token": new}, follow_redirects=False)
    assert fresh.status_code == 303, fresh.status_code


def test_test_eid_sign_in_changes_the_csrf_token(client: TestClient) -> None:
    old = csrf_of(client, "/login/test-eid")
    login_pnr(client, applicant_pnr("single adult"))
    _refused_after_sign_in(client, old)


def test_staff_password_sign_in_changes_the_csrf_token(client: TestClient) -> None:
    old = csrf_of(client, "/login/staff")
    login_staff(client, "handlaggare")
    _refused_after_sign_in(client, old)


def test_staff_password_and_code_sign_in_changes_the_csrf_token(
    client: TestClient, db: Session
) -> None:
    user, password = add_staff(db, "rotation", "Rut Rotation", Role.admin.value)
    secret = totp.new_secret()
    user.totp_secret = secret
    user.totp_confirmed_at = utcnow()
    db.add(user)
    db.commit()
    old = csrf_of(client, "/login/staff")
    first = post_form(client, "/login/staff", {"username": user.username, "password": password})
    assert first.headers["location"] == "/login/staff/code"
    between = csrf_of(client, "/login/staff/code")
    assert between != old  # the password step is a sign-in step too
    done = post_form(client, "/login/staff/code", {"code": totp.code_for(secret)})
    assert done.status_code == 303, done.text
    stale = client.post("/logout", data={"csrf_token": between}, follow_redirects=False)
    assert stale.status_code == 403
    _refused_after_sign_in(client, old)


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeBankId]:
    with FakeBankId(tmp_path_factory.mktemp("bankid")) as server:
        yield server


@pytest.fixture(scope="module")
def bankid_app(settings: Settings, engine: Engine, fake: FakeBankId) -> Iterator[FastAPI]:
    application = create_app(settings, engine)
    configure(application, fake.settings())
    yield application
    configure(application, None)


def test_bankid_sign_in_changes_the_csrf_token(bankid_app: FastAPI, fake: FakeBankId) -> None:
    with TestClient(bankid_app, base_url="http://127.0.0.1", client=("192.0.2.10", 5)) as client:
        old = csrf_of(client, "/bankid/login")
        started = post_form(client, "/bankid/login", {"device": "other", "next": ""})
        assert started.status_code == 303, started.text
        location = started.headers["location"]
        fake.scan(read_qr_svg(client.get(location).text), applicant_pnr("single parent"))
        done = client.get(location, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == "/applicant"
        _refused_after_sign_in(client, old)


# --- F11: the absolute lifetime ----------------------------------------------------------------


def _age_session(db: Session, hours: float) -> None:
    """Make the newest session signed in ``hours`` ago, yet active a moment ago."""
    db.expire_all()
    row = db.exec(select(WebSession).order_by(col(WebSession.id).desc())).first()
    assert row is not None
    row.created_at = utcnow() - dt.timedelta(hours=hours)
    row.last_seen_at = utcnow() - dt.timedelta(seconds=5)
    db.add(row)
    db.commit()


@pytest.mark.parametrize("who", ["applicant", "staff"])
def test_an_active_session_ends_after_the_absolute_lifetime(
    client: TestClient, db: Session, settings: Settings, who: str
) -> None:
    assert settings.session_absolute_hours == 12  # the default
    home = "/applicant" if who == "applicant" else "/officer"
    if who == "applicant":
        login_pnr(client, applicant_pnr("single adult"))
    else:
        login_staff(client, "handlaggare")
    _age_session(db, 11.5)
    assert client.get(home, follow_redirects=False).status_code == 200
    _age_session(db, 12.5)
    response = client.get(home, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert client.get(home, follow_redirects=False).status_code == 303  # the row is gone


def test_the_absolute_lifetime_is_a_setting(
    settings: Settings, engine: Engine, db: Session
) -> None:
    app = create_app(settings.model_copy(update={"session_absolute_hours": 1}), engine)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        login_pnr(client, applicant_pnr("single adult"))
        _age_session(db, 0.5)
        assert client.get("/applicant", follow_redirects=False).status_code == 200
        _age_session(db, 1.5)
        assert client.get("/applicant", follow_redirects=False).status_code == 303
