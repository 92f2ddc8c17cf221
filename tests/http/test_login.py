import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from intake.models import AuditEvent, Person, StaffUser, WebSession
from portal.app import create_app
from portal.settings import Settings
from tests.conftest import (
    applicant_pnr,
    check_page,
    csrf_of,
    login_applicant,
    login_staff,
    post_form,
)


@pytest.mark.parametrize(
    ("username", "home", "heading"),
    [
        ("informator", "/informator", "Ansökningar att kontrollera"),
        ("handlaggare", "/officer", "Ansökningar att fatta beslut om"),
        ("kvalitet", "/quality", "Hur de sökande blev bemötta"),
        ("admin", "/admin", "Administration"),
    ],
)
def test_staff_sign_in_lands_on_the_role_home(
    client: TestClient, username: str, home: str, heading: str
) -> None:
    response = post_form(
        client, "/login/staff", {"username": username, "password": f"demo-{username}"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == home
    page = client.get(home)
    check_page(page.text)
    assert heading in page.text


def test_staff_with_several_roles_sees_each_home(client: TestClient) -> None:
    login_staff(client, "teamledare")
    page = client.get("/informator").text
    for href in ('href="/informator"', 'href="/officer"', 'href="/quality"'):
        assert href in page
    assert 'href="/admin"' not in page
    assert client.get("/officer").status_code == 200
    assert client.get("/admin").status_code == 403


def test_wrong_password_gives_a_clear_message_and_counts(client: TestClient, db: Session) -> None:
    before = db.exec(select(StaffUser).where(StaffUser.username == "kvalitet")).one().failed_logins
    response = post_form(client, "/login/staff", {"username": "kvalitet", "password": "wrong"})
    assert response.status_code == 422
    check_page(response.text)
    assert "Användarnamnet eller lösenordet är fel" in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'value="kvalitet"' in response.text
    db.expire_all()
    user = db.exec(select(StaffUser).where(StaffUser.username == "kvalitet")).one()
    assert user.failed_logins == before + 1
    login_staff(client, "kvalitet")
    db.expire_all()
    assert db.get(StaffUser, user.id).failed_logins == 0  # type: ignore[union-attr]


def test_unknown_user_gets_the_same_message(client: TestClient) -> None:
    response = post_form(client, "/login/staff", {"username": "nobody", "password": "x"})
    assert response.status_code == 422
    assert "Användarnamnet eller lösenordet är fel" in response.text


def test_session_cookie_is_httponly_lax_and_renewed_at_sign_in(client: TestClient) -> None:
    client.get("/")
    first = post_form(client, "/login/staff", {"username": "admin", "password": "demo-admin"})
    cookie = first.headers["set-cookie"]
    assert "portal_session=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    token_one = client.cookies.get("portal_session")
    second = post_form(client, "/login/staff", {"username": "admin", "password": "demo-admin"})
    assert second.status_code == 303
    assert client.cookies.get("portal_session") != token_one


def test_logout_ends_the_session_on_the_server(client: TestClient) -> None:
    login_staff(client, "admin")
    token = client.cookies.get("portal_session")
    response = post_form(client, "/logout", {}, page="/admin")
    assert response.status_code == 303
    assert client.get("/admin", follow_redirects=False).status_code == 303
    client.cookies.set("portal_session", token or "")
    stolen = client.get("/admin", follow_redirects=False)
    assert stolen.status_code == 303
    assert stolen.headers["location"] == "/login?next=/admin"


def test_idle_session_expires(client: TestClient, db: Session) -> None:
    login_staff(client, "admin")
    assert client.get("/admin").status_code == 200
    for row in db.exec(select(WebSession)).all():
        row.last_seen_at = row.last_seen_at - dt.timedelta(minutes=31)
        db.add(row)
    db.commit()
    response = client.get("/admin", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_applicant_signs_in_with_test_identification(client: TestClient, db: Session) -> None:
    form = client.get("/login/test-eid")
    check_page(form.text)
    assert "Endast för utveckling och test" in form.text
    login_applicant(client, "single adult")
    page = client.get("/applicant")
    check_page(page.text)
    assert "Hej Anna" in page.text
    assert "Anna Lindqvist" in page.text
    # The three earlier months are listed (other tests may have added a newer one).
    assert page.text.count("<tr>") >= 4
    assert (
        db.exec(select(AuditEvent).where(AuditEvent.action == "view_household")).first() is not None
    )


def test_applicant_language_follows_the_profile(client: TestClient) -> None:
    login_applicant(client, "Arabic-speaking family")
    page = client.get("/applicant")
    assert check_page(page.text).html_attrs == {"lang": "ar", "dir": "rtl"}


def test_changing_language_while_signed_in_updates_the_profile(
    client: TestClient, db: Session
) -> None:
    login_applicant(client, "Tigrinya-speaking adult")
    post_form(client, "/language", {"lang": "en", "next": "/applicant"}, page="/applicant")
    person = db.exec(
        select(Person).where(Person.personnummer == applicant_pnr("Tigrinya-speaking adult"))
    ).one()
    assert person.language == "en"
    fresh = TestClient(client.app, base_url="http://127.0.0.1")
    login_applicant(fresh, "Tigrinya-speaking adult")
    assert check_page(fresh.get("/applicant").text).html_attrs["lang"] == "en"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1234", "ÅÅÅÅMMDD-NNNN"),
        ("19861332-2384", "finns inte"),
        ("19860412-2389", "sista siffran"),
    ],
)
def test_bad_personnummer_is_explained(client: TestClient, typed: str, message: str) -> None:
    response = post_form(client, "/login/test-eid", {"pnr": typed})
    assert response.status_code == 422
    check_page(response.text)
    assert message in response.text.lower() or message in response.text
    assert 'class="error-summary"' in response.text
    assert f'value="{typed}"' in response.text


def test_unknown_person_is_told_how_to_apply_first(client: TestClient) -> None:
    response = post_form(client, "/login/test-eid", {"pnr": "19860412-2385"})
    assert response.status_code == 422
    assert "första gången" in response.text


def test_protected_identity_shows_the_other_channel_only(client: TestClient) -> None:
    login_applicant(client, "protected identity")
    page = client.get("/applicant")
    check_page(page.text)
    assert "Kontakta socialtjänsten" in page.text
    assert "Skyddad" not in page.text.replace("Kerstin Skyddad", "")
    assert "<table" not in page.text


def test_test_identification_does_not_exist_in_production(
    settings: Settings,
    engine,  # type: ignore[no-untyped-def]
) -> None:
    production = settings.model_copy(update={"mode": "production"})
    app = create_app(production, engine)
    with TestClient(app, base_url="https://127.0.0.1") as client:
        first = client.get("/login")
        assert "secure" in first.headers["set-cookie"].lower()
        assert "strict-transport-security" in first.headers
        assert client.get("/login/test-eid").status_code == 404
        token = csrf_of(client, "/login")
        response = client.post(
            "/login/test-eid", data={"pnr": applicant_pnr("single adult"), "csrf_token": token}
        )
        assert response.status_code == 404
        signed_in = client.post(
            "/login/staff",
            data={"username": "admin", "password": "demo-admin", "csrf_token": token},
            follow_redirects=False,
        )
        assert signed_in.status_code == 303
        session_cookie = signed_in.headers["set-cookie"]
        assert "portal_session=" in session_cookie and "secure" in session_cookie.lower()
        post_form(client, "/logout", {}, page="/admin")
        assert "test" not in client.get("/login").text.lower().split("<main")[1].split("</main>")[0]
