"""An applicant answers the survey in Somali from an e-mailed link, without signing in; the
answer reaches the dashboard only once its group has five answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from portal.settings import Settings
from tests.browser.conftest import new_context
from tests.survey_support import clear_invitations, invite, link_in, mail_settings, smtp_server

MONTH = "2037-01"


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        clear_invitations(session)
        yield session
        clear_invitations(session)


def _answer(page, *, free_text: str = "") -> None:  # type: ignore[no-untyped-def]
    # Labels are the click targets, as on a phone.
    page.click("label[for=contact-1]")
    page.click("label[for=views_asked-0]")
    page.click("label[for=understanding-0]")
    page.click("label[for=overall-0]")
    if free_text:
        page.fill("#free_text", free_text)
    page.click("main button[type=submit]")
    page.wait_for_url("**/survey/thanks?lang=*")


def test_somali_from_an_emailed_link_then_the_dashboard(  # type: ignore[no-untyped-def]
    browser, live_server, db: Session, settings: Settings
) -> None:
    with smtp_server() as sink:
        mail = mail_settings(settings, sink, base_url=live_server)
        invite(db, mail, "Somali-speaking single parent", dt.datetime(2037, 1, 5, 9, tzinfo=dt.UTC))
        link = link_in(sink.wait_for(1)[0])
        assert link.startswith(live_server + "/survey/t/")

        context = new_context(browser, live_server, language="so")
        page = context.new_page()
        page.goto(link)
        assert page.get_attribute("html", "lang") == "so"
        assert page.locator("fieldset.survey-question").count() == 7
        assert page.locator(".user-nav").count() == 0  # nobody is signed in
        _answer(page, free_text="Mahadsanid. Telefoonkeygu waa 0701234567")
        assert page.get_attribute("html", "lang") == "so"
        assert page.locator("h1").count() == 1
        page.goto(link)
        assert page.locator("h1").count() == 1 and "/survey/t/" in page.url  # the gone page
        context.close()

        staff = new_context(browser, live_server, language="en", viewport="desktop")
        quality = staff.new_page()
        quality.goto("/login/staff")
        quality.fill("#username", "kvalitet")
        quality.fill("#password", "demo-kvalitet")
        quality.click("main button[type=submit]")
        quality.wait_for_url("**/quality")
        quality.goto(f"/quality?from={MONTH}&to={MONTH}")
        assert "Fewer than 5" in quality.locator(".figures").inner_text()
        assert quality.locator("#questions-title").count() == 0

        # Four more answers from the same household's later invitations, one without JavaScript.
        for number in range(2, 6):
            invite(
                db,
                mail,
                "Somali-speaking single parent",
                dt.datetime(2037, 1, 5 + number, tzinfo=dt.UTC),
            )
            link = link_in(sink.wait_for(number)[-1])
            applicant = new_context(browser, live_server, language="so", javascript=number != 3)
            answering = applicant.new_page()
            answering.goto(link)
            _answer(answering)
            applicant.close()
            quality.goto(f"/quality?from={MONTH}&to={MONTH}")
            if number < 5:
                assert quality.locator("#questions-title").count() == 0

        figures = quality.locator(".figures").inner_text()
        assert "5" in figures and "Fewer than" not in figures
        overall = (
            quality.locator("#questions-table-caption").locator("xpath=..").locator("tbody tr").last
        )
        assert overall.locator("td").first.inner_text() == "100%"
        languages = quality.locator("#languages-table-caption").locator("xpath=..").inner_text()
        assert "Soomaali" in languages
        comments = quality.locator(".survey-comments").inner_text()
        assert "Mahadsanid" in comments and "0701234567" not in comments
        assert "(phone number removed)" in comments
        staff.close()
