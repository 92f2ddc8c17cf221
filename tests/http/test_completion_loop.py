"""The completion loop over HTTP: routing when an application is really sent, "What is still
missing" before and after sending, the informatör's request in the applicant's language, the
e-mail (to a real SMTP server started here) and SMS (to a gateway started here) without personal
details, the applicant's fix evaluated at once, and back to the informatör."""

from __future__ import annotations

import email
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from email.message import Message as EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from intake.models import Application, Attachment, CompletionRequest, Finding, Message
from portal.app import create_app
from portal.i18n import gettext, use_locale
from portal.settings import Settings
from tests.completeness_support import MONTH, open_codes, pdf, read, send
from tests.conftest import check_page, csrf_of, login_pnr, login_staff

PDF = pdf("Hyresavi")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.arrived:
            self.messages.append(email.message_from_bytes(envelope.original_content))
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, recipient: str, timeout: float = 10) -> EmailMessage:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while True:
                for message in self.messages:
                    if message["To"] == recipient:
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no e-mail to {recipient}")
                self.arrived.wait(remaining)


class SmsGateway(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers["Content-Length"])
        SmsGateway.received.append(
            {"body": json.loads(self.rfile.read(length)), "auth": self.headers["Authorization"]}
        )
        self.send_response(202)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture(scope="module")
def gateway() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SmsGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/send"
    server.shutdown()
    server.server_close()


@pytest.fixture
def mailing_client(
    settings: Settings, engine: Engine, mailbox: tuple[Mailbox, int], gateway: str
) -> Iterator[TestClient]:
    """The portal with real SMTP and an HTTP SMS gateway, both on this machine."""
    configured = settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": mailbox[1],
            "smtp_from": "noreply@testkommun.example",
            "sms_gateway": "http",
            "sms_gateway_url": gateway,
            "sms_gateway_token": "sms-secret",
        }
    )
    with TestClient(create_app(configured, engine), base_url="http://127.0.0.1") as client:
        yield client


def post(client: TestClient, url: str, data: dict[str, str], page: str, files=None):  # type: ignore[no-untyped-def]
    return client.post(
        url, data={**data, "csrf_token": csrf_of(client, page)}, files=files, follow_redirects=False
    )


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def walk_and_sign(client: TestClient) -> str:
    """Apply with "nothing has changed" and no documents, then sign: the status page's URL."""
    start = post(client, "/applicant/apply", {}, "/applicant").headers["location"]
    url = post(client, start, {"value": "no"}, start).headers["location"]
    while "/review" not in url:
        url = post(client, url, {"confirm": "yes"}, url).headers["location"]
    review = client.get(url)
    check_page(review.text)
    text = text_of(review.text)
    assert "What is still missing" in text
    assert "We need this document: Payslip: Salary." in text
    assert "We need this document: Rent notice." in text
    link = re.search(
        r'href="(/applicant/apply/[^"]+/step/incomes:\d+\?edit=1&amp;back=review)"', review.text
    )
    assert link, "each missing item links to where it is fixed"
    signed = post(client, url.replace("/review", "/sign"), {"declaration": "yes"}, url)
    return signed.headers["location"].split("?")[0]


def test_a_real_submission_is_routed_by_its_findings(
    client: TestClient, db: Session, new_household
) -> None:  # type: ignore[no-untyped-def]
    demo = new_household("en")
    login_pnr(client, demo.members[0].personnummer)
    status_url = walk_and_sign(client)
    application_id = int(status_url.rsplit("/", 1)[1])
    db.expire_all()
    application = db.get(Application, application_id)
    assert application is not None
    assert application.status == "submitted" and application.complete_on_submission is False
    assert [code for code, _ in open_codes(db, application)] == ["missing_attachment"] * 5
    page = client.get(status_url)
    check_page(page.text)
    text = text_of(page.text)
    # The applicant sees what is still missing, each with a form to add it, after sending too.
    assert "What is still missing" in text
    assert "We need this document: Electricity bill." in text
    forms = re.findall(r'<li class="completion__item" id="fix-(\d+)">', page.text)
    assert len(forms) == 5
    assert page.text.count('name="document" value="') >= 5


def test_uploading_what_is_missing_before_anyone_looked_routes_it_to_the_officers(
    client: TestClient, db: Session, settings: Settings, new_household
) -> None:  # type: ignore[no-untyped-def]
    sent = send(db, settings.uploads, new_household("en"), drop=("rent",))
    assert sent.application.status == "submitted"
    client.cookies.set("portal_lang", "en")
    login_pnr(client, sent.pnr)
    status_url = f"/applicant/applications/{sent.application.id}"
    page = client.get(status_url)
    finding = re.search(r'id="fix-(\d+)"', page.text)
    assert finding
    assert 'value="rent_notice||rent"' in page.text
    uploaded = post(
        client,
        f"{status_url}/documents",
        {"document": "rent_notice||rent", "finding": finding.group(1)},
        status_url,
        files=[("documents", ("hyresavi.pdf", PDF, "application/pdf"))],
    )
    assert uploaded.headers["location"] == f"{status_url}?added=1"
    assert open_codes(db, sent.application) == [("reading_pending", "review")]
    attachment = db.exec(
        select(Attachment)
        .where(Attachment.application_id == sent.application.id)
        .where(Attachment.filename == "hyresavi.pdf")
    ).one()
    read(db, attachment, kind="rent_notice", period=MONTH, amount_ore=785000)
    db.expire_all()
    application = db.get(Application, sent.application.id)
    assert application is not None
    assert application.status == "complete" and application.pre_validated is True
    assert application.complete_on_submission is False  # not complete when it was sent
    assert "What is still missing" not in client.get(status_url).text


def test_the_whole_completion_round(
    mailing_client: TestClient,
    db: Session,
    settings: Settings,
    new_household,
    mailbox: tuple[Mailbox, int],
) -> None:  # type: ignore[no-untyped-def]
    client = mailing_client
    demo = new_household("so")
    sent = send(
        db,
        settings.uploads,
        demo,
        drop=("incomes",),
        adjust={"rent": {"period": "2020-01"}},
        answers={"anything_changed": True, "changes": ["family"], "household_change": ""},
    )
    application = sent.application
    assert [code for code, _ in open_codes(db, application)] == [
        "household_change_facts",
        "missing_attachment",
        "wrong_period",
    ]
    findings = {
        f.code: f for f in db.exec(select(Finding).where(Finding.application_id == application.id))
    }

    # The informatör asks for all three, with a wording each and a note of their own.
    client.cookies.set("portal_lang", "en")
    login_staff(client, "informator")
    url = f"/informator/applications/{application.id}"
    none = post(client, f"{url}/request", {"note": "x"}, url)
    assert none.status_code == 422 and "Choose at least one finding to ask about." in none.text
    data = {
        "finding": [str(f.id) for f in findings.values()],
        "template_" + str(findings["missing_attachment"].id): "add_or_explain",
        "template_" + str(findings["wrong_period"].id): "right_month",
        "template_" + str(findings["household_change_facts"].id): "household_details",
        "note": "Ring mig gärna på 0521-12 34 56.",
        "csrf_token": csrf_of(client, url),
    }
    requested = client.post(f"{url}/request", data=data, follow_redirects=False)
    assert requested.status_code == 303
    db.expire_all()
    stored = db.get(Application, application.id)
    assert stored is not None and stored.status == "needs_completion"
    request = db.exec(
        select(CompletionRequest).where(CompletionRequest.application_id == application.id)
    ).one()
    assert request.language == "so" and request.note == "Ring mig gärna på 0521-12 34 56."

    # The applicant is told, in Somali, by e-mail and SMS, with no personal details.
    with use_locale("so"):
        expected = gettext(
            "You have a new message from %(municipality)s. Sign in at %(url)s to read it.",
            municipality=settings.municipality_name,
            url=settings.base_url,
        )
    mail = mailbox[0].wait_for("test@example.org")
    body = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert body.strip() == expected
    assert mail["Subject"] == settings.municipality_name
    sms = [s for s in SmsGateway.received if s["body"]["message"] == expected]
    assert sms and sms[-1]["body"]["to"] == "070-123 45 67"
    assert sms[-1]["auth"] == "Bearer sms-secret"
    for secret in ("Testsson", sent.pnr, application.reference or "", "7 850", "hyr", "EB-"):
        assert secret not in body and secret not in sms[-1]["body"]["message"]
    # The message in the portal itself is in the applicant's language.
    message = db.exec(
        select(Message)
        .where(Message.application_id == application.id)
        .order_by(col(Message.id).desc())
    ).first()
    assert message is not None and message.direction == "to_applicant"
    with use_locale("so"):
        assert message.body.startswith(
            gettext("We need more information to handle your application.")
        )

    # The applicant reads the request, in Somali, then switches to English and fixes it.
    client.cookies.clear()
    login_pnr(client, sent.pnr)
    status_url = f"/applicant/applications/{application.id}"
    page = client.get(status_url)
    assert 'lang="so"' in page.text and 'id="completion"' in page.text
    post(client, "/language", {"lang": "en", "next": status_url}, status_url)
    page = client.get(status_url)
    check_page(page.text)
    text = text_of(page.text)
    assert "The social services need more from you" in text
    assert "Ring mig gärna på 0521-12 34 56." in text
    assert (
        "Please add this document: Payslip: Salary. If you cannot get it, write to us why." in text
    )
    assert "hyresavi.png is for January 2020." in text
    assert "Please write to us who moved in or out of your home, and from which date." in text

    missing = findings["missing_attachment"]
    key = f"payslip|salary|{missing.params['answer_key']}"  # type: ignore[index]
    assert f'value="{key}"' in page.text
    post(
        client,
        f"{status_url}/documents",
        {"document": key, "finding": str(missing.id)},
        status_url,
        files=[("documents", ("lonespec.pdf", PDF, "application/pdf"))],
    )
    post(
        client,
        f"{status_url}/documents",
        {"document": "rent_notice||rent", "finding": str(findings["wrong_period"].id)},
        status_url,
        files=[("documents", ("ny-hyresavi.pdf", PDF, "application/pdf"))],
    )
    # The worker reads the new documents; the findings are evaluated again at once.
    readings = {
        "lonespec.pdf": {
            "kind": "payslip",
            "period": sent_month(application),
            "amount_ore": 1200000,
        },
        "ny-hyresavi.pdf": {"kind": "rent_notice", "period": MONTH, "amount_ore": 785000},
    }
    for name, values in readings.items():
        attachment = db.exec(
            select(Attachment)
            .where(Attachment.application_id == application.id)
            .where(Attachment.filename == name)
        ).one()
        read(db, attachment, **values)
    assert open_codes(db, application) == [("household_change_facts", "blocking")]
    page = client.get(status_url)
    assert text_of(page.text).count("– Done") == 2

    replied = post(
        client,
        f"{status_url}/documents",
        {"send": "1", "reply": "Min bror Ali flyttade in den 1 oktober."},
        status_url,
    )
    assert replied.headers["location"] == f"{status_url}?replied=1#completion"
    db.expire_all()
    stored = db.get(Application, application.id)
    request = db.get(CompletionRequest, request.id)
    assert stored is not None and request is not None
    assert stored.status == "submitted" and request.answered_at is not None
    assert request.reply == "Min bror Ali flyttade in den 1 oktober."
    assert "The social services need more from you" not in client.get(status_url).text

    # Back with the informatör: answered, the reply shown; accept the last finding, complete.
    client.cookies.clear()
    client.cookies.set("portal_lang", "en")
    login_staff(client, "informator")
    queue = text_of(client.get("/informator").text)
    assert "The applicant has answered" in queue
    view = client.get(url)
    assert "Min bror Ali flyttade in den 1 oktober." in view.text
    facts = findings["household_change_facts"]
    post(client, f"{url}/findings/{facts.id}/accept", {"reason": "Svar i portalen: bror Ali."}, url)
    done = post(client, f"{url}/complete", {}, url)
    assert done.status_code == 303
    db.expire_all()
    stored = db.get(Application, application.id)
    assert stored is not None and stored.status == "complete" and stored.pre_validated is False


def sent_month(application: Application) -> str:
    from portal.completeness import month_of

    return month_of(application.submitted_at)


def test_the_applicant_can_send_anyway_with_only_words(
    client: TestClient, db: Session, settings: Settings, new_household
) -> None:  # type: ignore[no-untyped-def]
    sent = send(db, settings.uploads, new_household("en"), drop=("rent", "bank_accounts"))
    login_staff(client, "informator")
    url = f"/informator/applications/{sent.application.id}"
    ids = [
        str(f.id)
        for f in db.exec(select(Finding).where(Finding.application_id == sent.application.id))
    ]
    data: dict[str, Any] = {"finding": ids, "csrf_token": csrf_of(client, url)}
    data.update({f"template_{i}": "add_document" for i in ids})
    assert client.post(f"{url}/request", data=data, follow_redirects=False).status_code == 303
    client.cookies.clear()
    client.cookies.set("portal_lang", "en")
    login_pnr(client, sent.pnr)
    status_url = f"/applicant/applications/{sent.application.id}"
    post(client, f"{status_url}/documents", {"send": "1", "reply": ""}, status_url)
    db.expire_all()
    application = db.get(Application, sent.application.id)
    assert application is not None and application.status == "submitted"
    assert len(open_codes(db, application)) == 2  # still missing, but received as it is


def test_words_before_anyone_asked_are_kept_as_a_message(
    client: TestClient, db: Session, settings: Settings, new_household
) -> None:  # type: ignore[no-untyped-def]
    sent = send(
        db,
        settings.uploads,
        new_household("en"),
        answers={"anything_changed": True, "changes": ["family"], "household_change": ""},
    )
    assert open_codes(db, sent.application) == [("household_change_facts", "blocking")]
    login_pnr(client, sent.pnr)
    status_url = f"/applicant/applications/{sent.application.id}"
    page = client.get(status_url)
    assert "You told us that your household has changed." in text_of(page.text)
    assert 'id="completion-reply"' in page.text  # words can be sent before anyone asks
    empty = post(client, f"{status_url}/documents", {"send": "1", "reply": " "}, status_url)
    assert empty.headers["location"] == f"{status_url}#completion"  # nothing to send
    replied = post(
        client,
        f"{status_url}/documents",
        {"send": "1", "reply": "Min dotter Sara föddes den 2 oktober."},
        status_url,
    )
    assert replied.headers["location"] == f"{status_url}?replied=1#completion"
    assert (
        "What you sent has gone to the social services"
        in client.get(replied.headers["location"]).text
    )
    db.expire_all()
    application = db.get(Application, sent.application.id)
    assert application is not None and application.status == "submitted"
    message = db.exec(
        select(Message)
        .where(Message.application_id == sent.application.id)
        .where(Message.direction == "from_applicant")
    ).one()
    assert message.body == "Min dotter Sara föddes den 2 oktober."
