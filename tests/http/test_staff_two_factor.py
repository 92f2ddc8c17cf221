"""The staff's second factor (TOTP): setting it up, signing in with password then code, wrong and
replayed codes, the back-off, PORTAL_STAFF_TOTP=required, and the administrator's reset.

Every test signs in as a staff member of its own (never a demo user), so that no demo login is
left needing a code for the tests that share the database."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from intake.models import AuditEvent, Role, StaffRole, StaffUser, WebSession
from portal import totp
from portal.app import create_app
from portal.cli import main
from portal.settings import Settings, get_settings
from tests.conftest import add_staff, check_page, csrf_of, post_form

SECRET_FIELD = re.compile(r'name="secret" value="([A-Z2-7]+)"')
MAC_FIELD = re.compile(r'name="secret_mac" value="([0-9a-f]+)"')


@dataclass
class Member:
    id: int
    username: str
    password: str


@pytest.fixture
def member(db: Session) -> Iterator[Member]:
    """A staff member (administrator) of this test only."""
    user, password = add_staff(db, "tvafaktor", "Tove Tvåfaktor", Role.admin.value)
    username = user.username
    assert user.id is not None
    yield Member(user.id, username, password)
    for row in db.exec(select(WebSession).where(WebSession.staff_user_id == user.id)).all():
        db.delete(row)
    db.delete(db.get(StaffRole, (user.id, Role.admin.value)))
    user.is_active = False  # audit events point at it; never deleted
    user.username = f"gone-{username}"
    db.add(user)
    db.commit()


@pytest.fixture
def required_app(settings: Settings, engine: Engine) -> FastAPI:
    return create_app(settings.model_copy(update={"staff_totp": "required"}), engine)


def sign_in(client: TestClient, member: Member):  # type: ignore[no-untyped-def]
    return post_form(
        client, "/login/staff", {"username": member.username, "password": member.password}
    )


def enrol(client: TestClient, path: str = "/staff/two-factor", **extra: str) -> str:
    """Set up a second factor on the page at ``path``: read the secret off the page, answer with
    the app's code written with a space; the secret."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    secret = SECRET_FIELD.search(page.text).group(1)  # type: ignore[union-attr]
    mac = MAC_FIELD.search(page.text).group(1)  # type: ignore[union-attr]
    code = totp.code_for(secret)
    data = {"secret": secret, "secret_mac": mac, "code": f"{code[:3]} {code[3:]}", **extra}
    response = post_form(client, path, data)
    assert response.status_code == 303, response.text
    return secret


def next_code(secret: str, steps: int = 1) -> str:
    """A code of a later time step than the one just used (still inside the window)."""
    return totp.code_for(secret, time.time() + steps * totp.PERIOD)


def user_of(db: Session, member: Member) -> StaffUser:
    db.expire_all()
    user = db.get(StaffUser, member.id)
    assert user is not None
    return user


def test_set_up_then_sign_in_with_password_and_code(
    client: TestClient, db: Session, member: Member
) -> None:
    assert sign_in(client, member).headers["location"] == "/admin"  # optional: password only
    home = client.get("/admin").text
    assert '<a href="/staff/two-factor">Andra inloggningssteg</a>' in home  # found from any page
    page = client.get("/staff/two-factor")
    assert 'href="/staff/two-factor" aria-current="page"' in page.text
    check_page(page.text)
    assert "Ställ in ett andra inloggningssteg" in page.text
    secret = SECRET_FIELD.search(page.text).group(1)  # type: ignore[union-attr]
    assert totp.grouped(secret) in page.text  # for typing into the app by hand
    assert '<svg role="img" aria-label="QR-kod för din autentiseringsapp"' in page.text
    assert 'autocomplete="one-time-code"' in page.text and 'inputmode="numeric"' in page.text
    assert "portal staff reset-two-factor" in page.text  # the way back when the phone is lost
    assert user_of(db, member).totp_secret is None  # nothing stored before a code confirms it

    secret = enrol(client)
    done = client.get("/staff/two-factor?done=1")
    check_page(done.text)
    assert "Ditt andra inloggningssteg är påslaget" in done.text
    assert "Byt autentiseringsapp" in done.text
    user = user_of(db, member)
    assert user.totp_secret == secret and user.totp_confirmed_at is not None
    assert user.totp_last_step is not None

    post_form(client, "/logout", {}, page="/admin")
    first = sign_in(client, member)
    assert first.status_code == 303
    assert first.headers["location"] == "/login/staff/code"
    pending_token = client.cookies.get("portal_session")
    # Past the password, not signed in: no staff page lets the member in.
    for path in ("/admin", "/staff/two-factor", "/quality"):
        refused = client.get(path, follow_redirects=False)
        assert refused.status_code == 303 and refused.headers["location"].startswith("/login?")
    code_page = client.get("/login/staff/code")
    check_page(code_page.text)
    assert "Skriv din inloggningskod" in code_page.text
    for attribute in ('autocomplete="one-time-code"', 'inputmode="numeric"', 'for="code"'):
        assert attribute in code_page.text

    code = next_code(secret)
    done = post_form(client, "/login/staff/code", {"code": f" {code[:3]} {code[3:]} "})
    assert done.status_code == 303
    assert done.headers["location"] == "/admin"
    assert client.cookies.get("portal_session") != pending_token  # a new session id
    assert client.get("/admin").status_code == 200
    event = db.exec(
        select(AuditEvent)
        .where(AuditEvent.actor_id == member.id)
        .where(AuditEvent.action == "sign_in")
        .order_by(AuditEvent.id.desc())  # type: ignore[union-attr]
    ).first()
    assert event is not None and event.detail == {"second_factor": "totp"}

    # The same code again (another sign-in within its 30 seconds) is refused: each works once.
    post_form(client, "/logout", {}, page="/admin")
    sign_in(client, member)
    replay = post_form(client, "/login/staff/code", {"code": code})
    assert replay.status_code == 422
    check_page(replay.text)
    assert "Koden är fel eller har redan använts" in replay.text
    assert client.get("/admin", follow_redirects=False).status_code == 303


def test_a_wrong_code_is_refused_clearly_and_counts_in_the_back_off(
    client: TestClient, app: FastAPI, db: Session, member: Member
) -> None:
    sign_in(client, member)
    secret = enrol(client)
    post_form(client, "/logout", {}, page="/admin")
    limiter = app.state.limiter
    try:
        sign_in(client, member)
        before = user_of(db, member).failed_logins
        right = next_code(secret)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        refused = post_form(client, "/login/staff/code", {"code": wrong})
        assert refused.status_code == 422
        check_page(refused.text)
        assert "Koden är fel eller har redan använts" in refused.text
        assert 'aria-invalid="true"' in refused.text and 'href="#code"' in refused.text
        assert user_of(db, member).failed_logins == before + 1
        malformed = post_form(client, "/login/staff/code", {"code": "12a"})
        assert malformed.status_code == 422
        assert "Skriv den sexsiffriga koden" in malformed.text
        # The password's back-off: after the free attempts not even the right code is checked.
        for _ in range(limiter.free_attempts - 1):
            assert post_form(client, "/login/staff/code", {"code": wrong}).status_code == 422
        assert limiter.backoff_remaining(member.username) > 0
        held = post_form(client, "/login/staff/code", {"code": right})
        assert held.status_code == 429
        assert int(held.headers["Retry-After"]) > 0
        assert "Vänta" in held.text
        # It is the password's back-off: the password waits too.
        assert sign_in(client, member).status_code == 429
    finally:
        limiter.sign_in_succeeded(member.username)
    done = post_form(client, "/login/staff/code", {"code": right})
    assert done.status_code == 303 and done.headers["location"] == "/admin"
    assert user_of(db, member).failed_logins == 0


def test_a_pending_sign_in_expires(client: TestClient, db: Session, member: Member) -> None:
    sign_in(client, member)
    enrol(client)
    post_form(client, "/logout", {}, page="/admin")
    sign_in(client, member)
    row = db.exec(select(WebSession).where(WebSession.staff_user_id == member.id)).one()
    assert row.kind == "staff_code"
    row.created_at = row.created_at - dt.timedelta(minutes=6)
    db.add(row)
    db.commit()
    response = client.get("/login/staff/code", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login/staff"


def test_replacing_needs_a_code_from_the_app_in_use(
    client: TestClient, db: Session, member: Member
) -> None:
    sign_in(client, member)
    old = enrol(client)
    page = client.get("/staff/two-factor")
    assert 'name="current_code"' in page.text
    new = SECRET_FIELD.search(page.text).group(1)  # type: ignore[union-attr]
    mac = MAC_FIELD.search(page.text).group(1)  # type: ignore[union-attr]
    fields = {"secret": new, "secret_mac": mac, "code": totp.code_for(new)}
    refused = post_form(client, "/staff/two-factor", {**fields, "current_code": "000000"})
    assert refused.status_code == 422
    check_page(refused.text)
    assert "Koden från appen du använder nu är fel" in refused.text
    assert user_of(db, member).totp_secret == old
    # A secret this server did not make for this user is refused.
    forged = post_form(
        client,
        "/staff/two-factor",
        {**fields, "secret": totp.new_secret(), "current_code": next_code(old)},
    )
    assert forged.status_code == 400
    # A slip on the new code: told so, and the current code is not used up by it.
    right = fields["code"]
    slip = f"{(int(right) + 1) % 1_000_000:06d}"
    slipped = post_form(
        client, "/staff/two-factor", {**fields, "code": slip, "current_code": next_code(old)}
    )
    assert slipped.status_code == 422
    assert "Koden stämmer inte med den nya nyckeln" in slipped.text
    assert 'name="current_code"' in slipped.text and f'value="{new}"' in slipped.text
    replaced = post_form(client, "/staff/two-factor", {**fields, "current_code": next_code(old)})
    assert replaced.status_code == 303
    assert user_of(db, member).totp_secret == new


def test_required_mode_sends_staff_without_a_second_factor_to_set_it_up(
    required_app: FastAPI, db: Session, member: Member
) -> None:
    with TestClient(required_app, base_url="http://127.0.0.1") as client:
        first = sign_in(client, member)
        assert first.status_code == 303
        assert first.headers["location"] == "/login/staff/two-factor"
        for path in ("/admin", "/informator", "/officer", "/quality", "/staff/two-factor"):
            response = client.get(path, follow_redirects=False)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next=")
        page = client.get("/login/staff/two-factor")
        check_page(page.text)
        assert "Personal loggar in med lösenord och en sexsiffrig kod" in page.text
        assert 'action="/login/staff/two-factor"' in page.text
        assert 'name="current_code"' not in page.text
        secret = SECRET_FIELD.search(page.text).group(1)  # type: ignore[union-attr]
        mac = MAC_FIELD.search(page.text).group(1)  # type: ignore[union-attr]
        wrong = post_form(
            client, "/login/staff/two-factor", {"secret": secret, "secret_mac": mac, "code": "1"}
        )
        assert wrong.status_code == 422
        assert "Skriv den sexsiffriga koden" in wrong.text
        assert user_of(db, member).totp_secret is None
        pending = client.cookies.get("portal_session")
        secret = enrol(client, "/login/staff/two-factor")
        assert client.cookies.get("portal_session") != pending
        assert client.get("/admin").status_code == 200
        assert user_of(db, member).totp_secret == secret
        # A session of the same member from before (e.g. before the setting changed) ends
        # once the second factor is reset.
        runner_reset(member.username)
        assert client.get("/admin", follow_redirects=False).status_code == 303


def runner_reset(username: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["staff", "reset-two-factor", username])


@pytest.fixture
def cli_on_test_database(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORTAL_VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("PORTAL_SECRET_KEY", settings.secret_key)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _cli_database(cli_on_test_database: None) -> None:
    """Every test here may run ``portal staff reset-two-factor`` on the test database."""


def test_the_reset_command_is_the_way_back(client: TestClient, db: Session, member: Member) -> None:
    sign_in(client, member)
    enrol(client)
    assert user_of(db, member).totp_confirmed_at is not None
    result = runner_reset(member.username)
    assert result.exit_code == 0, result.output
    assert f"Second factor of {member.username} reset; 1 session(s) ended." in result.output
    user = user_of(db, member)
    assert (user.totp_secret, user.totp_confirmed_at, user.totp_last_step) == (None, None, None)
    assert client.get("/admin", follow_redirects=False).status_code == 303  # session ended
    assert sign_in(client, member).headers["location"] == "/admin"  # optional: password again
    event = db.exec(
        select(AuditEvent)
        .where(AuditEvent.action == "two_factor_reset")
        .where(AuditEvent.object_id == member.id)
    ).first()
    assert event is not None and event.actor_kind == "system"
    unknown = runner_reset("nobody-here")
    assert unknown.exit_code != 0 and "No user named 'nobody-here'" in unknown.output
    helped = CliRunner().invoke(main, ["staff", "--help"])
    assert "reset-two-factor" in helped.output


@pytest.mark.parametrize(
    ("language", "direction", "heading"),
    [("sv", "ltr", "Skriv din inloggningskod"), ("ar", "rtl", "رمز تسجيل الدخول")],
)
def test_the_pages_in_swedish_and_arabic(
    client: TestClient, member: Member, language: str, direction: str, heading: str
) -> None:
    sign_in(client, member)
    client.cookies.set("portal_lang", language)
    setup = client.get("/staff/two-factor")
    checked = check_page(setup.text)
    assert checked.html_attrs["lang"] == language and checked.html_attrs["dir"] == direction
    enrol(client)
    post_form(client, "/logout", {}, page="/admin")
    client.cookies.set("portal_lang", language)
    sign_in(client, member)
    page = client.get("/login/staff/code")
    checked = check_page(page.text)
    assert checked.html_attrs["lang"] == language and checked.html_attrs["dir"] == direction
    assert heading in page.text


def test_the_code_page_without_a_pending_sign_in_goes_back_to_the_password(
    client: TestClient,
) -> None:
    for path in ("/login/staff/code", "/login/staff/two-factor"):
        assert client.get(path, follow_redirects=False).headers["location"] == "/login/staff"
        token = csrf_of(client, "/login/staff")
        posted = client.post(
            path, data={"csrf_token": token, "code": "123456"}, follow_redirects=False
        )
        assert posted.status_code == 303 and posted.headers["location"] == "/login/staff"
