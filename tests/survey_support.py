"""Helpers for the survey tests: a real SMTP server on 127.0.0.1 that keeps what it receives,
and ways to make a decided application and an invitation for a demo household."""

from __future__ import annotations

import datetime as dt
import email
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from sqlmodel import Session, col, delete, select

from intake.models import (
    Application,
    Household,
    HouseholdMember,
    Person,
    SurveyInvitation,
    SurveyInvitationToken,
    SurveyPause,
)
from portal.settings import Settings
from portal.survey_invitations import invite_after_decision
from portal.survey_settings import SurveySettings
from tests.conftest import applicant_pnr

LINK = re.compile(r"https?://\S+/survey/t/[A-Za-z0-9_\-]+")


class _Keeper:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"


class SmtpSink:
    """What the SMTP server received, in order."""

    def __init__(self, keeper: _Keeper, port: int) -> None:
        self._keeper = keeper
        self.port = port

    @property
    def messages(self) -> list[Message]:
        return list(self._keeper.messages)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Message]:
        with self._keeper.arrived:
            self._keeper.arrived.wait_for(lambda: len(self._keeper.messages) >= count, timeout)
        assert len(self._keeper.messages) >= count, "the e-mail did not arrive"
        return self.messages


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[SmtpSink]:
    keeper = _Keeper()
    port = _free_port()
    controller = Controller(keeper, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpSink(keeper, port)
    finally:
        controller.stop()


def mail_settings(settings: Settings, sink: SmtpSink, base_url: str | None = None) -> Settings:
    update: dict[str, Any] = {"smtp_host": "127.0.0.1", "smtp_port": sink.port}
    if base_url:
        update["base_url"] = base_url
    return settings.model_copy(update=update)


def body_of(message: Message) -> str:
    part = message.get_payload(decode=True)
    assert isinstance(part, bytes)
    return part.decode(message.get_content_charset() or "utf-8")


def link_in(message: Message) -> str:
    found = LINK.search(body_of(message))
    assert found, body_of(message)
    return found.group(0)


def household_of(db: Session, label: str) -> Household:
    person = db.exec(select(Person).where(Person.personnummer == applicant_pnr(label))).one()
    member = db.exec(select(HouseholdMember).where(HouseholdMember.person_id == person.id)).one()
    household = db.get(Household, member.household_id)
    assert household is not None
    return household


def applicant_of(db: Session, label: str) -> Person:
    return db.exec(select(Person).where(Person.personnummer == applicant_pnr(label))).one()


def decided_application(db: Session, label: str) -> Application:
    household = household_of(db, label)
    application = db.exec(
        select(Application)
        .where(Application.household_id == household.id)
        .order_by(col(Application.month))
    ).first()
    assert application is not None
    return application


def clear_invitations(db: Session, household: Household | None = None) -> None:
    """Remove open invitations and pauses (of one household, or all) so tests stay apart."""
    invitations = select(SurveyInvitation.id)
    if household is not None:
        invitations = invitations.where(SurveyInvitation.household_id == household.id)
    ids = list(db.exec(invitations).all())
    if ids:
        db.exec(
            delete(SurveyInvitationToken).where(col(SurveyInvitationToken.invitation_id).in_(ids))
        )
        db.exec(delete(SurveyInvitation).where(col(SurveyInvitation.id).in_(ids)))
    db.exec(delete(SurveyPause))
    db.commit()


def every_time() -> SurveySettings:
    """Invite after every decision: no sampling, no pause."""
    return SurveySettings(sampling_rate=1.0, months_between=0)


def invite(
    db: Session,
    settings: Settings,
    label: str,
    when: dt.datetime,
    survey: SurveySettings | None = None,
) -> SurveyInvitation:
    invitation = invite_after_decision(
        db,
        settings,
        decided_application(db, label),
        survey=survey or every_time(),
        now=when,
        draw=0.0,
    )
    assert invitation is not None
    return invitation


def speak(client: Any, language: str) -> None:
    """Choose the language of the following pages, replacing the one set at sign-in."""
    for cookie in list(client.cookies.jar):
        if cookie.name == "portal_lang":
            client.cookies.delete(cookie.name, domain=cookie.domain, path=cookie.path)
    client.cookies.set("portal_lang", language, domain="127.0.0.1", path="/")
