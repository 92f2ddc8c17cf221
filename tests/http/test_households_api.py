"""The household register's API: idempotent upsert keyed by the case system's id, close,
problem details for every refusal, the basis that prefills the first återansökan."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from intake.models import (
    Answer,
    Application,
    AuditEvent,
    Household,
    HouseholdMember,
    Person,
)
from portal import repository_flow
from portal.auth import household_of
from portal.repository_handoff import create_token
from tests.conftest import login_pnr
from tests.households_support import bad_checksum, external_id, fresh_pnr, household_body


@pytest.fixture
def token(db: Session) -> str:
    _row, secret = create_token(db, "Viva households", "tests")
    return secret


def put(client: TestClient, token: str, key: str, body: object):  # type: ignore[no-untyped-def]
    return client.put(
        f"/api/v1/households/{key}", json=body, headers={"Authorization": f"Bearer {token}"}
    )


def _events(db: Session, household_id: int) -> list[AuditEvent]:
    db.expire_all()
    return list(
        db.exec(
            select(AuditEvent)
            .where(AuditEvent.object_type == "household")
            .where(AuditEvent.object_id == household_id)
            .order_by(col(AuditEvent.id))
        ).all()
    )


def test_create_then_the_same_body_again_changes_nothing(
    client: TestClient, db: Session, token: str
) -> None:
    key, body = external_id(), household_body()
    first = put(client, token, key, body)
    assert first.status_code == 201, first.text
    created = first.json()
    assert created["external_id"] == key and created["language"] == "so"
    assert [m["role"] for m in created["members"]] == ["applicant", "child"]
    assert created["members"][1]["days_at_home"] == 30
    again = put(client, token, key, body)
    assert again.status_code == 200
    assert again.json() == created
    household = db.get(Household, created["id"])
    assert household is not None and household.interpreter_needed
    events = _events(db, created["id"])
    assert [e.action for e in events] == ["household_created", "household_updated"]
    assert events[1].detail is not None and events[1].detail["changes"] == []
    assert events[0].actor_kind == "api" and events[0].detail["token"] == "Viva households"
    applicant = db.exec(
        select(Person).where(
            Person.personnummer == body["members"][0]["personnummer"].replace("-", "")
        )
    ).one()
    assert applicant.email == "hodan@example.org" and applicant.phone == "070-123 45 67"


def test_update_replaces_the_members_and_records_what_changed(
    client: TestClient, db: Session, token: str
) -> None:
    key, body = external_id(), household_body()
    created = put(client, token, key, body).json()
    partner = fresh_pnr()
    body["members"] = [
        body["members"][0],
        {
            "personnummer": partner,
            "given_name": "Abdi",
            "family_name": "Warsame",
            "role": "co_applicant",
        },
    ]
    body["unit"] = "Försörjningsstöd Syd"
    updated = put(client, token, key, body)
    assert updated.status_code == 200, updated.text
    assert [m["role"] for m in updated.json()["members"]] == ["applicant", "co_applicant"]
    assert updated.json()["unit_id"] != created["unit_id"]
    changes = _events(db, created["id"])[-1].detail["changes"]  # type: ignore[index]
    assert {"unit", "member_added", "member_removed", "person_added"} <= set(changes)
    # The child who left is still a person, stored once, in no household.
    rows = db.exec(
        select(HouseholdMember).where(HouseholdMember.household_id == created["id"])
    ).all()
    assert len(rows) == 2


def test_every_problem_of_a_bad_body_is_listed_as_problem_json(
    client: TestClient, db: Session, token: str
) -> None:
    body = household_body(unit="No such unit", language="xx")
    body["members"][0]["personnummer"] = bad_checksum(body["members"][0]["personnummer"])
    body["members"][1]["role"] = "applicant"
    body["members"][1]["birth_date"] = "1901-01-01"
    response = put(client, token, external_id(), body)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 422 and problem["title"]
    codes = {p["code"] for p in problem["problems"]}
    assert codes == {
        "unknown_unit",
        "unknown_language",
        "personnummer_checksum",
        "birth_date_mismatch",
        "applicant_count",
        "days_for_adult",  # the child made applicant still has days at home
    }
    loc = next(p["loc"] for p in problem["problems"] if p["code"] == "personnummer_checksum")
    assert loc == ["members", 0, "personnummer"]


def test_schema_errors_are_problem_json_too(client: TestClient, token: str) -> None:
    response = put(client, token, external_id(), {"unit": "x", "members": [{"role": "king"}]})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert {tuple(p["loc"][:2]) for p in response.json()["problems"]} >= {("members", 0)}
    bad_key = put(client, token, "no spaces allowed", household_body())
    assert bad_key.status_code == 422


def test_a_person_in_another_household_is_a_conflict(
    client: TestClient, db: Session, token: str
) -> None:
    first = household_body()
    assert put(client, token, external_id(), first).status_code == 201
    second = household_body()
    second["members"].append({**first["members"][1]})
    response = put(client, token, external_id(), second)
    assert response.status_code == 409
    assert [p["code"] for p in response.json()["problems"]] == ["person_in_other_household"]
    # Nothing of the refused household was stored.
    number = second["members"][0]["personnummer"].replace("-", "")
    db.expire_all()
    assert db.exec(select(Person).where(Person.personnummer == number)).first() is None


def test_with_an_unknown_token_it_is_401_problem(client: TestClient) -> None:
    response = put(client, "not-a-token", external_id(), household_body())
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"] == "Bearer"


def test_close_takes_the_household_out_of_the_applicants_reach(
    client: TestClient, db: Session, token: str
) -> None:
    key, body = external_id(), household_body()
    created = put(client, token, key, body).json()
    headers = {"Authorization": f"Bearer {token}"}
    closed = client.post(
        f"/api/v1/households/{key}/close", json={"reason": "Moved away"}, headers=headers
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["closed_at"] and closed.json()["close_reason"] == "Moved away"
    again = client.post(
        f"/api/v1/households/{key}/close", json={"reason": "Again"}, headers=headers
    )
    assert again.status_code == 200 and again.json()["close_reason"] == "Moved away"
    person = db.exec(
        select(Person).where(
            Person.personnummer == body["members"][0]["personnummer"].replace("-", "")
        )
    ).one()
    assert household_of(db, person) is None
    refused = put(client, token, key, body)
    assert refused.status_code == 409
    assert [p["code"] for p in refused.json()["problems"]] == ["household_closed"]
    # A closed household's member may join a new household.
    assert put(client, token, external_id(), body).status_code == 201
    unknown = client.post(
        f"/api/v1/households/{external_id()}/close", json={"reason": "x"}, headers=headers
    )
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert [e.action for e in _events(db, created["id"])][-2:] == ["household_closed"] * 2


def test_protected_identity_takes_effect_at_once(
    client: TestClient,
    app,
    db: Session,
    token: str,  # type: ignore[no-untyped-def]
) -> None:
    key, body = external_id(), household_body()
    put(client, token, key, body)
    browser = TestClient(app, base_url="http://127.0.0.1")
    login_pnr(browser, body["members"][0]["personnummer"].replace("-", ""))
    before = browser.get("/applicant").text
    assert "Ayaan" in before  # the household, as the applicant sees it
    body["protected_identity"] = True
    response = put(client, token, key, body)
    assert response.status_code == 200
    assert response.json()["protected_identity"] is True
    assert all(
        m["personnummer"] is None and m["given_name"] is None for m in response.json()["members"]
    )
    page = browser.get("/applicant")  # the same session, the next request
    assert "Ayaan" not in page.text
    assert "/applicant/apply" not in page.text and "/applicant/apply" in before


def test_the_basis_prefills_the_first_reapplication(
    client: TestClient, db: Session, token: str
) -> None:
    key, body = external_id(), household_body()
    applicant = body["members"][0]["personnummer"]
    body["basis"] = {
        "month": "2026-11",
        "rent_ore": 785000,
        "incomes": {applicant: {"child_allowance": 125000}},
        "costs": {"union_fee": 35000},
    }
    created = put(client, token, key, body)
    assert created.status_code == 201, created.text
    assert created.json()["basis_month"] == "2026-11"
    household = db.get(Household, created.json()["id"])
    assert household is not None
    draft = repository_flow.get_or_create_draft(db, household, "2026-12", "so")
    context = repository_flow.context_for(db, household, draft)
    person = db.exec(select(Person).where(Person.personnummer == applicant.replace("-", ""))).one()
    assert context.previous["rent"] == 785000
    assert context.previous[f"incomes:{person.id}"]["amounts"] == {"child_allowance": 125000}
    assert context.previous["costs"] == {"amounts": {"union_fee": 35000}}
    assert context.previous["contact"]["methods"] == ["sms", "email"]
    # The basis is no application of the applicant's: not listed, never in any queue.
    imported = db.exec(
        select(Application)
        .where(Application.household_id == household.id)
        .where(Application.month == "2026-11")
    ).one()
    assert imported.status == "imported" and imported.submitted_at is None
    # The same basis again changes nothing; a basis for a person not in the household is refused.
    assert "basis" in _events(db, household.id or 0)[-1].detail["changes"]  # type: ignore[index]
    again = put(client, token, key, body)
    assert "basis" not in _events(db, household.id or 0)[-1].detail["changes"]  # type: ignore[index]
    assert again.status_code == 200
    body["basis"]["incomes"] = {fresh_pnr(): {"salary": 1}}
    refused = put(client, token, key, body)
    assert refused.status_code == 422
    assert [p["code"] for p in refused.json()["problems"]] == ["basis_unknown_person"]
    answers = db.exec(select(Answer).where(Answer.application_id == imported.id)).all()
    assert {a.key for a in answers} >= {"rent", "costs", "contact", "housing_type"}


def test_the_openapi_schema_describes_the_routes_with_examples(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    put_op = schema["paths"]["/api/v1/households/{external_id}"]["put"]
    assert {"200", "201", "401", "409", "422"} <= set(put_op["responses"])
    assert "application/problem+json" in put_op["responses"]["422"]["content"]
    body = schema["components"]["schemas"]["HouseholdIn"]
    assert body["examples"][0]["members"][0]["role"] == "applicant"
    assert "/api/v1/households/{external_id}/close" in schema["paths"]
