"""One application in the informatör's workspace: what is shown, the documents inline, and the
actions (accept a finding, note a contact, mark complete). The informatör cannot decide."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, col, select

from intake.models import Application, AuditEvent, ContactNote, Finding, Household, StaffUser
from portal import completeness
from portal.settings import Settings
from tests.completeness_support import Doc, open_codes, pdf, send
from tests.conftest import check_page, csrf_of, login_staff


@pytest.fixture
def informator(client: TestClient) -> TestClient:
    client.cookies.set("portal_lang", "en")
    login_staff(client, "informator")
    return client


def post(client: TestClient, url: str, data: dict[str, str], page: str):  # type: ignore[no-untyped-def]
    return client.post(
        url, data={**data, "csrf_token": csrf_of(client, page)}, follow_redirects=False
    )


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def audit_actions(db: Session, object_type: str, object_id: int) -> list[str]:
    db.expire_all()
    return [
        e.action
        for e in db.exec(
            select(AuditEvent)
            .where(AuditEvent.object_type == object_type)
            .where(AuditEvent.object_id == object_id)
            .order_by(col(AuditEvent.id))
        ).all()
    ]


def test_the_view_shows_answers_documents_read_and_declared_values_and_findings(
    db: Session, settings: Settings, new_household, informator: TestClient
) -> None:  # type: ignore[no-untyped-def]
    sent = send(
        db,
        settings.uploads,
        new_household("ar"),
        adjust={"incomes": {"amount_ore": 900000}},
        answers={"rent": 885000},
    )
    application = sent.application
    assert open_codes(db, application) == [
        ("amount_mismatch", "blocking"),
        ("amount_mismatch", "blocking"),
        ("rent_increase", "review"),
    ]
    url = f"/informator/applications/{application.id}"
    page = informator.get(url)
    check_page(page.text)
    text = text_of(page.text)
    assert application.reference in text
    assert "العربية" in text  # the applicant's language
    # Findings in staff words, with the amounts.
    assert "Salary (Test): declared SEK 12,000.00, documented SEK 9,000.00" in text
    assert "Rent: declared SEK 8,850.00, documented SEK 7,850.00" in text
    assert "Rent SEK 7,850.00 last month, SEK 8,850.00 now (+13 %)" in text
    # Answers grouped, with the change since last month marked.
    assert "How much is your rent for" in text
    assert 'class="summary__row inf-changed" id="answer-rent"' in page.text
    assert "Changed since last month" in text
    # Documents: read values beside the declared ones, pages inline.
    assert "lonespec.pdf" in text
    assert "Read as Payslip" in text
    assert "Amount read SEK 9,000.00" in text
    assert "Declared in the application SEK 12,000.00" in text
    images = re.findall(r'<img class="inf-document__page" src="([^"]+)" alt="([^"]+)"', page.text)
    assert len(images) == 5
    assert any(alt.startswith("hyresavi.png, page 1 of 1") for _, alt in images)
    # The informatör's actions, and no decision.
    assert f'action="{url}/request"' in page.text
    assert f'action="{url}/complete"' in page.text
    assert not re.search(r'action="[^"]*(decid|decision|grant|refuse)', page.text)
    assert "The case officer decides on assistance; the informatör does not." in text
    assert audit_actions(db, "application", application.id or 0)[-2:] == [
        "view_application",
        "view_attachments",
    ]


def test_pages_are_reencoded_images_and_originals_are_sandboxed_downloads(
    db: Session, settings: Settings, new_household, informator: TestClient
) -> None:  # type: ignore[no-untyped-def]
    person_docs = send(db, settings.uploads, new_household("sv"), drop=("rent",), route=True)
    application = person_docs.application
    from tests.completeness_support import store_file

    photo = store_file(
        settings.uploads,
        application.id or 0,
        Doc(
            "rent",
            "rent_notice",
            None,
            "rent_notice",
            application.month,
            785000,
            filename="hyresavi.png",
        ),  # fmt: skip
    )
    statement = store_file(
        settings.uploads,
        application.id or 0,
        Doc("later", None, filename="tre-sidor.pdf", content=pdf("Kontoutdrag", pages=3)),
    )
    db.add(photo)
    db.add(statement)
    db.commit()
    page = informator.get(f"/informator/applications/{application.id}")
    assert "tre-sidor.pdf, page 3 of 3" in page.text
    image = informator.get(f"/informator/attachments/{photo.id}/pages/1")
    assert image.headers["content-type"] == "image/jpeg"
    assert "default-src 'none'" in image.headers["content-security-policy"]
    assert image.headers["cache-control"] == "private, no-store"
    picture = Image.open(io.BytesIO(image.content))
    assert picture.format == "JPEG"
    assert picture.size == (320, 480)  # turned upright from the EXIF orientation
    assert not picture.getexif()  # the phone's metadata is gone
    assert informator.get(f"/informator/attachments/{statement.id}/pages/3").status_code == 200
    assert informator.get(f"/informator/attachments/{statement.id}/pages/4").status_code == 404
    original = informator.get(f"/informator/attachments/{statement.id}/original")
    assert original.content.startswith(b"%PDF")
    assert original.headers["content-disposition"].startswith(
        'attachment; filename="tre-sidor.pdf"'
    )
    photo_file = informator.get(f"/informator/attachments/{photo.id}/original")
    assert photo_file.headers["content-type"] in ("image/jpeg", "image/png")
    upright = Image.open(io.BytesIO(photo_file.content))
    assert upright.size == (320, 480) and not upright.getexif()  # re-encoded by the portal
    assert "sandbox" in original.headers["content-security-policy"]
    actions = audit_actions(db, "attachment", statement.id or 0)
    assert actions == ["view_attachment", "download_attachment"]
    assert audit_actions(db, "attachment", photo.id or 0)[-1] == "download_attachment"


def test_a_broken_document_is_offered_as_a_download_only(
    db: Session, settings: Settings, new_household, informator: TestClient
) -> None:  # type: ignore[no-untyped-def]
    sent = send(
        db,
        settings.uploads,
        new_household("sv"),
        adjust={
            "rent": {
                "content": b"%PDF-1.4 this is not a PDF",
                "status": "failed",
                "kind": "unreadable",
            }
        },  # fmt: skip
    )
    assert open_codes(db, sent.application) == [("unreadable_attachment", "blocking")]
    page = informator.get(f"/informator/applications/{sent.application.id}")
    check_page(page.text)
    assert "This file cannot be shown here." in page.text
    assert "hyresavi.png could not be read" in text_of(page.text)


def test_accepting_a_finding_needs_a_reason_and_then_it_can_be_marked_complete(
    db: Session, settings: Settings, new_household, informator: TestClient
) -> None:  # type: ignore[no-untyped-def]
    sent = send(db, settings.uploads, new_household("sv"), drop=("rent",))
    application = sent.application
    url = f"/informator/applications/{application.id}"
    finding = db.exec(select(Finding).where(Finding.application_id == application.id)).one()

    refused = post(informator, f"{url}/complete", {}, url)
    assert refused.status_code == 409
    check_page(refused.text)
    assert "Accept or resolve every finding that must be fixed or checked first." in refused.text

    empty = post(informator, f"{url}/findings/{finding.id}/accept", {"reason": "  "}, url)
    assert empty.status_code == 422
    assert "Write why the finding can be accepted." in empty.text
    assert f'href="#reason-{finding.id}"' in empty.text  # the error summary points at it

    accepted = post(
        informator,
        f"{url}/findings/{finding.id}/accept",
        {"reason": "Hyran är oförändrad; avin finns i förra månadens ärende."},
        url,
    )
    assert accepted.status_code == 303
    db.expire_all()
    finding = db.get(Finding, finding.id)
    assert finding is not None and finding.status == "accepted"
    assert finding.resolved_by is not None and finding.resolved_at is not None
    page = informator.get(url)
    assert "Accepted by Ida Informatör: Hyran är oförändrad" in text_of(page.text)

    done = post(informator, f"{url}/complete", {}, url)
    assert done.status_code == 303
    assert done.headers["location"] == f"/informator?completed={application.reference}"
    assert f"{application.reference} is complete" in informator.get(done.headers["location"]).text
    db.expire_all()
    stored = db.get(Application, application.id)
    assert stored is not None
    assert stored.status == "complete" and stored.completed_at is not None
    assert stored.pre_validated is False and stored.complete_on_submission is False
    # Once complete it is no longer the informatör's: no more actions.
    again = post(informator, f"{url}/complete", {}, url)
    assert again.status_code == 409
    assert "no longer waiting for the informatör" in again.text
    assert "application_marked_complete" in audit_actions(db, "application", application.id or 0)


def test_an_accepted_finding_stays_accepted_when_evaluated_again(
    db: Session, settings: Settings, new_household, informator: TestClient
) -> None:  # type: ignore[no-untyped-def]
    sent = send(db, settings.uploads, new_household("sv"), drop=("rent",))
    finding = db.exec(select(Finding).where(Finding.application_id == sent.application.id)).one()
    assert informator  # signed in: the staff row exists
    user = db.exec(select(StaffUser).where(StaffUser.username == "informator")).one()
    completeness.accept_finding(db, sent.application, finding.id or 0, user, "Telefon")
    completeness.refresh(db, sent.application)
    db.refresh(finding)
    assert finding.status == "accepted" and finding.reason == "Telefon"


def test_notes_of_calls_and_visits(
    db: Session, settings: Settings, new_household, informator: TestClient
) -> None:  # type: ignore[no-untyped-def]
    sent = send(db, settings.uploads, new_household("sv"), drop=("rent",))
    url = f"/informator/applications/{sent.application.id}"
    missing = post(informator, f"{url}/notes", {"kind": "phone", "body": ""}, url)
    assert missing.status_code == 422
    assert "Write what was said or agreed." in missing.text
    wrong = post(informator, f"{url}/notes", {"kind": "letter", "body": "x"}, url)
    assert wrong.status_code == 422 and "Choose what kind of contact it was." in wrong.text
    saved = post(
        informator, f"{url}/notes", {"kind": "visit", "body": "Besök: hyresavin kommer."}, url
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("#notes")
    note = db.exec(
        select(ContactNote).where(ContactNote.application_id == sent.application.id)
    ).one()
    assert (note.kind, note.body) == ("visit", "Besök: hyresavin kommer.")
    assert "Visit · Ida Informatör" in text_of(informator.get(url).text)


def test_protected_identity_and_drafts_are_never_shown(
    db: Session, settings: Settings, new_household, informator: TestClient
) -> None:  # type: ignore[no-untyped-def]
    sent = send(db, settings.uploads, new_household("sv"), drop=("rent",))
    household = db.get(Household, sent.household.id)
    assert household is not None
    household.protected_identity = True
    db.add(household)
    db.commit()
    page = informator.get(f"/informator/applications/{sent.application.id}")
    # The placeholder (portal/protection.py): nothing about the household, not even its name.
    assert page.status_code == 403
    assert "Handled outside the portal" in page.text and "Testsson" not in page.text
    assert sent.application.reference not in informator.get("/informator?view=all").text
    household.protected_identity = False
    db.add(household)
    sent.application.status = "draft"
    db.add(sent.application)
    db.commit()
    assert informator.get(f"/informator/applications/{sent.application.id}").status_code == 404
    assert informator.get("/informator/applications/999999").status_code == 404
