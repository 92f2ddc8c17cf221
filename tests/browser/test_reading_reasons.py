"""On the screen where a document was uploaded, the applicant reads why it cannot be used, in
their language (issue 12 item 4), with the real reader: a password-protected PDF, a photo too
blurred to read, an electricity bill given as the rent notice, and a rent notice of another
month. Swedish and Arabic at 360 px, with JavaScript (htmx polls the readings) and without."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake.extract.dates import MONTHS
from intake.norm.months import month_index, month_text
from tests.browser.conftest import axe_violations, new_context, overflows_horizontally
from tests.extract_support import pdf
from tests.http.test_reading_reasons import blurred_photo
from tests.unit.test_extract_safety import locked_pdf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "documents"
SWEDISH_MONTHS = {number: name for name, number in MONTHS.items()}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# A phrase of each reason's sentence, per language: the sentence is there and translated.
PHRASES = {
    "sv": ("skyddad med lösenord", "för suddigt", "ser ut att vara ett annat dokument", "gäller"),
    "ar": ("محمي بكلمة مرور", "غير واضحة", "يبدو أن", "يخص"),
}


def old_rent_notice(month: str) -> bytes:
    year, number = month_text(month_index(month) - 3).split("-")
    words = f"{SWEDISH_MONTHS[int(number)]} {year}"
    return pdf("Hyresavi", f"Avser: {words}", "Hyra 7 850,00", "Att betala 7 850,00 kr")


@pytest.mark.parametrize(("language", "javascript"), [("sv", True), ("ar", True), ("sv", False)])
def test_the_reason_is_said_where_the_document_was_added(  # type: ignore[no-untyped-def]
    browser,
    live_server,
    axe_source,
    new_household,
    app,
    tmp_path: Path,
    language: str,
    javascript: bool,
) -> None:
    household = new_household(language)
    context = new_context(
        browser, live_server, language=language, axe=axe_source, javascript=javascript
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto("/login/test-eid")
    page.fill("#pnr", household.members[0].personnummer)
    page.click("main button[type=submit]")
    page.wait_for_url("**/applicant")
    page.goto("/applicant/apply")
    page.click("main form button[type=submit]")
    page.check("#value-no")
    page.click("#flow form .actions button[type=submit]")
    page.wait_for_url("**/step/rent")
    month = page.url.split("/apply/")[1].split("/")[0]
    files = {
        "locked.pdf": locked_pdf("hemligt"),
        "suddig.jpg": blurred_photo(),
        "elrakning.pdf": (FIXTURES / "electricity_bill-001-plain.pdf").read_bytes(),
        "gammal-avi.pdf": old_rent_notice(month),
    }
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        page.set_input_files("input[name='documents__rent_notice__']", str(path))
        page.click("#flow form button[name=upload_only]")
        page.wait_for_selector(f".readings__file:text-is('{name}')")
    assert app.state.queue.drain() >= 4  # the worker's jobs, run here
    if not javascript:
        page.reload()
    page.wait_for_function(
        "() => document.querySelectorAll('.reading__problem').length === 4", timeout=20_000
    )
    notes = page.locator(".reading__problem").all_inner_texts()
    for name, phrase in zip(files, PHRASES[language], strict=True):
        assert any(name in note and phrase in note for note in notes), (name, notes)
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    assert not overflows_horizontally(page)
    if javascript:
        assert axe_violations(page) == []
    assert errors == [], failed
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(SCREENSHOTS / f"reading-reasons-{language}-{'js' if javascript else 'nojs'}.png"),
        full_page=True,
    )
    context.close()
