"""An uploaded rent notice is read by the real reader and confirmed in the flow, in Swedish and
Arabic: "Reading your document…", then "We read: … Is that right?", then checked."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from portal.i18n import format_ore, use_locale
from tests.browser.conftest import axe_violations, new_context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "documents"


def _rent_notice() -> tuple[Path, int]:
    manifest = json.loads((FIXTURES / "manifest.json").read_text())
    entry = next(d for d in manifest["documents"] if d["file"] == "rent_notice-000-slip.pdf")
    return FIXTURES / entry["file"], int(Decimal(entry["amount"]) * 100)


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_a_read_rent_notice_is_confirmed(  # type: ignore[no-untyped-def]
    browser, live_server, axe_source, new_household, app, language: str
) -> None:
    document, amount = _rent_notice()
    household = new_household(language)
    context = new_context(browser, live_server, language=language, axe=axe_source)
    page = context.new_page()
    page.goto("/login/test-eid")
    page.fill("#pnr", household.members[0].personnummer)
    page.click("main button[type=submit]")
    page.wait_for_url("**/applicant")
    page.goto("/applicant/apply")
    page.click("main form button[type=submit]")
    page.check("#value-no")
    page.click("#flow form .actions button[type=submit]")
    page.wait_for_url("**/step/rent")
    page.set_input_files("input[name='documents__rent_notice__']", str(document))
    page.click("#flow form button[name=upload_only]")
    page.wait_for_selector(".reading__status")  # "Reading your document…", polled by htmx
    assert app.state.queue.drain() >= 1  # the worker's job, run here
    page.wait_for_selector(".reading__form legend", timeout=15_000)
    legend = page.locator(".reading__form legend").inner_text()
    with use_locale(language):
        assert format_ore(amount) in legend
    assert axe_violations(page) == []
    # "Yes" is chosen by the person (it is not pre-chosen when the notice is for another month than
    # the one applied for, as this fixture's may be, depending on today's date).
    page.check(".reading__form input[value=yes]")
    page.click(".reading__form button[type=submit]")
    page.wait_for_selector(".reading__done")
    with use_locale(language):
        assert format_ore(amount) in page.locator(".reading__done").inner_text()
    context.close()
