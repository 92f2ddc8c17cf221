"""The hand-off API for the case system: listing by status, the versioned document, documents
byte for byte, marking received; every call logged; protected identity never handed over."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from intake.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    HandoffReceipt,
    Household,
    utcnow,
)
from portal import handoff
from portal.repository_handoff import create_token
from portal.settings import Settings
from tests.conftest import csrf_of
from tests.officer_support import (
    add_document,
    case_of,
    household_of_pnr,
    pdf_bytes,
    post,
    set_answer,
    sign_in,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def token(db: Session) -> str:
    _row, secret = create_token(db, "Viva test", "tests")
    return secret


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _ids(response) -> list[int]:  # type: ignore[no-untyped-def]
    return [item["id"] for item in response.json()["items"]]


def _all_ids(client: TestClient, token: str, query: str) -> list[int]:
    """Every id over all pages."""
    found: list[int] = []
    after = 0
    while True:
        page = client.get(
            f"/api/v1/applications?{query}&after_id={after}&limit=500", headers=bearer(token)
        )
        assert page.status_code == 200, page.text
        found += _ids(page)
        after = page.json()["next_after_id"]
        if after is None:
            return found


def test_listing_by_status(client: TestClient, db: Session, token: str, new_household) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household())
    decided = db.exec(
        select(Application.id)
        .where(Application.household_id == case.household.id)
        .where(Application.status == "decided")
    ).all()
    complete = _all_ids(client, token, "status=complete")
    assert case.id in complete and not set(decided) & set(complete)
    both = _all_ids(client, token, "status=complete,decided")
    assert {case.id, *decided} <= set(both)
    assert both == sorted(both)
    repeated = _all_ids(client, token, "status=complete&status=decided")
    assert repeated == both
    items = [
        item
        for after in (max(case.id - 1, 0),)
        for item in client.get(
            f"/api/v1/applications?status=complete&after_id={after}&limit=1",
            headers=bearer(token),
        ).json()["items"]
    ]
    assert [item["id"] for item in items] == [case.id]
    assert items[0]["href"] == f"/api/v1/applications/{case.id}"
    assert items[0]["month"] == case.application.month and items[0]["received_at"] is None
    assert items[0]["unit_id"] == case.household.unit_id


def test_pages_and_bad_parameters(client: TestClient, token: str) -> None:
    first = client.get("/api/v1/applications?limit=2", headers=bearer(token)).json()
    assert len(first["items"]) == 2 and first["version"] == "1.0"
    second = client.get(
        f"/api/v1/applications?limit=2&after_id={first['next_after_id']}", headers=bearer(token)
    ).json()
    assert second["items"][0]["id"] > first["items"][-1]["id"]
    for query in ("status=draft", "status=bogus", "limit=0", "limit=10000", "after_id=x"):
        response = client.get(f"/api/v1/applications?{query}", headers=bearer(token))
        assert response.status_code == 422, query
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["error"] == "bad_request"


def test_the_document(
    client: TestClient, db: Session, settings: Settings, token: str, new_household
) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household("so", co_applicant=True, children=1))
    set_answer(db, case.id, "rent", 900000, changed=True)
    attachment = add_document(
        db,
        settings.uploads,
        case,
        pdf_bytes(),
        filename="hyresavi.pdf",
        content_type="application/pdf",
        amount_ore=900000,
        confidence=0.91,
    )
    response = client.get(f"/api/v1/applications/{case.id}", headers=bearer(token))
    assert response.status_code == 200
    document = response.json()
    # It is the documented, versioned document.
    assert document["schema"] == handoff.SCHEMA_ID and document["version"] == "1.0"
    handoff.ApplicationDocument.model_validate(document)
    assert document["application"]["id"] == case.id
    assert document["application"]["status"] == "complete"
    roles = sorted(m["role"] for m in document["household"]["members"])
    assert roles == ["applicant", "child", "co_applicant"]
    test = next(m for m in document["household"]["members"] if m["given_name"] == "Test")
    assert test["personnummer"] == case.people["Test"].personnummer
    assert test["birth_date"] == "1980-01-01"
    assert {"kind": "rent", "amount_ore": 900000} in document["answers"]["costs_outside_norm"]
    assert "rent" in document["changed_since_last_month"]
    assert document["raw_answers"]["rent"] == 900000
    [doc] = document["attachments"]
    assert doc["sha256"] == attachment.sha256
    assert doc["href"] == f"/api/v1/applications/{case.id}/attachments/{attachment.id}"
    assert doc["extracted"] == {
        "status": "done",
        "kind": "rent_notice",
        "period": case.application.month,
        "amount_ore": 900000,
        "confidence": 0.91,
    }
    calculation = document["preliminary_calculation"]
    assert calculation["available"] and calculation["table"]["is_demo"] is True
    assert "norm.demo_table" in calculation["warnings"]
    assert document["handlingsplan"]["status"] == "missing"
    assert document["decision"] is None and document["handoff"]["received_at"] is None
    # The document is read from the database, logged as the API's read.
    event = db.exec(
        select(AuditEvent)
        .where(AuditEvent.action == "api_view_application")
        .where(AuditEvent.object_id == case.id)
    ).one()
    assert event.actor_kind == "api" and event.detail and event.detail["role"] == "api"


def test_the_document_after_the_decision(
    client: TestClient, app, db: Session, token: str, new_household
) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household())
    with TestClient(app, base_url="http://127.0.0.1") as officer:
        sign_in(officer, "handlaggare")
        response = post(
            officer,
            f"{case.url}/decision",
            {
                "outcome": "granted",
                "amount": "6000",
                f"obstacle_{case.people['Test'].id}": "language_barrier",
            },
            page=case.url,
        )
        assert response.status_code == 303
    decided = _all_ids(client, token, "status=decided&received=false")
    assert case.id in decided
    document = client.get(f"/api/v1/applications/{case.id}", headers=bearer(token)).json()
    assert document["application"]["status"] == "decided"
    assert document["decision"]["outcome"] == "granted"
    assert document["decision"]["amount_ore"] == 600000
    assert document["decision"]["decided_by"] == "Hans Handläggare"
    assert document["decision"]["support_obstacles"] == [
        {"person_id": case.people["Test"].id, "code": "language_barrier"}
    ]


def test_documents_byte_for_byte(
    client: TestClient, db: Session, settings: Settings, token: str, new_household
) -> None:  # type: ignore[no-untyped-def]
    case, other = case_of(db, new_household()), case_of(db, new_household())
    content = pdf_bytes("Utbetalningsbesked")
    attachment = add_document(
        db, settings.uploads, case, content, filename="besked.pdf", content_type="application/pdf"
    )
    response = client.get(
        f"/api/v1/applications/{case.id}/attachments/{attachment.id}", headers=bearer(token)
    )
    assert response.status_code == 200
    assert response.content == (settings.uploads / attachment.storage_path).read_bytes()
    digest = base64.b64encode(hashlib.sha256(response.content).digest()).decode()
    assert response.headers["repr-digest"] == f"sha-256=:{digest}:"
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="besked.pdf"' in response.headers["content-disposition"]
    wrong = client.get(
        f"/api/v1/applications/{other.id}/attachments/{attachment.id}", headers=bearer(token)
    )
    assert wrong.status_code == 404 and wrong.json()["error"] == "not_found"
    assert db.exec(
        select(AuditEvent)
        .where(AuditEvent.action == "api_download_attachment")
        .where(AuditEvent.object_id == attachment.id)
    ).one()


def test_marking_received(client: TestClient, db: Session, token: str, new_household) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household())
    # The CSRF token sent alongside is ignored: a bearer token without a session needs none
    # (the next test).
    headers = {**bearer(token), "X-CSRF-Token": csrf_of(client)}
    url = f"/api/v1/applications/{case.id}/received"
    first = client.post(url, headers=headers, json={"case_system": "Viva", "case_reference": "V-1"})
    assert first.status_code == 201, first.text
    assert first.json()["new"] is True and first.json()["case_reference"] == "V-1"
    again = client.post(url, headers=headers, json={"case_system": "Viva", "case_reference": "V-2"})
    assert again.status_code == 200 and again.json()["new"] is False
    assert again.json()["case_reference"] == "V-1"  # the first receipt stands
    assert again.json()["received_at"] == first.json()["received_at"]
    receipts = db.exec(select(HandoffReceipt).where(HandoffReceipt.application_id == case.id)).all()
    assert len(receipts) == 1 and receipts[0].document_version == "1.0"
    assert case.id in _all_ids(client, token, "status=complete&received=true")
    assert case.id not in _all_ids(client, token, "status=complete&received=false")
    document = client.get(f"/api/v1/applications/{case.id}", headers=bearer(token)).json()
    assert document["handoff"]["case_reference"] == "V-1"
    bad = client.post(url, headers=headers, json={"case_system": "x" * 51})
    assert bad.status_code == 422 and bad.json()["error"] == "bad_request"
    missing = client.post("/api/v1/applications/999999999/received", headers=headers)
    assert missing.status_code == 404
    with TestClient(client.app, base_url="http://127.0.0.1") as officer:
        sign_in(officer, "handlaggare")
        assert "Received by the case system on" in officer.get(case.url).text


def test_marking_received_needs_no_csrf_token_with_a_bearer_token(
    app, db: Session, token: str, new_household
) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household())
    with TestClient(app, base_url="http://127.0.0.1") as system:
        response = system.post(f"/api/v1/applications/{case.id}/received", headers=bearer(token))
        assert response.status_code == 201
        assert response.json()["application_id"] == case.id
        # A request that carries a signed-in session is never exempt, bearer token or not.
        sign_in(system, "handlaggare")
        other = case_of(db, new_household())
        forged = system.post(f"/api/v1/applications/{other.id}/received", headers=bearer(token))
        assert forged.status_code == 403
        assert (
            db.exec(select(HandoffReceipt).where(HandoffReceipt.application_id == other.id)).first()
            is None
        )


def test_protected_identity_is_never_handed_over(
    client: TestClient, db: Session, token: str, new_household
) -> None:  # type: ignore[no-untyped-def]
    made = new_household(protected=True)
    household = household_of_pnr(db, made.members[0].personnummer)
    application = Application(
        household_id=household.id or 0,
        month="2026-01",
        status=ApplicationStatus.complete,
        submitted_at=utcnow(),
    )
    db.add(application)
    db.commit()
    assert application.id not in _all_ids(client, token, "status=complete")
    assert (
        client.get(f"/api/v1/applications/{application.id}", headers=bearer(token)).status_code
        == 404
    )


def test_drafts_are_not_handed_over(client: TestClient, db: Session, token: str) -> None:
    household = db.exec(select(Household)).first()
    assert household is not None
    draft = Application(household_id=household.id or 0, month="2039-02", status="draft")
    db.add(draft)
    db.commit()
    assert client.get(f"/api/v1/applications/{draft.id}", headers=bearer(token)).status_code == 404


def test_the_schema_file_is_the_documents_schema() -> None:
    committed = json.loads((ROOT / "docs" / "handoff-schema.json").read_text())
    assert committed == handoff.json_schema()
    assert committed["$id"] == handoff.SCHEMA_ID
    described = (ROOT / "docs" / "handoff-schema.md").read_text()
    for field in ("changed_since_last_month", "preliminary_calculation", "is_demo", "Bearer"):
        assert field in described


def test_the_api_is_in_openapi(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    assert set(paths) >= {
        "/api/v1/applications",
        "/api/v1/applications/{application_id}",
        "/api/v1/applications/{application_id}/attachments/{attachment_id}",
        "/api/v1/applications/{application_id}/received",
    }
    assert spec["components"]["securitySchemes"]["ApiToken"]["scheme"] == "bearer"
    get_one = paths["/api/v1/applications/{application_id}"]["get"]
    assert get_one["security"] == [{"ApiToken": []}]
    assert "ApplicationDocument" in json.dumps(get_one["responses"]["200"])
    assert "401" in get_one["responses"]
