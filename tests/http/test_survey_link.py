"""The one-time survey link: it works without signing in, speaks the invitation's language,
stores an anonymous answer once, and afterwards tells nothing about what happened."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from intake.models import Notification, SurveyAnswer, SurveyInvitation, SurveyInvitationToken
from portal.settings import Settings
from tests.conftest import check_page
from tests.survey_support import (
    applicant_of,
    body_of,
    clear_invitations,
    household_of,
    invite,
    link_in,
    mail_settings,
    smtp_server,
    speak,
)


def when(month: int) -> dt.datetime:
    """A month of 2034 that only one test of this module uses."""
    return dt.datetime(2034, month, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clean(db: Session) -> Iterator[None]:
    clear_invitations(db)
    yield
    clear_invitations(db)


def _path(link: str) -> str:
    return "/survey/t/" + link.rsplit("/survey/t/", 1)[1]


def _token(html: str) -> str:
    """The one-time token the form sends in its body."""
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _answers_for(db: Session, month: str) -> list[SurveyAnswer]:
    db.expire_all()
    return list(db.exec(select(SurveyAnswer).where(SurveyAnswer.month == month)).all())


def test_an_emailed_link_works_once_without_signing_in_in_somali(
    client: TestClient, db: Session, settings: Settings
) -> None:
    hodan = applicant_of(db, "Somali-speaking single parent")
    household = household_of(db, "Somali-speaking single parent")
    with smtp_server() as sink:
        invitation = invite(
            db, mail_settings(settings, sink), "Somali-speaking single parent", when(1)
        )
        (message,) = sink.wait_for(1)
    invitation_id, version = invitation.id, invitation.question_set_version
    assert message["To"] == hodan.email
    body = body_of(message)
    link = link_in(message)
    assert link.startswith(settings.base_url + "/survey/t/")
    for private in (hodan.given_name, hodan.family_name, hodan.personnummer, "bistånd"):
        assert private not in body and private not in (message["Subject"] or "")
    assert invitation.language == "so" and invitation.month == "2034-01"
    # The outbox keeps the message, but not the usable link.
    token = link.rsplit("/", 1)[1]
    stored_messages = db.exec(
        select(Notification).where(Notification.recipient == hodan.email)
    ).all()
    assert stored_messages and all(token not in n.body for n in stored_messages)

    page = client.get(_path(link))
    checked = check_page(page.text)
    assert page.status_code == 200
    assert checked.html_attrs["lang"] == "so"  # the invitation's language, nobody signed in
    assert page.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert 'action="/survey/answer"' in page.text and _token(page.text) == token
    assert page.text.count('type="radio"') == 6 * 5 + 3  # six four-step questions and yes/no
    assert hodan.given_name not in page.text

    sent = client.post(
        "/survey/answer",
        data={
            "token": _token(page.text),
            "contact": "2",
            "views_asked": "yes",
            "overall": "1",
            "change": "dk",
            "free_text": "Tack! Ring mig på 070-123 45 67",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == "/survey/thanks?lang=so"
    speak(client, "en")
    thanks = client.get("/survey/thanks")
    check_page(thanks.text)
    assert "Thank you for your answers" in thanks.text

    (stored,) = _answers_for(db, "2034-01")
    assert stored.answers == {"contact": "2", "views_asked": "yes", "overall": "1", "change": "dk"}
    assert (stored.language, stored.channel, stored.unit_id) == ("so", "email", household.unit_id)
    assert stored.question_set_version == version
    assert stored.free_text == "Tack! Ring mig på [phone]"
    # The invitation and every link to it are gone: nothing is left to join.
    assert (
        db.exec(select(SurveyInvitation).where(SurveyInvitation.id == invitation_id)).first()
        is None
    )
    assert (
        db.exec(
            select(SurveyInvitationToken).where(
                SurveyInvitationToken.invitation_id == invitation_id
            )
        ).all()
        == []
    )

    again = client.get(_path(link))
    assert again.status_code == 404
    assert "This survey link no longer works" in again.text
    twice = client.post(
        "/survey/answer", data={"token": token, "overall": "4"}, follow_redirects=False
    )
    assert twice.status_code == 404
    # A form opened before the token moved into the body posts to the link itself.
    old_form = client.post(_path(link), data={"overall": "4"}, follow_redirects=False)
    assert old_form.status_code == 404
    assert len(_answers_for(db, "2034-01")) == 1


def test_used_unknown_and_expired_links_look_the_same(
    client: TestClient, db: Session, settings: Settings
) -> None:
    with smtp_server() as sink:
        expired = invite(
            db,
            mail_settings(settings, sink),
            "single adult",
            dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        )
        link = link_in(sink.wait_for(1)[0])
    assert expired.expires_at < dt.datetime.now(dt.UTC)
    speak(client, "en")
    pages = [
        client.get(path)
        for path in (_path(link), "/survey/t/" + "A" * 43, "/survey/t/x", "/survey/t/" + "b" * 200)
    ]
    assert {page.status_code for page in pages} == {404}
    mains = {
        re.sub(r"\s+", " ", page.text.split("<main", 1)[1].split("</main>")[0]) for page in pages
    }
    assert len(mains) == 1, "the pages must not tell used, unknown and expired links apart"
    assert "may already have been used, it may have expired" in pages[0].text


def test_wrong_answers_are_shown_again_with_their_errors(
    client: TestClient, db: Session, settings: Settings
) -> None:
    with smtp_server() as sink:
        invite(db, mail_settings(settings, sink), "single adult", when(2))
        path = _path(link_in(sink.wait_for(1)[0]))
    speak(client, "en")
    page = client.get(path)

    token = _token(page.text)
    nothing = client.post("/survey/answer", data={"token": token})
    assert nothing.status_code == 422
    check_page(nothing.text)
    assert "Answer at least one question, or write a comment." in nothing.text
    assert 'href="#contact-0"' in nothing.text and 'id="contact-0"' in nothing.text
    assert "<title>Error:" in nothing.text

    tampered = client.post(
        "/survey/answer",
        data={
            "token": token,
            "overall": "9",
            "contact": "1",
            "free_text": "x" * 1001,
        },
    )
    assert tampered.status_code == 422
    assert 'href="#overall-0"' in tampered.text and 'href="#free_text"' in tampered.text
    assert "Write at most 1000 characters." in tampered.text
    assert 'aria-describedby="overall-error"' in tampered.text
    # What was valid is kept.
    assert re.search(r'id="contact-0" name="contact" value="1" checked', tampered.text)
    assert _answers_for(db, "2034-02") == []

    assert _token(tampered.text) == token
    fine = client.post(
        "/survey/answer", data={"token": token, "overall": "3"}, follow_redirects=False
    )
    assert fine.status_code == 303
    (stored,) = _answers_for(db, "2034-02")
    assert stored.answers == {"overall": "3"} and stored.free_text is None


def test_the_language_switcher_works_and_the_answer_keeps_the_chosen_language(
    client: TestClient, db: Session, settings: Settings
) -> None:
    with smtp_server() as sink:
        invite(db, mail_settings(settings, sink), "Somali-speaking single parent", when(3))
        path = _path(link_in(sink.wait_for(1)[0]))
    page = client.get(path)
    assert check_page(page.text).html_attrs["lang"] == "so"
    # The survey's own switcher: the token in the body, the choice in the form, no cookie.
    assert 'action="/survey/language"' in page.text and 'action="/language"' not in page.text
    arabic = client.post("/survey/language", data={"token": _token(page.text), "lang": "ar"})
    assert arabic.status_code == 200 and "set-cookie" not in arabic.headers
    assert check_page(arabic.text).html_attrs == {"lang": "ar", "dir": "rtl"}
    assert 'name="lang" value="ar"' in arabic.text
    sent = client.post(
        "/survey/answer",
        data={"token": _token(arabic.text), "lang": "ar", "overall": "2"},
        follow_redirects=False,
    )
    assert sent.headers["location"] == "/survey/thanks?lang=ar"
    thanks = client.get(sent.headers["location"])
    assert check_page(thanks.text).html_attrs == {"lang": "ar", "dir": "rtl"}
    (stored,) = _answers_for(db, "2034-03")
    assert stored.language == "ar"


def test_every_answer_is_counted_for_the_dashboard(
    client: TestClient, db: Session, settings: Settings
) -> None:
    from portal.repository_survey import counts

    with smtp_server() as sink:
        invite(db, mail_settings(settings, sink), "single adult", when(4))
        path = _path(link_in(sink.wait_for(1)[0]))
    before = {(c.item, c.value): c.number for c in counts(db, "skr-eb-2016", "2034-04", "2034-04")}
    page = client.get(path)
    client.post(
        "/survey/answer", data={"token": _token(page.text), "overall": "1", "free_text": "Bra"}
    )
    db.expire_all()
    after = {(c.item, c.value): c.number for c in counts(db, "skr-eb-2016", "2034-04", "2034-04")}
    for key, added in {("_answered", ""): 1, ("overall", "1"): 1, ("_free_text", ""): 1}.items():
        assert after.get(key, 0) - before.get(key, 0) == added
    assert after[("_invited", "")] - before.get(("_invited", ""), 0) == 0  # counted at invitation
