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

from intake.models import Notification, utcnow
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


def queue(
    db: Session,
    *,
    channel: str,
    recipient: str,
    body: str,
    purpose: str,
    subject: str | None = None,
) -> Notification:
    """Store a message to be sent; call :func:`deliver` after the transaction commits."""
    notification = Notification(
        channel=channel, recipient=recipient, subject=subject, body=body, purpose=purpose
    )
    db.add(notification)
    db.flush()
    return notification


def deliver(db: Session, settings: Settings, limit: int = 100) -> int:
    """Send what is waiting (at most ``limit``); return how many were sent."""
    waiting = db.exec(
        select(Notification)
        .where(col(Notification.sent_at).is_(None))
        .where(Notification.attempts < 5)
        .order_by(col(Notification.id))
        .limit(limit)
    ).all()
    sent = 0
    for notification in waiting:
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
