"""Every page built so far: no axe-core violations (WCAG 2.1 A and AA), in all eight languages,
on a 360 px phone and a 1280 px desktop, and no sideways scrolling on the phone."""

from __future__ import annotations

import pytest

from intake.languages import SUPPORTED
from tests.browser.conftest import axe_violations, new_context, overflows_horizontally
from tests.conftest import applicant_pnr

ANONYMOUS_PAGES = ["/", "/accessibility", "/login", "/login/test-eid", "/login/staff", "/nowhere"]


def _check(page, path: str, problems: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    # Console errors (a blocked style, a missing icon, a failed script) since the last check.
    console = list(page.console_errors)
    page.console_errors.clear()
    if console:
        problems[path + " (console)"] = console
    violations = axe_violations(page)
    if violations:
        problems[path] = violations
    if page.viewport_size["width"] == 360 and overflows_horizontally(page):
        problems[path + " (overflow)"] = "page is wider than the screen"


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("language", SUPPORTED)
def test_no_violations(browser, live_server, axe_source, language: str, viewport: str) -> None:  # type: ignore[no-untyped-def]
    context = new_context(
        browser, live_server, viewport=viewport, language=language, axe=axe_source
    )
    page = context.new_page()
    page.console_errors = []
    # An error page's own status (404, 403, a form's 422) is logged as a failed resource too, and
    # is meant: only failures of other URLs (styles, scripts, icons) count.
    error_pages: set[str] = set()

    def on_response(response) -> None:  # type: ignore[no-untyped-def]
        if response.request.resource_type == "document" and response.status >= 400:
            error_pages.add(response.url)

    def on_console(message) -> None:  # type: ignore[no-untyped-def]
        if message.type != "error":
            return
        if "Failed to load resource" in message.text and message.location.get("url") in error_pages:
            return
        page.console_errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("response", on_response)
    page.on("console", on_console)
    problems: dict[str, object] = {}
    seen_lang = set()

    for path in ANONYMOUS_PAGES:
        page.goto(path)
        seen_lang.add(page.get_attribute("html", "lang"))
        _check(page, path, problems)

    # Error states of the forms.
    page.goto("/login/staff")
    page.fill("#username", "nobody")
    page.fill("#password", "wrong")
    page.click("main button[type=submit]")
    assert page.locator(".error-summary").count() == 1
    _check(page, "/login/staff (error)", problems)
    page.goto("/login/test-eid")
    page.fill("#pnr", "123")
    page.click("main button[type=submit]")
    _check(page, "/login/test-eid (error)", problems)

    # Language switcher opened.
    page.goto("/")
    page.click(".language-switcher summary")
    _check(page, "/ (language menu open)", problems)

    # Applicant pages.
    page.goto("/login/test-eid")
    page.fill("#pnr", applicant_pnr("single parent"))
    page.click("main button[type=submit]")
    page.wait_for_url("**/applicant")
    _check(page, "/applicant", problems)
    page.click(".user-nav__logout button")
    page.goto("/login/test-eid")
    page.fill("#pnr", applicant_pnr("protected identity"))
    page.click("main button[type=submit]")
    page.wait_for_url("**/applicant")
    _check(page, "/applicant (protected identity)", problems)
    page.click(".user-nav__logout button")

    # Staff pages: one user with three roles, then the administrator.
    for username, homes in (
        ("teamledare", ["/informator", "/officer", "/quality"]),
        ("admin", ["/admin"]),
    ):
        page.goto("/login/staff")
        page.fill("#username", username)
        page.fill("#password", f"demo-{username}")
        page.click("main button[type=submit]")
        page.wait_for_url(f"**{homes[0]}")
        for home in homes:
            page.goto(home)
            _check(page, home, problems)
        page.goto("/officer" if username == "admin" else "/admin")
        _check(page, "403 page", problems)
        page.click(".user-nav__logout button")

    context.close()
    # Staff languages come from the profile once signed in; the anonymous pages show the cookie's.
    assert seen_lang == {language}
    assert problems == {}
