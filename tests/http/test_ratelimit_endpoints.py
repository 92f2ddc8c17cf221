"""Rate limits on sign-in, uploads and survey links, and the growing back-off for failed staff
sign-ins, through the app (counters in the test database)."""

from __future__ import annotations

import datetime as dt
import secrets

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from intake.models import RateLimit, Role, StaffRole, StaffUser
from portal.auth import hash_password
from portal.settings import Settings
from tests.conftest import check_page, csrf_of, login_pnr
from tests.security_support import (
    PDF,
    app_with,
    client_for,
    error_summary,
    new_address,
    start_application,
    upload,
)

EN = {"Accept-Language": "en"}


def test_sign_in_attempts_are_limited_per_address(settings: Settings, engine: Engine) -> None:
    app = app_with(settings, engine, rate_limits=True, rate_limit_sign_in="3/300")
    with client_for(app) as client:
        token = csrf_of(client, "/login/test-eid")
        answers = [
            client.post(
                "/login/test-eid", data={"pnr": "1", "csrf_token": token}, headers=EN
            ).status_code
            for _ in range(3)
        ]
        refused = client.post("/login/test-eid", data={"pnr": "1", "csrf_token": token}, headers=EN)
        staff = client.post(
            "/login/staff",
            data={"username": "x", "password": "y", "csrf_token": token},
            headers=EN,
        )
    assert answers == [422, 422, 422]  # wrong number, told so each time
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 300
    check_page(refused.text)
    assert "Too many attempts in a short time" in refused.text
    assert refused.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert staff.status_code == 429  # every way of signing in shares the limit
    with client_for(app) as elsewhere:  # another address is not held back
        token = csrf_of(elsewhere, "/login/test-eid")
        other = elsewhere.post("/login/test-eid", data={"pnr": "1", "csrf_token": token})
    assert other.status_code == 422


def test_uploads_are_limited_per_session(
    settings: Settings, engine: Engine, new_household, db: Session
) -> None:  # type: ignore[no-untyped-def]
    app = app_with(settings, engine, rate_limits=True, rate_limit_upload="2/600")
    household = new_household("en")
    address = new_address()
    with client_for(app, address) as client:
        login_pnr(client, household.members[0].personnummer)
        url = start_application(client)
        first = upload(client, url, "one.pdf", PDF)
        second = upload(client, url, "two.pdf", PDF)
        third = upload(client, url, "three.pdf", PDF)
        page = client.get(url)
    assert (first.status_code, second.status_code, third.status_code) == (303, 303, 429)
    assert "one.pdf" in page.text and "two.pdf" in page.text and "three.pdf" not in page.text
    other = new_household("en")
    with client_for(app, address) as neighbour:  # same address, own session: own count
        login_pnr(neighbour, other.members[0].personnummer)
        url = start_application(neighbour)
        assert upload(neighbour, url, "mine.pdf", PDF).status_code == 303


def test_survey_links_are_limited_per_address(settings: Settings, engine: Engine) -> None:
    app = app_with(settings, engine, rate_limits=True, rate_limit_survey="3/600")
    with client_for(app) as client:
        tries = [client.get(f"/survey/t/{secrets.token_urlsafe(16)}") for _ in range(4)]
    assert [r.status_code for r in tries] == [404, 404, 404, 429]  # guessing stops early
    assert "Too many attempts" in tries[-1].text or "För många försök" in tries[-1].text


def test_without_rate_limits_in_development_nothing_is_counted(
    settings: Settings, engine: Engine
) -> None:
    app = app_with(settings, engine, rate_limit_survey="1/600")
    assert settings.development and not app.state.settings.rate_limits_on
    with client_for(app) as client:
        codes = {client.get(f"/survey/t/{secrets.token_urlsafe(16)}").status_code for _ in range(3)}
    assert codes == {404}


def _staff_user(db: Session, password: str) -> str:
    username = f"backoff-{secrets.token_hex(4)}"
    user = StaffUser(username=username, display_name="Test", password_hash=hash_password(password))
    db.add(user)
    db.flush()
    db.add(StaffRole(user_id=user.id or 0, role=Role.officer))
    db.commit()
    return username


def _sign_in(client: TestClient, username: str, password: str):  # type: ignore[no-untyped-def]
    data = {
        "username": username,
        "password": password,
        "csrf_token": csrf_of(client, "/login/staff"),
    }
    return client.post("/login/staff", data=data, headers=EN, follow_redirects=False)


def test_failed_staff_sign_ins_make_the_next_try_wait_longer(
    settings: Settings, engine: Engine, db: Session
) -> None:
    app = app_with(settings, engine, staff_login_free_attempts=2)
    password = "a-long-password-" + secrets.token_hex(4)
    username = _staff_user(db, password)
    with client_for(app) as client:
        wrong = [_sign_in(client, username, "wrong").status_code for _ in range(2)]
        held = _sign_in(client, username, password)  # even the right password waits
        assert wrong == [422, 422]
        assert held.status_code == 429 and held.headers["Retry-After"] == "2"
        assert "Too many failed attempts. Wait 2 seconds before you try again." in error_summary(
            held.text
        )
        _pretend_seconds_passed(engine, 3)
        assert _sign_in(client, username, "wrong").status_code == 422  # third failure
        again = _sign_in(client, username, password)
        assert again.status_code == 429 and again.headers["Retry-After"] == "4"  # doubled
        _pretend_seconds_passed(engine, 5)
        assert _sign_in(client, username, password).status_code == 303  # in, and forgiven
        client.cookies.clear()
        assert _sign_in(client, username, "wrong").status_code == 422  # counts from zero


def test_unknown_usernames_are_held_back_alike(settings: Settings, engine: Engine) -> None:
    app = app_with(settings, engine, staff_login_free_attempts=2)
    with client_for(app) as client:
        codes = [_sign_in(client, "nobody-" + "x" * 8, "guess").status_code for _ in range(3)]
    assert codes == [422, 422, 429]


def _pretend_seconds_passed(engine: Engine, seconds: int) -> None:
    """Move every back-off's last failure back in time (the clock is outside the process)."""
    with Session(engine) as db:
        rows = db.exec(select(RateLimit).where(col(RateLimit.key).startswith("staff:"))).all()
        for row in rows:
            row.updated_at = row.updated_at - dt.timedelta(seconds=seconds)
            db.add(row)
        db.commit()
