"""The whole re-application on a 360 px phone, with and without JavaScript, in Swedish, Arabic
and Somali; axe-core on every screen; the co-applicant signs too."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake.languages import SUPPORTED
from tests.browser.conftest import axe_violations, new_context, overflows_horizontally

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _sign_in(page, pnr: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login/test-eid")
    page.fill("#pnr", pnr)
    page.click("main button[type=submit]")
    page.wait_for_url("**/applicant")


def _check(page, problems: dict, label: str) -> None:  # type: ignore[no-untyped-def]
    violations = axe_violations(page)
    if violations:
        problems[label] = violations
    if overflows_horizontally(page):
        problems[label + " (overflow)"] = True


def _continue(page, javascript: bool) -> None:  # type: ignore[no-untyped-def]
    before = page.url
    page.click("#flow form .actions button[type=submit]")
    if javascript:
        page.wait_for_function("url => window.location.href !== url", arg=before)
        if "/step/" in page.url:
            page.wait_for_selector("#flow .question", state="attached")
        else:
            page.wait_for_load_state()
    else:
        page.wait_for_load_state()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("language", ["sv", "ar", "so"])
def test_nothing_changed_application_on_a_phone(  # type: ignore[no-untyped-def]
    browser,
    live_server,
    axe_source,
    new_household,
    tmp_path: Path,
    language: str,
    javascript: bool,
) -> None:
    household = new_household(language)
    context = new_context(
        browser,
        live_server,
        language=language,
        javascript=javascript,
        axe=axe_source if javascript else None,
    )
    page = context.new_page()
    problems: dict[str, object] = {}
    _sign_in(page, household.members[0].personnummer)
    assert page.get_attribute("html", "lang") == language
    assert page.get_attribute("html", "dir") == ("rtl" if language == "ar" else "ltr")
    page.click("main a.button--primary")  # apply for next month
    page.wait_for_url("**/applicant/apply")
    page.click("main form button[type=submit]")  # start
    page.wait_for_url("**/step/anything_changed")
    screens = 0
    page.check("#value-no")
    if javascript:
        _check(page, problems, "anything_changed")
    _continue(page, javascript)
    document = tmp_path / "hyresavi.pdf"
    document.write_bytes(PDF)
    while "/review" not in page.url:
        screens += 1
        key = page.url.split("/step/")[1].split("?")[0]
        assert page.locator(".previous-answer").count() == 1, key
        if key == "rent":
            page.set_input_files("input[name='documents__rent_notice__']", str(document))
        page.check("#confirm-yes")
        if javascript:
            _check(page, problems, key)
        _continue(page, javascript)
        if not javascript:
            assert page.locator("h1").count() == 1
        assert screens < 12, "the flow does not end"
    assert screens == 6
    if javascript:
        _check(page, problems, "review")
    body = page.locator("main").inner_text()
    assert "hyresavi.pdf" not in body  # the review lists what is missing, not what is there
    assert page.locator(".missing li").count() >= 2  # payslip and bank statement still missing
    page.check("#field-declaration")
    page.click("main form[action$='/sign'] button[type=submit]")
    page.wait_for_url("**/applicant/applications/*")
    assert page.locator(".panel--success").count() == 1
    reference = page.locator(".panel--success strong").inner_text()
    assert reference.startswith("EB-")
    if javascript:
        _check(page, problems, "receipt")
    context.close()
    assert problems == {}


def test_co_applicant_signs_on_a_phone(browser, live_server, axe_source, new_household) -> None:  # type: ignore[no-untyped-def]
    household = new_household("sv", co_applicant=True)
    context = new_context(browser, live_server, language="sv", axe=axe_source)
    page = context.new_page()
    _sign_in(page, household.members[0].personnummer)
    page.goto("/applicant/apply")
    page.click("main form button[type=submit]")
    page.check("#value-no")
    _continue(page, True)
    while "/review" not in page.url:
        page.check("#confirm-yes")
        _continue(page, True)
    page.check("#field-declaration")
    page.click("main form[action$='/sign'] button[type=submit]")
    page.wait_for_url("**/applicant/applications/*")
    assert page.locator(".panel--success").count() == 0
    status_url = page.url.split("?")[0]
    page.click(".user-nav__logout button")

    _sign_in(page, household.members[1].personnummer)
    page.goto(status_url)
    assert axe_violations(page) == []
    page.check("#field-declaration")
    page.click("button[name=decision][value=sign]")
    page.wait_for_url("**/applicant/applications/*?sent=1")
    assert page.locator(".panel--success").count() == 1
    context.close()


def _qr_code(page) -> str:  # type: ignore[no-untyped-def]
    from tests.fake_bankid import read_qr_png

    page.wait_for_selector(".bankid-qr svg")
    return read_qr_png(page.locator(".bankid-qr svg").screenshot())


def _sign_with_bankid(page, fake, pnr: str) -> None:  # type: ignore[no-untyped-def]
    """On the BankID page: choose the phone, scan the QR code as that person."""
    page.click('main a.button[href$="device=other"]')
    page.wait_for_url("**/bankid/orders/*?device=other")
    fake.scan(_qr_code(page), pnr)


def test_both_sign_with_bankid_against_the_fake_server(  # type: ignore[no-untyped-def]
    browser, bankid_server: str, fake, axe_source, new_household
) -> None:
    household = new_household("so", co_applicant=True)
    applicant, partner = (m.personnummer for m in household.members[:2])
    context = new_context(browser, bankid_server, language="so", axe=axe_source)
    page = context.new_page()
    _sign_in(page, applicant)
    page.goto("/applicant/apply")
    page.click("main form button[type=submit]")
    page.check("#value-no")
    _continue(page, True)
    while "/review" not in page.url:
        page.check("#confirm-yes")
        _continue(page, True)
    assert axe_violations(page) == []
    page.check("#field-declaration")
    page.click("main form[action$='/sign'] button[type=submit]")
    page.wait_for_url("**/bankid/orders/*")
    assert axe_violations(page) == []
    visible = fake.latest("sign").user_visible_data
    assert "Test Testsson" in visible and "Partner Testsson" in visible
    _sign_with_bankid(page, fake, applicant)
    page.wait_for_url("**/applicant/applications/*?sent=1", timeout=15_000)
    assert page.locator(".panel--success").count() == 0  # waits for the co-applicant
    status_url = page.url.split("?")[0]
    page.click(".user-nav__logout button")

    _sign_in(page, partner)
    page.goto(status_url)
    page.check("#field-declaration")
    page.click("button[name=decision][value=sign]")
    page.wait_for_url("**/bankid/orders/*")
    _sign_with_bankid(page, fake, partner)
    page.wait_for_url("**/applicant/applications/*?sent=1", timeout=15_000)
    assert page.locator(".panel--success").count() == 1
    assert page.locator(".panel--success strong").inner_text().startswith("EB-")
    assert axe_violations(page) == []
    context.close()


LANGUAGES_AND_VIEWPORTS = [(code, "phone") for code in SUPPORTED] + [
    ("sv", "desktop"),
    ("ar", "desktop"),
]


@pytest.mark.parametrize(("language", "viewport"), LANGUAGES_AND_VIEWPORTS)
def test_every_screen_of_a_changed_application_is_accessible(  # type: ignore[no-untyped-def]
    browser, live_server, axe_source, new_household, language: str, viewport: str
) -> None:
    """Something changed: every question is asked as a form (all question types), one amount
    is mistyped once (the error state), then the review and the receipt."""
    household = new_household(language, co_applicant=True, children=1)
    context = new_context(
        browser, live_server, language=language, viewport=viewport, axe=axe_source
    )
    page = context.new_page()
    problems: dict[str, object] = {}
    _sign_in(page, household.members[0].personnummer)
    page.goto("/applicant/apply")
    _check(page, problems, "start")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/step/anything_changed")
    page.check("#value-yes")
    _continue(page, True)
    kinds_seen = set()
    mistyped = False
    while "/review" not in page.url:
        key = page.url.split("/step/")[1].split("?")[0]
        kinds_seen.add(key.split(":")[0])
        if key == "changes":
            page.check("#value-work")
        if key == "rent" and not mistyped:
            mistyped = True
            page.fill("#field-value", "sjutusen")
            page.click("#flow form .actions button[type=submit]")
            page.wait_for_selector(".error-summary")
            _check(page, problems, "rent (error)")
            page.fill("#field-value", "7 850")
        _check(page, problems, key)
        _continue(page, True)
    assert {
        "changes",
        "children_days",
        "housing_type",
        "rent",
        "incomes",
        "bank_accounts",
        "livsforing",
        "activity",
        "contact",
    } <= kinds_seen
    _check(page, problems, "review")
    page.check("#field-declaration")
    page.click("main form[action$='/sign'] button[type=submit]")
    page.wait_for_url("**/applicant/applications/*")
    _check(page, problems, "status")
    context.close()
    assert problems == {}
