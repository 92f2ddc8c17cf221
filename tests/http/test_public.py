import pytest
from fastapi.testclient import TestClient

from intake.languages import SUPPORTED
from tests.conftest import check_page, csrf_of


def test_start_page_explains_the_service_in_swedish_by_default(client: TestClient) -> None:
    response = client.get("/")
    page = check_page(response.text)
    assert response.status_code == 200
    assert page.html_attrs == {"lang": "sv", "dir": "ltr"}
    assert "Testkommun" in response.text
    assert 'href="/accessibility"' in response.text
    assert 'href="#main"' in response.text and 'id="main"' in response.text
    assert "Ansök om ekonomiskt bistånd" in response.text


@pytest.mark.parametrize("code", SUPPORTED)
def test_accept_language_picks_the_language(client: TestClient, code: str) -> None:
    response = client.get("/", headers={"Accept-Language": f"{code};q=0.9, de;q=0.5"})
    page = check_page(response.text)
    assert page.html_attrs["lang"] == code
    assert page.html_attrs["dir"] == ("rtl" if code in ("ar", "fa") else "ltr")


def test_explicit_choice_beats_accept_language(client: TestClient) -> None:
    token = csrf_of(client)
    response = client.post(
        "/language",
        data={"lang": "so", "next": "/accessibility", "csrf_token": token},
        headers={"Accept-Language": "ar"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/accessibility"
    cookie = response.headers["set-cookie"]
    assert "portal_lang=so" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    page = client.get("/accessibility", headers={"Accept-Language": "ar"})
    assert check_page(page.text).html_attrs["lang"] == "so"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_language_switch_never_redirects_off_site(client: TestClient, target: str) -> None:
    response = client.post(
        "/language",
        data={"lang": "en", "next": target, "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_unknown_language_is_ignored(client: TestClient) -> None:
    response = client.post(
        "/language",
        data={"lang": "xx", "next": "/", "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert "portal_lang" not in response.headers.get("set-cookie", "")


def test_language_switcher_is_on_every_page_and_keeps_the_address(client: TestClient) -> None:
    for path in ("/", "/accessibility", "/login", "/login/staff", "/login/test-eid"):
        text = client.get(path).text
        assert 'action="/language"' in text, path
        assert f'name="next" value="{path}"' in text, path
        for code in SUPPORTED:
            assert f'value="{code}" lang="{code}"' in text


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/").headers
    csp = headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cache-control"] == "no-store"


def test_not_found_page_is_in_the_users_language(client: TestClient) -> None:
    response = client.get("/no-such-page", headers={"Accept-Language": "fi"})
    assert response.status_code == 404
    assert check_page(response.text).html_attrs["lang"] == "fi"
    assert "Sivua ei löytynyt" in response.text


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").text == "ok"
    assert client.get("/readyz").json() == {"status": "ready", "database": "ok"}


def test_accessibility_statement_names_the_municipality_and_digg(client: TestClient) -> None:
    response = client.get("/accessibility", headers={"Accept-Language": "sv"})
    check_page(response.text)
    assert "Testkommun" in response.text
    assert "DIGG" in response.text
    assert "WCAG" in response.text


def test_static_assets_are_served_and_htmx_is_vendored(client: TestClient) -> None:
    page = client.get("/").text
    assert 'src="/static/vendor/htmx-2.0.11.min.js"' in page
    htmx = client.get("/static/vendor/htmx-2.0.11.min.js")
    assert htmx.status_code == 200 and "htmx" in htmx.text[:2000]
    css = client.get("/static/css/portal.css").text
    assert "inline-start" in css and "margin-left" not in css
