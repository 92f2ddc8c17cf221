"""BankID pages against the fake RP server: sign-in, signing for the application flow, the
order bound to its browser, htmx polling, failures and protected identity."""

from __future__ import annotations

import datetime as dt
import html
import re
import secrets
from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from intake import personnummer
from intake.models import AuditEvent, EidOrder, WebSession
from portal import repository
from portal.app import create_app
from portal.auth import Applicant
from portal.bankid import BankIdClient, BankIdError, configure
from portal.db import SessionDep
from portal.routes.bankid import (
    ProtectedIdentity,
    bankid_error_text,
    order_url,
    start_sign,
    use_signature,
)
from portal.settings import Settings
from portal.templating import render
from tests.conftest import applicant_pnr, check_page, csrf_of, login_applicant, post_form
from tests.fake_bankid import FakeBankId, NoUsableBankId, complete, read_qr_svg

ANNA = applicant_pnr("single adult")
SARA = applicant_pnr("single parent")
KERSTIN = applicant_pnr("protected identity")
NOBODY = personnummer.make("19700101", "123")
ORDER_LOCATION = re.compile(r"^/bankid/orders/(\d+)(\?device=(this|other))?$")

# --- a stand-in for the application flow's signing step ----------------------------------------

flow = APIRouter()


@flow.post("/test-flow/sign")
def flow_sign(
    request: Request, db: SessionDep, user: Applicant, month: Annotated[str, Form()] = ""
) -> Response:
    assert user.person is not None
    response = RedirectResponse("/", status_code=303)
    try:
        order = start_sign(
            db,
            request,
            response,
            person=user.person,
            application_id=None,
            user_visible_data=f"Ansökan om ekonomiskt bistånd för {month}.\nHushåll: test.",
            return_to="/test-flow/signed?month=" + month,
        )
    except ProtectedIdentity:
        return render(request, "pages/applicant/protected.html")
    except BankIdError as exc:
        return PlainTextResponse(bankid_error_text(exc), status_code=409)
    response.headers["location"] = order_url(order, "other")
    return response


@flow.get("/test-flow/signed")
def flow_signed(request: Request, db: SessionDep, user: Applicant, eid_order: int = 0) -> Response:
    order = use_signature(db, request, eid_order)
    if order is None:
        return PlainTextResponse("not signed")
    return PlainTextResponse(f"signed {order.order_ref} for application {order.application_id}")


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeBankId]:
    with FakeBankId(tmp_path_factory.mktemp("bankid")) as server:
        yield server


@pytest.fixture(scope="module")
def app(settings: Settings, engine: Engine, fake: FakeBankId) -> Iterator[FastAPI]:
    application = create_app(settings, engine)
    application.include_router(flow)
    configure(application, fake.settings())
    yield application
    configure(application, None)


def _browser(app: FastAPI) -> TestClient:
    browser = TestClient(app, base_url="http://127.0.0.1", client=("192.0.2.10", 50000))
    browser.cookies.set("portal_lang", "en")
    return browser


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with _browser(app) as browser:
        yield browser


@pytest.fixture
def stranger(app: FastAPI) -> Iterator[TestClient]:
    with _browser(app) as browser:
        yield browser


def english(client: TestClient) -> None:
    """Signing in switches to the person's language; these tests read English."""
    client.cookies.delete("portal_lang")
    client.cookies.set("portal_lang", "en")


def start_login(client: TestClient, device: str = "other", next: str = "") -> tuple[str, int]:
    response = post_form(client, "/bankid/login", {"device": device, "next": next})
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    match = ORDER_LOCATION.match(location)
    assert match, location
    assert "portal_bankid" in response.headers["set-cookie"]
    return location, int(match.group(1))


def order_row(db: Session, order_id: int) -> EidOrder:
    db.expire_all()
    order = db.get(EidOrder, order_id)
    assert order is not None
    return order


def message_of(page: str) -> str:
    match = re.search(r'<div id="bankid-message"[^>]*>(.*?)</div>', page, re.S)
    assert match, "no message region"
    return html.unescape(match.group(1).strip())


# --- sign-in -----------------------------------------------------------------------------------


def test_the_sign_in_page_offers_both_devices(client: TestClient) -> None:
    page = client.get("/bankid/login?next=/applicant/messages")
    check_page(page.text)
    assert "Sign in with BankID" in page.text
    assert 'action="/bankid/login"' in page.text
    assert 'name="device" value="this"' in page.text and "BankID on this device" in page.text
    assert 'name="device" value="other"' in page.text
    assert "Mobile BankID on another device" in page.text
    assert 'name="next" value="/applicant/messages"' in page.text
    choice = client.get("/login").text
    assert 'href="/bankid/login"' in choice and "Sign in with BankID" in choice


def test_sign_in_by_scanning_the_qr_code(client: TestClient, fake: FakeBankId, db: Session) -> None:
    location, order_id = start_login(client)
    page = client.get(location)
    check_page(page.text)
    assert page.headers["vary"] == "HX-Request"
    assert "<h1>Sign in with BankID</h1>" in page.text
    assert message_of(page.text) == "Start your BankID app."
    assert "Point the camera at the QR code" in page.text
    assert f'href="{location}"' in page.text  # "Update" without JavaScript
    row = order_row(db, order_id)
    started = fake.order(row.order_ref)
    assert (row.kind, row.status, started.end_user_ip) == ("auth", "pending", "192.0.2.10")
    assert started.user_visible_data == (
        "Sign in to the e-service for financial assistance, Testkommun."
    )

    fake.scan(read_qr_svg(page.text), ANNA)
    done = client.get(location, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/applicant"
    english(client)
    home = client.get("/applicant")
    assert home.status_code == 200 and "Anna" in home.text

    row = order_row(db, order_id)
    anna = repository.person_by_personnummer(db, ANNA)
    assert anna is not None
    assert (row.status, row.person_id, row.personnummer) == ("complete", anna.id, None)
    assert row.qr_start_secret is None and row.auto_start_token is None
    audits = db.exec(select(AuditEvent).where(AuditEvent.action == "sign_in")).all()
    assert any(
        a.actor_id == anna.id and (a.detail or {}).get("provider") == "bankid" for a in audits
    )
    # The finished order leads on, without a second session.
    sessions = len(db.exec(select(WebSession)).all())
    again = client.get(location, follow_redirects=False)
    assert again.headers["location"] == "/applicant"
    assert len(db.exec(select(WebSession)).all()) == sessions


def test_sign_in_goes_on_to_the_page_asked_for(client: TestClient, fake: FakeBankId) -> None:
    location, _ = start_login(client, next="/applicant?from=mail")
    fake.scan(read_qr_svg(client.get(location).text), SARA)
    done = client.get(location, follow_redirects=False)
    assert done.headers["location"] == "/applicant?from=mail"
    location, _ = start_login(_reset(client), next="https://evil.example/")
    fake.scan(read_qr_svg(client.get(location).text), SARA)
    assert client.get(location, follow_redirects=False).headers["location"] == "/applicant"


def _reset(client: TestClient) -> TestClient:
    client.cookies.delete("portal_session")
    return client


def test_bankid_on_this_device_uses_the_autostart_link(
    client: TestClient, fake: FakeBankId, db: Session
) -> None:
    location, order_id = start_login(client, device="this")
    assert location.endswith("?device=this")
    page = client.get(location)
    check_page(page.text)
    token = fake.order(order_row(db, order_id).order_ref).auto_start_token
    link = f"https://app.bankid.com/?autostarttoken={token}&amp;redirect=null"
    assert f'href="{link}"' in page.text and "Open BankID" in page.text
    assert message_of(page.text) == "Trying to start your BankID app."
    assert "bankid-qr__code" not in page.text
    assert f'href="/bankid/orders/{order_id}?device=other"' in page.text
    fake.open_autostart(link.replace("&amp;", "&"), ANNA, finish=False)
    assert "select Identify" in message_of(client.get(location).text)
    done = client.get(location, follow_redirects=False)
    assert done.headers["location"] == "/applicant"


def test_without_a_device_the_user_chooses_one(client: TestClient, db: Session) -> None:
    location, order_id = start_login(client, device="")
    assert location == f"/bankid/orders/{order_id}"
    page = client.get(location)
    check_page(page.text)
    assert "on this device, or with Mobile BankID on another device?" in page.text
    assert f'href="/bankid/orders/{order_id}?device=this"' in page.text
    assert f'href="/bankid/orders/{order_id}?device=other"' in page.text
    assert message_of(page.text) == "" and "hx-trigger" not in page.text


def test_the_htmx_poll_gets_a_fragment_with_a_new_qr_code(
    client: TestClient, fake: FakeBankId, db: Session
) -> None:
    location, order_id = start_login(client)
    first = client.get(location, headers={"HX-Request": "true"})
    assert first.headers["vary"] == "HX-Request"
    assert "<html" not in first.text and "<h1" not in first.text
    assert f'hx-get="{location}"' in first.text and 'hx-trigger="every 2s"' in first.text
    assert "hx-swap-oob" not in first.text  # the message has not changed
    code = read_qr_svg(first.text)
    assert code.startswith(
        f"bankid.{fake.order(order_row(db, order_id).order_ref).qr_start_token}."
    )

    row = order_row(db, order_id)  # three seconds later
    row.started_at = row.started_at - dt.timedelta(seconds=3)
    db.add(row)
    db.commit()
    fake.order(row.order_ref).created -= 3
    fake.set_pending(row.order_ref, "userSign")
    second = client.get(location, headers={"HX-Request": "true"})
    newer = read_qr_svg(second.text)
    assert newer != code and int(newer.split(".")[2]) >= int(code.split(".")[2]) + 3
    assert 'id="bankid-message" hx-swap-oob="innerHTML"' in second.text
    assert "Enter your security code in the BankID app and select Identify." in second.text
    full = client.get(location)
    assert "<html" in full.text and full.headers["vary"] == "HX-Request"

    fake.scan(newer, ANNA)
    done = client.get(location, headers={"HX-Request": "true"}, follow_redirects=False)
    assert done.status_code == 200 and done.headers["HX-Redirect"] == "/applicant"
    assert "portal_session=" in done.headers["set-cookie"]


def test_an_order_belongs_to_the_browser_that_started_it(
    client: TestClient, stranger: TestClient, fake: FakeBankId, db: Session
) -> None:
    location, order_id = start_login(client)
    page = client.get(location)
    for headers in ({}, {"HX-Request": "true"}):
        refused = stranger.get(location, headers=headers)
        assert refused.status_code == 404 and "bankid-qr" not in refused.text
    stranger.cookies.set("portal_bankid", "x" * 43)
    assert stranger.get(location).status_code == 404
    cancel = post_form(stranger, f"/bankid/orders/{order_id}/cancel", {}, page="/")
    assert cancel.status_code == 404
    fake.scan(read_qr_svg(page.text), ANNA)
    assert stranger.get(location, follow_redirects=False).status_code == 404
    assert stranger.get("/applicant", follow_redirects=False).status_code == 303  # not signed in
    assert order_row(db, order_id).status == "pending"  # nothing collected for the stranger
    done = client.get(location, follow_redirects=False)
    assert done.headers["location"] == "/applicant"


HINT_SEQUENCE = [
    ("outstandingTransaction", "Start your BankID app."),
    ("noClient", "Start your BankID app."),
    ("started", "Searching for BankID, it may take a little while"),
    ("userMrtd", "Process your machine-readable travel document using the BankID app."),
    ("userSign", "Enter your security code in the BankID app and select Identify."),
    ("somethingNew", "Identification in progress."),
]


def test_each_pending_hint_code_has_its_message(
    client: TestClient, fake: FakeBankId, db: Session
) -> None:
    location, order_id = start_login(client)
    ref = order_row(db, order_id).order_ref
    fake.script(ref, *(hint for hint, _ in HINT_SEQUENCE), complete(ANNA))
    for _hint, text in HINT_SEQUENCE:
        page = client.get(location)
        assert message_of(page.text).startswith(text)
    assert client.get(location, follow_redirects=False).headers["location"] == "/applicant"


FAILURES = [
    ("expiredTransaction", "The BankID app is not responding."),
    ("certificateErr", "The BankID you are trying to use is blocked or too old."),
    ("userCancel", "Action cancelled."),
    ("cancelled", "Action cancelled. Please try again."),
    ("startFailed", "Failed to scan the QR code."),
    ("userDeclinedCall", "you are not in a call with us"),
    ("notSupportedByUserApp", "Your BankID app needs to be updated."),
    ("transactionRiskBlocked", "BankID stopped this action for your safety."),
    ("someNewFailure", "Unknown error. Please try again."),
]


@pytest.mark.parametrize(("hint", "text"), FAILURES)
def test_failures_show_their_message(
    client: TestClient, fake: FakeBankId, db: Session, hint: str, text: str
) -> None:
    location, order_id = start_login(client, next="/applicant/x")
    fake.fail(order_row(db, order_id).order_ref, hint)
    polled = client.get(location, headers={"HX-Request": "true"}, follow_redirects=False)
    assert polled.headers["HX-Redirect"] == location  # the whole page shows the failure
    page = client.get(location)
    assert page.status_code == 422
    check_page(page.text)
    assert "<title>Error: Sign in with BankID" in page.text
    assert text in message_of(page.text)
    assert 'href="/bankid/login?next=/applicant/x"' in page.text  # try again
    assert "bankid-qr" not in page.text and "hx-trigger" not in page.text
    assert (order_row(db, order_id).status, order_row(db, order_id).hint_code) == ("failed", hint)


def test_start_failed_on_this_device_speaks_of_the_app(
    client: TestClient, fake: FakeBankId, db: Session
) -> None:
    location, order_id = start_login(client, device="this")
    fake.fail(order_row(db, order_id).order_ref, "startFailed")
    assert message_of(client.get(location).text).startswith(
        "The BankID app couldn't be found on your computer or mobile device."
    )


def test_cancel(client: TestClient, fake: FakeBankId, db: Session) -> None:
    location, order_id = start_login(client)
    client.get(location)
    ref = order_row(db, order_id).order_ref
    response = post_form(client, f"/bankid/orders/{order_id}/cancel", {}, page=location)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert ("cancel", {"orderRef": ref}) in fake.calls and fake.order(ref).gone
    assert (order_row(db, order_id).status, order_row(db, order_id).hint_code) == (
        "failed",
        "userCancel",
    )
    assert message_of(client.get(location).text) == "Action cancelled."


@pytest.mark.parametrize(
    ("error", "status", "text"),
    [
        ("maintenance", 503, "Internal error. Please try again."),
        ("internalError", 503, "Internal error. Please try again."),
        ("requestTimeout", 503, "Internal error. Please try again."),
        ("unauthorized", 503, "Internal error. Please try again."),
        ("alreadyInProgress", 409, "is already started. Please try again."),
        ("invalidParameters", 503, "Unknown error. Please try again."),
    ],
)
def test_errors_when_starting(
    client: TestClient, fake: FakeBankId, error: str, status: int, text: str
) -> None:
    fake.fail_next("auth", error)
    response = post_form(client, "/bankid/login", {"device": "other"})
    assert response.status_code == status
    check_page(response.text)
    assert 'class="error-summary"' in response.text and text in response.text
    assert "<title>Error: Sign in with BankID" in response.text


def test_a_busy_bankid_while_collecting_keeps_the_order(
    client: TestClient, fake: FakeBankId, db: Session
) -> None:
    location, order_id = start_login(client)
    fake.fail_next("collect", "maintenance")
    page = client.get(location)
    assert page.status_code == 200 and message_of(page.text) == "Internal error. Please try again."
    assert order_row(db, order_id).status == "pending"
    assert message_of(client.get(location).text) == "Start your BankID app."


def test_an_order_bankid_forgot_fails(client: TestClient, fake: FakeBankId, db: Session) -> None:
    location, order_id = start_login(client)
    fake.fail_next("collect", "invalidParameters")
    page = client.get(location)
    assert page.status_code == 422 and "Unknown error. Please try again." in page.text
    assert order_row(db, order_id).status == "failed"


def test_a_person_we_do_not_know(client: TestClient, fake: FakeBankId, db: Session) -> None:
    location, order_id = start_login(client)
    fake.scan(read_qr_svg(client.get(location).text), NOBODY)
    page = client.get(location, follow_redirects=False)
    assert page.status_code == 422
    assert "We have no application for this person." in page.text
    assert "portal_session" not in page.headers.get("set-cookie", "")
    assert client.get("/applicant", follow_redirects=False).headers["location"].startswith("/login")
    assert order_row(db, order_id).person_id is None


def test_protected_identity_fails_closed_at_sign_in(
    client: TestClient, fake: FakeBankId, db: Session
) -> None:
    location, order_id = start_login(client)
    fake.scan(read_qr_svg(client.get(location).text), KERSTIN)
    for headers in ({"HX-Request": "true"}, {}):
        response = client.get(location, headers=headers, follow_redirects=False)
        if headers:
            assert response.headers["HX-Redirect"] == location
    check_page(response.text)
    assert "Contact the social services" in response.text
    assert "portal_session" not in response.headers.get("set-cookie", "")
    assert client.get("/applicant", follow_redirects=False).status_code == 303
    row = order_row(db, order_id)
    assert (row.status, row.hint_code, row.person_id) == ("failed", "protectedIdentity", None)
    kerstin = repository.person_by_personnummer(db, KERSTIN)
    assert kerstin is not None
    refused = db.exec(select(AuditEvent).where(AuditEvent.action == "sign_in_refused")).all()
    assert any(event.actor_id == kerstin.id for event in refused)
    signed_in = db.exec(select(AuditEvent).where(AuditEvent.action == "sign_in")).all()
    # (Other tests sign Kerstin in with the test provider; never with BankID.)
    assert not any(
        event.actor_id == kerstin.id and (event.detail or {}).get("provider") == "bankid"
        for event in signed_in
    )


# --- signing for the application flow ------------------------------------------------------------


def test_signing_returns_to_the_flow_once(
    client: TestClient, stranger: TestClient, fake: FakeBankId, db: Session
) -> None:
    login_applicant(client, "single adult")
    english(client)
    response = post_form(client, "/test-flow/sign", {"month": "2026-08"}, page="/applicant")
    assert response.status_code == 303
    location = response.headers["location"]
    order_id = int(ORDER_LOCATION.match(location).group(1))  # type: ignore[union-attr]
    row = order_row(db, order_id)
    started = fake.order(row.order_ref)
    assert started.kind == "sign" and started.required_personnummer == ANNA
    assert started.user_visible_data == "Ansökan om ekonomiskt bistånd för 2026-08.\nHushåll: test."
    page = client.get(location)
    check_page(page.text)
    assert "<h1>Sign with BankID</h1>" in page.text
    code = read_qr_svg(page.text)
    with pytest.raises(NoUsableBankId):
        fake.scan(code, SARA)  # the app offers only Anna's BankID
    fake.scan(code, ANNA, finish=False)
    assert "select Sign." in message_of(client.get(location).text)
    done = client.get(location, follow_redirects=False)
    target = f"/test-flow/signed?month=2026-08&eid_order={order_id}"
    assert done.status_code == 303 and done.headers["location"] == target
    # Another browser signed in as the same person does not get the signature.
    login_applicant(stranger, "single adult")
    assert stranger.get(target).text == "not signed"
    assert client.get(target).text == f"signed {row.order_ref} for application None"
    assert client.get(target).text == "not signed"  # used once
    assert order_row(db, order_id).status == "used"


def test_a_signature_needs_its_signer_signed_in(client: TestClient, db: Session) -> None:
    login_applicant(client, "single adult")
    response = post_form(client, "/test-flow/sign", {"month": "2026-09"}, page="/applicant")
    location = response.headers["location"]
    assert client.get(location).status_code == 200
    post_form(client, "/logout", {}, page="/applicant")
    assert client.get(location).status_code == 404
    login_applicant(client, "single parent")
    assert client.get(location).status_code == 404


def test_signing_with_someone_elses_bankid_fails(
    client: TestClient, fake: FakeBankId, db: Session
) -> None:
    login_applicant(client, "single adult")
    english(client)
    location = post_form(client, "/test-flow/sign", {"month": "2026-10"}, page="/applicant")
    order_id = int(ORDER_LOCATION.match(location.headers["location"]).group(1))  # type: ignore[union-attr]
    fake.complete(order_row(db, order_id).order_ref, SARA)  # as if BankID ignored the requirement
    page = client.get(location.headers["location"])
    assert page.status_code == 422
    assert "belongs to someone else" in page.text
    assert 'href="/test-flow/signed?month=2026-10"' in page.text  # try again, in the flow


def test_signing_again_replaces_the_open_order(
    client: TestClient, fake: FakeBankId, db: Session
) -> None:
    login_applicant(client, "single adult")
    first = post_form(client, "/test-flow/sign", {"month": "2026-11"}, page="/applicant")
    second = post_form(client, "/test-flow/sign", {"month": "2026-11"}, page="/applicant")
    first_id = int(ORDER_LOCATION.match(first.headers["location"]).group(1))  # type: ignore[union-attr]
    second_id = int(ORDER_LOCATION.match(second.headers["location"]).group(1))  # type: ignore[union-attr]
    assert order_row(db, first_id).status == "failed"
    assert fake.order(order_row(db, first_id).order_ref).gone
    assert order_row(db, second_id).status == "pending"
    post_form(client, f"/bankid/orders/{second_id}/cancel", {}, page="/applicant")


def test_already_in_progress_elsewhere(client: TestClient, fake: FakeBankId) -> None:
    elsewhere = BankIdClient(fake.settings())
    elsewhere.sign("192.0.2.99", "Another service", requirement={"personalNumber": SARA})
    elsewhere.close()
    login_applicant(client, "single parent")
    english(client)
    response = post_form(client, "/test-flow/sign", {"month": "2026-12"}, page="/applicant")
    assert response.status_code == 409
    assert "already started. Please try again." in response.text


def test_protected_identity_never_reaches_bankid_signing(
    client: TestClient, fake: FakeBankId
) -> None:
    login_applicant(client, "protected identity")
    english(client)
    calls = len(fake.calls)
    response = post_form(client, "/test-flow/sign", {"month": "2026-08"}, page="/")
    assert response.status_code == 200 and "Contact the social services" in response.text
    assert len(fake.calls) == calls


# --- without BankID ------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["development", "production"])
def test_without_an_endpoint_the_pages_say_so(
    settings: Settings, engine: Engine, mode: str
) -> None:
    configured = settings.model_copy(update={"mode": mode, "secret_key": secrets.token_urlsafe(32)})
    plain = create_app(configured, engine)
    configure(plain, None)
    with TestClient(plain, base_url="http://127.0.0.1") as browser:
        browser.cookies.set("portal_lang", "en")
        page = browser.get("/bankid/login")
        check_page(page.text)
        choice = browser.get("/login").text
        assert 'href="/bankid/login"' not in choice
        if mode == "development":  # production cookies are Secure: not sent over plain http
            token = csrf_of(browser, "/bankid/login")
            start = browser.post(
                "/bankid/login",
                data={"device": "other", "csrf_token": token},
                follow_redirects=False,
            )
            assert start.status_code == 503 and "not set up" in start.text
    if mode == "development":
        assert "BankID is not set up in this installation." in page.text
        assert 'href="/login/test-eid"' in page.text
    else:
        assert "not yet set up for this municipality" in page.text
        assert "test-eid" not in page.text and "not yet set up" in choice
