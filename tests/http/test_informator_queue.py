"""The informatör's queue: routing on submission decides what is in it, and its filters."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from intake.models import AuditEvent, Household, utcnow
from portal.settings import Settings
from tests.completeness_support import open_codes, send
from tests.conftest import check_page, login_staff


@pytest.fixture
def informator(client: TestClient) -> TestClient:
    client.cookies.set("portal_lang", "en")
    login_staff(client, "informator")
    return client


def items(html: str) -> dict[str, str]:
    """Queue items by reference: the text of each."""
    found = {}
    for block in re.findall(
        r'<li class="queue-item">(.*?)</li>\s*(?=<li class="queue-item">|</ul>)', html, re.S
    ):
        reference = re.search(r"EB-\d{6}-\d{6}", block)
        if reference:
            found[reference.group(0)] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block))
    return found


def test_a_clean_application_goes_straight_to_the_case_officers(
    db: Session, settings: Settings, new_household, informator: TestClient
) -> None:  # type: ignore[no-untyped-def]
    sent = send(db, settings.uploads, new_household("sv"))
    assert sent.application.status == "complete"
    assert sent.application.pre_validated is True
    assert sent.application.complete_on_submission is True
    assert sent.application.completed_at is not None
    assert open_codes(db, sent.application) == []
    page = informator.get("/informator?view=all")
    assert sent.application.reference not in page.text


def test_an_application_with_problems_waits_for_the_informator(
    db: Session, settings: Settings, new_household, informator: TestClient
) -> None:  # type: ignore[no-untyped-def]
    sent = send(db, settings.uploads, new_household("so"), drop=("rent",))
    assert sent.application.status == "submitted"
    assert sent.application.pre_validated is False
    assert sent.application.complete_on_submission is False
    assert open_codes(db, sent.application) == [("missing_attachment", "blocking")]
    page = informator.get("/informator")
    check_page(page.text)
    assert "Applications to check for completeness" in page.text
    text = items(page.text)[sent.application.reference]
    assert "Test Testsson" in text
    assert "Document missing" in text
    assert "Soomaali" in text


def test_the_filters_narrow_the_queue(
    db: Session, settings: Settings, new_household, informator: TestClient
) -> None:  # type: ignore[no-untyped-def]
    old = utcnow() - dt.timedelta(days=9)
    missing = send(db, settings.uploads, new_household("fi"), drop=("rent",), submitted_at=old)
    sent_wrong = send(
        db, settings.uploads, new_household("uk"), adjust={"rent": {"period": "2020-01"}}
    )
    assert open_codes(db, sent_wrong.application) == [("wrong_period", "blocking")]
    ref_missing, ref_wrong = missing.application.reference, sent_wrong.application.reference

    by_finding = items(informator.get("/informator?finding=wrong_period").text)
    assert ref_wrong in by_finding and ref_missing not in by_finding
    by_language = items(informator.get("/informator?language=fi").text)
    assert ref_missing in by_language and ref_wrong not in by_language
    waiting = items(informator.get("/informator?waiting=7").text)
    assert ref_missing in waiting and ref_wrong not in waiting
    assert "9 days" in waiting[ref_missing]
    household = db.get(Household, missing.household.id)
    assert household is not None
    by_unit = items(informator.get(f"/informator?unit={household.unit_id + 1000}").text)
    assert by_unit == {}
    # A filter value that is not offered is ignored, not an error.
    assert informator.get("/informator?finding=nonsense&waiting=5&language=xx").status_code == 200


def test_co_applicant_pending_is_a_queue_and_a_filter(
    db: Session, settings: Settings, new_household, informator: TestClient
) -> None:  # type: ignore[no-untyped-def]
    sent = send(db, settings.uploads, new_household("sv", co_applicant=True), route=False)
    sent.application.status = "awaiting_co_applicant"
    sent.application.co_applicant_status = "pending"
    db.add(sent.application)
    db.commit()
    declined = send(
        db, settings.uploads, new_household("sv", co_applicant=True), co_applicant="declined"
    )
    assert ("co_applicant_declined", "blocking") in open_codes(db, declined.application)
    waiting = items(informator.get("/informator?view=co_applicant").text)
    assert sent.application.reference in waiting
    assert "Waiting for the co-applicant" in waiting[sent.application.reference]
    filtered = items(informator.get("/informator?view=all&co_applicant=pending").text)
    assert {sent.application.reference, declined.application.reference} <= set(filtered)
    to_check = items(informator.get("/informator?co_applicant=pending").text)
    assert declined.application.reference in to_check
    assert sent.application.reference not in to_check


def test_htmx_gets_only_the_results(informator: TestClient) -> None:
    full = informator.get("/informator?view=all")
    assert full.headers["vary"] == "HX-Request"
    assert "<html" in full.text and 'id="queue-results"' in full.text
    fragment = informator.get("/informator?view=all", headers={"HX-Request": "true"})
    assert fragment.headers["vary"] == "HX-Request"
    assert "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<section id="queue-results"')
    assert 'role="status"' in fragment.text
    # The tabs come along out of band, so that their links keep the filter.
    assert 'id="queue-tabs" aria-label="Queues" hx-swap-oob="true"' in fragment.text
    assert "hx-swap-oob" not in full.text
    # The filter form works without JavaScript too: a plain GET form.
    assert re.search(r'<form method="get" action="/informator"', full.text)


def test_looking_at_the_queue_is_audit_logged(
    db: Session, settings: Settings, new_household, informator: TestClient
) -> None:  # type: ignore[no-untyped-def]
    sent = send(db, settings.uploads, new_household("sv"), drop=("rent",))
    informator.get("/informator")
    db.expire_all()
    event = db.exec(
        select(AuditEvent)
        .where(AuditEvent.action == "view_informator_queue")
        .order_by(col(AuditEvent.id).desc())
    ).first()
    assert event is not None and event.actor_kind == "staff"
    assert event.detail is not None and sent.application.id in event.detail["applications"]
    assert event.detail["role"] == "informator"


def test_other_roles_cannot_see_the_queue(client: TestClient) -> None:
    login_staff(client, "handlaggare")
    assert client.get("/informator").status_code == 403
    assert client.get("/informator/figures").status_code == 403
