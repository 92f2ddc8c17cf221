"""Survey invitations: after a decision, reminders, expiry, and the banner on the applicant's
page.

The decision step calls :func:`invite_after_decision`; it applies the sampling rate and the pause
between invitations (``portal.survey_settings``), stores the invitation with a hashed one-time
token per channel, and sends an e-mail or SMS through ``portal.notify`` whose body holds only the
municipality's name, a short question and the link. ``portal survey send-reminders`` and
``portal survey expire`` run the rest.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from intake.languages import SUPPORTED
from intake.models import (
    Application,
    Household,
    SurveyAnswer,
    SurveyInvitation,
    SurveyInvitationToken,
    utcnow,
)
from intake.survey import invitations as rules
from intake.survey.questions import question_set
from intake.survey.screening import screen
from portal import notify
from portal import repository_survey as repo
from portal.i18n import format_date, ngettext, use_locale
from portal.i18n import gettext as _
from portal.settings import Settings
from portal.survey_settings import SurveySettings, get_survey_settings

log = logging.getLogger("portal.survey")
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def this_month(now: dt.datetime) -> str:
    return rules.month_of(now.astimezone(STOCKHOLM).date())


def survey_link(settings: Settings, token: str) -> str:
    return f"{settings.base_url.rstrip('/')}/survey/t/{token}"


def open_invitation_for(
    db: Session, household: Household, now: dt.datetime | None = None
) -> SurveyInvitation | None:
    """The household's open survey invitation, if any (for the banner). Never for a household
    with protected identity."""
    if household.id is None or household.protected_identity:
        return None
    return repo.open_invitation(db, household.id, now or utcnow())


def invite_after_decision(
    db: Session,
    settings: Settings,
    application: Application,
    *,
    survey: SurveySettings | None = None,
    now: dt.datetime | None = None,
    draw: float | None = None,
) -> SurveyInvitation | None:
    """Invite the application's household to the survey when the rules say so; return the
    invitation, or None. Call it after the decision is committed: it commits its own rows, then
    sends what was queued. It never raises for a survey reason (a parallel invitation of the same
    household loses quietly)."""
    survey = survey or get_survey_settings()
    now = now or utcnow()
    household = db.get(Household, application.household_id)
    if household is None or household.id is None:
        return None
    month = this_month(now)
    key = repo.household_key(settings.secret_key, household.id)
    outcome = rules.decide(
        survey.rules,
        enabled=survey.enabled,
        protected_identity=household.protected_identity,
        has_open_invitation=repo.open_invitation(db, household.id, now) is not None,
        paused_until=repo.paused_until(db, key),
        this_month=month,
        draw=secrets.SystemRandom().random() if draw is None else draw,
    )
    if outcome != "invite":
        log.info("no survey invitation after a decision: %s", outcome)
        return None
    invitation = SurveyInvitation(
        household_id=household.id,
        question_set_version=survey.question_set,
        month=month,
        unit_id=household.unit_id,
        language=_language_for(db, settings, application, household),
        created_at=now,
        expires_at=rules.expires_at(survey.rules, now),
    )
    try:
        db.add(invitation)
        db.flush()
        repo.count_invitation(db, invitation)
        repo.set_pause(db, key, rules.pause_until(survey.rules, month))
        _send(db, settings, survey, invitation, reminder=False)
        db.commit()
    except IntegrityError:
        db.rollback()
        log.info("no survey invitation after a decision: invited in parallel")
        return None
    db.refresh(invitation)
    _deliver(db, settings)
    return invitation


def _deliver(db: Session, settings: Settings) -> None:
    """Send what is queued, then take the links out of what was sent."""
    notify.deliver(db, settings)
    repo.redact_links(db, sent=True)
    db.commit()


def _language_for(
    db: Session, settings: Settings, application: Application, household: Household
) -> str:
    """The applicant's own choice of language, else the application's, else the household's."""
    assert household.id is not None
    person = repo.applicant_of(db, household.id)
    for language in (person.language if person else None, application.language, household.language):
        if language in SUPPORTED:
            return language
    return settings.default_language


@dataclass(frozen=True)
class Contact:
    channel: str
    recipient: str


def contact_for(db: Session, survey: SurveySettings, household_id: int) -> Contact | None:
    """The first channel, in the configured order, that the applicant can be reached on."""
    person = repo.applicant_of(db, household_id)
    if person is None:
        return None
    for channel in survey.channels:
        recipient = person.email if channel == "email" else person.phone
        if recipient:
            return Contact(channel, recipient)
    return None


def _send(
    db: Session,
    settings: Settings,
    survey: SurveySettings,
    invitation: SurveyInvitation,
    *,
    reminder: bool,
) -> bool:
    """Queue the invitation (or its reminder) with a fresh one-time link. False when the
    applicant has no usable e-mail or phone: then the banner is the only way in."""
    contact = contact_for(db, survey, invitation.household_id)
    if contact is None:
        return False
    token = repo.add_token(db, invitation, contact.channel, replace=False)
    with use_locale(invitation.language):
        subject, body = message_text(
            municipality=settings.municipality_name,
            link=survey_link(settings, token),
            until=format_date(invitation.expires_at.astimezone(STOCKHOLM).date(), "long"),
            channel=contact.channel,
            reminder=reminder,
            questions=len(question_set(invitation.question_set_version).codes),
        )
    queued = notify.queue(
        db,
        household_id=invitation.household_id,
        channel=contact.channel,
        recipient=contact.recipient,
        subject=subject,
        body=body,
        purpose="survey_reminder" if reminder else "survey_invitation",
    )
    return queued is not None


def message_text(
    *,
    municipality: str,
    link: str,
    until: str,
    channel: str,
    reminder: bool,
    questions: int = 7,
) -> tuple[str | None, str]:
    """Subject and body in the active locale. No personal details, and nothing that tells a
    reader of the phone what the contact was about."""
    if channel == "sms":
        if reminder:
            body = _(
                "%(municipality)s: a reminder of our short survey about how you were treated. "
                "It is anonymous. Answer by %(until)s: %(link)s",
                municipality=municipality,
                until=until,
                link=link,
            )
        else:
            body = ngettext(
                "%(municipality)s: how were you treated by us? Answer %(num)s short anonymous "
                "question by %(until)s: %(link)s",
                "%(municipality)s: how were you treated by us? Answer %(num)s short anonymous "
                "questions by %(until)s: %(link)s",
                questions,
                municipality=municipality,
                until=until,
                link=link,
            )
        return None, body
    subject = (
        _("Reminder: how were you treated?")
        if reminder
        else _(
            "How were you treated? A short survey from %(municipality)s", municipality=municipality
        )
    )
    lines = [
        _("Hello,"),
        "",
        _(
            "Recently we asked you to answer a short survey. If you have not answered yet, "
            "you still can."
        )
        if reminder
        else _("We want to know how you were treated when you were in contact with us."),
        ngettext(
            "The survey has %(num)s short question and takes a few minutes. It is anonymous: "
            "your answers are not linked to your name or your case and do not affect any "
            "decision.",
            "The survey has %(num)s short questions and takes a few minutes. It is anonymous: "
            "your answers are not linked to your name or your case and do not affect any "
            "decision.",
            questions,
        ),
        "",
        _("Answer here: %(link)s", link=link),
        _("The link works once, until %(until)s.", until=until),
        "",
        municipality,
    ]
    return subject, "\n".join(lines)


def start_from_portal(db: Session, invitation: SurveyInvitation) -> str:
    """A fresh one-time link for the banner on the applicant's page (the older portal link, if
    any, stops working)."""
    token = repo.add_token(db, invitation, "portal", replace=True)
    db.commit()
    repo.scrub_deleted(db)
    return token


def record_answer(
    db: Session,
    invitation: SurveyInvitation,
    token: SurveyInvitationToken,
    *,
    answers: dict[str, str],
    free_text: str | None,
    language: str,
) -> bool:
    """Store the anonymous answer and delete the invitation with all its links, in one
    transaction; then empty SQLite's write-ahead log of the deleted rows. The answer keeps only
    the version, month, unit, language and channel: a random id, no time. False
    (and nothing stored) when the invitation was used by a parallel request."""
    assert invitation.id is not None
    questions = question_set(invitation.question_set_version)
    answer = SurveyAnswer(
        question_set_version=invitation.question_set_version,
        month=invitation.month,
        unit_id=invitation.unit_id,
        language=language,
        channel=token.channel,
        answers=answers,
        free_text=screen(free_text) if free_text else None,
    )
    if not repo.delete_invitation(db, invitation.id):
        db.rollback()
        return False
    repo.add_answer(db, questions, answer)
    db.commit()
    repo.scrub_deleted(db)
    return True


def send_reminders(
    db: Session,
    settings: Settings,
    survey: SurveySettings | None = None,
    now: dt.datetime | None = None,
) -> int:
    """One reminder per invitation, ``reminder_days`` after it was sent, while it is open.
    Returns how many reminders were queued."""
    survey = survey or get_survey_settings()
    now = now or utcnow()
    sent_before = now - dt.timedelta(days=survey.reminder_days)
    queued = 0
    for invitation in repo.due_for_reminder(db, sent_before, now):
        household = db.get(Household, invitation.household_id)
        if household is not None and not household.protected_identity:
            queued += _send(db, settings, survey, invitation, reminder=True)
        repo.mark_reminded(db, invitation, now)
        db.commit()
    _deliver(db, settings)
    return queued


def expire(
    db: Session, now: dt.datetime | None = None, survey: SurveySettings | None = None
) -> tuple[int, int]:
    """Delete expired invitations with their links, and pauses that are over; take the dead
    links out of messages that were never sent. Returns the numbers deleted: (invitations,
    pauses)."""
    survey = survey or get_survey_settings()
    now = now or utcnow()
    invitations = repo.delete_expired(db, now)
    pauses = repo.delete_ended_pauses(db, this_month(now))
    repo.redact_links(db, sent=False, created_before=now - dt.timedelta(days=survey.expiry_days))
    db.commit()
    repo.scrub_deleted(db)
    return invitations, pauses
