"""The case officer in a real browser: from the queue to a decision, with and without JavaScript;
the applicant sees the decision; the API hands the application over; axe-core finds nothing on
any officer page, on a phone and a desktop, in all eight languages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import httpx
import pytest
from sqlmodel import Session, select

from intake.languages import SUPPORTED
from intake.models import (
    Application,
    ApplicationStatus,
    Decision,
    Person,
    ReviewItem,
    ReviewSample,
    StaffUser,
    TeamLead,
    utcnow,
)
from intake.officer.decision import Draft
from portal import demo
from portal.repository_handoff import create_token
from portal.repository_officer import record_decision
from tests.browser.conftest import axe_violations, new_context, overflows_horizontally
from tests.officer_support import Case, case_of, household_of_pnr, set_answer, waiting_since


def _words(locator) -> str:  # type: ignore[no-untyped-def]
    return " ".join(locator.inner_text().replace("\xa0", " ").split())


def _sign_in_staff(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login/staff")
    page.fill("#username", username)
    page.fill("#password", f"demo-{username}")
    page.click("main button[type=submit]")
    page.wait_for_url("**/officer")


def _prepared(db: Session, new_household) -> Case:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household("en"))
    set_answer(db, case.id, "anything_changed", True, changed=True)
    set_answer(db, case.id, "changes", ["housing"], changed=True)
    set_answer(db, case.id, "rent", 921000, changed=True)
    waiting_since(db, case, 400)  # first in the queue, whatever else is waiting
    return case


@pytest.mark.parametrize("javascript", [True, False])
def test_an_officer_takes_an_application_sees_the_changes_and_decides(
    browser, live_server, axe_source, db: Session, new_household, javascript: bool
) -> None:  # type: ignore[no-untyped-def]
    case = _prepared(db, new_household)
    context = new_context(browser, live_server, language="en", javascript=javascript)
    page = context.new_page()
    _sign_in_staff(page, "handlaggare")

    # The queue: the oldest application first, over the 14-day mark; filter to changed ones.
    page.check("#flag-changed")
    page.click(".officer-filter button[type=submit]")
    # A page load without JavaScript; htmx swaps the results in and keeps the address in step.
    page.wait_for_url(re.compile(r"/officer\?.*flag=changed"))
    page.wait_for_selector("#queue-results h2:has-text('application')")
    row = page.locator(f"tr:has(a[href='/officer/applications/{case.id}'])")
    assert "(over 14)" in row.inner_text()
    assert "Changed since last month" in row.inner_text()
    for other in page.locator(".officer-queue tbody tr").all():
        assert "Changed since last month" in other.inner_text()
    row.locator("button", has_text="Take").click()
    page.wait_for_url(f"**/officer/applications/{case.id}")
    assert page.locator(".officer-facts").inner_text().count("Hans Handläggare") == 1

    # The changes since last month, and the calculation with its demo label.
    changes = _words(page.locator("#changes"))
    assert "SEK 7,850.00" in changes and "SEK 9,210.00" in changes
    calculation = page.locator("#calculation")
    assert "Example values" in calculation.inner_text()
    assert calculation.locator("table.calc tbody tr").count() >= 8
    assert "Rent" in calculation.locator("table.calc").inner_text()

    # Accept a lower rent, then decide.
    page.fill("#field-cost_rent", "8500")
    page.click(".officer-costs button[type=submit]")
    page.wait_for_url("**notice=assessment**")
    assert "Accepted at another amount" in page.locator("#calculation").inner_text()
    page.check("#outcome-partly")
    page.fill("#field-amount", "7 400")
    page.fill("#field-reason", "Hyran godtas upp till 8 500 kr.")
    page.select_option(f"#field-obstacle_{case.people['Test'].id}", "unemployed")
    page.click(".officer-decision button[type=submit]")
    page.wait_for_url("**notice=decided_now")
    decision = _words(page.locator("#decision"))
    assert "Partly granted" in decision and "SEK 7,400.00" in decision
    assert page.locator(".officer-decision").count() == 0  # read-only now
    context.close()

    db.expire_all()
    assert db.get(Application, case.id).status == ApplicationStatus.decided  # type: ignore[union-attr]

    # The applicant sees that a decision was made.
    applicant = new_context(browser, live_server, language="en", javascript=javascript)
    page = applicant.new_page()
    page.goto("/login/test-eid")
    page.fill("#pnr", case.people["Test"].personnummer)
    page.click("main button[type=submit]")
    page.wait_for_url("**/applicant")
    page.goto(f"/applicant/applications/{case.id}")
    notice = _words(page.locator(".decision-notice"))
    assert "A decision has been made" in notice
    assert "Partly granted" in notice and "SEK 7,400.00" in notice
    applicant.close()
    # The same page right to left on a phone, for an applicant who reads Arabic, checked with
    # axe-core.
    person = db.get(Person, case.people["Test"].id)
    assert person is not None
    person.language = "ar"
    db.add(person)
    db.commit()
    # axe-core runs as a script in the page, so only where JavaScript is on.
    axe = axe_source if javascript else None
    applicant = new_context(browser, live_server, javascript=javascript, axe=axe)
    page = applicant.new_page()
    page.goto("/login/test-eid")
    page.fill("#pnr", case.people["Test"].personnummer)
    page.click("main button[type=submit]")
    page.wait_for_url("**/applicant")
    page.goto(f"/applicant/applications/{case.id}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator(".decision-notice h2").inner_text() == "صدر قرار"
    if javascript:
        assert axe_violations(page) == []
        assert not overflows_horizontally(page)
    applicant.close()


def test_the_api_hands_the_decided_application_over(
    live_server: str, db: Session, new_household
) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household())
    officer = db.exec(select(StaffUser).where(StaffUser.username == "handlaggare")).one()
    record_decision(
        db,
        db.get(Application, case.id),  # type: ignore[arg-type]
        Draft("granted", 700000, "", {case.people["Test"].id or 0: "unemployed"}),
        officer.id or 0,
        None,
    )
    _row, token = create_token(db, "browser test", "tests")
    api = httpx.Client(base_url=live_server, headers={"Authorization": f"Bearer {token}"})
    found: list[int] = []
    after = 0
    while after is not None:
        listed = api.get(
            f"/api/v1/applications?status=decided&received=false&after_id={after}&limit=500"
        ).json()
        found += [item["id"] for item in listed["items"]]
        after = listed["next_after_id"]
    assert case.id in found
    document = api.get(f"/api/v1/applications/{case.id}").json()
    assert document["decision"]["amount_ore"] == 700000
    # Marking received: a case system with a bearer token and no session needs no CSRF token.
    received = api.post(
        f"/api/v1/applications/{case.id}/received",
        json={"case_system": "Treserva", "case_reference": "T-77"},
    )
    assert received.status_code == 201, received.text
    assert api.get(f"/api/v1/applications/{case.id}").json()["handoff"]["case_reference"] == "T-77"


# --- accessibility --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pages(engine) -> Iterator[dict[str, str]]:  # type: ignore[no-untyped-def]
    """One application of each state, an egenkontroll sample with an item assigned, for
    Hans Handläggare (made team lead of his unit for these tests)."""
    with Session(engine) as db:
        hans = db.exec(select(StaffUser).where(StaffUser.username == "handlaggare")).one()
        lead = TeamLead(staff_user_id=hans.id or 0, unit_id=hans.unit_id or 0)
        db.add(lead)
        db.commit()
        made = demo.DemoHousehold(
            "axe",
            "sv",
            0,
            (
                demo.DemoPerson("Axel", "Axesson", "19750505", "050", demo.A),
                demo.DemoPerson("Alma", "Axesson", "19770707", "051", demo.C),
                demo.DemoPerson("Albin", "Axesson", "20150505", "052", demo.K, 20),
            ),
            rent_ore=812000,
            incomes=(("Axel", "salary", 900000),),
        )
        today = dt.date.today()
        demo.add_household(db, made, hans.unit_id or 0, f"{today.year:04d}-{today.month:02d}")
        db.commit()
        household = household_of_pnr(db, made.members[0].personnummer)
        rows = db.exec(
            select(Application)
            .where(Application.household_id == household.id)
            .order_by(Application.month)
        ).all()
        open_application = rows[-1]
        decided = rows[-2]
        db.add(
            Decision(
                application_id=decided.id or 0,
                outcome="refused",
                amount_ore=0,
                reason="Inkomst över normen.",
                decided_by=hans.id or 0,
            )
        )
        sample = ReviewSample(
            unit_id=hans.unit_id or 0,
            month=decided.month,
            seed="axe",
            size=1,
            population=1,
            drawn_by=hans.id or 0,
        )
        db.add(sample)
        db.commit()
        item = ReviewItem(
            sample_id=sample.id or 0, application_id=decided.id or 0, reviewer_id=hans.id
        )
        db.add(item)
        db.commit()
        open_application.submitted_at = utcnow() - dt.timedelta(days=20)
        db.add(open_application)
        db.commit()
        yield {
            "queue": "/officer",
            "queue, filtered to nothing": (
                "/officer?flag=changed&flag=findings&flag=low_confidence&language=ti"
            ),
            "application": f"/officer/applications/{open_application.id}",
            "decided application": f"/officer/applications/{decided.id}",
            "egenkontroll": "/officer/egenkontroll",
            "sample": f"/officer/egenkontroll/samples/{sample.id}",
            "review": f"/officer/egenkontroll/items/{item.id}",
        }
        db.delete(lead)
        db.commit()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("language", SUPPORTED)
def test_no_violations_on_officer_pages(
    browser, live_server, axe_source, pages: dict[str, str], language: str, viewport: str
) -> None:  # type: ignore[no-untyped-def]
    context = new_context(
        browser, live_server, viewport=viewport, language=language, axe=axe_source
    )
    page = context.new_page()
    _sign_in_staff(page, "handlaggare")
    problems: dict[str, object] = {}

    def check(label: str) -> None:
        assert page.get_attribute("html", "lang") == language
        violations = axe_violations(page)
        if violations:
            problems[label] = violations
        if viewport == "phone" and overflows_horizontally(page):
            problems[label + " (overflow)"] = "page is wider than the screen"

    for label, path in pages.items():
        page.goto(path)
        check(label)
    # Error states: a decision without anything chosen, a sample with bad values.
    page.goto(pages["application"])
    page.click(".officer-decision button[type=submit]")
    page.wait_for_selector(".error-summary")
    check("decision errors")
    page.goto(pages["egenkontroll"])
    page.fill("#field-month", "13-2026")
    page.click(".officer-draw button[type=submit]")
    page.wait_for_selector(".error-summary")
    check("sample errors")
    context.close()
    assert problems == {}
