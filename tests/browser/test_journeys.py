"""Signing in as each role, right-to-left languages, and the language switcher."""

from __future__ import annotations

import pytest

from portal import demo
from tests.browser.conftest import new_context
from tests.conftest import applicant_pnr

HOMES = {
    "informator": "/informator",
    "handlaggare": "/officer",
    "kvalitet": "/quality",
    "admin": "/admin",
}


@pytest.mark.parametrize("username", sorted(HOMES))
def test_staff_sign_in_on_a_phone(browser, live_server, username: str) -> None:  # type: ignore[no-untyped-def]
    context = new_context(browser, live_server, language="sv")
    page = context.new_page()
    page.goto("/")
    page.click("text=Inloggning för personal")
    page.fill("#username", username)
    page.fill("#password", next(s.password for s in demo.STAFF if s.username == username))
    page.click("main button[type=submit]")
    page.wait_for_url(f"**{HOMES[username]}")
    assert page.locator("h1").count() == 1
    assert page.locator(".user-nav__name").inner_text() == next(
        s.name for s in demo.STAFF if s.username == username
    )
    page.click(".user-nav__logout button")
    page.wait_for_url("**/?signed_out=1")
    assert "utloggad" in page.locator("main").inner_text()
    context.close()


def test_applicant_sign_in_from_the_start_page(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    context = new_context(browser, live_server, language="sv")
    page = context.new_page()
    page.goto("/")
    page.click("main a.button--primary")
    page.click("text=Logga in med Test-legitimering")
    page.fill("#pnr", applicant_pnr("couple with co-applicant"))
    page.click("main button[type=submit]")
    page.wait_for_url("**/applicant")
    # The profile's language (Finnish) takes over once signed in.
    assert page.get_attribute("html", "lang") == "fi"
    assert "Mikko" in page.locator("h1").inner_text()
    assert page.locator("table tbody tr").count() == 3
    context.close()


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_right_to_left_languages_mirror_the_layout(browser, live_server, language: str) -> None:  # type: ignore[no-untyped-def]
    context = new_context(browser, live_server, language=language, viewport="desktop")
    page = context.new_page()
    page.goto("/")
    assert page.get_attribute("html", "dir") == "rtl"
    brand = page.locator(".site-header__brand").bounding_box()
    switcher = page.locator(".language-switcher").bounding_box()
    assert brand and switcher
    assert brand["x"] > switcher["x"]  # the brand sits on the right in RTL
    context.close()


def test_switching_language_keeps_what_was_typed(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    context = new_context(browser, live_server, language="sv")
    page = context.new_page()
    page.goto("/login/staff")
    page.fill("#username", "halvskrivet")
    page.click(".language-switcher summary")
    page.click(".language-switcher button[value=uk]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "uk"
    assert page.input_value("#username") == "halvskrivet"
    context.close()


def test_language_switcher_works_without_javascript(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    context = new_context(browser, live_server, language="sv", javascript=False)
    page = context.new_page()
    page.goto("/accessibility")
    page.click(".language-switcher summary")
    page.click(".language-switcher button[value=ti]")
    page.wait_for_url("**/accessibility")
    assert page.get_attribute("html", "lang") == "ti"
    page.click(".language-switcher summary")
    page.click(".language-switcher button[value=so]")
    assert page.get_attribute("html", "lang") == "so"
    context.close()


def test_staff_sign_in_works_without_javascript(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    context = new_context(browser, live_server, language="en", javascript=False)
    page = context.new_page()
    page.goto("/login/staff")
    page.fill("#username", "admin")
    page.fill("#password", "demo-admin")
    page.click("main button[type=submit]")
    page.wait_for_url("**/admin")
    assert page.locator("h1").inner_text() == "Administration"
    context.close()
