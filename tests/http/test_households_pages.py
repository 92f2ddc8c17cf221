"""The officer's household register pages: own unit only, register, add and remove members,
move, mark protected identity, close, the applicant's household change as a task; every
change needs its why and lands in the audit log; protected households show nothing."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from intake.models import (
    Answer,
    Application,
    AuditEvent,
    Household,
    HouseholdMember,
    Person,
    Unit,
)
from tests.conftest import csrf_of, login_staff
from tests.households_support import fresh_pnr


def _post(client: TestClient, path: str, page: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(
        path, data={**data, "csrf_token": csrf_of(client, page)}, follow_redirects=False
    )


def _unit(db: Session, name: str) -> int:
    unit = db.exec(select(Unit).where(Unit.name == name)).one()
    assert unit.id is not None
    return unit.id


def _register(client: TestClient, db: Session, **changes: str) -> tuple[int, str]:
    number = fresh_pnr()
    data = {
        "unit": str(_unit(db, "Försörjningsstöd Nord")),
        "personnummer": number,
        "given_name": "Hodan",
        "family_name": "Warsame",
        "language": "so",
        "interpreter": "yes",
        "role": "applicant",
        "why": "Grundutredning",
        **changes,
    }
    response = _post(client, "/officer/households", "/officer/households/new", data)
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/officer/households/(\d+)\?saved=1", response.headers["location"])
    assert match
    return int(match.group(1)), number


def _actions(db: Session, household_id: int) -> list[tuple[str, str | None]]:
    db.expire_all()
    return [
        (e.action, (e.detail or {}).get("why"))
        for e in db.exec(
            select(AuditEvent)
            .where(AuditEvent.object_type == "household")
            .where(AuditEvent.object_id == household_id)
            .order_by(col(AuditEvent.id))
        ).all()
    ]


def test_register_then_change_a_household_with_reasons(client: TestClient, db: Session) -> None:
    login_staff(client, "handlaggare")
    household_id, number = _register(client, db)
    page = client.get(f"/officer/households/{household_id}")
    assert page.status_code == 200 and "Hodan Warsame" in page.text
    url = f"/officer/households/{household_id}"
    child = fresh_pnr(adult=False)
    no_why = _post(
        client,
        f"{url}/members",
        url,
        {"personnummer": child, "given_name": "Ayaan", "family_name": "W", "role": "child"},
    )
    assert no_why.status_code == 422
    assert 'href="#add-why"' in no_why.text
    added = _post(
        client,
        f"{url}/members",
        url,
        {
            "personnummer": child,
            "given_name": "Ayaan",
            "family_name": "W",
            "role": "child",
            "days_at_home": "30",
            "why": "Born in November",
        },
    )
    assert added.status_code == 303, added.text
    bad = _post(
        client,
        f"{url}/members",
        url,
        {
            "personnummer": child[:-1] + str((int(child[-1]) + 1) % 10),
            "given_name": "X",
            "family_name": "Y",
            "role": "child",
            "why": "Typo",
        },
    )
    assert bad.status_code == 422 and 'href="#add-personnummer"' in bad.text
    person = db.exec(select(Person).where(Person.personnummer == child.replace("-", ""))).first()
    assert person is not None
    removed = _post(
        client, f"{url}/members/{person.id}/remove", url, {"why": "Moved to the father"}
    )
    assert removed.status_code == 303
    assert _actions(db, household_id) == [
        ("household_registered", "Grundutredning"),
        ("household_member_added", "Born in November"),
        ("household_member_removed", "Moved to the father"),
    ]
    page = client.get(url)
    assert "Born in November" in page.text and "Moved to the father" in page.text
    # Listed and found in the register, by name and by personnummer.
    assert str(household_id) in client.get("/officer/households?q=warsame").text
    assert (
        f"/officer/households/{household_id}" in client.get(f"/officer/households?q={number}").text
    )


def test_an_officer_sees_only_the_households_of_their_unit(client: TestClient, db: Session) -> None:
    login_staff(client, "handlaggare")
    household_id, _number = _register(client, db)
    other = TestClient(client.app, base_url="http://127.0.0.1")
    login_staff(other, "handlaggare2")  # Försörjningsstöd Syd
    assert other.get(f"/officer/households/{household_id}").status_code == 404
    assert f'/officer/households/{household_id}"' not in other.get("/officer/households").text
    refused = _post(
        other,
        f"/officer/households/{household_id}/close",
        "/officer/households",
        {"why": "Not mine"},
    )
    assert refused.status_code == 404
    # Registering into another unit than one's own is refused.
    refused = _post(
        other,
        "/officer/households",
        "/officer/households/new",
        {
            "unit": str(_unit(db, "Försörjningsstöd Nord")),
            "personnummer": fresh_pnr(),
            "given_name": "A",
            "family_name": "B",
            "why": "x",
        },
    )
    assert refused.status_code == 422
    # Moved to Syd, it is the other officer's.
    url = f"/officer/households/{household_id}"
    moved = _post(
        client, f"{url}/move", url, {"unit": str(_unit(db, "Försörjningsstöd Syd")), "why": "Moved"}
    )
    assert moved.status_code == 303 and moved.headers["location"] == "/officer/households?moved=1"
    assert other.get(url).status_code == 200


def test_protected_identity_hides_the_household_on_these_pages(
    client: TestClient, db: Session
) -> None:
    login_staff(client, "handlaggare")
    household_id, number = _register(client, db, given_name="Leyla", family_name="Skyddad")
    url = f"/officer/households/{household_id}"
    assert _post(client, f"{url}/protect", url, {"why": "Beviljad"}).status_code == 303
    page = client.get(url)
    # The one placeholder of portal/protection.py, as on every staff page.
    assert page.status_code == 403 and "Hanteras utanför portalen" in page.text
    assert "Leyla" not in page.text and number not in page.text and "Skyddad" not in page.text
    assert "Leyla" not in client.get("/officer/households").text
    assert f'{url}"' not in client.get(f"/officer/households?q={number}").text
    token = csrf_of(client, "/officer/households")
    for action in ("members", "close", "move", "protect"):
        refused = client.post(
            f"{url}/{action}", data={"csrf_token": token, "why": "x"}, follow_redirects=False
        )
        assert refused.status_code == 403, action  # handled outside the portal
    assert db.get(Household, household_id) is not None


def test_the_applicants_household_change_is_a_task(client: TestClient, db: Session) -> None:
    login_staff(client, "handlaggare")
    household_id, _number = _register(client, db)
    application = Application(household_id=household_id, month="2026-10", status="submitted")
    db.add(application)
    db.flush()
    db.add(
        Answer(
            application_id=application.id or 0,
            key="household_change",
            value="My partner Abdi moved in on 1 October",
        )
    )
    db.commit()
    url = f"/officer/households/{household_id}"
    page = client.get(url)
    assert "My partner Abdi moved in on 1 October" in page.text
    done_url = f"{url}/tasks/{application.id}/done"
    assert done_url in page.text
    assert _post(client, done_url, url, {"why": "Added Abdi as co-applicant"}).status_code == 303
    page = client.get(url)
    assert done_url not in page.text and "Added Abdi as co-applicant" in page.text
    closed = _post(client, f"{url}/close", url, {"why": "Self-supporting"})
    assert closed.status_code == 303
    household = db.get(Household, household_id)
    db.refresh(household)
    assert household is not None and household.closed_at is not None
    assert db.exec(
        select(HouseholdMember).where(HouseholdMember.household_id == household_id)
    ).all()
