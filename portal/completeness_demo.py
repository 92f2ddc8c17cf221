"""Demo applications for the informatör's queue (``portal completeness seed-demo``): households of
their own, each with three earlier months and a sent application for next month whose documents
carry planted problems, routed as the portal routes them. Idempotent."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from intake.completeness import READABLE_KINDS, needs_of
from intake.completeness.rules import declared_amount
from intake.flow import month_to_apply_for
from intake.models import (
    Answer,
    Application,
    ApplicationStatus,
    Attachment,
    CompletionItem,
    CompletionRequest,
    MemberRole,
    Person,
    Signature,
    StaffUser,
    Unit,
    utcnow,
)
from portal import completeness
from portal.auth import household_of
from portal.demo import DemoHousehold, DemoPerson, add_household, month_offset

A, C = MemberRole.applicant, MemberRole.co_applicant


@dataclass(frozen=True)
class Case:
    household: DemoHousehold
    problems: tuple[str, ...]  # wrong_month, no_payslip, amount, co_applicant_declined, ...
    days_ago: int
    request: bool = False  # the informatör has already asked for completion


CASES = (
    Case(
        DemoHousehold(
            "queue: three problems",
            "sv",
            0,
            (DemoPerson("Erik", "Johansson", "19870214", "415", A),),
            rent_ore=725000,
            incomes=(("Erik", "salary", 980000),),
        ),
        ("wrong_month", "no_payslip", "household_change"),
        days_ago=3,
    ),
    Case(
        DemoHousehold(
            "queue: co-applicant declined",
            "ar",
            1,
            (
                DemoPerson("Karim", "Haddad", "19830921", "436", A),
                DemoPerson("Leila", "Haddad", "19850630", "447", C),
            ),
            rent_ore=910000,
            incomes=(("Karim", "unemployment_fund", 760000),),
        ),
        ("co_applicant_declined",),
        days_ago=16,
    ),
    Case(
        DemoHousehold(
            "queue: amounts differ",
            "so",
            0,
            (DemoPerson("Amina", "Warsame", "19940403", "458", A),),
            rent_ore=690000,
            incomes=(("Amina", "salary", 640000), ("Amina", "housing_allowance", 150000)),
        ),
        ("amount", "income_disappeared"),
        days_ago=1,
    ),
    Case(
        DemoHousehold(
            "queue: waiting for the applicant",
            "ti",
            1,
            (DemoPerson("Selam", "Gebre", "19910808", "469", A),),
            rent_ore=610000,
            incomes=(("Selam", "salary", 450000),),
        ),
        ("no_rent_notice",),
        days_ago=6,
        request=True,
    ),
    Case(
        DemoHousehold(
            "queue: complete when sent",
            "fi",
            0,
            (DemoPerson("Petra", "Nieminen", "19860117", "471", A),),
            rent_ore=700000,
            incomes=(("Petra", "salary", 1150000),),
        ),
        (),
        days_ago=2,
    ),
)


def _pdf(lines: list[str]) -> bytes:
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=13)
    for line in lines:
        document.cell(0, 9, line.encode("latin-1", "replace").decode("latin-1"))
        document.ln()
    return bytes(document.output())


DOCUMENT_TITLES = {
    "rent_notice": "HYRESAVI",
    "payslip": "LÖNESPECIFIKATION",
    "electricity_bill": "ELRÄKNING",
    "bank_statement": "KONTOUTDRAG",
    "benefit_payment": "UTBETALNINGSBESKED Försäkringskassan",
    "unemployment_payment": "UTBETALNINGSBESKED a-kassan",
    "activity_report": "AKTIVITETSRAPPORT Arbetsförmedlingen",
}


def _kronor(ore: int) -> str:
    return f"{ore // 100:,}".replace(",", " ") + f",{ore % 100:02d}"


def seed(db: Session, uploads: Path, today: dt.date | None = None) -> int:
    """Add what is missing; returns how many applications were added."""
    today = today or dt.date.today()
    this_month = f"{today.year:04d}-{today.month:02d}"
    month = month_to_apply_for(today)
    units = list(db.exec(select(Unit).order_by(col(Unit.id))).all())
    informator = db.exec(select(StaffUser).where(StaffUser.username == "informator")).first()
    if not units:
        raise RuntimeError("run `portal seed-demo` first: there are no units")
    added = 0
    for case in CASES:
        first = case.household.members[0]
        if db.exec(select(Person).where(Person.personnummer == first.personnummer)).first():
            continue
        add_household(
            db, case.household, units[case.household.unit % len(units)].id or 0, this_month
        )
        db.commit()
        person = db.exec(select(Person).where(Person.personnummer == first.personnummer)).one()
        household = household_of(db, person)
        assert household is not None
        _application(db, uploads, case, household, person, month, informator)
        added += 1
    return added


def _application(
    db: Session,
    uploads: Path,
    case: Case,
    household: Any,
    person: Person,
    month: str,
    informator: StaffUser | None,
) -> None:
    previous = db.exec(
        select(Application)
        .where(Application.household_id == household.id)
        .order_by(col(Application.month).desc())
    ).first()
    assert previous is not None
    sent_at = utcnow() - dt.timedelta(days=case.days_ago, hours=2)
    application = Application(
        household_id=household.id,
        month=month,
        language=case.household.language,
        prefilled_from=previous.id,
        created_at=sent_at - dt.timedelta(minutes=9),
    )
    db.add(application)
    db.flush()
    answers = {
        row.key: row.value
        for row in db.exec(select(Answer).where(Answer.application_id == previous.id)).all()
    }
    income_key = f"incomes:{person.id}"
    if "household_change" in case.problems:
        answers.update(anything_changed=True, changes=["family"], household_change="")
    if "income_disappeared" in case.problems:
        incomes = dict(answers[income_key])  # type: ignore[arg-type]
        amounts = dict(incomes["amounts"])
        amounts.pop("housing_allowance", None)
        answers[income_key] = {**incomes, "amounts": amounts}
    for key, value in answers.items():
        db.add(Answer(application_id=application.id or 0, key=key, value=value))
    db.flush()
    sent_month = month_offset(month, -1)
    last_month = month_offset(sent_month, -1)
    application.status = ApplicationStatus.submitted  # so that the facts are those of a sent one
    application.submitted_at = sent_at
    facts = completeness.facts_for(db, application, completeness.setup_for(db))
    for need in needs_of(facts):
        if (need.document == "rent_notice" and "no_rent_notice" in case.problems) or (
            need.document == "payslip" and "no_payslip" in case.problems
        ):
            continue
        declared = declared_amount(facts.answers, need.step_key, need.item)
        if need.document == "bank_statement":
            accounts = facts.answers.get(need.step_key) or [{}]
            declared = accounts[0].get("balance")
        amount = declared
        if need.document == "payslip" and "amount" in case.problems and amount:
            amount -= 180000
        period = month if need.document == "rent_notice" else last_month
        if need.document == "rent_notice" and "wrong_month" in case.problems:
            period = sent_month
        readable = need.document in READABLE_KINDS
        label = DOCUMENT_TITLES.get(need.document, need.document.upper())
        lines = [label, f"Avser: {period}"]
        if amount is not None and readable:
            lines.append(f"Att betala: {_kronor(amount)} kr")
        content = _pdf(lines)
        folder = uploads / str(application.id)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{uuid.uuid4().hex}.pdf"
        (folder / name).write_bytes(content)
        db.add(
            Attachment(
                application_id=application.id or 0,
                answer_key=need.step_key,
                expected_kind=need.document,
                item=need.item or None,
                filename=f"{need.document.replace('_', '-')}.pdf",
                content_type="application/pdf",
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                storage_path=f"{application.id}/{name}",
                received_at=sent_at - dt.timedelta(minutes=3),
                kind=need.document if readable else "unknown",
                period=period if readable else None,
                amount_ore=amount if readable else None,
                confidence=0.93 if readable else 0.1,
                extraction_status="done",
            )
        )
    db.add(
        Signature(
            application_id=application.id or 0,
            person_id=person.id or 0,
            role="applicant",
            outcome="signed",
            method="test",
            signed_at=sent_at,
        )
    )
    application.reference = f"EB-{month.replace('-', '')}-{application.id:06d}"
    if any(m.role == C for m in case.household.members):
        application.co_applicant_status = (
            "declined" if "co_applicant_declined" in case.problems else "signed"
        )
    db.add(application)
    db.commit()
    completeness.on_submitted(db, application)
    if case.request and informator is not None:
        db.refresh(application)
        findings = [f for f in completeness.findings_of(db, application.id) if f.status == "open"]
        request = CompletionRequest(
            application_id=application.id or 0,
            requested_by=informator.id or 0,
            language=case.household.language,
            created_at=sent_at + dt.timedelta(days=1),
        )
        db.add(request)
        db.flush()
        for finding in findings:
            db.add(
                CompletionItem(
                    request_id=request.id or 0, finding_id=finding.id or 0, template="add_document"
                )
            )
        application.status = ApplicationStatus.needs_completion
        db.add(application)
        db.commit()
