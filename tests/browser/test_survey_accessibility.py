"""The survey's pages and the quality dashboard: no axe-core violations (WCAG 2.1 A and AA) in
all eight languages, on a 360 px phone and a 1280 px desktop, and no sideways scrolling on the
phone. The texts are checked in whatever language they are present in (English until the
catalogs are translated)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from intake.languages import SUPPORTED
from intake.models import SurveyAnswer
from intake.survey.questions import SKR_EB_2016
from intake.survey.screening import screen
from portal import repository_survey as repo
from portal.settings import Settings
from tests.browser.conftest import axe_violations, new_context, overflows_horizontally
from tests.conftest import applicant_pnr
from tests.survey_support import clear_invitations, invite, link_in, mail_settings, smtp_server

PERIOD = "from=2037-02&to=2037-04"


@pytest.fixture(scope="module")
def dashboard_data(engine: Engine) -> None:
    """Three months of answers for the dashboard, with small groups that must be hidden and
    comments in two scripts."""
    with Session(engine) as db:
        units = sorted(repo.unit_names(db))
        rows = []
        plan = [
            ("2037-02", units[0], "sv", 14, {"overall": "1", "contact": "2", "views_asked": "yes"}),
            ("2037-02", units[1], "ar", 6, {"overall": "3", "contact": "1", "change": "dk"}),
            ("2037-03", units[0], "so", 9, {"overall": "2", "information": "4"}),
            ("2037-03", units[1], "sv", 3, {"overall": "4"}),
            ("2037-04", units[0], "fi", 2, {"overall": "1"}),
        ]
        for month, unit, language, n, answers in plan:
            for index in range(n):
                text = None
                if index == 0:
                    text = screen(
                        "الموظفة كانت لطيفة. رقمي 0701234567"
                        if language == "ar"
                        else "Bra bemötande men svårt att nå er på telefon, ring 08-123 456 78."
                    )
                rows.append(
                    SurveyAnswer(
                        question_set_version=SKR_EB_2016.version,
                        month=month,
                        unit_id=unit,
                        language=language,
                        channel="sms",
                        answers=answers,
                        free_text=text,
                    )
                )
        repo.add_answers(db, SKR_EB_2016, rows)
        repo.add_invitation_counts(db, [(SKR_EB_2016.version, "2037-02", units[0], 30)])
        db.commit()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        clear_invitations(session)
        yield session
        clear_invitations(session)


def _check(page, name: str, problems: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    violations = axe_violations(page)
    if violations:
        problems[name] = violations
    if page.viewport_size["width"] == 360 and overflows_horizontally(page):
        problems[name + " (overflow)"] = "page is wider than the screen"


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("language", SUPPORTED)
def test_no_violations(  # type: ignore[no-untyped-def]
    browser,
    live_server,
    axe_source,
    db: Session,
    settings: Settings,
    dashboard_data,
    language: str,
    viewport: str,
) -> None:
    problems: dict[str, object] = {}
    context = new_context(
        browser, live_server, viewport=viewport, language=language, axe=axe_source
    )
    page = context.new_page()

    with smtp_server() as sink:
        invite(
            db,
            mail_settings(settings, sink, base_url=live_server),
            "single adult",
            dt.datetime(2037, 5, 1, tzinfo=dt.UTC),
        )
        link = link_in(sink.wait_for(1)[0])
    page.goto(link)
    assert page.get_attribute("html", "lang") == language
    _check(page, "survey form", problems)
    page.click("main button[type=submit]")  # nothing answered
    assert page.locator(".error-summary").count() == 1
    _check(page, "survey form (error)", problems)
    page.click("label[for=overall-1]")
    page.click("main button[type=submit]")
    page.wait_for_url("**/survey/thanks?lang=*")
    _check(page, "survey thanks", problems)
    page.goto(link)
    _check(page, "survey link gone", problems)

    invite(db, settings, "single parent", dt.datetime(2037, 5, 2, tzinfo=dt.UTC))
    page.goto("/login/test-eid")
    page.fill("#pnr", applicant_pnr("single parent"))
    page.click("main button[type=submit]")
    page.wait_for_url("**/applicant")
    # Signing in takes the profile's language; the banner is checked in it.
    assert page.locator(".survey-banner").count() == 1
    _check(page, "applicant page with the survey banner", problems)
    page.click(".user-nav__logout button")
    context.close()

    context = new_context(
        browser, live_server, viewport=viewport, language=language, axe=axe_source
    )
    page = context.new_page()
    page.goto("/login/staff")
    page.fill("#username", "kvalitet")
    page.fill("#password", "demo-kvalitet")
    page.click("main button[type=submit]")
    page.wait_for_url("**/quality")
    _check(page, "dashboard (default period)", problems)
    page.goto(f"/quality?{PERIOD}&question=overall")
    assert page.locator("svg.survey-chart__svg").count() == 2
    _check(page, "dashboard with results", problems)
    page.goto("/quality?from=2037-04&to=2037-02")
    assert page.locator(".error-summary").count() == 1
    _check(page, "dashboard (filter error)", problems)
    context.close()
    assert problems == {}
