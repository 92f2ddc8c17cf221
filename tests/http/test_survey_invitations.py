"""Invitations after a decision: sampling, the pause per household, protected identity, the
reminder, expiry, SMS, and the banner on the applicant's page."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from email.header import decode_header, make_header

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from intake.languages import SUPPORTED
from intake.models import (
    Notification,
    SurveyAnswer,
    SurveyCount,
    SurveyInvitation,
    SurveyInvitationToken,
    SurveyPause,
)
from portal import i18n
from portal.settings import Settings
from portal.survey_invitations import (
    expire,
    invite_after_decision,
    message_text,
    open_invitation_for,
    send_reminders,
)
from portal.survey_settings import SurveySettings
from tests.conftest import check_page, login_applicant
from tests.survey_support import (
    applicant_of,
    clear_invitations,
    decided_application,
    every_time,
    household_of,
    invite,
    link_in,
    mail_settings,
    smtp_server,
    speak,
)

T0 = dt.datetime(2035, 1, 10, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clean(db: Session) -> Iterator[None]:
    clear_invitations(db)
    yield
    clear_invitations(db)


def _open(db: Session) -> list[SurveyInvitation]:
    db.expire_all()
    return list(db.exec(select(SurveyInvitation)).all())


def _invited_count(db: Session, month: str) -> int:
    db.expire_all()
    return int(
        db.exec(
            select(func.coalesce(func.sum(SurveyCount.count), 0))
            .where(SurveyCount.month == month)
            .where(SurveyCount.item == "_invited")
        ).one()
    )


def test_a_decision_not_drawn_in_the_sample_sends_nothing(db: Session, settings: Settings) -> None:
    survey = SurveySettings(sampling_rate=0.25, months_between=0)
    mails = db.exec(select(func.count()).select_from(Notification)).one()
    result = invite_after_decision(
        db, settings, decided_application(db, "single adult"), survey=survey, now=T0, draw=0.25
    )
    assert result is None and _open(db) == []
    assert db.exec(select(func.count()).select_from(Notification)).one() == mails
    assert _invited_count(db, "2035-01") == 0
    drawn = invite_after_decision(
        db, settings, decided_application(db, "single adult"), survey=survey, now=T0, draw=0.1
    )
    assert drawn is not None and _invited_count(db, "2035-01") == 1


def test_at_most_one_invitation_per_household_in_n_months(db: Session, settings: Settings) -> None:
    survey = SurveySettings(months_between=3)
    application = decided_application(db, "single parent")
    first = invite_after_decision(db, settings, application, survey=survey, now=T0, draw=0.0)
    assert first is not None
    expire(db, now=T0 + dt.timedelta(days=40))  # the first link has expired by now
    for month_later in (1, 2):
        later = T0 + dt.timedelta(days=31 * month_later)
        assert (
            invite_after_decision(db, settings, application, survey=survey, now=later, draw=0.0)
            is None
        )
    # The pause holds no household id, only a keyed hash and a month.
    (pause,) = db.exec(select(SurveyPause)).all()
    assert pause.until_month == "2035-04"
    assert re.fullmatch(r"[0-9a-f]{64}", pause.household_key)
    again = invite_after_decision(
        db,
        settings,
        application,
        survey=survey,
        now=dt.datetime(2035, 4, 2, tzinfo=dt.UTC),
        draw=0.0,
    )
    assert again is not None


def test_an_open_invitation_is_not_doubled(db: Session, settings: Settings) -> None:
    invite(db, settings, "single adult", T0)
    second = invite_after_decision(
        db, settings, decided_application(db, "single adult"), survey=every_time(), now=T0, draw=0.0
    )
    assert second is None and len(_open(db)) == 1


def test_protected_identity_is_never_invited(db: Session, settings: Settings) -> None:
    household = household_of(db, "protected identity")
    from intake.models import Application

    application = Application(household_id=household.id or 0, month="2035-01", language="sv")
    with smtp_server() as sink:
        result = invite_after_decision(
            db, mail_settings(settings, sink), application, survey=every_time(), now=T0, draw=0.0
        )
        assert sink.messages == []
    assert result is None and _open(db) == []
    assert open_invitation_for(db, household) is None


def test_one_reminder_after_seven_days_with_a_link_that_works_too(
    client: TestClient, db: Session, settings: Settings
) -> None:
    with smtp_server() as sink:
        mail = mail_settings(settings, sink)
        invite(db, mail, "Ukrainian-speaking adult", T0)
        first_link = link_in(sink.wait_for(1)[0])
        assert send_reminders(db, mail, every_time(), now=T0 + dt.timedelta(days=6, hours=23)) == 0
        assert send_reminders(db, mail, every_time(), now=T0 + dt.timedelta(days=7)) == 1
        reminder = sink.wait_for(2)[1]
        assert send_reminders(db, mail, every_time(), now=T0 + dt.timedelta(days=8)) == 0
    with i18n.use_locale("uk"):  # the invitation's language
        expected = i18n.gettext("Reminder: how were you treated?")
    assert str(make_header(decode_header(reminder["Subject"]))) == expected
    second_link = link_in(reminder)
    assert second_link != first_link
    (invitation,) = _open(db)
    assert invitation.reminded_at is not None
    for link in (first_link, second_link):
        page = client.get("/survey/t/" + link.rsplit("/survey/t/", 1)[1])
        assert page.status_code == 200 and check_page(page.text).html_attrs["lang"] == "uk"


def test_expiry_deletes_the_invitation_its_links_and_ended_pauses(
    client: TestClient, db: Session, settings: Settings
) -> None:
    with smtp_server() as sink:
        invitation = invite(
            db, mail_settings(settings, sink), "single adult", T0, SurveySettings(months_between=1)
        )
        link = link_in(sink.wait_for(1)[0])
    invitation_id = invitation.id
    assert expire(db, now=T0 + dt.timedelta(days=20)) == (0, 0)
    assert expire(db, now=T0 + dt.timedelta(days=28)) == (1, 1)  # Feb: the pause is over too
    db.expire_all()
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
    assert db.exec(select(SurveyPause)).all() == []
    assert client.get("/survey/t/" + link.rsplit("/survey/t/", 1)[1]).status_code == 404


def test_sms_when_that_is_the_channel_the_applicant_can_be_reached_on(
    db: Session, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    person = applicant_of(db, "Tigrinya-speaking adult")
    person.phone, saved_email = "+46701234567", person.email
    person.email = None
    db.add(person)
    db.commit()
    try:
        with caplog.at_level(logging.INFO, logger="portal.notify"):
            invite(
                db,
                settings,
                "Tigrinya-speaking adult",
                T0,
                SurveySettings(months_between=0, channels="email,sms"),
            )
        (sms,) = db.exec(
            select(Notification)
            .where(Notification.purpose == "survey_invitation")
            .where(Notification.recipient == "+46701234567")
        ).all()
    finally:
        person.phone, person.email = None, saved_email
        db.add(person)
        db.commit()
    assert sms.channel == "sms" and sms.subject is None and sms.sent_at is not None
    # What went out (the development SMS gateway writes it to the log) had the link, which
    # the log does not keep (portal.access_log) ...
    (sent,) = [r.getMessage() for r in caplog.records if "+46701234567" in r.getMessage()]
    assert "/survey/t/[token]" in sent and not re.search(r"/survey/t/[\w-]{40,}", sent)
    text = sent.split(": ", 1)[1].replace("[token]", "x" * 43)  # the token's real length
    assert len(text) < 320  # two SMS parts at most
    # ... the stored copy no longer has a usable one.
    assert "/survey/t/[sent]" in sms.body and not re.search(r"/survey/t/[\w-]{40,}", sms.body)
    assert "Yonas" not in sms.body and "Tesfay" not in sms.body


def test_without_e_mail_or_phone_the_banner_is_the_way_in(db: Session, settings: Settings) -> None:
    person = applicant_of(db, "single parent")
    saved = person.email
    person.email = None
    db.add(person)
    db.commit()
    try:
        count = db.exec(select(func.count()).select_from(Notification)).one()
        invitation = invite(db, settings, "single parent", T0)
        assert db.exec(select(func.count()).select_from(Notification)).one() == count
        assert open_invitation_for(db, household_of(db, "single parent")) is not None
        assert invitation.id is not None
    finally:
        person.email = saved
        db.add(person)
        db.commit()


@pytest.mark.parametrize("language", SUPPORTED)
@pytest.mark.parametrize("channel", ["email", "sms"])
@pytest.mark.parametrize("reminder", [False, True])
def test_messages_carry_no_personal_details(language: str, channel: str, reminder: bool) -> None:
    with i18n.use_locale(language):
        subject, body = message_text(
            municipality="Testkommun",
            link="https://portal.example/survey/t/abc",
            until="7 februari 2035",
            channel=channel,
            reminder=reminder,
        )
    text = (subject or "") + body
    assert "https://portal.example/survey/t/abc" in body and "Testkommun" in body
    for word in ("bistånd", "assistance", "socialtjänst", "decision about"):
        assert word not in text
    assert (subject is None) == (channel == "sms")


def test_the_banner_leads_to_the_survey_and_the_answer_says_portal(
    client: TestClient, db: Session, settings: Settings
) -> None:
    household = household_of(db, "Somali-speaking single parent")
    invite(db, settings, "Somali-speaking single parent", dt.datetime(2035, 2, 3, tzinfo=dt.UTC))
    login_applicant(client, "Somali-speaking single parent")
    speak(client, "en")
    home = client.get("/applicant")
    check_page(home.text)
    assert "How were you treated?" in home.text
    assert 'action="/survey/start"' in home.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert token
    started = client.post(
        "/survey/start", data={"csrf_token": token.group(1)}, follow_redirects=False
    )
    # The form at once: the one-time token is in the form, never in an address.
    assert started.status_code == 200 and "location" not in started.headers
    check_page(started.text)
    link = re.search(r'name="token" value="([^"]+)"', started.text)
    assert link and link.group(1) not in str(started.url)
    client.post("/survey/answer", data={"token": link.group(1), "overall": "1"})
    db.expire_all()
    (answer,) = db.exec(select(SurveyAnswer).where(SurveyAnswer.month == "2035-02")).all()
    assert answer.channel == "portal" and answer.unit_id == household.unit_id
    assert "How were you treated?" not in client.get("/applicant").text
    # Without an invitation the button just leads home.
    again = client.post(
        "/survey/start", data={"csrf_token": token.group(1)}, follow_redirects=False
    )
    assert again.headers["location"] == "/applicant"


def test_other_households_see_no_banner(
    client: TestClient, db: Session, settings: Settings
) -> None:
    invite(db, settings, "Somali-speaking single parent", T0)
    login_applicant(client, "single adult")
    speak(client, "en")
    assert "How were you treated?" not in client.get("/applicant").text
