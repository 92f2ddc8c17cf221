"""Applications for the completeness tests, built the way the portal stores them: a household
with earlier months, a sent application prefilled from last month, documents on disk with what
the reader found in them, and the routing that runs when an application is received."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from intake.flow import month_to_apply_for
from intake.models import (
    Answer,
    Application,
    ApplicationStatus,
    Attachment,
    Household,
    Person,
    Signature,
    utcnow,
)
from portal import completeness
from portal.auth import household_of
from portal.demo import month_offset

MONTH = month_to_apply_for(dt.date.today())  # the month applied for
SENT = month_offset(MONTH, -1)  # sent this month


def png(label: str = "Hyresavi") -> bytes:
    """A small photo-like PNG with EXIF orientation, as phones send them."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), "white")
    ImageDraw.Draw(image).text((20, 20), f"{label} {MONTH}", fill="black")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: the portal must turn it upright
    exif[0x010F] = "TestPhone"  # the maker: must not survive re-encoding
    out = io.BytesIO()
    image.save(out, "PNG", exif=exif)
    return out.getvalue()


def pdf(text: str = "Lönespecifikation", pages: int = 1) -> bytes:
    from fpdf import FPDF

    document = FPDF()
    for number in range(pages):
        document.add_page()
        document.set_font("helvetica", size=14)
        document.cell(0, 10, f"{text} - sida {number + 1}")
    return bytes(document.output())


@dataclass
class Doc:
    answer_key: str
    expected_kind: str | None
    item: str | None = None
    kind: str | None = None
    period: str | None = None
    amount_ore: int | None = None
    confidence: float = 0.95
    status: str = "done"
    filename: str = "dokument.pdf"
    content: bytes = field(default=b"", repr=False)


def clean_documents(person_id: int) -> list[Doc]:
    """Everything a household like ``new_household()``'s needs, read as right."""
    previous = month_offset(SENT, -1)
    return [
        Doc("rent", "rent_notice", None, "rent_notice", MONTH, 785000, filename="hyresavi.png"),
        Doc(
            "household_electricity",
            "electricity_bill",
            None,
            "electricity_bill",
            previous,
            45000,
            filename="elrakning.pdf",
        ),  # fmt: skip
        Doc(
            f"incomes:{person_id}",
            "payslip",
            "salary",
            "payslip",
            previous,
            1200000,
            filename="lonespec.pdf",
        ),  # fmt: skip
        Doc(
            "bank_accounts",
            "bank_statement",
            None,
            "bank_statement",
            previous,
            123450,
            filename="kontoutdrag.pdf",
        ),  # fmt: skip
        Doc(
            f"activity:{person_id}",
            "activity_report",
            "job_seeking",
            "unknown",
            None,
            None,
            confidence=0.2,
            filename="aktivitetsrapport.pdf",
        ),  # fmt: skip
    ]


@dataclass
class Sent:
    application: Application
    household: Household
    applicant: Person
    person_id: int

    @property
    def pnr(self) -> str:
        return self.applicant.personnummer


def people_of(db: Session, demo: Any) -> tuple[Household, Person]:
    person = db.exec(
        select(Person).where(Person.personnummer == demo.members[0].personnummer)
    ).one()
    household = household_of(db, person)
    assert household is not None
    return household, person


def store_file(uploads: Path, application_id: int, doc: Doc) -> Attachment:
    content = doc.content or (png() if doc.filename.endswith(".png") else pdf(doc.filename))
    folder = uploads / str(application_id)
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".png" if content.startswith(b"\x89PNG") else ".pdf"
    name = f"{uuid.uuid4().hex}{suffix}"
    (folder / name).write_bytes(content)
    return Attachment(
        application_id=application_id,
        answer_key=doc.answer_key,
        expected_kind=doc.expected_kind,
        item=doc.item,
        filename=doc.filename,
        content_type="image/png" if suffix == ".png" else "application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        storage_path=f"{application_id}/{name}",
        kind=doc.kind,
        period=doc.period,
        amount_ore=doc.amount_ore,
        confidence=doc.confidence if doc.status == "done" else None,
        extraction_status=doc.status,
    )


def send(
    db: Session,
    uploads: Path,
    demo: Any,
    *,
    documents: list[Doc] | None = None,
    answers: dict[str, Any] | None = None,
    drop: tuple[str, ...] = (),
    adjust: dict[str, dict[str, Any]] | None = None,
    co_applicant: str | None = None,
    submitted_at: dt.datetime | None = None,
    language: str | None = None,
    route: bool = True,
) -> Sent:
    """A sent application for ``demo`` (a household from ``new_household``), routed as the
    portal routes it. ``drop`` leaves out documents by answer key (``incomes``, ``rent``);
    ``adjust`` changes what was read on them (``{"rent": {"period": "2020-01"}}``)."""
    household, person = people_of(db, demo)
    previous = db.exec(
        select(Application)
        .where(Application.household_id == household.id)
        .where(Application.month < MONTH)
        .order_by(col(Application.month).desc())
    ).first()
    assert previous is not None
    application = Application(
        household_id=household.id or 0,
        month=MONTH,
        language=language or household.language,
        prefilled_from=previous.id,
    )
    db.add(application)
    db.commit()
    db.refresh(application)
    last = {
        row.key: row.value
        for row in db.exec(select(Answer).where(Answer.application_id == previous.id)).all()
    }
    for key, value in {**last, **(answers or {})}.items():
        db.add(
            Answer(
                application_id=application.id or 0,
                key=key,
                value=value,
                changed=value != last.get(key),
            )
        )
    for doc in documents if documents is not None else clean_documents(person.id or 0):
        base = doc.answer_key.split(":")[0]
        if base in drop:
            continue
        for name, value in (adjust or {}).get(base, {}).items():
            setattr(doc, name, value)
        db.add(store_file(uploads, application.id or 0, doc))
    db.add(
        Signature(
            application_id=application.id or 0,
            person_id=person.id or 0,
            role="applicant",
            outcome="signed",
            method="test",
        )
    )
    application.status = ApplicationStatus.submitted
    application.submitted_at = submitted_at or utcnow()
    application.reference = f"EB-{MONTH.replace('-', '')}-{application.id:06d}"
    application.co_applicant_status = co_applicant
    db.add(application)
    db.commit()
    if route:
        completeness.on_submitted(db, application)
    db.refresh(application)
    return Sent(application, household, person, person.id or 0)


def read(db: Session, attachment: Attachment, **values: Any) -> None:
    """What the extraction worker does: store what the document says, then evaluate."""
    for name, value in {"extraction_status": "done", "confidence": 0.95, **values}.items():
        setattr(attachment, name, value)
    db.add(attachment)
    db.commit()
    completeness.after_extraction(db, attachment.id or 0)


def open_codes(db: Session, application: Application) -> list[tuple[str, str]]:
    db.expire_all()
    return sorted(
        (f.code, f.severity)
        for f in completeness.findings_of(db, application.id)
        if f.status == "open"
    )


_serials = iter(range(100, 999))


def make_household(
    db: Session, language: str = "sv", *, co_applicant: bool = False, label: str = "c"
) -> Any:
    """Like the ``new_household`` fixture, for fixtures with a wider scope: a household with
    three earlier months; returns its DemoHousehold."""
    from intake.models import MemberRole, Unit
    from portal import demo

    serial = f"{next(_serials):03d}"
    members = [demo.DemoPerson("Test", "Testsson", "19750505", serial, MemberRole.applicant)]
    if co_applicant:
        partner = demo.DemoPerson(
            "Partner", "Testsson", "19760606", serial, MemberRole.co_applicant
        )
        members.append(partner)
    household = demo.DemoHousehold(
        label, language, 0, tuple(members), 785000, (("Test", "salary", 1200000),)
    )
    unit = db.exec(select(Unit).order_by(col(Unit.id))).first()
    assert unit is not None
    today = dt.date.today()
    demo.add_household(db, household, unit.id or 0, f"{today.year:04d}-{today.month:02d}")
    db.commit()
    return household


def ask(db: Session, settings: Any, application: Application, note: str = "") -> None:
    """The informatör asks about every open finding with its first wording."""
    from intake.models import StaffUser
    from portal import completeness_text, completeness_view

    staff = db.exec(select(StaffUser).where(StaffUser.username == "informator")).one()
    picks = [
        completeness.Pick(f.id or 0, completeness_text.templates_for(f.code)[0])
        for f in completeness.findings_of(db, application.id)
        if f.status == "open"
    ]
    message = completeness_view.request_message(db, application)
    completeness.request_completion(db, application, staff, picks, note, settings, message)


def draft_at_review(db: Session, demo: Any) -> Application:
    """A draft for next month with every answer given (last month's) and no documents."""
    sent = send(db, Path("/nonexistent"), demo, documents=[], route=False)
    application = sent.application
    application.status = ApplicationStatus.draft
    application.submitted_at = None
    application.reference = None
    db.add(application)
    for signature in db.exec(
        select(Signature).where(Signature.application_id == application.id)
    ).all():
        db.delete(signature)
    db.commit()
    return application
