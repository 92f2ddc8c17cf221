"""The informatör's scope (issue 13, F7): the applications of their own units (their unit and
the units they lead), in the statuses the role works on (awaiting the co-applicant, received,
waiting for completion, complete until decided). Anything else is a 404, in the queue, its
counts, the figures, one application, its documents and every action on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from intake.models import (
    Application,
    ApplicationStatus,
    Attachment,
    Household,
    StaffRole,
    StaffUser,
    Unit,
)
from portal import repository_completeness
from portal.auth import hash_password
from portal.settings import Settings
from tests.completeness_support import Sent, send
from tests.conftest import csrf_of, login_staff


def _unit_of(db: Session, username: str) -> int:
    user = db.exec(select(StaffUser).where(StaffUser.username == username)).one()
    assert user.unit_id is not None
    return user.unit_id


def _move(db: Session, sent: Sent, unit_id: int) -> None:
    household = db.get(Household, sent.household.id)
    assert household is not None
    household.unit_id = unit_id
    db.add(household)
    db.commit()


def _status(db: Session, sent: Sent, status: str) -> None:
    application = db.get(Application, sent.application.id)
    assert application is not None
    application.status = status
    db.add(application)
    db.commit()


def _urls(db: Session, sent: Sent) -> list[tuple[str, str]]:
    base = f"/informator/applications/{sent.application.id}"
    attachment = db.exec(
        select(Attachment).where(Attachment.application_id == sent.application.id)
    ).first()
    assert attachment is not None
    return [
        ("GET", base),
        ("POST", f"{base}/request"),
        ("POST", f"{base}/notes"),
        ("POST", f"{base}/complete"),
        ("GET", f"/informator/attachments/{attachment.id}/original"),
        ("GET", f"/informator/attachments/{attachment.id}/pages/1"),
    ]


def _all_not_found(client: TestClient, db: Session, sent: Sent) -> None:
    token = csrf_of(client, "/informator")
    for method, url in _urls(db, sent):
        data = {"csrf_token": token, "kind": "phone", "body": "x"} if method == "POST" else None
        response = client.request(method, url, data=data, follow_redirects=False)
        assert response.status_code == 404, (method, url, response.status_code)


@pytest.fixture
def informator(client: TestClient) -> TestClient:
    client.cookies.set("portal_lang", "en")
    login_staff(client, "informator")
    return client


def test_another_units_application_is_not_found(
    db: Session, settings: Settings, new_household, informator: TestClient
) -> None:  # type: ignore[no-untyped-def]
    own = send(db, settings.uploads, new_household("sv"), drop=("rent",))
    other = send(db, settings.uploads, new_household("sv"), drop=("rent",))
    other_unit = _unit_of(db, "handlaggare2")
    assert other_unit != _unit_of(db, "informator")
    _move(db, other, other_unit)
    assert informator.get(f"/informator/applications/{own.application.id}").status_code == 200
    _all_not_found(informator, db, other)
    for query in ("view=all", f"view=all&unit={other_unit}"):
        page = informator.get(f"/informator?{query}").text
        assert str(other.application.reference) not in page
    assert str(own.application.reference) in informator.get("/informator?view=all").text
    # The unit filter offers only the informatör's own unit.
    other_name = db.get(Unit, other_unit)
    assert other_name is not None
    assert other_name.name not in informator.get("/informator").text
    assert other_name.name not in informator.get("/informator/figures").text


def test_the_team_lead_sees_the_unit_they_lead(
    client: TestClient, db: Session, settings: Settings, new_household
) -> None:  # type: ignore[no-untyped-def]
    """Tove Teamledare (officer, informatör and quality) belongs to and leads the other unit."""
    theirs = send(db, settings.uploads, new_household("sv"), drop=("rent",))
    _move(db, theirs, _unit_of(db, "teamledare"))
    client.cookies.set("portal_lang", "en")
    login_staff(client, "teamledare")
    assert client.get(f"/informator/applications/{theirs.application.id}").status_code == 200
    assert str(theirs.application.reference) in client.get("/informator?view=all").text


@pytest.mark.parametrize(
    ("status", "found"),
    [
        (ApplicationStatus.awaiting_co_applicant, 200),
        (ApplicationStatus.submitted, 200),
        (ApplicationStatus.needs_completion, 200),
        (ApplicationStatus.complete, 200),
        (ApplicationStatus.decided, 404),
        (ApplicationStatus.draft, 404),
    ],
)
def test_only_the_statuses_the_role_works_on(
    db: Session,
    settings: Settings,
    new_household,  # type: ignore[no-untyped-def]
    informator: TestClient,
    status: str,
    found: int,
) -> None:
    sent = send(db, settings.uploads, new_household("sv"), drop=("rent",))
    _status(db, sent, status)
    url = f"/informator/applications/{sent.application.id}"
    assert informator.get(url).status_code == found
    if found == 404:
        _all_not_found(informator, db, sent)


@pytest.fixture
def unitless(db: Session) -> Iterator[tuple[str, str]]:
    password = "unitless-password-123"
    user = StaffUser(
        username="informator-utan-enhet",
        display_name="Utan Enhet",
        password_hash=hash_password(password),
    )
    db.add(user)
    db.commit()
    db.add(StaffRole(user_id=user.id or 0, role="informator"))
    db.commit()
    yield user.username, password
    for row in db.exec(select(StaffRole).where(StaffRole.user_id == user.id)).all():
        db.delete(row)
    db.commit()


def test_an_informator_without_a_unit_sees_nothing(
    client: TestClient,
    db: Session,
    settings: Settings,
    new_household,  # type: ignore[no-untyped-def]
    unitless: tuple[str, str],
) -> None:
    sent = send(db, settings.uploads, new_household("sv"), drop=("rent",))
    username, password = unitless
    client.cookies.set("portal_lang", "en")
    token = csrf_of(client, "/login/staff")
    signed_in = client.post(
        "/login/staff",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    assert str(sent.application.reference) not in client.get("/informator?view=all").text
    _all_not_found(client, db, sent)
    assert repository_completeness.informator_units(db, None) == []
