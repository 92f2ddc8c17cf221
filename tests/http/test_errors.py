from fastapi import Depends
from fastapi.testclient import TestClient

from portal.app import create_app
from portal.auth import anyone
from portal.db import make_engine
from portal.settings import Settings
from tests.conftest import check_page, login_applicant


def test_server_error_page_is_translated_and_hides_the_trace(settings: Settings, engine) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings, engine)

    def explode() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/explode", explode, dependencies=[Depends(anyone)])
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/explode", headers={"Accept-Language": "uk"})
    assert response.status_code == 500
    page = check_page(response.text)
    assert page.html_attrs["lang"] == "uk"
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text


def test_server_error_after_a_commit_still_shows_the_page_to_a_signed_in_user(
    settings: Settings, engine
) -> None:  # type: ignore[no-untyped-def]
    """Found by the load test: a request that committed (so the signed-in person's row was
    expired) and then failed closed its database session before the error page was drawn; the
    page then crashed while asking the person's name. The page now shows no one signed in."""
    from portal.auth import Applicant
    from portal.db import SessionDep

    app = create_app(settings, engine)

    def commit_then_explode(db: SessionDep, user: Applicant) -> None:
        db.commit()
        raise RuntimeError("secret internals")

    app.add_api_route("/explode-after-commit", commit_then_explode)
    with TestClient(app, raise_server_exceptions=False) as client:
        login_applicant(client, "single adult")
        response = client.get("/explode-after-commit")
    assert response.status_code == 500
    check_page(response.text)
    assert "Något gick fel hos oss" in response.text  # her language, Swedish
    assert "secret internals" not in response.text and "Traceback" not in response.text


def test_database_down_gives_a_clear_503(settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    broken = make_engine("postgresql://nobody@127.0.0.1:1/none?connect_timeout=1")
    app = create_app(settings, broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["database"] == "unreachable"
        client.cookies.set("portal_session", "x" * 43)
        page = client.get("/", headers={"Accept-Language": "sv"})
    assert page.status_code == 503
    check_page(page.text)
    assert "tillfälligt" in page.text
    assert client.get("/healthz").text == "ok"


def test_bad_form_input_gets_a_page_not_a_trace(client: TestClient) -> None:
    response = client.post(
        "/login/staff",
        data={"username": "x" * 500, "password": "y"},
        headers={"X-CSRF-Token": _token(client)},
    )
    assert response.status_code == 400
    check_page(response.text)
    assert "Traceback" not in response.text


def _token(client: TestClient) -> str:
    from tests.conftest import csrf_of

    return csrf_of(client)
