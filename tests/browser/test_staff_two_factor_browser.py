"""Setting up the staff's second factor in a real browser on a phone (360 px): the QR code is
read from a screenshot as the authenticator app's camera would, the code typed, then a sign-in
with password and code; axe-core on the set-up page and the code page (also with an error)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, unquote, urlsplit

from sqlmodel import Session, select

from intake.models import Role, StaffUser
from portal import totp
from portal.auth import reset_second_factor
from tests.browser.conftest import axe_violations, new_context, overflows_horizontally
from tests.conftest import add_staff
from tests.fake_bankid import read_qr_png


def test_set_up_and_sign_in_with_a_code_on_a_phone(  # type: ignore[no-untyped-def]
    browser, live_server: str, axe_source: str, db: Session
) -> None:
    user, password = add_staff(db, "mobil", "Mona Mobil", Role.quality.value)
    username = user.username
    context = new_context(browser, live_server, language="sv", axe=axe_source)
    page = context.new_page()
    try:
        page.goto("/login/staff")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click('main button[type="submit"]')
        page.wait_for_url("**/quality")

        page.goto("/staff/two-factor")
        assert page.locator("h1").inner_text() == "Ställ in ett andra inloggningssteg"
        assert axe_violations(page) == []
        assert not overflows_horizontally(page)
        scanned = read_qr_png(page.locator(".bankid-qr svg").screenshot())
        address = urlsplit(scanned)
        assert address.scheme == "otpauth" and address.netloc == "totp"
        assert unquote(address.path) == f"/Testkommun:{username}"
        query = parse_qs(address.query)
        assert query["issuer"] == ["Testkommun"] and query["digits"] == ["6"]
        secret = query["secret"][0]
        assert page.locator("code.secret").inner_text() == totp.grouped(secret)
        code = totp.code_for(secret)
        page.fill("#code", f"{code[:3]} {code[3:]}")
        page.click('main button[type="submit"]')
        page.wait_for_url("**/staff/two-factor?done=1")
        assert "Ditt andra inloggningssteg är påslaget" in page.locator("main").inner_text()

        page.click(".user-nav__logout button")
        page.goto("/login/staff")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click('main button[type="submit"]')
        page.wait_for_url("**/login/staff/code")
        field = page.locator("#code")
        assert field.get_attribute("autocomplete") == "one-time-code"
        assert field.get_attribute("inputmode") == "numeric"
        assert axe_violations(page) == []
        page.fill("#code", "000 000" if code != "000000" else "111 111")
        page.click('main button[type="submit"]')
        assert "Koden är fel eller har redan använts" in page.locator(".error-summary").inner_text()
        assert axe_violations(page) == []
        assert not overflows_horizontally(page)
        page.fill("#code", totp.code_for(secret, time.time() + totp.PERIOD))
        page.click('main button[type="submit"]')
        page.wait_for_url("**/quality")
    finally:
        context.close()
        db.expire_all()
        row = db.exec(select(StaffUser).where(StaffUser.id == user.id)).one()
        reset_second_factor(db, row)


def test_the_second_step_pages_in_arabic_on_a_phone(  # type: ignore[no-untyped-def]
    browser, live_server: str, axe_source: str, db: Session
) -> None:
    """Right to left at 360 px: the set-up page, the code page and its error, with axe-core."""
    user, password = add_staff(db, "rtl", "Rami Rtl", Role.quality.value)
    context = new_context(browser, live_server, language="ar", axe=axe_source)
    page = context.new_page()
    try:
        page.goto("/login/staff")
        page.fill("#username", user.username)
        page.fill("#password", password)
        page.click('main button[type="submit"]')
        page.wait_for_url("**/quality")
        page.goto("/staff/two-factor")
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator("h1").inner_text() == "إعداد خطوة ثانية لتسجيل الدخول"
        assert axe_violations(page) == []
        assert not overflows_horizontally(page)
        secret = page.locator("code.secret").inner_text().replace(" ", "")
        page.fill("#code", totp.code_for(secret))
        page.click('main button[type="submit"]')
        page.wait_for_url("**/staff/two-factor?done=1")
        assert axe_violations(page) == []

        page.click(".user-nav__logout button")
        page.goto("/login/staff")
        page.fill("#username", user.username)
        page.fill("#password", password)
        page.click('main button[type="submit"]')
        page.wait_for_url("**/login/staff/code")
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert axe_violations(page) == []
        page.fill("#code", "12")
        page.click('main button[type="submit"]')
        summary = page.locator(".error-summary").inner_text()
        assert "أدخل الرمز المكوّن من 6 أرقام من تطبيق المصادقة" in summary
        assert axe_violations(page) == []
        assert not overflows_horizontally(page)
    finally:
        context.close()
        db.expire_all()
        row = db.exec(select(StaffUser).where(StaffUser.id == user.id)).one()
        reset_second_factor(db, row)
