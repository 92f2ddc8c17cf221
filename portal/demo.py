"""Demo data for development and tests: ``portal seed-demo``. Idempotent.

Every personnummer here is generated with a valid check digit for a made-up person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session, select

from intake.models import (
    Answer,
    Application,
    ApplicationStatus,
    Household,
    HouseholdMember,
    MemberRole,
    Message,
    Municipality,
    Person,
    StaffRole,
    StaffUser,
    TeamLead,
    Unit,
    utcnow,
)
from intake.personnummer import make
from portal.auth import hash_password

MUNICIPALITY_CODE = "9999"


@dataclass(frozen=True)
class DemoStaff:
    username: str
    name: str
    roles: tuple[str, ...]
    unit: int  # index into UNITS
    leads_unit: bool = False  # team lead of its unit (egenkontroll samples, the unit's queue)

    @property
    def password(self) -> str:
        return f"demo-{self.username}"


UNITS = ("Försörjningsstöd Nord", "Försörjningsstöd Syd")

STAFF = (
    DemoStaff("informator", "Ida Informatör", ("informator",), 0),
    DemoStaff("handlaggare", "Hans Handläggare", ("officer",), 0),
    DemoStaff("handlaggare2", "Siv Socialsekreterare", ("officer",), 1),
    DemoStaff("kvalitet", "Kim Kvalitet", ("quality",), 0),
    DemoStaff("admin", "Alva Admin", ("admin",), 0),
    DemoStaff(
        "teamledare", "Tove Teamledare", ("officer", "informator", "quality"), 1, leads_unit=True
    ),
)


@dataclass(frozen=True)
class DemoPerson:
    given: str
    family: str
    birth: str  # YYYYMMDD
    serial: str  # three digits
    role: MemberRole
    days_at_home: int | None = None

    @property
    def personnummer(self) -> str:
        return make(self.birth, self.serial)


@dataclass(frozen=True)
class DemoHousehold:
    label: str
    language: str
    unit: int
    members: tuple[DemoPerson, ...]
    rent_ore: int
    incomes: tuple[tuple[str, str, int], ...] = ()  # (given name, type, amount öre)
    protected_identity: bool = False
    interpreter: bool = False
    extra: dict[str, object] = field(default_factory=dict)


A, C, K, V = (
    MemberRole.applicant,
    MemberRole.co_applicant,
    MemberRole.child,
    MemberRole.visiting_child,
)

HOUSEHOLDS = (
    DemoHousehold(
        "single adult",
        "sv",
        0,
        (DemoPerson("Anna", "Lindqvist", "19850312", "238", A),),
        rent_ore=685000,
        incomes=(("Anna", "unemployment_fund", 412300),),
    ),
    DemoHousehold(
        "couple with co-applicant",
        "fi",
        0,
        (
            DemoPerson("Mikko", "Virtanen", "19790704", "457", A),
            DemoPerson("Aino", "Virtanen", "19811122", "362", C),
        ),
        rent_ore=812000,
        incomes=(("Mikko", "salary", 945000), ("Aino", "sickness_benefit", 520000)),
    ),
    DemoHousehold(
        "single parent",
        "sv",
        1,
        (
            DemoPerson("Sara", "Berg", "19920218", "684", A),
            DemoPerson("Elsa", "Berg", "20150603", "120", K, 30),
            DemoPerson("Noah", "Berg", "20190911", "135", K, 30),
            DemoPerson("Liam", "Ek", "20170405", "151", V, 8),
        ),
        rent_ore=915000,
        incomes=(("Sara", "parental_benefit", 612000), ("Sara", "child_allowance", 250000)),
    ),
    DemoHousehold(
        "Arabic-speaking family",
        "ar",
        1,
        (
            DemoPerson("Ahmad", "Al-Hassan", "19800115", "573", A),
            DemoPerson("Fatima", "Al-Hassan", "19840820", "482", C),
            DemoPerson("Omar", "Al-Hassan", "20100302", "219", K, 30),
            DemoPerson("Lina", "Al-Hassan", "20130728", "224", K, 30),
            DemoPerson("Yusuf", "Al-Hassan", "20200110", "233", K, 30),
        ),
        rent_ore=1045000,
        incomes=(("Ahmad", "establishment_benefit", 880000), ("Fatima", "child_allowance", 450000)),
        interpreter=True,
    ),
    DemoHousehold(
        "Somali-speaking single parent",
        "so",
        0,
        (
            DemoPerson("Hodan", "Farah", "19900506", "662", A),
            DemoPerson("Ayaan", "Farah", "20180214", "241", K, 30),
        ),
        rent_ore=760000,
        incomes=(("Hodan", "child_allowance", 125000),),
        interpreter=True,
    ),
    DemoHousehold(
        "protected identity",
        "sv",
        0,
        (DemoPerson("Kerstin", "Skyddad", "19770930", "548", A),),
        rent_ore=700000,
        protected_identity=True,
    ),
    DemoHousehold(
        "Tigrinya-speaking adult",
        "ti",
        1,
        (DemoPerson("Yonas", "Tesfay", "19950118", "391", A),),
        rent_ore=590000,
        incomes=(),
    ),
    DemoHousehold(
        "Ukrainian-speaking adult",
        "uk",
        0,
        (DemoPerson("Olena", "Kovalenko", "19880427", "306", A),),
        rent_ore=640000,
        incomes=(("Olena", "salary", 530000),),
    ),
    DemoHousehold(
        "Persian-speaking couple",
        "fa",
        1,
        (
            DemoPerson("Reza", "Ahmadi", "19760808", "417", A),
            DemoPerson("Maryam", "Ahmadi", "19790313", "526", C),
        ),
        rent_ore=830000,
        incomes=(("Reza", "sickness_compensation", 1020000),),
    ),
)


def month_offset(month: str, offset: int) -> str:
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + (number - 1) + offset
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _lead(db: Session, user: StaffUser, demo: DemoStaff, units: list[Unit]) -> None:
    unit_id = units[demo.unit].id
    if demo.leads_unit and user.id and unit_id and db.get(TeamLead, (user.id, unit_id)) is None:
        db.add(TeamLead(staff_user_id=user.id, unit_id=unit_id))


def seed(db: Session, municipality_name: str, today: dt.date | None = None) -> dict[str, int]:
    """Create what is missing of the demo data; return how many rows of each kind were added."""
    today = today or dt.date.today()
    added = {"staff": 0, "households": 0, "applications": 0}
    municipality = db.exec(
        select(Municipality).where(Municipality.code == MUNICIPALITY_CODE)
    ).first()
    if municipality is None:
        municipality = Municipality(name=municipality_name, code=MUNICIPALITY_CODE)
        db.add(municipality)
        db.flush()
    units: list[Unit] = []
    for name in UNITS:
        unit = db.exec(select(Unit).where(Unit.name == name)).first()
        if unit is None:
            unit = Unit(municipality_id=municipality.id or 0, name=name)
            db.add(unit)
            db.flush()
        units.append(unit)

    for demo in STAFF:
        existing = db.exec(select(StaffUser).where(StaffUser.username == demo.username)).first()
        if existing is not None:
            _lead(db, existing, demo, units)
            continue
        user = StaffUser(
            username=demo.username,
            display_name=demo.name,
            password_hash=hash_password(demo.password),
            unit_id=units[demo.unit].id,
        )
        db.add(user)
        db.flush()
        for role in demo.roles:
            db.add(StaffRole(user_id=user.id or 0, role=role))
        _lead(db, user, demo, units)
        added["staff"] += 1

    this_month = f"{today.year:04d}-{today.month:02d}"
    for demo_household in HOUSEHOLDS:
        applicant = demo_household.members[0]
        if db.exec(select(Person).where(Person.personnummer == applicant.personnummer)).first():
            continue
        added["applications"] += add_household(
            db, demo_household, units[demo_household.unit].id or 0, this_month
        )
        added["households"] += 1
    db.commit()
    # Norm tables: the published years, and demo tables (labelled so) for the current years.
    from portal.repository_norm import import_builtin_tables

    added["norm_tables"] = len(import_builtin_tables(db, "seed-demo"))
    return added


def add_household(db: Session, demo: DemoHousehold, unit_id: int, this_month: str) -> int:
    """One household with its people and three earlier months; returns applications added."""
    household = Household(
        unit_id=unit_id,
        protected_identity=demo.protected_identity,
        language=demo.language,
        interpreter_needed=demo.interpreter,
    )
    db.add(household)
    db.flush()
    people: dict[str, Person] = {}
    for member in demo.members:
        adult = member.role in (A, C)
        person = Person(
            personnummer=member.personnummer,
            given_name=member.given,
            family_name=member.family,
            language=demo.language if adult else None,
            email=f"{member.given.lower()}@example.org" if adult else None,
        )
        db.add(person)
        db.flush()
        people[member.given] = person
        db.add(
            HouseholdMember(
                household_id=household.id or 0,
                person_id=person.id or 0,
                role=member.role,
                days_at_home=member.days_at_home,
            )
        )
    if demo.protected_identity:
        return 0  # nothing is processed for a household with protected identity
    for offset in (-2, -1, 0):
        month = month_offset(this_month, offset)
        _add_application(db, household, demo, people, month, decided=offset < 0)
    db.add(
        Message(
            household_id=household.id or 0,
            direction="to_applicant",
            body="Ditt beslut för förra månaden är klart. Pengarna betalas ut den 25:e.",
        )
    )
    db.flush()
    return 3


def _add_application(
    db: Session,
    household: Household,
    demo: DemoHousehold,
    people: dict[str, Person],
    month: str,
    *,
    decided: bool,
) -> None:
    year, number = (int(part) for part in month.split("-"))
    submitted = dt.datetime(year, number, 1, 9, 30, tzinfo=dt.UTC) - dt.timedelta(days=9)
    application = Application(
        household_id=household.id or 0,
        month=month,
        status=ApplicationStatus.decided if decided else ApplicationStatus.complete,
        language=demo.language,
        created_at=submitted - dt.timedelta(minutes=12),
        updated_at=submitted,
        submitted_at=submitted,
        submitted_by=people[demo.members[0].given].id,
    )
    db.add(application)
    db.flush()
    adults = [m for m in demo.members if m.role in (A, C)]
    children = [m for m in demo.members if m.role in (K, V)]
    applicant = people[demo.members[0].given]
    answers: dict[str, dict | list | str | int | bool | None] = {
        "anything_changed": False,
        "housing_type": "rental",
        "rent": demo.rent_ore,
        "household_electricity": 45000,
        "home_insurance": 18900,
        "pending_benefits": "",
        "bank_accounts": [{"bank": "Swedbank", "balance": 123450}],
        "other_assets": "",
        "costs": {"amounts": {}},
        "livsforing": {"amounts": {}},
        "other_info": "",
        "contact": {
            "methods": ["sms", "email"],
            "phone": "070-123 45 67",
            "email": applicant.email or "",
            "interpreter": demo.interpreter,
            "interpreter_language": demo.language if demo.interpreter else "",
        },
    }
    if children:
        answers["children_days"] = {
            str(people[child.given].id): child.days_at_home or 0 for child in children
        }
    for adult in adults:
        person = people[adult.given]
        amounts = {kind: amount for name, kind, amount in demo.incomes if name == adult.given}
        answers[f"incomes:{person.id}"] = {"amounts": amounts, "abroad": [], "none": not amounts}
        answers[f"activity:{person.id}"] = ["job_seeking"]
    for key, value in answers.items():
        db.add(
            Answer(application_id=application.id or 0, key=key, value=value, updated_at=utcnow())
        )
