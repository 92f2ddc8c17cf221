"""Staff sign-in with OpenID Connect against a real provider on 127.0.0.1 (tests/oidc_support.py):
the whole flow, the ID-token checks, the mapping to roles and units, sign-out, the required acr,
and password sign-in for break-glass accounts only in production."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from intake.models import AuditEvent, StaffRole, StaffUser, TeamLead, Unit, WebSession
from portal import totp
from portal.app import create_app
from portal.auth import SESSION_COOKIE
from portal.settings import Settings
from tests.conftest import add_staff, csrf_of, post_form
from tests.oidc_support import MAPPING, Provider, running_provider

CLIENT_ID = "portal-test"


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider() as running:
        yield running


@pytest.fixture(scope="module")
def mapping_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("oidc") / "mapping.toml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


def oidc_settings(
    settings: Settings,
    provider: Provider,
    mapping_file: Path,
    mode: str = "development",
    **extra: Any,
) -> Settings:
    base = "https://127.0.0.1" if mode == "production" else "http://127.0.0.1"
    return settings.model_copy(
        update={
            "mode": mode,
            "base_url": base,
            "oidc_issuer": provider.issuer,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": "test-secret",
            "oidc_mapping_file": mapping_file,
            **extra,
        }
    )


@pytest.fixture(scope="module")
def oidc_app(settings: Settings, engine, provider: Provider, mapping_file: Path):  # type: ignore[no-untyped-def]
    return create_app(oidc_settings(settings, provider, mapping_file), engine)


@pytest.fixture
def client(oidc_app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(oidc_app, base_url="http://127.0.0.1") as test_client:
        yield test_client


def new_person(provider: Provider, **claims: Any) -> str:
    sub = f"user-{uuid.uuid4().hex[:10]}"
    provider.set_user(
        sub,
        {
            "name": "Sara Socialsekreterare",
            "email": f"{sub}@kommun.example",
            "preferred_username": sub,
            **claims,
        },
    )
    return sub


def to_provider(client: TestClient, next_path: str = "") -> str:
    response = client.get(
        "/login/staff/oidc" + (f"?next={next_path}" if next_path else ""), follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return response.headers["location"]


def back_to_portal(client: TestClient, location: str):  # type: ignore[no-untyped-def]
    parts = urlsplit(location)
    assert parts.path == "/login/staff/oidc/callback", location
    return client.get(f"{parts.path}?{parts.query}", follow_redirects=False)


def sign_in(client: TestClient, provider: Provider, sub: str, **change: str):  # type: ignore[no-untyped-def]
    return back_to_portal(client, provider.authorize(to_provider(client), sub, **change))


def staff_of(db: Session, provider: Provider, sub: str) -> StaffUser | None:
    db.expire_all()
    return db.exec(
        select(StaffUser)
        .where(StaffUser.oidc_issuer == provider.issuer)
        .where(StaffUser.oidc_subject == sub)
    ).first()


def events(db: Session, action: str) -> list[AuditEvent]:
    db.expire_all()
    # In the order they were written (PostgreSQL returns rows in no set order without it).
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
    return list(db.exec(query).all())


def h1(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert match, html
    return " ".join(match.group(1).split())


# --- the whole flow ---------------------------------------------------------------------------


def test_sign_in_creates_the_staff_record_with_roles_unit_and_a_new_session(
    client: TestClient, provider: Provider, db: Session
) -> None:
    sub = new_person(provider, groups=["ekb-teamledare", "other-app-users"])
    client.cookies.set(SESSION_COOKIE, "a-session-id-planted-by-someone-else", domain="127.0.0.1")
    start = to_provider(client, "/officer")
    query = parse_qs(urlsplit(start).query)
    # Authorization code with PKCE (S256), a state and a nonce, our client and callback.
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["nonce"][0] and query["state"][0]
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == ["http://127.0.0.1/login/staff/oidc/callback"]
    assert set(query["scope"][0].split()) == {"openid", "profile", "email"}
    response = back_to_portal(client, provider.authorize(start, sub))
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/officer"
    token = client.cookies.get(SESSION_COOKIE)
    assert token and token != "a-session-id-planted-by-someone-else"
    # The provider saw the PKCE verifier (its check in tests/oidc_support.py passed).
    assert provider.token_requests[-1]["code_verifier"]
    page = client.get("/officer")
    assert page.status_code == 200
    assert "Sara Socialsekreterare" in page.text
    # The callback again (a reload): the same session, no second sign-in.
    again = back_to_portal(client, provider.authorize(start, sub).replace("code=", "code=x"))
    assert again.status_code == 303 and again.headers["location"] == "/officer"
    assert client.cookies.get(SESSION_COOKIE) == token

    staff = staff_of(db, provider, sub)
    assert staff is not None and staff.is_active
    assert staff.email == f"{sub}@kommun.example"
    assert staff.username == sub
    nord = db.exec(select(Unit).where(Unit.name == "Försörjningsstöd Nord")).one()
    assert staff.unit_id == nord.id
    roles = set(db.exec(select(StaffRole.role).where(StaffRole.user_id == staff.id)).all())
    assert roles == {"officer", "quality"}
    assert db.get(TeamLead, (staff.id, nord.id)) is not None
    created = [e for e in events(db, "staff_created") if e.object_id == staff.id]
    assert created and created[0].detail["roles"] == ["officer", "quality"]
    signed_in = [e for e in events(db, "sign_in") if e.actor_id == staff.id]
    assert signed_in and signed_in[-1].detail == {"method": "oidc", "acr": None}
    # Its password does not work: the account signs in only through the provider.
    refused = post_form(client, "/login/staff", {"username": staff.username, "password": "!oidc"})
    assert refused.status_code == 422


def test_the_flow_cookie_is_signed_and_short_lived_and_the_state_must_match(
    client: TestClient, provider: Provider, db: Session
) -> None:
    sub = new_person(provider, groups=["ekb-handlaggare"])
    response = client.get("/login/staff/oidc", follow_redirects=False)
    cookie = response.headers["set-cookie"]
    assert "portal_oidc=" in cookie and "HttpOnly" in cookie
    assert "Path=/login/staff/oidc/callback" in cookie and "Max-Age=600" in cookie
    location = provider.authorize(response.headers["location"], sub)
    forged = location.replace("state=", "state=x")
    refused = back_to_portal(client, forged)
    assert refused.status_code == 400
    assert h1(refused.text) == "Inloggningen kunde inte slutföras"
    assert staff_of(db, provider, sub) is None
    # Without the flow cookie (another browser), the same code is refused as well.
    other = TestClient(client.app, base_url="http://127.0.0.1")
    assert back_to_portal(other, location).status_code == 400


def test_a_second_sign_in_updates_name_email_and_roles_and_audits_the_change(
    client: TestClient, provider: Provider, db: Session
) -> None:
    sub = new_person(provider, groups=["ekb-handlaggare"])
    assert sign_in(client, provider, sub).status_code == 303
    provider.set_user(
        sub,
        {
            "name": "Sara Nyberg",
            "email": "sara.nyberg@kommun.example",
            "preferred_username": sub,
            "groups": ["ekb-handlaggare"],
            "department": "Mottagningen",
        },
    )
    assert sign_in(client, provider, sub).status_code == 303
    staff = staff_of(db, provider, sub)
    assert staff is not None
    assert (staff.display_name, staff.email) == ("Sara Nyberg", "sara.nyberg@kommun.example")
    roles = set(db.exec(select(StaffRole.role).where(StaffRole.user_id == staff.id)).all())
    assert roles == {"officer", "informator"}
    changed = [e for e in events(db, "staff_roles_changed") if e.object_id == staff.id]
    assert changed[-1].detail["roles_before"] == ["officer"]
    assert changed[-1].detail["roles_after"] == ["informator", "officer"]
    updated = [e for e in events(db, "staff_updated") if e.object_id == staff.id]
    assert updated[-1].detail["fields"] == ["display_name", "email"]


def test_role_removed_at_the_provider_reduces_then_disables_at_next_sign_in(
    client: TestClient, provider: Provider, db: Session
) -> None:
    sub = new_person(provider, groups=["ekb-teamledare"])
    assert sign_in(client, provider, sub).status_code == 303
    staff = staff_of(db, provider, sub)
    assert staff is not None
    # The team-lead group is taken away: officer only, no longer team lead, quality refused.
    new_person_claims = {"name": "Sara", "preferred_username": sub, "groups": ["ekb-handlaggare"]}
    provider.set_user(sub, new_person_claims)
    assert sign_in(client, provider, sub).status_code == 303
    db.expire_all()
    roles = set(db.exec(select(StaffRole.role).where(StaffRole.user_id == staff.id)).all())
    assert roles == {"officer"}
    assert db.exec(select(TeamLead).where(TeamLead.staff_user_id == staff.id)).first() is None
    assert client.get("/quality", follow_redirects=False).status_code == 403
    assert client.get("/officer").status_code == 200
    # Every group is taken away: the next sign-in is refused, the account turned off, and the
    # session still open in another browser ends with it.
    other = TestClient(client.app, base_url="http://127.0.0.1")
    assert sign_in(other, provider, sub).status_code == 303
    provider.set_user(sub, {"name": "Sara", "preferred_username": sub, "groups": []})
    refused = sign_in(client, provider, sub)
    assert refused.status_code == 403
    assert h1(refused.text) == "Du har ingen behörighet till den här portalen"
    staff = staff_of(db, provider, sub)
    assert staff is not None and not staff.is_active
    assert db.exec(select(StaffRole).where(StaffRole.user_id == staff.id)).first() is None
    assert db.exec(select(WebSession).where(WebSession.staff_user_id == staff.id)).first() is None
    assert other.get("/officer", follow_redirects=False).status_code in (303, 401)
    disabled = [e for e in events(db, "staff_disabled") if e.object_id == staff.id]
    assert disabled and disabled[0].detail["roles_before"] == ["officer"]
    refusals = [e for e in events(db, "sign_in_refused") if e.actor_id == staff.id]
    assert refusals[-1].detail["reason"] == "unmapped"
    # Given a group again, the person is let in again (the provider decides who works here).
    provider.set_user(sub, new_person_claims)
    assert sign_in(client, provider, sub).status_code == 303
    assert staff_of(db, provider, sub).is_active  # type: ignore[union-attr]


def test_unmapped_group_is_refused_with_a_translated_page_and_no_account(
    client: TestClient, provider: Provider, db: Session
) -> None:
    sub = new_person(provider, groups=["bygglov-handlaggare"])
    response = sign_in(client, provider, sub)
    assert response.status_code == 403
    assert h1(response.text) == "Du har ingen behörighet till den här portalen"
    assert "Be din chef eller portalens administratör" in response.text
    client.cookies.set("portal_lang", "ar", domain="127.0.0.1")
    response = sign_in(client, provider, sub)
    assert response.status_code == 403
    assert h1(response.text) == "ليست لديك صلاحية الوصول إلى هذه البوابة"
    assert 'dir="rtl"' in response.text
    assert SESSION_COOKIE not in client.cookies
    assert staff_of(db, provider, sub) is None
    refusals = [e for e in events(db, "sign_in_refused") if e.detail.get("subject") == sub]
    assert refusals and refusals[0].detail["reason"] == "unmapped"


# --- the ID token's checks ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"aud": "another-application"}, "aud"),
        ({"exp": 1_000_000_000}, "exp"),  # 2001: long expired
        ({"iss": "https://login.example.org/other-tenant"}, "iss"),
        ({"nonce": "a-nonce-from-another-sign-in"}, "nonce"),
    ],
    ids=["wrong-audience", "expired", "wrong-issuer", "bad-nonce"],
)
def test_id_token_with_a_bad_claim_is_refused(
    client: TestClient, provider: Provider, db: Session, claims: dict[str, Any], reason: str
) -> None:
    """The provider signs these with its real key: only the portal's checks stop them."""
    sub = new_person(provider, groups=["ekb-handlaggare"], **claims)
    response = sign_in(client, provider, sub)
    assert response.status_code == 400, response.text
    assert h1(response.text) == "Inloggningen kunde inte slutföras"
    assert SESSION_COOKIE not in client.cookies
    assert staff_of(db, provider, sub) is None
    refusal = events(db, "sign_in_refused")[-1]
    assert refusal.detail["reason"].startswith("id_token:")
    assert reason in refusal.detail["reason"]


def test_nonce_changed_in_the_authorization_request_is_refused(
    client: TestClient, provider: Provider, db: Session
) -> None:
    """Someone swaps the nonce on the way to the provider: the token's nonce is not ours."""
    sub = new_person(provider, groups=["ekb-handlaggare"])
    response = sign_in(client, provider, sub, nonce="swapped-nonce")
    assert response.status_code == 400
    assert "nonce" in events(db, "sign_in_refused")[-1].detail["reason"]
    assert staff_of(db, provider, sub) is None


def test_bad_signature_is_refused(client: TestClient, provider: Provider, db: Session) -> None:
    sub = new_person(provider, groups=["ekb-handlaggare"])
    provider.break_signatures = True
    try:
        response = sign_in(client, provider, sub)
    finally:
        provider.break_signatures = False
    assert response.status_code == 400
    assert "Signature" in events(db, "sign_in_refused")[-1].detail["reason"]
    assert staff_of(db, provider, sub) is None


def test_pkce_verifier_is_checked_by_the_provider(
    client: TestClient, provider: Provider, db: Session
) -> None:
    """A code obtained for another challenge cannot be redeemed by our verifier."""
    sub = new_person(provider, groups=["ekb-handlaggare"])
    response = sign_in(client, provider, sub, code_challenge="A" * 43)
    assert response.status_code == 400
    assert events(db, "sign_in_refused")[-1].detail["reason"].startswith("token:")


def test_denied_at_the_provider_is_a_clear_page(client: TestClient, provider: Provider) -> None:
    response = back_to_portal(client, provider.deny(to_provider(client)))
    assert response.status_code == 400
    assert h1(response.text) == "Inloggningen kunde inte slutföras"


# --- sign-out ---------------------------------------------------------------------------------


def test_sign_out_ends_the_session_here_and_at_the_provider(
    client: TestClient, provider: Provider, db: Session
) -> None:
    sub = new_person(provider, groups=["ekb-handlaggare"])
    assert sign_in(client, provider, sub).status_code == 303
    token = csrf_of(client, "/officer")
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    target = urlsplit(response.headers["location"])
    assert f"{target.scheme}://{target.netloc}" == provider.issuer
    assert target.path == "/oauth2/end_session"
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == ["http://127.0.0.1/?signed_out=1"]
    assert query["client_id"] == [CLIENT_ID]
    assert client.get("/officer", follow_redirects=False).status_code in (303, 401)
    # The provider's page confirms and sends the browser back to our start page.
    import httpx

    page = httpx.get(response.headers["location"], timeout=10)
    assert page.status_code == 200 and "End Session" in page.text
    back = httpx.post(
        f"{provider.issuer}/oauth2/end_session/confirm",
        data={"redirect_uri": query["post_logout_redirect_uri"][0]},
        timeout=10,
    )
    assert back.headers["location"] == "http://127.0.0.1/?signed_out=1"
    staff = staff_of(db, provider, sub)
    assert staff is not None
    assert db.exec(select(WebSession).where(WebSession.staff_user_id == staff.id)).first() is None
    assert [e for e in events(db, "sign_out") if e.actor_id == staff.id]


# --- a required acr ---------------------------------------------------------------------------


def test_required_acr_is_asked_for_and_a_token_without_it_refused(
    settings: Settings,
    engine,
    provider: Provider,
    mapping_file: Path,
    db: Session,  # type: ignore[no-untyped-def]
) -> None:
    strong = "http://id.elegnamnden.se/loa/1.0/loa3"
    app = create_app(
        oidc_settings(settings, provider, mapping_file, oidc_required_acr=f"{strong}, siths"),
        engine,
    )
    with TestClient(app, base_url="http://127.0.0.1") as client:
        weak = new_person(provider, groups=["ekb-handlaggare"])
        start = to_provider(client)
        assert parse_qs(urlsplit(start).query)["acr_values"] == [f"{strong} siths"]
        response = back_to_portal(client, provider.authorize(start, weak))
        assert response.status_code == 403
        assert h1(response.text) == "En starkare inloggning behövs"
        assert staff_of(db, provider, weak) is None
        other_level = new_person(provider, groups=["ekb-handlaggare"], acr="loa2")
        assert sign_in(client, provider, other_level).status_code == 403
        good = new_person(provider, groups=["ekb-handlaggare"], acr=strong)
        assert sign_in(client, provider, good).status_code == 303
        staff = staff_of(db, provider, good)
        assert staff is not None
        signed_in = [e for e in events(db, "sign_in") if e.actor_id == staff.id]
        assert signed_in[-1].detail["acr"] == strong


# --- passwords in production: break-glass accounts only ---------------------------------------


def test_production_with_oidc_allows_passwords_only_for_break_glass_with_a_code(
    settings: Settings,
    engine,
    provider: Provider,
    mapping_file: Path,
    db: Session,  # type: ignore[no-untyped-def]
) -> None:
    app = create_app(oidc_settings(settings, provider, mapping_file, mode="production"), engine)
    normal, normal_password = add_staff(db, "normal", "Nora Normal", "officer")
    glass, glass_password = add_staff(db, "glass", "Gustav Glas", "admin")
    glass.break_glass = True
    db.add(glass)
    db.commit()
    with TestClient(app, base_url="https://127.0.0.1") as client:
        form = client.get("/login/staff")
        assert "Logga in med kommunens konto" in form.text
        assert "Nödinloggning med lösenord" in form.text
        refused = post_form(
            client, "/login/staff", {"username": normal.username, "password": normal_password}
        )
        assert refused.status_code == 403
        assert "bara till för nödkonton" in refused.text
        assert SESSION_COOKIE not in client.cookies
        # A wrong password gets the usual answer, so the page tells nothing about the account.
        wrong = post_form(client, "/login/staff", {"username": normal.username, "password": "x"})
        assert wrong.status_code == 422
        # Break-glass: the password, then a second factor is set up before anything else ...
        first = post_form(
            client, "/login/staff", {"username": glass.username, "password": glass_password}
        )
        assert first.status_code == 303
        assert first.headers["location"].startswith("/login/staff/two-factor")
        assert client.get("/admin", follow_redirects=False).status_code in (303, 401)
        setup = client.get(first.headers["location"])
        secret = re.search(r'name="secret" value="([^"]+)"', setup.text).group(1)  # type: ignore[union-attr]
        mac = re.search(r'name="secret_mac" value="([^"]+)"', setup.text).group(1)  # type: ignore[union-attr]
        done = post_form(
            client,
            "/login/staff/two-factor",
            {"secret": secret, "secret_mac": mac, "code": totp.code_for(secret)},
            page=first.headers["location"],
        )
        assert done.status_code == 303
        assert client.get("/admin").status_code == 200
    # ... even where PORTAL_STAFF_TOTP=optional: a break-glass account always needs the code.
    optional = oidc_settings(
        settings, provider, mapping_file, mode="production", staff_totp="optional"
    )
    with TestClient(create_app(optional, engine), base_url="https://127.0.0.1") as client:
        again = post_form(
            client, "/login/staff", {"username": glass.username, "password": glass_password}
        )
        assert again.headers["location"].startswith("/login/staff/code")


def test_development_with_oidc_keeps_the_password_logins(client: TestClient, db: Session) -> None:
    user, password = add_staff(db, "devpw", "Dev Lösen", "officer")
    response = post_form(client, "/login/staff", {"username": user.username, "password": password})
    assert response.status_code == 303
    assert client.get("/officer").status_code == 200


def test_password_session_from_before_oidc_ends_in_production(
    settings: Settings,
    engine,
    provider: Provider,
    mapping_file: Path,
    db: Session,  # type: ignore[no-untyped-def]
) -> None:
    user, password = add_staff(db, "before", "Före Inloggning", "officer")
    secret = totp.new_secret()
    user.totp_secret, user.totp_confirmed_at = secret, user.created_at
    db.add(user)
    db.commit()
    before = settings.model_copy(update={"mode": "production", "base_url": "https://127.0.0.1"})
    with TestClient(create_app(before, engine), base_url="https://127.0.0.1") as client:
        post_form(client, "/login/staff", {"username": user.username, "password": password})
        code = post_form(
            client, "/login/staff/code", {"code": totp.code_for(secret)}, page="/login/staff/code"
        )
        assert code.status_code == 303
        assert client.get("/officer").status_code == 200
        cookie = client.cookies.get(SESSION_COOKIE)
    after = oidc_settings(settings, provider, mapping_file, mode="production")
    with TestClient(create_app(after, engine), base_url="https://127.0.0.1") as client:
        client.cookies.set(SESSION_COOKIE, cookie or "", domain="127.0.0.1")
        assert client.get("/officer", follow_redirects=False).status_code in (303, 401)


def test_mapping_file_errors_fail_at_start(
    settings: Settings,
    engine,
    provider: Provider,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\ngroup = "x"\nroles = ["superuser"]\n', encoding="utf-8")
    from portal.oidc_mapping import MappingError

    with pytest.raises(MappingError, match="unknown role"):
        create_app(oidc_settings(settings, provider, bad), engine)


# --- the break-glass command ------------------------------------------------------------------


def test_break_glass_command_marks_and_removes_with_audit(
    settings: Settings,
    engine,  # type: ignore[no-untyped-def]
    provider: Provider,
    mapping_file: Path,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from click.testing import CliRunner

    from portal.cli import main
    from portal.settings import get_settings

    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORTAL_VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("PORTAL_SECRET_KEY", settings.secret_key)
    get_settings.cache_clear()
    user, password = add_staff(db, "cli-glass", "Klas Glas", "admin")
    runner = CliRunner()
    try:
        marked = runner.invoke(main, ["staff", "break-glass", user.username])
        assert marked.exit_code == 0, marked.output
        assert "is a break-glass account" in marked.output
        again = runner.invoke(main, ["staff", "break-glass", user.username])
        assert "already" in again.output
        db.expire_all()
        assert db.get(StaffUser, user.id).break_glass  # type: ignore[union-attr]
        production = oidc_settings(settings, provider, mapping_file, mode="production")
        with TestClient(create_app(production, engine), base_url="https://127.0.0.1") as client:
            first = post_form(
                client, "/login/staff", {"username": user.username, "password": password}
            )
            assert first.headers["location"].startswith("/login/staff/two-factor")
            removed = runner.invoke(main, ["staff", "break-glass", user.username, "--remove"])
            assert removed.exit_code == 0, removed.output
            assert "1 session(s) ended" in removed.output
            refused = post_form(
                client, "/login/staff", {"username": user.username, "password": password}
            )
            assert refused.status_code == 403
        actions = [
            e.action
            for e in events(db, "break_glass_marked") + events(db, "break_glass_removed")
            if e.object_id == user.id
        ]
        assert actions == ["break_glass_marked", "break_glass_removed"]
        unknown = runner.invoke(main, ["staff", "break-glass", "nobody-here"])
        assert unknown.exit_code != 0 and "No user named 'nobody-here'" in unknown.output
        assert "break-glass" in runner.invoke(main, ["staff", "--help"]).output
    finally:
        get_settings.cache_clear()


def test_a_rule_naming_a_unit_that_does_not_exist_refuses_the_sign_in(
    settings: Settings,
    engine,  # type: ignore[no-untyped-def]
    provider: Provider,
    tmp_path: Path,
    db: Session,
) -> None:
    mapping = tmp_path / "typo.toml"
    mapping.write_text(
        '[[rule]]\ngroup = "ekb-handlaggare"\nroles = ["officer"]\n'
        'unit = "Försörjningsstöd Nrod"\n',
        encoding="utf-8",
    )
    app = create_app(oidc_settings(settings, provider, mapping), engine)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        sub = new_person(provider, groups=["ekb-handlaggare"])
        response = sign_in(client, provider, sub)
        assert response.status_code == 403
        assert staff_of(db, provider, sub) is None
        refusal = events(db, "sign_in_refused")[-1]
        assert refusal.detail["reason"] == "unknown_unit"


def test_the_csp_lets_the_sign_out_form_lead_to_the_provider_only(
    client: TestClient, provider: Provider
) -> None:
    csp = client.get("/login/staff").headers["content-security-policy"]
    assert f"form-action 'self' {provider.issuer};" in csp
