"""Done when (issue 5): an application with three planted problems goes from submission through
a completion request, the applicant's fix and the informatör marking it complete; axe-core on
every page of the way, on a phone for the applicant and a desktop for the informatör."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, col, select

from intake.models import Application, Attachment
from portal.completeness import month_of
from tests.browser.conftest import axe_violations, new_context, overflows_horizontally
from tests.completeness_support import MONTH, open_codes, pdf, read


def _check(page, problems: dict, label: str) -> None:  # type: ignore[no-untyped-def]
    violations = axe_violations(page)
    if violations:
        problems[label] = violations
    if page.viewport_size["width"] == 360 and overflows_horizontally(page):
        problems[label + " (overflow)"] = True


def _continue(page) -> None:  # type: ignore[no-untyped-def]
    before = page.url
    page.click("#flow form .actions button[type=submit]")
    page.wait_for_function("url => window.location.href !== url", arg=before)
    if "/step/" in page.url:
        page.wait_for_selector("#flow .question", state="attached")
    else:
        page.wait_for_load_state()


def _attachment(db: Session, application_id: int, filename: str) -> Attachment:
    db.expire_all()
    return db.exec(
        select(Attachment)
        .where(Attachment.application_id == application_id)
        .where(Attachment.filename == filename)
        .order_by(col(Attachment.id).desc())
    ).first()  # type: ignore[return-value]


def test_three_planted_problems_from_submission_to_complete(  # type: ignore[no-untyped-def]
    browser, live_server, axe_source, new_household, db: Session, tmp_path: Path
) -> None:
    household = new_household("en")
    problems: dict[str, object] = {}
    files = {}
    for name, title in (
        ("hyresavi.pdf", "Hyresavi"),
        ("elrakning.pdf", "Elrakning"),
        ("kontoutdrag.pdf", "Kontoutdrag"),
        ("aktivitetsrapport.pdf", "Aktivitetsrapport"),
        ("lonespec.pdf", "Lonespecifikation"),
        ("ny-hyresavi.pdf", "Hyresavi ny"),
    ):
        files[name] = tmp_path / name
        files[name].write_bytes(pdf(title))

    # --- the applicant applies on a phone: nothing has changed, documents on the way ---------
    applicant = new_context(browser, live_server, language="en", axe=axe_source)
    page = applicant.new_page()
    page.goto("/login/test-eid")
    page.fill("#pnr", household.members[0].personnummer)
    page.click("main button[type=submit]")
    page.wait_for_url("**/applicant")
    page.goto("/applicant/apply")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/step/anything_changed")
    page.check("#value-no")
    _continue(page)
    uploads = {
        "rent": ("documents__rent_notice__", "hyresavi.pdf"),
        "household_electricity": ("documents__electricity_bill__", "elrakning.pdf"),
        "bank_accounts": ("documents__bank_statement__", "kontoutdrag.pdf"),
        "activity": ("documents__activity_report__job_seeking", "aktivitetsrapport.pdf"),
    }
    while "/review" not in page.url:
        key = page.url.split("/step/")[1].split("?")[0].split(":")[0]
        if key in uploads:  # the payslip is left out: problem 1
            field, name = uploads[key]
            page.set_input_files(f"input[name='{field}']", str(files[name]))
        page.check("#confirm-yes")
        _continue(page)
    application_id = db.exec(
        select(Application.id)
        .join_from(Application, Attachment, col(Attachment.application_id) == Application.id)
        .where(Attachment.filename == "aktivitetsrapport.pdf")
        .where(Application.month == MONTH)
        .order_by(col(Application.id).desc())
    ).first()
    assert application_id is not None
    # The reader reads them: a rent notice for last month (problem 2), an electricity bill of
    # 1 450 kr where 450 kr was declared (problem 3); the rest as declared.
    sent = month_of(None)
    read(db, _attachment(db, application_id, "hyresavi.pdf"),
         kind="rent_notice", period=sent, amount_ore=785000)  # fmt: skip
    read(db, _attachment(db, application_id, "elrakning.pdf"),
         kind="electricity_bill", period=sent, amount_ore=145000)  # fmt: skip
    read(db, _attachment(db, application_id, "kontoutdrag.pdf"),
         kind="bank_statement", period=sent, amount_ore=123450)  # fmt: skip
    read(db, _attachment(db, application_id, "aktivitetsrapport.pdf"),
         kind="unknown", period=None, amount_ore=None, confidence=0.1)  # fmt: skip
    page.reload()
    missing = page.locator(".missing li")
    assert missing.count() == 3
    text = page.locator(".missing").inner_text()
    assert "We need this document: Payslip: Salary." in text
    assert "hyresavi.pdf is for" in text
    assert "You wrote SEK\xa0450.00, but the document shows SEK\xa01,450.00" in text
    _check(page, problems, "review with what is still missing")
    # Sending anyway is allowed.
    page.check("#field-declaration")
    page.click("main form[action$='/sign'] button[type=submit]")
    page.wait_for_url("**/applicant/applications/*")
    status_url = page.url.split("?")[0]
    assert page.locator("#completion h2").inner_text() == "What is still missing"
    assert page.locator(".completion__item").count() == 3
    _check(page, problems, "status after sending")
    application = db.get(Application, application_id)
    assert application is not None
    db.refresh(application)
    assert application.status == "submitted"
    assert [code for code, _ in open_codes(db, application)] == [
        "amount_mismatch",
        "missing_attachment",
        "wrong_period",
    ]

    # --- the informatör asks for completion, on a desktop ------------------------------------
    staff = new_context(browser, live_server, viewport="desktop", language="en", axe=axe_source)
    desk = staff.new_page()
    desk.goto("/login/staff")
    desk.fill("#username", "informator")
    desk.fill("#password", "demo-informator")
    desk.click("main button[type=submit]")
    desk.wait_for_url("**/informator")
    desk.select_option("#filter-finding", "wrong_period")  # htmx swaps the results in
    desk.wait_for_url("**finding=wrong_period**")
    item = desk.locator(".queue-item", has_text=application.reference or "")
    item.wait_for()
    assert "Document for the wrong month" in item.inner_text()
    _check(desk, problems, "informator queue, filtered")
    item.locator("a").click()
    desk.wait_for_url(f"**/informator/applications/{application_id}")
    assert desk.locator(".inf-finding--blocking").count() == 3
    assert desk.locator("#documents .inf-document__page").count() >= 4  # shown inline
    _check(desk, problems, "informator application")
    assert desk.locator("input[name=finding]:checked").count() == 3
    desk.fill("#request-note", "Ring oss gärna om något är oklart.")
    desk.click("#request button[type=submit]")
    desk.wait_for_url("**?requested=1")
    assert "The request has been sent" in desk.locator("main").inner_text()
    _check(desk, problems, "informator after the request")

    # --- the applicant fixes two and explains the third ---------------------------------------
    page.goto(status_url)
    assert page.locator("#completion h2").inner_text() == "The social services need more from you"
    assert "Ring oss gärna om något är oklart." in page.locator("#completion").inner_text()
    _check(page, problems, "applicant completion request")
    payslip = page.locator(".completion__item", has_text="Payslip")
    payslip.locator("input[type=file]").set_input_files(str(files["lonespec.pdf"]))
    payslip.locator("button[type=submit]").click()
    page.wait_for_url("**?added=1")
    rent = page.locator(".completion__item", has_text="hyresavi.pdf is for")
    rent.locator("input[type=file]").set_input_files(str(files["ny-hyresavi.pdf"]))
    rent.locator("button[type=submit]").click()
    page.wait_for_url("**?added=1")
    read(db, _attachment(db, application_id, "lonespec.pdf"),
         kind="payslip", period=sent, amount_ore=1200000)  # fmt: skip
    read(db, _attachment(db, application_id, "ny-hyresavi.pdf"),
         kind="rent_notice", period=MONTH, amount_ore=785000)  # fmt: skip
    page.reload()
    assert page.locator(".completion__item--done").count() == 2
    page.fill("#completion-reply", "The electricity bill is 1 450 kr. I typed 450 by mistake.")
    page.click(".completion__reply button[type=submit]")
    page.wait_for_url("**?replied=1*")
    assert "What you sent has gone to the social services" in page.locator("main").inner_text()
    assert page.locator("#completion h2").inner_text() == "What is still missing"
    _check(page, problems, "applicant after replying")

    # --- the informatör accepts the explained difference and marks it complete --------------
    desk.goto("/informator")
    answered = desk.locator(".queue-item", has_text=application.reference or "")
    assert "The applicant has answered" in answered.inner_text()
    answered.locator("a").click()
    desk.wait_for_url(f"**/informator/applications/{application_id}")
    assert "I typed 450 by mistake." in desk.locator("#history").inner_text()
    assert desk.locator(".inf-finding--blocking").count() == 1
    desk.click("#complete-button")  # refused while a finding is open
    assert "Accept or resolve every finding" in desk.locator(".error-summary").inner_text()
    _check(desk, problems, "informator refused to complete")
    desk.click(".inf-finding__accept summary")
    desk.fill(".inf-finding__accept textarea", "The applicant explains: the bill is 1 450 kr.")
    desk.click(".inf-finding__accept button[type=submit]")
    desk.wait_for_url("**#findings")
    desk.click("#complete-button")
    desk.wait_for_url("**/informator?completed=*")
    assert "is complete and has gone to the case officers" in desk.locator("main").inner_text()
    db.refresh(application)
    assert application.status == "complete" and application.completed_at is not None
    page.goto(status_url)
    assert "Being processed" in page.locator(".facts").inner_text()
    applicant.close()
    staff.close()
    assert problems == {}
