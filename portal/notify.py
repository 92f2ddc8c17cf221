"""E-mail and SMS to applicants. Each message is stored (``Notification``) before it is sent, so
a failed delivery can be retried and nothing is lost. Bodies never carry personal details.

Backends: SMTP for e-mail (a log sender when no SMTP host is set), and a pluggable SMS gateway
(``log`` in development, ``http`` for a municipality's provider).
"""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.request
from email.message import EmailMessage
from typing import Protocol

from sqlmodel import Session, col, select

from intake.models import Answer, Application, HouseholdMember, Notification, Person, utcnow
from portal import protection
from portal.settings import Settings

log = logging.getLogger("portal.notify")


class Sender(Protocol):
    def send(self, notification: Notification) -> None: ...


class LogSender:
    """Development: the message goes to the log instead of the world."""

    def send(self, notification: Notification) -> None:
        log.info(
            "%s to %s: %s %s",
            notification.channel,
            notification.recipient,
            notification.subject or "",
            notification.body,
        )


class SmtpSender:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, notification: Notification) -> None:
        settings = self.settings
        message = EmailMessage()
        message["From"] = settings.smtp_from
        message["To"] = notification.recipient
        message["Subject"] = notification.subject or settings.municipality_name
        message.set_content(notification.body)
        assert settings.smtp_host
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username and settings.smtp_password:
                smtp.login(settings.smtp_username, settings.smtp_password)
            smtp.send_message(message)


class HttpSmsSender:
    """Posts ``{"to": ..., "message": ...}`` as JSON with a bearer token."""

    def __init__(self, settings: Settings) -> None:
        if not settings.sms_gateway_url:
            raise ValueError("PORTAL_SMS_GATEWAY_URL is required when PORTAL_SMS_GATEWAY=http")
        self.url = settings.sms_gateway_url
        self.token = settings.sms_gateway_token

    def send(self, notification: Notification) -> None:
        payload = json.dumps({"to": notification.recipient, "message": notification.body})
        request = urllib.request.Request(  # noqa: S310 - the URL is the municipality's setting
            self.url,
            data=payload.encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            if response.status >= 300:
                raise OSError(f"SMS gateway answered {response.status}")


def sender_for(channel: str, settings: Settings) -> Sender:
    if channel == "email":
        return SmtpSender(settings) if settings.smtp_host else LogSender()
    if settings.sms_gateway == "http":
        return HttpSmsSender(settings)
    return LogSender()


MAX_ATTEMPTS = 5
WITHHELD = "withheld: protected identity"


def queue(
    db: Session,
    *,
    household_id: int | None,
    channel: str,
    recipient: str,
    body: str,
    purpose: str,
    subject: str | None = None,
) -> Notification | None:
    """Store a message to be sent; call :func:`deliver` after the transaction commits. Every
    message says which household it is about (``household_id``): none is stored for a household
    with protected identity, and :func:`deliver` checks again when it sends."""
    if protection.is_protected(db, household_id):
        log.info("no %s notification (%s): protected identity", channel, purpose)
        return None
    notification = Notification(
        channel=channel,
        recipient=recipient,
        subject=subject,
        body=body,
        purpose=purpose,
        household_id=household_id,
    )
    db.add(notification)
    db.flush()
    return notification


def _protected_recipients(db: Session) -> set[str]:
    """The e-mail addresses and phone numbers of people in households with protected identity,
    from their person rows and the contact answers of their applications (for messages stored
    before they carried a household)."""
    found: set[str] = set()
    for email, phone in db.exec(
        select(Person.email, Person.phone)
        .join(HouseholdMember, col(HouseholdMember.person_id) == Person.id)
        .where(col(HouseholdMember.household_id).in_(protection.protected_households()))
    ).all():
        found.update(_normal(v) for v in (email, phone) if v)
    for value in db.exec(
        select(Answer.value)
        .join(Application, col(Application.id) == Answer.application_id)
        .where(Answer.key == "contact")
        .where(col(Application.household_id).in_(protection.protected_households()))
    ).all():
        if isinstance(value, dict):
            found.update(_normal(str(value[k])) for k in ("email", "phone") if value.get(k))
    return found


def _normal(recipient: str) -> str:
    text = recipient.strip().lower()
    return text if "@" in text else "".join(c for c in text if c.isdigit() or c == "+")


def withheld(db: Session, notification: Notification, protected: set[str]) -> bool:
    """Whether the message must not be sent: its household has protected identity now. A row
    from before messages knew their household is withheld when its recipient is an address of
    someone in a protected household."""
    if notification.household_id is not None:
        return protection.is_protected(db, notification.household_id)
    return _normal(notification.recipient) in protected


def deliver(db: Session, settings: Settings, limit: int = 100) -> int:
    """Send what is waiting (at most ``limit``); return how many were sent. A message for a
    household that has protected identity by now is withheld: never sent, its recipient and
    text erased."""
    waiting = db.exec(
        select(Notification)
        .where(col(Notification.sent_at).is_(None))
        .where(Notification.attempts < MAX_ATTEMPTS)
        .order_by(col(Notification.id))
        .limit(limit)
    ).all()
    legacy = any(n.household_id is None for n in waiting)
    protected = _protected_recipients(db) if legacy else set()
    sent = 0
    for notification in waiting:
        if withheld(db, notification, protected):
            notification.attempts = MAX_ATTEMPTS
            notification.error = WITHHELD
            notification.recipient = ""
            notification.subject = None
            notification.body = ""
            log.info("notification %s withheld: protected identity", notification.id)
            db.add(notification)
            db.commit()
            continue
        notification.attempts += 1
        try:
            sender_for(notification.channel, settings).send(notification)
        except (OSError, smtplib.SMTPException, ValueError) as exc:
            notification.error = str(exc)[:500]
            log.warning("could not send notification %s: %s", notification.id, exc)
        else:
            notification.sent_at = utcnow()
            notification.error = None
            sent += 1
        db.add(notification)
        db.commit()
    return sent
