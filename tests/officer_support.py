"""Helpers for the case officer's and the hand-off API's tests: households with a complete
application, documents on disk, signing in in English."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from intake.models import (
    Answer,
    Application,
    ApplicationStatus,
    Attachment,
    Household,
    HouseholdMember,
    Person,
    utcnow,
)
from portal import demo
from portal.auth import household_of
from tests.conftest import csrf_of, login_staff


@dataclass
class Case:
    """A household made by ``new_household`` and its complete application for this month."""

    household: Household
    application: Application
    people: dict[str, Person]  # given name -> person

    @property
    def id(self) -> int:
        assert self.application.id is not None
        return self.application.id

    @property
    def url(self) -> str:
        return f"/officer/applications/{self.id}"


def case_of(db: Session, made: demo.DemoHousehold) -> Case:
    """The complete application of a household from ``new_household``."""
    db.expire_all()
    applicant = db.exec(
        select(Person).where(Person.personnummer == made.members[0].personnummer)
    ).one()
    household = household_of(db, applicant)
    assert household is not None
    application = db.exec(
        select(Application)
        .where(Application.household_id == household.id)
        .where(Application.status == ApplicationStatus.complete)
    ).one()
    people = {
        person.given_name: person
        for person in db.exec(
            select(Person)
            .join(HouseholdMember, col(HouseholdMember.person_id) == Person.id)
            .where(HouseholdMember.household_id == household.id)
        ).all()
    }
    return Case(household, application, people)


def household_of_pnr(db: Session, personnummer: str) -> Household:
    person = db.exec(select(Person).where(Person.personnummer == personnummer)).one()
    household = household_of(db, person)
    assert household is not None
    return household


def set_answer(db: Session, application_id: int, key: str, value: object, *, changed: bool) -> None:
    row = db.exec(
        select(Answer).where(Answer.application_id == application_id).where(Answer.key == key)
    ).first()
    if row is None:
        row = Answer(application_id=application_id, key=key)
    row.value = value
    row.changed = changed
    db.add(row)
    db.commit()


def waiting_since(db: Session, case: Case, days: int) -> None:
    application = db.get(Application, case.id)
    assert application is not None
    application.submitted_at = utcnow() - dt.timedelta(days=days, hours=1)
    db.add(application)
    db.commit()


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 60), (200, 220, 240)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf_bytes(text: str = "Hyresavi") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(0, 10, text)
    return bytes(pdf.output())


def add_document(
    db: Session,
    uploads: Path,
    case: Case,
    content: bytes,
    *,
    filename: str,
    content_type: str,
    answer_key: str = "rent",
    expected_kind: str = "rent_notice",
    item: str | None = None,
    amount_ore: int | None = None,
    confidence: float | None = None,
    status: str = "done",
) -> Attachment:
    import hashlib
    import uuid

    relative = Path("officer-tests") / f"{uuid.uuid4().hex}{Path(filename).suffix}"
    (uploads / relative).parent.mkdir(parents=True, exist_ok=True)
    (uploads / relative).write_bytes(content)
    attachment = Attachment(
        application_id=case.id,
        answer_key=answer_key,
        expected_kind=expected_kind,
        item=item,
        filename=filename,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        storage_path=str(relative),
        kind=expected_kind if status == "done" else None,
        period=case.application.month if status == "done" else None,
        amount_ore=amount_ore,
        confidence=confidence,
        extraction_status=status,
    )
    db.add(attachment)
    db.commit()
    db.refresh(attachment)
    return attachment


def sign_in(client: TestClient, username: str) -> None:
    """A staff member signed in, reading English."""
    client.cookies.set("portal_lang", "en")
    login_staff(client, username)


def post(client: TestClient, path: str, data: dict[str, object], *, page: str):  # type: ignore[no-untyped-def]
    token = csrf_of(client, page)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def text_of(html: str) -> str:
    """The page's text with tags and repeated white space removed."""
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    text = text.replace("&#39;", "'").replace("&amp;", "&").replace("&nbsp;", " ")
    return re.sub(r"\s+", " ", text)


def links_to_applications(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/officer/applications/(\d+)"', html)}
