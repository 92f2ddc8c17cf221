"""Signing in with BankID in a real browser against the fake RP server: the QR code is read
from a screenshot, as the BankID app's camera would; with JavaScript on (htmx polls) and off
(the "Update" link); and axe-core on every BankID page in all eight languages."""

from __future__ import annotations

import re
import time

import pytest

from intake.languages import SUPPORTED
from tests.browser.conftest import axe_violations, new_context, overflows_horizontally
from tests.conftest import applicant_pnr
from tests.fake_bankid import FakeBankId, read_qr_png

ORDER_URL = re.compile(r"/bankid/orders/\d+(\?device=(this|other))?$")


def _qr(page) -> str:  # type: ignore[no-untyped-def]
    return read_qr_png(page.locator(".bankid-qr svg").screenshot())


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_sign_in_with_bankid_on_a_phone(  # type: ignore[no-untyped-def]
    browser, bankid_server: str, fake: FakeBankId, javascript: bool
) -> None:
    context = new_context(browser, bankid_server, language="sv", javascript=javascript)
    page = context.new_page()
    page.goto("/login")
    page.click('main a[href="/bankid/login"]')
    page.click('main button[name="device"][value="other"]')
    page.wait_for_url(ORDER_URL)
    code = _qr(page)
    assert code.startswith(f"bankid.{fake.latest('auth').qr_start_token}.")
    if javascript:
        # htmx renews the QR code every two seconds.
        deadline = time.monotonic() + 10
        newer = code
        while newer == code and time.monotonic() < deadline:
            page.wait_for_timeout(500)
            newer = _qr(page)
        assert int(newer.split(".")[2]) > int(code.split(".")[2])
        code = newer
    fake.scan(code, applicant_pnr("single adult"))
    if not javascript:
        page.click('main a.button:text-is("Uppdatera")')
    page.wait_for_url("**/applicant", timeout=10_000)
    assert "Anna" in page.locator("h1").inner_text()
    assert page.get_attribute("html", "lang") == "sv"
    context.close()


def test_bankid_on_this_device(browser, bankid_server: str, fake: FakeBankId) -> None:  # type: ignore[no-untyped-def]
    context = new_context(browser, bankid_server, language="so")
    page = context.new_page()
    page.goto("/bankid/login")
    page.click('main button[name="device"][value="this"]')
    page.wait_for_url(ORDER_URL)
    link = page.get_attribute("#bankid-open", "href")
    assert link and link.startswith("https://app.bankid.com/?autostarttoken=")
    assert link.endswith("&redirect=null")
    fake.open_autostart(link, applicant_pnr("Somali-speaking single parent"), finish=False)
    page.wait_for_function(
        "() => document.querySelector('#bankid-message').textContent.includes('Identify')"
    )
    page.wait_for_url("**/applicant", timeout=10_000)
    assert "Hodan" in page.locator("h1").inner_text()
    context.close()


def _check(page, name: str, problems: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    violations = axe_violations(page)
    if violations:
        problems[name] = violations
    if page.viewport_size["width"] == 360 and overflows_horizontally(page):
        problems[name + " (overflow)"] = "page is wider than the screen"


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("language", SUPPORTED)
def test_bankid_pages_have_no_violations(  # type: ignore[no-untyped-def]
    browser, bankid_server: str, axe_source: str, fake: FakeBankId, language: str, viewport: str
) -> None:
    context = new_context(
        browser, bankid_server, language=language, viewport=viewport, axe=axe_source
    )
    page = context.new_page()
    problems: dict[str, object] = {}

    page.goto("/bankid/login")
    assert page.get_attribute("html", "lang") == language
    _check(page, "sign in with BankID", problems)
    page.click('main button[name="device"][value="other"]')
    page.wait_for_url(ORDER_URL)
    assert page.locator(".bankid-qr svg").count() == 1
    _check(page, "QR code", problems)
    order_page = page.url.split("?")[0]
    page.goto(order_page + "?device=this")
    _check(page, "BankID on this device", problems)
    page.goto(order_page)
    _check(page, "choose a device", problems)
    fake.fail(fake.latest("auth").order_ref, "startFailed")
    page.goto(order_page + "?device=other")
    assert page.locator(".bankid-message--failed").count() == 1
    _check(page, "failed", problems)

    fake.fail_next("auth", "maintenance")
    page.goto("/bankid/login")
    page.click('main button[name="device"][value="this"]')
    assert page.locator(".error-summary").count() == 1
    _check(page, "could not start", problems)
    assert problems == {}
    context.close()
