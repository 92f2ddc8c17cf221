"""The monthly application over HTTP, without JavaScript (plain form posts) and with htmx."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from intake.flow import month_to_apply_for
from intake.models import Answer, Application, Attachment, Notification, Signature
from tests.conftest import check_page, csrf_of, login_pnr

MONTH = month_to_apply_for(dt.date.today())
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200


@pytest.fixture
def applicant(client: TestClient, new_household):  # type: ignore[no-untyped-def]
    household = new_household("en")
    login_pnr(client, household.members[0].personnummer)
    return household


def start(client: TestClient) -> str:
    page = client.get("/applicant/apply")
    assert "Apply for financial assistance for" in page.text
    response = client.post(
        "/applicant/apply",
        data={"csrf_token": csrf_of(client, "/applicant")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return response.headers["location"]


def answer(client: TestClient, url: str, data: dict, files=None):  # type: ignore[no-untyped-def]
    token = csrf_of(client, url)
    return client.post(url, data={**data, "csrf_token": token}, files=files, follow_redirects=False)


def question(html: str) -> str:
    match = re.search(r'<h1 class="question"[^>]*>(.*?)</h1>', html, re.S)
    assert match, html[:500]
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def application(db: Session, household) -> Application:  # type: ignore[no-untyped-def]
    db.expire_all()
    from intake.models import Person

    person = db.exec(
        select(Person).where(Person.personnummer == household.members[0].personnummer)
    ).one()
    from portal.auth import household_of

    home = household_of(db, person)
    return db.exec(
        select(Application)
        .where(Application.household_id == home.id)  # type: ignore[union-attr]
        .where(Application.month == MONTH)
    ).one()


def test_nothing_changed_walks_through_confirmations(
    client: TestClient, applicant, db: Session
) -> None:  # type: ignore[no-untyped-def]
    url = start(client)
    assert url.endswith("/step/anything_changed")
    page = client.get(url)
    check_page(page.text)
    assert question(page.text) == "Has anything changed since last month?"
    assert "About" in page.text and "questions left" in page.text

    response = answer(client, url, {"value": "no"})
    url = response.headers["location"]
    assert url.endswith("/step/rent")
    page = client.get(url)
    check_page(page.text)
    assert question(page.text) == "Is your rent still SEK\xa07,850.00?"
    assert "Last month" in page.text
    assert "Add: Rent notice" in page.text
    # The transcript keeps the earlier answer, with a change link.
    assert "Has anything changed since last month?" in page.text
    assert f"/applicant/apply/{MONTH}/step/anything_changed?edit=1" in page.text

    seen = []
    while "/review" not in url:
        page = client.get(url)
        check_page(page.text)
        seen.append(question(page.text))
        response = answer(client, url, {"confirm": "yes"})
        assert response.status_code == 303, response.text
        url = response.headers["location"]
    # rent, electricity, insurance, income, bank accounts, activity
    assert len(seen) == 6
    assert seen[3] == "Does Test still have this income?"
    review = client.get(url)
    check_page(review.text)
    assert "Check your answers before you send" in review.text
    assert "What is still missing" in review.text
    assert "Payslip: Salary" in review.text
    stored = application(db, applicant)
    answers = {a.key: a for a in db.exec(select(Answer).where(Answer.application_id == stored.id))}
    assert answers["rent"].value == 785000 and not answers["rent"].changed
    assert answers["housing_type"].value == "rental"  # carried over, not asked again


def test_a_changed_rent_is_recorded_as_a_change(client: TestClient, applicant, db: Session) -> None:  # type: ignore[no-untyped-def]
    url = start(client)
    url = answer(client, url, {"value": "no"}).headers["location"]
    changed = answer(client, url, {"confirm": "changed"})
    assert changed.headers["location"].endswith("/step/rent?edit=1")
    form = client.get(changed.headers["location"])
    assert (
        question(form.text)
        == "How much is your rent for "
        + form.text.split("How much is your rent for ")[1].split("?")[0]
        + "?"
    )
    assert 'value="7850"' in form.text  # last month's amount filled in
    saved = answer(client, changed.headers["location"], {"value": "8 125,50", "edit": "1"})
    assert saved.status_code == 303
    rent = db.exec(
        select(Answer)
        .where(Answer.application_id == application(db, applicant).id)
        .where(Answer.key == "rent")
    ).one()
    assert rent.value == 812550 and rent.changed


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Write an amount in kronor."),
        ("sju tusen", "Write the amount in numbers"),
        ("-50", "The amount cannot be negative."),
        ("90000", "The amount is too large."),
    ],
)
def test_bad_amounts_are_explained_and_nothing_is_lost(
    client: TestClient,
    applicant,
    typed: str,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    url = start(client)
    url = answer(client, url, {"value": "yes"}).headers["location"]  # something changed
    while not url.split("?")[0].endswith("/step/rent"):
        page = client.get(url)
        data = {"edit": "1"}
        if 'name="value" value="' in page.text and 'type="checkbox"' in page.text:
            data["value"] = "work"
        elif 'name="value" value="rental"' in page.text:
            data["value"] = "rental"
        url = answer(client, url, data).headers["location"]
    response = answer(client, url, {"value": typed, "edit": "1"})
    assert response.status_code == 422
    check_page(response.text)
    assert message in response.text
    assert 'class="error-summary"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert f'value="{typed}"' in response.text  # what was typed stays


def test_htmx_gets_the_fragment_and_a_pushed_url(client: TestClient, applicant) -> None:  # type: ignore[no-untyped-def]
    url = start(client)
    full = client.get(url)
    assert "<html" in full.text and full.headers["vary"] == "HX-Request"
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text
    assert fragment.text.count('id="flow"') == 1
    assert fragment.headers["HX-Push-Url"] == url
    assert "<title>" in fragment.text
    boosted = client.get(url, headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.text


def test_upload_is_stored_with_checksum_before_it_is_shown(
    client: TestClient,
    applicant,
    db: Session,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    url = start(client)
    url = answer(client, url, {"value": "no"}).headers["location"]
    response = answer(
        client,
        url,
        {"upload_only": "1"},
        files=[
            ("documents__rent_notice__", ("hyresavi.pdf", PDF, "application/pdf")),
            ("documents__rent_notice__", ("foto.jpg", JPEG, "image/jpeg")),
        ],
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "hyresavi.pdf" in page.text and "foto.jpg" in page.text
    rows = db.exec(
        select(Attachment).where(Attachment.application_id == application(db, applicant).id)
    ).all()
    assert {row.filename for row in rows} == {"hyresavi.pdf", "foto.jpg"}
    pdf = next(row for row in rows if row.filename == "hyresavi.pdf")
    assert pdf.sha256 == hashlib.sha256(PDF).hexdigest()
    assert pdf.content_type == "application/pdf" and pdf.expected_kind == "rent_notice"
    assert (settings.uploads / pdf.storage_path).read_bytes() == PDF


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"MZ\x90\x00 not a document", "virus.pdf", "is not a photo or a PDF"),
        (b"", "empty.pdf", "is empty"),
    ],
)
def test_bad_files_are_refused_clearly(
    client: TestClient,
    applicant,
    db: Session,
    content: bytes,
    filename: str,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    url = start(client)
    url = answer(client, url, {"value": "no"}).headers["location"]
    response = answer(
        client,
        url,
        {"upload_only": "1"},
        files=[("documents__rent_notice__", (filename, content, "application/pdf"))],
    )
    if content:
        assert response.status_code == 422
        assert message in response.text and filename in response.text
    else:
        # Browsers send an empty file input as no file; an empty named file is refused.
        assert response.status_code in (303, 422)
    assert not db.exec(
        select(Attachment).where(Attachment.application_id == application(db, applicant).id)
    ).all()


def test_too_large_a_request_is_refused_while_streaming(client: TestClient, applicant, app) -> None:  # type: ignore[no-untyped-def]
    url = start(client)
    url = answer(client, url, {"value": "no"}).headers["location"]
    big = b"%PDF-" + b"0" * (app.state.settings.upload_max_file_mb * 5 + 2) * 1024 * 1024
    response = answer(
        client,
        url,
        {"upload_only": "1"},
        files=[("documents__rent_notice__", ("big.pdf", big, "application/pdf"))],
    )
    assert response.status_code == 413
    assert "The files were too large" in response.text


def test_double_submit_makes_one_application(client: TestClient, applicant, db: Session) -> None:  # type: ignore[no-untyped-def]
    url = start(client)
    url = answer(client, url, {"value": "no"}).headers["location"]
    while "/review" not in url:
        url = answer(client, url, {"confirm": "yes"}).headers["location"]
    sign_url = url.replace("/review", "/sign")
    token = csrf_of(client, url)
    first = client.post(
        sign_url, data={"declaration": "yes", "csrf_token": token}, follow_redirects=False
    )
    second = client.post(
        sign_url, data={"declaration": "yes", "csrf_token": token}, follow_redirects=False
    )
    assert first.status_code == second.status_code == 303
    stored = application(db, applicant)
    assert stored.status == "submitted" and stored.reference
    assert len(db.exec(select(Signature).where(Signature.application_id == stored.id)).all()) == 1
    receipt = client.get(first.headers["location"])
    check_page(receipt.text)
    assert "Your application has been sent" in receipt.text
    assert stored.reference in receipt.text
    # Once sent, the flow's pages lead to the status page.
    assert (
        client.get(f"/applicant/apply/{MONTH}/step/rent", follow_redirects=False).headers[
            "location"
        ]
        == f"/applicant/applications/{stored.id}"
    )


def test_declaration_is_required(client: TestClient, applicant) -> None:  # type: ignore[no-untyped-def]
    url = start(client)
    url = answer(client, url, {"value": "no"}).headers["location"]
    while "/review" not in url:
        url = answer(client, url, {"confirm": "yes"}).headers["location"]
    response = answer(client, url.replace("/review", "/sign"), {})
    assert response.status_code == 422
    assert "Tick the box to confirm that the information is true." in response.text


def test_co_applicant_is_told_and_signs(client: TestClient, new_household, db: Session) -> None:  # type: ignore[no-untyped-def]
    household = new_household("en", co_applicant=True)
    login_pnr(client, household.members[0].personnummer)
    url = start(client)
    url = answer(client, url, {"value": "no"}).headers["location"]
    while "/review" not in url:
        url = answer(client, url, {"confirm": "yes"}).headers["location"]
    review = client.get(url)
    assert "Partner must also sign the application" in review.text
    status_url = answer(client, url.replace("/review", "/sign"), {"declaration": "yes"}).headers[
        "location"
    ]
    stored = application(db, household)
    assert stored.status == "awaiting_co_applicant" and stored.reference is None
    note = db.exec(
        select(Notification)
        .where(Notification.recipient == "partner@example.org")
        .order_by(col(Notification.id).desc())
    ).first()
    assert note is not None
    assert "Partner" not in note.body and "Testsson" not in note.body  # no personal details
    assert note.sent_at is not None
    assert "Waiting for your co-applicant to sign." in client.get(status_url).text

    client.cookies.clear()
    login_pnr(client, household.members[1].personnummer)
    page = client.get(f"/applicant/applications/{stored.id}")
    check_page(page.text)
    assert "Your signature is needed" in page.text
    signed = answer(
        client,
        f"/applicant/applications/{stored.id}/cosign",
        {"decision": "sign", "declaration": "yes"},
    )
    assert signed.status_code == 303
    stored = application(db, household)
    assert stored.status == "submitted" and stored.co_applicant_status == "signed"
    assert stored.reference
    roles = {
        s.role for s in db.exec(select(Signature).where(Signature.application_id == stored.id))
    }
    assert roles == {"applicant", "co_applicant"}


def test_protected_identity_is_never_processed(client: TestClient, new_household) -> None:  # type: ignore[no-untyped-def]
    household = new_household("en", protected=True)
    login_pnr(client, household.members[0].personnummer)
    page = client.get("/applicant/apply")
    assert "For your safety" in page.text
    token = csrf_of(client, "/applicant")
    assert (
        client.post(
            "/applicant/apply", data={"csrf_token": token}, follow_redirects=False
        ).status_code
        == 404
    )


def test_another_households_application_is_not_found(
    client: TestClient,
    new_household,
    db: Session,  # type: ignore[no-untyped-def]
) -> None:
    first = new_household("en")
    login_pnr(client, first.members[0].personnummer)
    start(client)
    own = application(db, first)
    client.cookies.clear()
    second = new_household("en")
    login_pnr(client, second.members[0].personnummer)
    assert client.get(f"/applicant/applications/{own.id}").status_code == 404


def test_htmx_post_fetches_the_next_question_and_plain_post_redirects(
    client: TestClient,
    applicant,  # type: ignore[no-untyped-def]
) -> None:
    url = start(client)
    token = csrf_of(client, url)
    htmx = client.post(
        url,
        data={"value": "no", "csrf_token": token},
        headers={"HX-Request": "true"},
        follow_redirects=False,
    )
    assert htmx.status_code == 204
    location = json.loads(htmx.headers["HX-Location"])
    assert location == {
        "path": f"/applicant/apply/{MONTH}/step/rent",
        "target": "#flow",
        "swap": "outerHTML",
    }
    plain = client.post(
        location["path"], data={"confirm": "yes", "csrf_token": token}, follow_redirects=False
    )
    assert plain.status_code == 303
    assert plain.headers["location"].startswith(f"/applicant/apply/{MONTH}/step/")
    # The last question leads to the review, a whole page: htmx is told to load it.
    url = plain.headers["location"]
    while True:
        response = client.post(
            url,
            data={"confirm": "yes", "csrf_token": token},
            headers={"HX-Request": "true"},
            follow_redirects=False,
        )
        if "HX-Redirect" in response.headers:
            assert response.headers["HX-Redirect"] == f"/applicant/apply/{MONTH}/review"
            break
        url = json.loads(response.headers["HX-Location"])["path"]


def _send(client: TestClient) -> str:
    url = start(client)
    url = answer(client, url, {"value": "no"}).headers["location"]
    while "/review" not in url:
        url = answer(client, url, {"confirm": "yes"}).headers["location"]
    return (
        answer(client, url.replace("/review", "/sign"), {"declaration": "yes"})
        .headers["location"]
        .split("?")[0]
    )


def test_receipt_pdf_in_the_applicants_language_and_in_swedish(
    client: TestClient,
    applicant,
    db: Session,  # type: ignore[no-untyped-def]
) -> None:
    import io

    import pdfplumber

    status_url = _send(client)
    stored = application(db, applicant)
    page = client.get(status_url)
    assert f"{status_url}/receipt.pdf?lang=sv" in page.text
    for lang, heading in (
        ("en", "Application for financial assistance for"),
        ("sv", "Ansökan om ekonomiskt bistånd för"),
    ):
        response = client.get(f"{status_url}/receipt.pdf?lang={lang}")
        assert response.headers["content-type"] == "application/pdf"
        assert "attachment" in response.headers["content-disposition"]
        with pdfplumber.open(io.BytesIO(response.content)) as pdf:
            text = "\n".join(p.extract_text() or "" for p in pdf.pages)
        assert stored.reference in text
        assert "Test Testsson" in text
        if lang == "en":
            assert heading in text


def test_documents_can_be_added_after_sending(
    client: TestClient,
    applicant,
    db: Session,  # type: ignore[no-untyped-def]
) -> None:
    status_url = _send(client)
    page = client.get(status_url)
    income_key = re.search(r'value="payslip\|salary\|(incomes:\d+)"', page.text).group(1)
    token = csrf_of(client, status_url)
    response = client.post(
        f"{status_url}/documents",
        data={"document": f"payslip|salary|{income_key}", "csrf_token": token},
        files=[("documents", ("lonespec.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )
    assert response.headers["location"].endswith("?added=1")
    row = db.exec(
        select(Attachment).where(Attachment.application_id == application(db, applicant).id)
    ).one()
    assert (row.answer_key, row.expected_kind, row.item) == (income_key, "payslip", "salary")
    page = client.get(status_url)
    assert "lonespec.pdf" in page.text
    assert 'value="payslip|salary|' not in page.text  # no longer missing
    own = client.get(f"/applicant/attachments/{row.id}")
    assert own.content == PDF and "sandbox" in own.headers["content-security-policy"]
    disposition = own.headers["content-disposition"]
    assert disposition == "attachment; filename=\"lonespec.pdf\"; filename*=UTF-8''lonespec.pdf"


def _uploaded_rent_notice(client: TestClient, db: Session, household) -> tuple[str, Attachment]:  # type: ignore[no-untyped-def]
    url = start(client)
    url = answer(client, url, {"value": "no"}).headers["location"]
    answer(
        client,
        url,
        {"upload_only": "1"},
        files=[("documents__rent_notice__", ("hyresavi.pdf", PDF, "application/pdf"))],
    )
    db.expire_all()
    row = db.exec(
        select(Attachment).where(Attachment.application_id == application(db, household).id)
    ).one()
    return url, row


def test_reading_is_shown_then_confirmed(client: TestClient, applicant, db: Session) -> None:  # type: ignore[no-untyped-def]
    url, row = _uploaded_rent_notice(client, db, applicant)
    page = client.get(url)
    assert "Reading your document…" in page.text
    assert f'hx-get="/applicant/attachments/{row.id}/reading"' in page.text
    # The worker has read it (as portal/tasks.py does).
    row.kind, row.period, row.amount_ore, row.confidence = "rent_notice", "2026-11", 785000, 0.97
    row.extraction_status = "done"
    db.add(row)
    db.commit()
    poll = client.get(f"/applicant/attachments/{row.id}/reading", headers={"HX-Request": "true"})
    assert "<html" not in poll.text
    assert "We read: Rent notice for November 2026, SEK\xa07,850.00. Is that right?" in poll.text
    assert "hx-trigger" not in poll.text  # no more polling once read
    plain = client.get(f"/applicant/attachments/{row.id}/reading", follow_redirects=False)
    assert plain.headers["location"].endswith("/step/rent?edit=1")
    token = csrf_of(client, url)
    wrong = client.post(
        f"/applicant/attachments/{row.id}/confirm",
        data={"answer": "no", "amount": "abc", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert wrong.status_code == 422
    assert "Write the amount in numbers" in wrong.text
    fixed = client.post(
        f"/applicant/attachments/{row.id}/confirm",
        data={"answer": "no", "amount": "7 950", "csrf_token": token},
        follow_redirects=False,
    )
    assert fixed.status_code == 303
    db.refresh(row)
    assert (row.amount_ore, row.confirmed_amount_ore) == (785000, 795000)  # side by side
    assert "Checked: SEK\xa07,950.00" in client.get(url).text


def test_unreadable_document_asks_for_the_amount(
    client: TestClient, applicant, db: Session
) -> None:  # type: ignore[no-untyped-def]
    url, row = _uploaded_rent_notice(client, db, applicant)
    row.kind, row.extraction_status, row.confidence = "unreadable", "failed", 0.0
    db.add(row)
    db.commit()
    page = client.get(url)
    assert "We could not read the amount in hyresavi.pdf." in page.text
    token = csrf_of(client, url)
    client.post(
        f"/applicant/attachments/{row.id}/confirm",
        data={"answer": "yes", "amount": "7850", "csrf_token": token},
    )
    db.refresh(row)
    assert row.confirmed_amount_ore == 785000


def test_upload_hands_the_file_to_the_reader(
    client: TestClient, applicant, db: Session, app
) -> None:  # type: ignore[no-untyped-def]
    handed: list[int] = []
    previous = getattr(app.state, "on_upload", None)
    app.state.on_upload = handed.append
    try:
        _, row = _uploaded_rent_notice(client, db, applicant)
    finally:
        app.state.on_upload = previous
    assert handed == [row.id]
