"""The informatör's pages and the applicant's completion pages: no axe-core violations (WCAG 2.1
A and AA) in all eight languages, on a 360 px phone and a 1280 px desktop, and no sideways
scrolling on the phone."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from intake.languages import SUPPORTED
from tests.browser.conftest import axe_violations, new_context, overflows_horizontally
from tests.completeness_support import MONTH, ask, draft_at_review, make_household, send


@pytest.fixture(scope="module")
def cases(engine, settings):  # type: ignore[no-untyped-def]
    """Three households: one asked to complete, one with findings nobody has asked about yet,
    one with a draft at the review page; and an application for the informatör to look at."""
    with Session(engine) as db:
        asked_demo = make_household(db, "so", co_applicant=True)
        asked = send(
            db,
            settings.uploads,
            asked_demo,
            drop=("incomes",),
            adjust={"rent": {"period": "2020-01"}, "household_electricity": {"amount_ore": 99000}},
            answers={"anything_changed": True, "changes": ["family"], "household_change": ""},
            co_applicant="declined",
        )
        ask(db, settings, asked.application, note="Ring oss på 0521-12 34 56.")
        unasked = send(
            db, settings.uploads, make_household(db, "ar"), drop=("rent", "bank_accounts")
        )
        draft_demo = make_household(db, "fa")
        draft_at_review(db, draft_demo)
        return {
            "asked": (asked.pnr, asked.application.id),
            "unasked": (unasked.pnr, unasked.application.id),
            "draft": (draft_demo.members[0].personnummer, None),
        }


def _check(page, path: str, problems: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    violations = axe_violations(page)
    if violations:
        problems[path] = violations
    if page.viewport_size["width"] == 360 and overflows_horizontally(page):
        problems[path + " (overflow)"] = "page is wider than the screen"


def _as_applicant(page, live_server: str, pnr: str, language: str) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto("/login/test-eid")
    page.fill("#pnr", pnr)
    page.click("main button[type=submit]")
    page.wait_for_url("**/applicant")
    # Signing in brings the profile's language; the test looks at each language in turn.
    page.context.add_cookies([{"name": "portal_lang", "value": language, "url": live_server}])


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("language", SUPPORTED)
def test_no_violations(  # type: ignore[no-untyped-def]
    browser, live_server, axe_source, cases, language: str, viewport: str
) -> None:
    context = new_context(
        browser, live_server, viewport=viewport, language=language, axe=axe_source
    )
    page = context.new_page()
    problems: dict[str, object] = {}

    # The informatör of the unit the cases are in (an informatör sees their own units only).
    page.goto("/login/staff")
    page.fill("#username", "informator")
    page.fill("#password", "demo-informator")
    page.click("main button[type=submit]")
    page.wait_for_url("**/informator")
    assert page.get_attribute("html", "lang") == language
    _check(page, "/informator", problems)
    page.select_option("#filter-waiting", "1")  # with JavaScript the results are swapped in
    page.wait_for_url("**waiting=1**")
    _check(page, "/informator (filtered)", problems)
    page.goto("/informator?view=all&co_applicant=pending")
    _check(page, "/informator (co-applicant pending)", problems)
    page.goto("/informator?view=all&finding=rent_increase")
    _check(page, "/informator (nothing matches)", problems)
    for name in ("asked", "unasked"):
        url = f"/informator/applications/{cases[name][1]}"
        page.goto(url)
        _check(page, url, problems)
    page.goto(f"/informator/applications/{cases['unasked'][1]}")
    page.click(".inf-finding__accept summary >> nth=0")
    page.click(".inf-finding__accept button[type=submit] >> nth=0")  # no reason: an error
    page.wait_for_selector(".error-summary")
    _check(page, "application (error)", problems)
    page.goto("/informator/figures")
    _check(page, "/informator/figures", problems)

    # The applicants.
    pnr, application_id = cases["asked"]
    _as_applicant(page, live_server, pnr, language)
    page.goto(f"/applicant/applications/{application_id}")
    assert page.locator(".completion--asked").count() == 1
    _check(page, "applicant: completion request", problems)
    pnr, application_id = cases["unasked"]
    _as_applicant(page, live_server, pnr, language)
    page.goto(f"/applicant/applications/{application_id}")
    assert page.locator(".completion__item").count() == 2
    _check(page, "applicant: what is still missing", problems)
    pnr, _ = cases["draft"]
    _as_applicant(page, live_server, pnr, language)
    page.goto(f"/applicant/apply/{MONTH}/review")
    assert page.locator(".missing__item").count() >= 2
    _check(page, "applicant: review", problems)
    context.close()
    assert problems == {}
