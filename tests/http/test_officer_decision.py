"""The decision: granted, refused or partly with amount, reason and försörjningshinder; the
applicant sees that a decision was made; the application is read-only from then on."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from intake.models import (
    Application,
    Assessment,
    AuditEvent,
    Decision,
    DecisionObstacle,
    Notification,
    StaffUser,
)
from tests.conftest import check_page, login_pnr
from tests.officer_support import Case, case_of, post, sign_in, text_of


@pytest.fixture
def officer(client: TestClient) -> TestClient:
    sign_in(client, "handlaggare")
    return client


def _decide(officer: TestClient, case: Case, **fields: str):  # type: ignore[no-untyped-def]
    return post(officer, f"{case.url}/decision", fields, page=case.url)


def test_a_granted_decision_is_recorded_and_the_applicant_sees_it(
    officer: TestClient, app, db: Session, new_household
) -> None:  # type: ignore[no-untyped-def]
    made = new_household("en", co_applicant=True)
    case = case_of(db, made)
    form = officer.get(case.url).text
    # The försörjningshinder suggested from the answers (both look for work).
    test, partner = case.people["Test"], case.people["Partner"]
    assert '<option value="unemployed" selected>' in form.split(f'name="obstacle_{test.id}"')[1]
    response = _decide(
        officer,
        case,
        outcome="granted",
        amount="8 123,50",
        reason="",
        **{f"obstacle_{test.id}": "unemployed", f"obstacle_{partner.id}": "sick_leave"},
    )
    assert response.status_code == 303
    db.expire_all()
    application = db.get(Application, case.id)
    assert application is not None and application.status == "decided"
    decision = db.exec(select(Decision).where(Decision.application_id == case.id)).one()
    officer_row = db.exec(select(StaffUser).where(StaffUser.username == "handlaggare")).one()
    assert (decision.outcome, decision.amount_ore, decision.decided_by) == (
        "granted",
        812350,
        officer_row.id,
    )
    assert decision.calculation is not None and decision.calculation["table"]["is_demo"] is True
    obstacles = db.exec(
        select(DecisionObstacle.person_id, DecisionObstacle.code).where(
            DecisionObstacle.decision_id == decision.id
        )
    ).all()
    assert set(obstacles) == {(test.id, "unemployed"), (partner.id, "sick_leave")}
    page = officer.get(response.headers["location"])
    check_page(page.text)
    words = text_of(page.text)
    assert "The decision is recorded." in words
    assert "Decision Granted Amount SEK 8,123.50" in words
    assert "Test Testsson: Unemployed (arbetslös)" in words
    assert "Partner Testsson: On sick leave (sjukskriven)" in words
    assert "The calculation shown at the decision used example values." in words
    # The applicant hears that there is news (no details in the message) and sees the decision.
    notices = db.exec(
        select(Notification)
        .where(Notification.purpose == "decision")
        .where(Notification.recipient == "test@example.org")
    ).all()
    assert notices and "Sign in at" in notices[-1].body
    assert "8 123" not in notices[-1].body and "Granted" not in notices[-1].body
    assert db.exec(
        select(AuditEvent)
        .where(AuditEvent.action == "decision_made")
        .where(AuditEvent.object_id == case.id)
    ).one()
    with TestClient(app, base_url="http://127.0.0.1") as applicant:
        applicant.cookies.set("portal_lang", "en")
        login_pnr(applicant, made.members[0].personnummer)
        status = applicant.get(f"/applicant/applications/{case.id}")
        assert status.status_code == 200
        text = text_of(status.text)
        assert "A decision has been made" in text
        assert "Decision Granted Amount SEK 8,123.50 Decided" in text
        assert "can no longer be changed" in text
        assert "Add documents" not in text  # read-only for the applicant as well


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"outcome": "refused", "amount": "100"}, "A refusal has no amount."),
        ({"outcome": "refused", "amount": ""}, "Write the reason for what is refused."),
        ({"outcome": "partly", "amount": "100"}, "Write the reason for what is refused."),
        ({"outcome": "granted", "amount": ""}, "Write the amount granted, more than 0 kronor."),
        ({"outcome": "granted", "amount": "tusen"}, "Write the amount in numbers"),
        ({"amount": "100"}, "Choose one of the answers."),
    ],
)
def test_an_incomplete_decision_is_shown_again_with_its_errors(
    officer: TestClient, db: Session, new_household, fields: dict[str, str], message: str
) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household())
    obstacle = f"obstacle_{case.people['Test'].id}"
    response = _decide(officer, case, **{obstacle: "unemployed", **fields})
    assert response.status_code == 422
    check_page(response.text)
    assert message in text_of(response.text.split('class="error-summary"')[1].split("</div>")[0])
    assert "field--error" in response.text
    assert db.exec(select(Decision).where(Decision.application_id == case.id)).first() is None


def test_every_adult_needs_a_forsorjningshinder(
    officer: TestClient, db: Session, new_household
) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household(co_applicant=True))
    response = _decide(
        officer,
        case,
        outcome="refused",
        reason="Inkomsten täcker behovet.",
        **{f"obstacle_{case.people['Test'].id}": "working_insufficient_income"},
    )
    assert response.status_code == 422
    assert f'href="#field-obstacle_{case.people["Partner"].id}"' in response.text


def test_refused_and_partly(officer: TestClient, db: Session, new_household) -> None:  # type: ignore[no-untyped-def]
    refused, partly = case_of(db, new_household()), case_of(db, new_household())
    assert (
        _decide(
            officer,
            refused,
            outcome="refused",
            reason="Inkomsten täcker behovet.",
            **{f"obstacle_{refused.people['Test'].id}": "working_insufficient_income"},
        ).status_code
        == 303
    )
    assert (
        _decide(
            officer,
            partly,
            outcome="partly",
            amount="4000",
            reason="Hyran över takbeloppet.",
            **{f"obstacle_{partly.people['Test'].id}": "other"},
        ).status_code
        == 303
    )
    db.expire_all()
    no = db.exec(select(Decision).where(Decision.application_id == refused.id)).one()
    some = db.exec(select(Decision).where(Decision.application_id == partly.id)).one()
    assert (no.outcome, no.amount_ore, no.reason) == ("refused", 0, "Inkomsten täcker behovet.")
    assert (some.outcome, some.amount_ore) == ("partly", 400000)
    words = text_of(officer.get(refused.url).text)
    assert "Decision Refused" in words and "Reason: Inkomsten täcker behovet." in words


def test_a_decided_application_is_read_only(
    officer: TestClient, db: Session, new_household
) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household())
    obstacle = {f"obstacle_{case.people['Test'].id}": "unemployed"}
    assert _decide(officer, case, outcome="granted", amount="5000", **obstacle).status_code == 303
    page = officer.get(case.url).text
    assert f'action="{case.url}/decision"' not in page
    assert f'action="{case.url}/assessment"' not in page
    assert f'action="{case.url}/take"' not in page
    assert f'action="{case.url}/plan"' not in page
    assert "The application is read-only." in text_of(page)
    # Posting anyway changes nothing.
    again = _decide(officer, case, outcome="refused", reason="x", **obstacle)
    assert again.status_code == 409
    assert "has been decided and can no longer be changed" in text_of(again.text)
    for path, data in (
        (f"{case.url}/assessment", {"cost_rent": "1"}),
        (f"{case.url}/take", {}),
        (f"{case.url}/assign", {"staff_id": ""}),
        (f"{case.url}/plan", {"action": "established", "date": "2026-01-01"}),
    ):
        assert post(officer, path, data, page=case.url).status_code == 409, path
    db.expire_all()
    assert len(db.exec(select(Decision).where(Decision.application_id == case.id)).all()) == 1
    assert db.exec(select(Assessment).where(Assessment.application_id == case.id)).first() is None
    # A decided application has left the queue.
    assert f'href="{case.url}"' not in officer.get("/officer").text


def test_the_applicant_partial_shows_the_decision_when_given(app) -> None:  # type: ignore[no-untyped-def]
    """The status page includes the partial; with a decision in its context it shows it."""
    import datetime as dt

    from portal.i18n import use_locale
    from portal.templating import templates

    template = templates.env.get_template("partials/_decision_for_applicant.html")
    application = Application(household_id=1, month="2026-03", status="decided")
    decision = Decision(
        application_id=1,
        outcome="partly",
        amount_ore=412300,
        decided_by=1,
        decided_at=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC),
    )
    with use_locale("en"):
        shown = text_of(template.render(application=application, decision=decision))
        bare = text_of(template.render(application=application))
        waiting = template.render(
            application=Application(household_id=1, month="2026-03", status="complete")
        )
    assert "A decision has been made" in shown and "Partly granted" in shown
    assert "SEK 4,123.00" in shown
    assert "A decision has been made" in bare and "Partly granted" not in bare
    assert waiting.strip() == ""
