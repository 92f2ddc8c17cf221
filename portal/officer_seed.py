"""Many made-up households for the officer's queue (``portal officer seed --households N``): the
benchmark's 10 000 open applications, and a queue with enough variety to try the filters.

Each household gets two decided months (with decisions) and one complete application for this
month, waiting 0–40 days; answers like the demo's, some changed since last month, some open
findings, some assigned, some with a handlingsplan. Rows are inserted in batches (Core inserts),
so 10 000 households take seconds, not minutes. Personnummer use serials 000–099, which the demo
data and the tests' households (serials 100 and up) never use.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from intake.languages import SUPPORTED
from intake.models import (
    ActionPlan,
    ActionPlanFollowUp,
    Answer,
    Application,
    ApplicationStatus,
    Decision,
    DecisionObstacle,
    Finding,
    Household,
    HouseholdMember,
    Person,
    StaffRole,
    StaffUser,
    Unit,
    utcnow,
)
from intake.personnummer import make
from portal.demo import month_offset

GIVEN = ("Anna", "Ali", "Maria", "Yusuf", "Sara", "Mikko", "Olena", "Hodan", "Reza", "Elin")
FAMILY = ("Seedsson", "Provdata", "Exempel", "Testberg", "Bänkström")
BATCH = 2000


def _chunks(rows: list[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _insert(db: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows in batches; return their ids in order."""
    ids: list[int] = []
    for chunk in _chunks(rows):
        result = db.execute(insert(model).returning(model.id, sort_by_parameter_order=True), chunk)
        ids += [row[0] for row in result]
    return ids


def _insert_plain(db: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        db.execute(insert(model), chunk)


def _seeded_count(db: Session) -> int:
    """Households seeded before (their applicant's serial is below 100)."""
    return int(
        db.exec(
            select(func.count())
            .select_from(HouseholdMember)
            .join(Person, col(Person.id) == HouseholdMember.person_id)
            .where(HouseholdMember.role == "applicant")
            .where(func.substr(Person.personnummer, 9, 3) < "100")
        ).one()
    )


def _pnr(index: int, kind: int, adult: bool) -> str:
    """A unique, valid personnummer: household ``index`` and member ``kind`` (0–3) give a day
    (a week apart per hundred numbers) and a serial below 100. Adults are born from 1962,
    children from 2008: the two ranges meet only beyond 50 000 households."""
    number = index * 4 + kind
    day = dt.date(1962 if adult else 2008, 1, 1) + dt.timedelta(days=(number // 100) * 7)
    return make(day.strftime("%Y%m%d"), f"{number % 100:03d}")


def seed(
    db: Session,
    households: int,
    *,
    today: dt.date | None = None,
    rng: random.Random | None = None,
    units: Sequence[Unit] | None = None,
) -> dict[str, int]:
    """Add ``households`` households; return the counts added."""
    rng = rng or random.Random(6)
    today = today or dt.date.today()
    now = utcnow()
    units = list(units or db.exec(select(Unit).order_by(col(Unit.id))).all())
    if not units:
        raise ValueError("no units: run `portal seed-demo` first")
    officers: dict[int, list[int]] = {}
    for user_id, unit_id in db.exec(
        select(StaffUser.id, StaffUser.unit_id)
        .join(StaffRole, col(StaffRole.user_id) == StaffUser.id)
        .where(StaffRole.role == "officer")
    ).all():
        if unit_id is not None and user_id is not None:
            officers.setdefault(unit_id, []).append(user_id)
    any_officer = next((ids[0] for ids in officers.values() if ids), None)
    if any_officer is None:
        raise ValueError("no officer: run `portal seed-demo` first")
    start = _seeded_count(db)
    this_month = f"{today.year:04d}-{today.month:02d}"
    months = [month_offset(this_month, offset) for offset in (-2, -1, 0)]

    plans: list[tuple[int, int]] = []  # (household index, months ago)
    household_rows, person_rows, shapes = [], [], []
    for n in range(households):
        index = start + n
        unit = units[index % len(units)]
        shape = rng.choices(
            ("single", "couple", "single_parent", "couple_with_children"), (45, 15, 25, 15)
        )[0]
        language = rng.choices(SUPPORTED, (50, 5, 12, 6, 8, 5, 7, 7))[0]
        household_rows.append(
            {
                "unit_id": unit.id,
                "protected_identity": False,
                "language": language,
                "interpreter_needed": language not in ("sv", "en") and rng.random() < 0.4,
                "created_at": now,
            }
        )
        roles = ["applicant"] + (["co_applicant"] if shape.startswith("couple") else [])
        roles += ["child"] * (
            rng.randint(1, 3) if "children" in shape or shape == "single_parent" else 0
        )
        shapes.append((unit, language, roles))
        family = rng.choice(FAMILY)
        for kind, role in enumerate(roles):
            adult = role != "child"
            person_rows.append(
                {
                    "personnummer": _pnr(index, kind, adult),
                    "given_name": rng.choice(GIVEN),
                    "family_name": family,
                    "language": language if adult else None,
                    "email": None,
                    "phone": None,
                }
            )
    household_ids = _insert(db, Household, household_rows)
    person_ids = iter(_insert(db, Person, person_rows))

    member_rows: list[dict[str, Any]] = []
    people: list[list[tuple[int, str]]] = []
    for household_id, (_unit, _language, roles) in zip(household_ids, shapes, strict=True):
        members = []
        for role in roles:
            person_id = next(person_ids)
            members.append((person_id, role))
            member_rows.append(
                {
                    "household_id": household_id,
                    "person_id": person_id,
                    "role": role,
                    "days_at_home": 30 if role == "child" else None,
                }
            )
        people.append(members)
    _insert_plain(db, HouseholdMember, member_rows)

    application_rows: list[dict[str, Any]] = []
    for n, (household_id, (unit, language, _roles)) in enumerate(
        zip(household_ids, shapes, strict=True)
    ):
        index = start + n
        for offset, month in enumerate(months):
            is_open = offset == 2
            year, number = (int(part) for part in month.split("-"))
            submitted = (
                now - dt.timedelta(hours=rng.randint(1, 40 * 24))
                if is_open
                else dt.datetime(year, number, 1, 9, tzinfo=dt.UTC) - dt.timedelta(days=9)
            )
            assigned = None
            if is_open and rng.random() < 0.2:
                assigned = rng.choice(officers.get(unit.id or 0) or [any_officer])
            application_rows.append(
                {
                    "household_id": household_id,
                    "month": month,
                    "status": ApplicationStatus.complete if is_open else ApplicationStatus.decided,
                    "language": language,
                    "created_at": submitted,
                    "updated_at": submitted,
                    "submitted_at": submitted,
                    "assigned_to": assigned,
                    "reference": f"EB-{month.replace('-', '')}-S{index:07d}",
                }
            )
    application_ids = _insert(db, Application, application_rows)

    answer_rows: list[dict[str, Any]] = []
    decision_rows: list[dict[str, Any]] = []
    finding_rows: list[dict[str, Any]] = []
    decided_apps: list[tuple[int, list[int]]] = []
    for n, members in enumerate(people):
        rent = rng.randrange(450_000, 1_200_000, 5_000)
        adults = [person for person, role in members if role != "child"]
        children = [person for person, role in members if role == "child"]
        incomes = {
            person: dict(
                rng.sample(
                    [
                        ("salary", rng.randrange(100_000, 1_500_000, 100)),
                        ("unemployment_fund", rng.randrange(300_000, 1_200_000, 100)),
                        ("child_allowance", 125_000 * max(len(children), 1)),
                        ("sickness_benefit", rng.randrange(300_000, 900_000, 100)),
                    ],
                    rng.randint(0, 2),
                )
            )
            for person in adults
        }
        for offset in range(3):
            application_id = application_ids[n * 3 + offset]
            is_open = offset == 2
            changed = is_open and rng.random() < 0.3
            answers: dict[str, Any] = {
                "anything_changed": changed,
                "housing_type": "rental",
                "rent": rent + (50_000 if changed else 0),
                "household_electricity": 45_000,
                "home_insurance": 18_900,
                "pending_benefits": "",
                "bank_accounts": [{"bank": "Swedbank", "balance": rng.randrange(0, 500_000)}],
                "other_assets": "",
                "costs": {"amounts": {}},
                "livsforing": {"amounts": {}},
                "other_info": "",
                "contact": {
                    "methods": [],
                    "phone": "",
                    "email": "",
                    "interpreter": False,
                    "interpreter_language": "",
                },
            }
            if changed:
                answers["changes"] = ["housing"]
            if children:
                answers["children_days"] = {str(child): 30 for child in children}
            for person in adults:
                amounts = incomes[person]
                answers[f"incomes:{person}"] = {
                    "amounts": amounts,
                    "abroad": [],
                    "none": not amounts,
                }
                answers[f"activity:{person}"] = ["job_seeking"]
            for key, value in answers.items():
                answer_rows.append(
                    {
                        "application_id": application_id,
                        "key": key,
                        "value": value,
                        "changed": changed and key in ("rent", "anything_changed", "changes"),
                        "updated_at": now,
                    }
                )
            if is_open and rng.random() < 0.1:
                finding_rows.append(
                    {
                        "application_id": application_id,
                        "code": "rent_increase",
                        "severity": "review",
                        "subject": "rent",
                        "status": "open",
                        "created_at": now,
                    }
                )
            if not is_open:
                decision_rows.append(
                    {
                        "application_id": application_id,
                        "outcome": "granted",
                        "amount_ore": rng.randrange(200_000, 1_500_000, 100),
                        "reason": None,
                        "decided_by": any_officer,
                        "decided_at": now - dt.timedelta(days=30 * (2 - offset)),
                        "calculation": None,
                    }
                )
                decided_apps.append((application_id, adults))
        if rng.random() < 0.5:
            plans.append((n, rng.randint(1, 8)))
    _insert_plain(db, Answer, answer_rows)
    _insert_plain(db, Finding, finding_rows)
    decision_ids = _insert(db, Decision, decision_rows)
    obstacle_rows = [
        {"decision_id": decision_id, "person_id": person, "code": "unemployed"}
        for decision_id, (_application, adults) in zip(decision_ids, decided_apps, strict=True)
        for person in adults
    ]
    _insert_plain(db, DecisionObstacle, obstacle_rows)

    plan_rows = [
        {
            "household_id": household_ids[n],
            "established_on": today - dt.timedelta(days=30 * months_ago),
            "recorded_by": any_officer,
            "recorded_at": now,
        }
        for n, months_ago in plans
    ]
    plan_ids = _insert(db, ActionPlan, plan_rows)
    follow_up_rows = [
        {
            "plan_id": plan_id,
            "followed_up_on": today - dt.timedelta(days=rng.randint(5, 60)),
            "recorded_by": any_officer,
            "recorded_at": now,
        }
        for plan_id, (_n, months_ago) in zip(plan_ids, plans, strict=True)
        if months_ago > 3 and rng.random() < 0.6
    ]
    _insert_plain(db, ActionPlanFollowUp, follow_up_rows)
    db.commit()
    return {
        "households": len(household_ids),
        "persons": len(person_rows),
        "applications": len(application_ids),
        "open_applications": len(household_ids),
        "answers": len(answer_rows),
        "decisions": len(decision_ids),
        "plans": len(plan_ids),
    }
