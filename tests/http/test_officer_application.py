"""One application on the officer's page: changes since last month, answers, documents with what
was read from them, findings, the handlingsplan, the preliminary calculation with its trace and
the demo label, the Swedish case file; every view logged before it is served."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import text
from sqlmodel import Session, select

from intake.models import (
    ActionPlanFollowUp,
    Answer,
    Application,
    ApplicationStatus,
    AuditEvent,
    Finding,
    StaffUser,
    utcnow,
)
from portal.settings import Settings
from tests.conftest import check_page
from tests.officer_support import (
    add_document,
    case_of,
    pdf_bytes,
    png_bytes,
    post,
    set_answer,
    sign_in,
    text_of,
)


@pytest.fixture
def officer(client: TestClient) -> TestClient:
    sign_in(client, "handlaggare")
    return client


def test_changes_since_last_month_are_highlighted(
    officer: TestClient, db: Session, new_household
) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household())
    set_answer(db, case.id, "anything_changed", True, changed=True)
    set_answer(db, case.id, "changes", ["housing"], changed=False)
    set_answer(db, case.id, "rent", 912500, changed=True)
    page = officer.get(case.url)
    check_page(page.text)
    changes = text_of(page.text.split('id="changes"')[1].split("</section>")[0])
    assert "How much is your rent for" in changes
    assert "Last month SEK 7,850.00" in changes and "This month SEK 9,125.00" in changes
    # Household electricity did not change, so it is not among the changes.
    assert "household electricity" not in changes
    answers = page.text.split('id="answers"')[1].split("</section>")[0]
    rent_row = re.search(r'<div class="summary__row([^"]*)">\s*<dt>How much is your rent', answers)
    assert rent_row and "summary__row--changed" in rent_row.group(1)
    assert "Changed" in text_of(answers)
    for section in ("Housing", "Income", "Assets", "Costs", "Work and activities"):
        assert f">{section}</h3>" in answers


def test_nothing_changed_says_so(officer: TestClient, db: Session, new_household) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household())
    changes = text_of(officer.get(case.url).text.split('id="changes"')[1].split("</section>")[0])
    assert "Nothing has changed since last month." in changes
    assert "Compared with the application for" in changes


def test_documents_inline_with_what_was_read(
    officer: TestClient, db: Session, settings: Settings, new_household
) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household())
    photo = add_document(
        db,
        settings.uploads,
        case,
        png_bytes(),
        filename="hyresavi.png",
        content_type="image/png",
        amount_ore=785000,
        confidence=0.93,
    )
    scan = add_document(
        db,
        settings.uploads,
        case,
        pdf_bytes("Lönespecifikation"),
        filename="lon.pdf",
        content_type="application/pdf",
        answer_key="incomes:" + str(case.people["Test"].id),
        expected_kind="payslip",
        item="salary",
        amount_ore=1150000,
        confidence=0.55,
    )
    html = officer.get(case.url).text
    documents = html.split('id="documents"')[1].split("</section>")[0]
    words = text_of(documents)
    assert "Rent notice" in words and "Payslip: Salary" in words
    assert "Amount read SEK 7,850.00" in words and "Certainty 93 %" in words
    # The payslip says 11 500 kr but the answer says 12 000: uncertain and different.
    assert "Certainty 55 % Uncertain" in words
    assert "In the answers SEK 12,000.00 Differs from the document" in words
    # Both are shown inline as pictures the portal renders, and open in a sandbox.
    for attachment in (photo, scan):
        base = f"{case.url}/attachments/{attachment.id}"
        assert f'src="{base}/pages/1"' in documents
        image = officer.get(f"{base}/pages/1")
        assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
        assert image.content[:3] == b"\xff\xd8\xff"
        assert "sandbox" in image.headers["content-security-policy"]
    # A PDF is only ever a download, sandboxed should the browser open it anyway.
    original = officer.get(f"{case.url}/attachments/{scan.id}")
    assert hashlib.sha256(original.content).hexdigest() == scan.sha256
    assert original.headers["content-type"] == "application/pdf"
    assert original.headers["content-disposition"].startswith("attachment")
    assert original.headers["content-security-policy"].startswith("sandbox;")
    assert original.headers["x-content-type-options"] == "nosniff"
    # A photo is never the applicant's bytes: the portal re-encodes it (no metadata).
    picture = officer.get(f"{case.url}/attachments/{photo.id}")
    assert picture.status_code == 200
    assert picture.headers["content-type"] in ("image/jpeg", "image/png")
    shown = Image.open(io.BytesIO(picture.content))
    assert shown.size == Image.open(io.BytesIO(png_bytes())).size
    assert picture.headers["content-disposition"].startswith("inline")
    assert "sandbox" in picture.headers["content-security-policy"]
    assert not shown.getexif()
    download = officer.get(f"{case.url}/attachments/{photo.id}?download=1")
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.content == picture.content
    assert officer.get(f"{case.url}/attachments/{scan.id}/pages/2").status_code == 404
    viewed = db.exec(
        select(AuditEvent)
        .where(AuditEvent.action == "view_attachment")
        .where(AuditEvent.object_id == scan.id)
    ).all()
    assert len(viewed) == 2  # its page and the file
    assert all(e.detail and e.detail["role"] == "officer" for e in viewed)


def test_a_document_of_another_application_is_not_served(
    officer: TestClient, db: Session, settings: Settings, new_household
) -> None:  # type: ignore[no-untyped-def]
    one, other = case_of(db, new_household()), case_of(db, new_household())
    attachment = add_document(
        db, settings.uploads, other, png_bytes(), filename="a.png", content_type="image/png"
    )
    assert officer.get(f"{one.url}/attachments/{attachment.id}").status_code == 404
    assert officer.get(f"{one.url}/attachments/{attachment.id}/pages/1").status_code == 404


def test_findings_plan_and_history(officer: TestClient, db: Session, new_household) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household())
    staff = db.exec(select(StaffUser).where(StaffUser.username == "informator")).one()
    db.add(
        Finding(
            application_id=case.id,
            code="rent_increase",
            severity="review",
            status="accepted",
            reason="Ny hyra från 1 mars, hyresavi finns.",
            resolved_by=staff.id,
        )
    )
    db.commit()
    html = officer.get(case.url).text
    findings = text_of(html.split('id="findings"')[1].split("</section>")[0])
    assert "Rent has gone up" in findings
    assert "Ny hyra från 1 mars" in findings and "Handled by Ida Informatör" in findings
    assert "Application received" in findings
    plan = text_of(html.split('id="plan"')[1].split("</section>")[0])
    assert "No action plan. One should exist from the second application." in plan
    # Record a plan three months and a week ago: the follow-up is overdue; then follow it up.
    established = dt.date.today() - dt.timedelta(days=100)
    response = post(
        officer,
        f"{case.url}/plan",
        {"action": "established", "date": established.isoformat()},
        page=case.url,
    )
    assert response.status_code == 303
    plan = text_of(officer.get(case.url).text.split('id="plan"')[1].split("</section>")[0])
    assert "The follow-up of the action plan is overdue." in plan
    assert "Plan exists Yes" in plan
    post(
        officer,
        f"{case.url}/plan",
        {"action": "followed_up", "date": dt.date.today().isoformat()},
        page=case.url,
    )
    plan_html = officer.get(case.url).text
    plan = text_of(plan_html.split('id="plan"')[1].split("</section>")[0])
    assert "The action plan is followed up." in plan
    assert db.exec(select(ActionPlanFollowUp)).first() is not None
    history = text_of(plan_html.split('id="findings"')[1].split("</section>")[0])
    assert "Action plan recorded" in history and "Action plan followed up" in history
    # A date in the future is refused with the form's error.
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    refused = post(
        officer, f"{case.url}/plan", {"action": "followed_up", "date": future}, page=case.url
    )
    assert refused.status_code == 422
    assert "The date cannot be in the future." in text_of(refused.text)
    assert 'href="#field-plan_date"' in refused.text
    check_page(refused.text)


def test_the_calculation_line_by_line_with_the_demo_label(
    officer: TestClient, db: Session, new_household
) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household(incomes=(("Test", "unemployment_fund", 500000),)))
    html = officer.get(case.url).text
    calculation = html.split('id="calculation"')[1].split("</section>")[0]
    words = text_of(calculation)
    # This year's table in the test database is the demo table: labelled wherever it shows.
    assert "Example values" in words and "not the published riksnorm" in words
    assert "Preliminary amount:" in words and "example values" in words
    assert "(example values)" in words  # in the table's caption
    for expected in (
        "Personal costs, adult: Test",
        "Household-common costs, 1 person SEK",
        "Rent SEK 7,850.00",
        "Unemployment insurance (a-kassa), Test -SEK 5,000.00",
        "Norm ",
        "Need ",
        "SoL 4 kap. 3 § 2 p.: reasonable costs outside the norm",
    ):
        assert expected in words, expected
    decision = text_of(html.split('id="decision"')[1].split("</section>")[0])
    assert "Example values: not the riksnorm." in decision


def test_a_month_without_a_norm_table_gets_a_clear_message(
    officer: TestClient, db: Session, new_household
) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household())
    future = Application(
        household_id=case.household.id or 0,
        month="2041-01",
        status=ApplicationStatus.complete,
        language="sv",
        submitted_at=utcnow(),
    )
    db.add(future)
    db.commit()
    for row in db.exec(select(Answer).where(Answer.application_id == case.id)).all():
        db.add(Answer(application_id=future.id or 0, key=row.key, value=row.value))
    db.commit()
    words = text_of(officer.get(f"/officer/applications/{future.id}").text)
    assert "No preliminary calculation" in words
    assert (
        "No norm table is loaded for 2041, so no preliminary calculation can be made for" in words
    )
    assert "portal norm import" in words
    assert "Example values" not in words


def test_accepting_costs_changes_the_calculation(
    officer: TestClient, db: Session, new_household
) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household(incomes=()))
    set_answer(db, case.id, "livsforing", {"amounts": {"dental_care": 120000}}, changed=True)

    def amount() -> str:
        match = re.search(
            r"Preliminary amount: <strong>([^<]+)</strong>", officer.get(case.url).text
        )
        assert match
        return match.group(1)

    before = amount()
    response = post(
        officer,
        f"{case.url}/assessment",
        {"cost_rent": "7000", "liv_dental_care": "1200", "cost_household_electricity": "0"},
        page=case.url,
    )
    assert response.status_code == 303
    html = officer.get(case.url).text
    words = text_of(html.split('id="calculation"')[1].split("</section>")[0])
    assert "Accepted at another amount" in words and "Not accepted" in words
    assert "Emergency dental care SEK 1,200.00" in words
    # Rent −850, electricity −450, dental care +1 200: 100 kr less than before.
    to_ore = lambda value: int(re.sub(r"[^\d]", "", value))  # noqa: E731
    assert to_ore(before) - to_ore(amount()) == 10000
    assert "Last saved by Hans Handläggare" in words
    bad = post(officer, f"{case.url}/assessment", {"cost_rent": "sju tusen"}, page=case.url)
    assert bad.status_code == 422
    assert "Write the amount in numbers" in text_of(bad.text)
    check_page(bad.text)


def test_the_case_file_pdf_in_swedish(officer: TestClient, db: Session, new_household) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household("ar"))
    response = officer.get(f"{case.url}/case-file.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "-sv.pdf" in response.headers["content-disposition"]
    import pdfplumber

    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        words = " ".join(page.extract_text() or "" for page in pdf.pages)
    assert "Ansökan om ekonomiskt bistånd" in words
    assert "Testsson" in words


def test_every_view_is_logged_with_who_and_role(
    officer: TestClient, db: Session, new_household
) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household())
    officer.get(case.url)
    event = db.exec(
        select(AuditEvent)
        .where(AuditEvent.action == "view_application")
        .where(AuditEvent.object_id == case.id)
    ).one()
    staff = db.exec(select(StaffUser).where(StaffUser.username == "handlaggare")).one()
    assert (event.actor_kind, event.actor_id, event.object_type) == (
        "staff",
        staff.id,
        "application",
    )
    assert event.detail == {"role": "officer"}
    assert event.at is not None


@contextmanager
def audit_refused(db: Session) -> Iterator[None]:
    """The database refuses new audit events (as when the log cannot be written)."""
    dialect = db.get_bind().dialect.name
    if dialect == "sqlite":
        db.execute(
            text(
                "CREATE TRIGGER test_audit_refused BEFORE INSERT ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END"
            )
        )
        db.commit()
        yield
        db.execute(text("DROP TRIGGER test_audit_refused"))
    else:
        db.execute(
            text(
                "CREATE FUNCTION test_audit_refused() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'audit log unavailable'; END; $$"
            )
        )
        db.execute(
            text(
                "CREATE TRIGGER test_audit_refused BEFORE INSERT ON audit_event "
                "FOR EACH ROW EXECUTE FUNCTION test_audit_refused()"
            )
        )
        db.commit()
        yield
        db.execute(text("DROP TRIGGER test_audit_refused ON audit_event"))
        db.execute(text("DROP FUNCTION test_audit_refused()"))
    db.commit()


def test_a_read_that_cannot_be_logged_is_not_served(
    app: FastAPI, db: Session, settings: Settings, new_household
) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household())
    attachment = add_document(
        db, settings.uploads, case, png_bytes(), filename="x.png", content_type="image/png"
    )
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        sign_in(client, "handlaggare")
        assert client.get(case.url).status_code == 200
        db.rollback()
        with audit_refused(db):
            for path in (
                case.url,
                f"{case.url}/attachments/{attachment.id}",
                f"{case.url}/case-file.pdf",
                "/officer",
            ):
                response = client.get(path)
                assert response.status_code == 500, path
                assert "Testsson" not in response.text and b"PNG" not in response.content


def test_the_audit_log_is_append_only(db: Session) -> None:
    event = AuditEvent(actor_kind="system", action="test_append_only")
    db.add(event)
    db.commit()
    for statement in (
        "UPDATE audit_event SET action = 'changed' WHERE id = :id",
        "DELETE FROM audit_event WHERE id = :id",
    ):
        with pytest.raises(Exception, match="append-only"):
            db.execute(text(statement), {"id": event.id})
            db.commit()
        db.rollback()
    assert db.get(AuditEvent, event.id) is not None


def test_municipal_limits_come_from_the_configuration(
    officer: TestClient,
    app: FastAPI,
    db: Session,
    new_household,
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    from portal.officer_settings import OfficerSettings

    config = tmp_path / "norm.toml"
    config.write_text(
        "[rent_ceiling]\n1 = 6000\n2 = 7500\n\n[cost_ceiling]\nhome_insurance = 150\n"
    )
    monkeypatch.setattr(
        app.state, "officer_settings", OfficerSettings(norm_config_file=config), raising=False
    )
    case = case_of(db, new_household(incomes=()))

    def calculation() -> str:
        html = officer.get(case.url).text
        return text_of(html.split('id="calculation"')[1].split("</section>")[0])

    words = calculation()
    limited = "SEK 7,850.00 accepted; limited to the municipality's limit of SEK 6,000.00"
    assert f"Rent {limited} SEK 6,000.00 Configuration: the municipality's limit" in words
    assert "Home insurance SEK 189.00 accepted; limited to the municipality's limit" in words
    response = post(officer, f"{case.url}/assessment", {"above_limit": "rent"}, page=case.url)
    assert response.status_code == 303
    words = calculation()
    waived = "Rent Accepted above the municipality's limit of SEK 6,000.00 SEK 7,850.00"
    assert waived in words
