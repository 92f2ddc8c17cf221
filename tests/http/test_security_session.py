"""Sessions: a new session id at every sign-in (a planted or earlier id never becomes a signed-in
one), ended at sign-out, cookies that scripts cannot read, and the headers every page carries."""

from __future__ import annotations

import secrets

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from intake.models import WebSession
from portal.auth import SESSION_COOKIE, _token_hash
from tests.conftest import applicant_pnr, csrf_of, login_pnr, login_staff, post_form


def _signed_in_as(app, token: str) -> str | None:  # type: ignore[no-untyped-def]
    """Whose home page the session token opens, if any."""
    with TestClient(app, base_url="http://127.0.0.1") as other:
        other.cookies.set(SESSION_COOKIE, token)
        response = other.get("/home", follow_redirects=False)
    location = response.headers["location"]
    return None if location == "/login" else location


def test_a_planted_session_id_is_replaced_at_sign_in(app, client: TestClient, db: Session) -> None:  # type: ignore[no-untyped-def]
    planted = secrets.token_urlsafe(32)
    client.cookies.set(SESSION_COOKIE, planted, domain="127.0.0.1")
    login_pnr(client, applicant_pnr("single adult"))
    issued = client.cookies.get(SESSION_COOKIE)
    assert issued and issued != planted
    assert _signed_in_as(app, planted) is None  # the attacker's id opens nothing
    assert _signed_in_as(app, issued) == "/applicant"
    stored = db.exec(select(WebSession).where(WebSession.token_hash == _token_hash(issued))).one()
    assert stored.token_hash != issued  # only the hash is kept


def test_signing_in_again_ends_the_earlier_session(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    login_pnr(client, applicant_pnr("single adult"))
    first = client.cookies.get(SESSION_COOKIE)
    login_staff(client, "kvalitet")
    second = client.cookies.get(SESSION_COOKIE)
    assert first and second and first != second
    assert _signed_in_as(app, first) is None
    assert _signed_in_as(app, second) == "/quality"


def test_signing_out_ends_the_session_on_the_server(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    login_staff(client, "kvalitet")
    token = client.cookies.get(SESSION_COOKIE)
    assert token
    response = post_form(client, "/logout", {}, page="/quality")
    assert response.status_code == 303
    assert _signed_in_as(app, token) is None  # a copied cookie is worth nothing afterwards


def test_cookies_are_http_only_and_same_site(client: TestClient) -> None:
    client.get("/")
    token = csrf_of(client, "/login/staff")
    response = client.post(
        "/login/staff",
        data={"username": "kvalitet", "password": "demo-kvalitet", "csrf_token": token},
        follow_redirects=False,
    )
    cookies = response.headers.get_list("set-cookie")
    session = [c for c in cookies if c.startswith(SESSION_COOKIE + "=")][-1]  # after the delete
    assert "HttpOnly" in session and "SameSite=lax" in session and "Path=/" in session


def test_every_page_carries_the_security_headers(client: TestClient) -> None:
    response = client.get("/login/staff")
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"
