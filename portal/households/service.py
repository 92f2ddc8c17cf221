"""Every change of the household register, each in one transaction with its audit event.

A service function checks the change, makes it, writes its audit event and commits once; when
anything fails (the audit log included) it rolls back and nothing is stored. Problems found
before a change is made are raised as :class:`HouseholdProblem` with every problem listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from intake import personnummer as pnr
from intake.flow import COST_TYPES, INCOME_TYPES
from intake.languages import SUPPORTED
from intake.models import (
    Answer,
    Application,
    ApplicationStatus,
    AuditEvent,
    Household,
    HouseholdMember,
    HouseholdTask,
    MemberRole,
    Person,
    Unit,
    utcnow,
)
from portal.households import queries
from portal.households.importfile import Parsed
from portal.households.schemas import MAX_ORE, BasisIn, HouseholdIn, MemberIn

ADULTS = (MemberRole.applicant.value, MemberRole.co_applicant.value)
CHILDREN = (MemberRole.child.value, MemberRole.visiting_child.value)
# Problems that are a conflict with what is stored (409), not a bad request (422).
CONFLICTS = frozenset({"person_in_other_household", "household_closed", "basis_month_taken"})


@dataclass(frozen=True)
class Actor:
    """Who makes a change: an API token, a staff member (in a role) or the import command."""

    kind: str  # api / staff / system
    id: int | None
    role: str
    name: str | None = None

    def detail(self) -> dict[str, Any]:
        found: dict[str, Any] = {"role": self.role}
        if self.kind == "api":
            found["token"] = self.name
        elif self.kind == "system" and self.name:
            found["source"] = self.name
        return found


@dataclass(frozen=True)
class Problem:
    code: str
    loc: tuple[str | int, ...]
    detail: str


class HouseholdProblem(Exception):
    """The change was not made: 404 (no such household), 409 (conflict) or 422 (bad data)."""

    def __init__(self, status: int, problems: Sequence[Problem]) -> None:
        super().__init__(", ".join(p.code for p in problems))
        self.status = status
        self.problems = list(problems)


def _raise(problems: Sequence[Problem]) -> None:
    if problems:
        conflict = all(p.code in CONFLICTS for p in problems)
        raise HouseholdProblem(409 if conflict else 422, problems)


@contextmanager
def _unit_of_work(db: Session) -> Iterator[None]:
    """Commit once at the end; on any error roll everything back (the audit event too)."""
    try:
        yield
        db.commit()
    except BaseException:
        db.rollback()
        raise


def _audit(
    db: Session,
    actor: Actor,
    action: str,
    household_id: int | None,
    **detail: Any,
) -> None:
    db.add(
        AuditEvent(
            actor_kind=actor.kind,
            actor_id=actor.id,
            action=action,
            object_type="household",
            object_id=household_id,
            detail={**actor.detail(), **detail},
        )
    )
    db.flush()  # written now, in the change's transaction: if it cannot be, nothing is


# --- what is known before a change -------------------------------------------------------------


@dataclass
class Known:
    """What the checks and the changes read, loaded in a few queries (an import of thousands of
    households reads it once) and kept up to date as households are stored."""

    units_by_id: dict[int, Unit]
    units_by_name: dict[str, Unit]
    persons: dict[str, Person]
    open_household_of: dict[int, int]  # person id → household id
    households: dict[str, Household]  # external id → household

    @classmethod
    def load(cls, db: Session, numbers: Iterable[str], external_ids: Iterable[str]) -> Known:
        all_units = queries.units(db)
        persons = queries.persons_by_personnummer(db, numbers)
        return cls(
            units_by_id={u.id: u for u in all_units if u.id is not None},
            units_by_name={u.name.casefold(): u for u in all_units},
            persons=persons,
            open_household_of=queries.open_households_of(
                db, [p.id for p in persons.values() if p.id is not None]
            ),
            households=queries.households_by_external_id(db, external_ids),
        )

    def unit(self, given: str | int) -> Unit | None:
        text = str(given).strip()
        if text.isdigit() and int(text) in self.units_by_id:
            return self.units_by_id[int(text)]
        return self.units_by_name.get(text.casefold())


def normal_personnummer(text: str) -> str | None:
    try:
        return pnr.parse(text).value
    except pnr.InvalidPersonnummer:
        return None


def _numbers(data: HouseholdIn) -> list[str]:
    return [n for n in (normal_personnummer(m.personnummer) for m in data.members) if n]


@dataclass
class Checked:
    unit: Unit
    numbers: list[str]  # the members' personnummer in normal form, in order
    problems: list[Problem] = field(default_factory=list)


def check(
    data: HouseholdIn,
    known: Known,
    household: Household | None,
    *,
    db: Session | None = None,
) -> Checked | list[Problem]:
    """Every problem with ``data`` as the household's new state; ``household`` is the stored one
    (None: a new household)."""
    problems: list[Problem] = []
    unit = known.unit(data.unit)
    if unit is None:
        problems.append(Problem("unknown_unit", ("unit",), f"no unit {data.unit!r}"))
    if data.language not in SUPPORTED:
        problems.append(
            Problem("unknown_language", ("language",), f"one of {', '.join(SUPPORTED)}")
        )
    if household is not None and household.closed_at is not None:
        problems.append(Problem("household_closed", (), "the household's case is closed"))
    numbers: list[str] = []
    seen: set[str] = set()
    for index, member in enumerate(data.members):
        where: tuple[str | int, ...] = ("members", index)
        try:
            number = pnr.parse(member.personnummer)
        except pnr.InvalidPersonnummer as exc:
            problems.append(
                Problem(
                    f"personnummer_{exc.code}",
                    (*where, "personnummer"),
                    f"not a valid personnummer ({exc.code})",
                )
            )
            continue
        numbers.append(number.value)
        if number.value in seen:
            problems.append(
                Problem("person_twice", (*where, "personnummer"), "the same person twice")
            )
        seen.add(number.value)
        if member.birth_date is not None and member.birth_date != number.birth_date:
            problems.append(
                Problem(
                    "birth_date_mismatch",
                    (*where, "birth_date"),
                    "the birth date does not agree with the personnummer",
                )
            )
        if member.days_at_home is not None and member.role not in CHILDREN:
            problems.append(
                Problem("days_for_adult", (*where, "days_at_home"), "days at home are for children")
            )
        stored = known.persons.get(number.value)
        other = known.open_household_of.get(stored.id or 0) if stored is not None else None
        if other is not None and (household is None or other != household.id):
            problems.append(
                Problem(
                    "person_in_other_household",
                    (*where, "personnummer"),
                    "the person belongs to another household",
                )
            )
    roles = [m.role for m in data.members]
    if roles.count("applicant") != 1:
        problems.append(Problem("applicant_count", ("members",), "exactly one applicant"))
    if roles.count("co_applicant") > 1:
        problems.append(Problem("co_applicant_count", ("members",), "at most one co-applicant"))
    if data.basis is not None:
        adults = {
            n
            for member, n in zip(
                data.members,
                [normal_personnummer(m.personnummer) for m in data.members],
                strict=True,
            )
            if n and member.role in ADULTS
        }
        problems += _check_basis(data.basis, adults)
        if db is not None and household is not None and household.id is not None:
            taken = queries.application_for_month(db, household.id, data.basis.month)
            if taken is not None and taken.status != ApplicationStatus.imported:
                problems.append(
                    Problem(
                        "basis_month_taken",
                        ("basis", "month"),
                        "the portal already has an application for that month",
                    )
                )
    if problems or unit is None:
        return problems
    return Checked(unit, numbers)


def _check_basis(basis: BasisIn, adults: set[str]) -> list[Problem]:
    problems = []
    for given, amounts in basis.incomes.items():
        number = normal_personnummer(given)
        if number is None or number not in adults:
            problems.append(
                Problem("basis_unknown_person", ("basis", "incomes", given), "not an adult here")
            )
        for kind, ore in amounts.items():
            if kind not in INCOME_TYPES:
                problems.append(
                    Problem("unknown_income_type", ("basis", "incomes", given, kind), kind)
                )
            if not 0 <= ore <= MAX_ORE:
                problems.append(
                    Problem("amount_range", ("basis", "incomes", given, kind), "0 to 1 000 000 kr")
                )
    for kind, ore in basis.costs.items():
        if kind not in COST_TYPES:
            problems.append(Problem("unknown_cost_type", ("basis", "costs", kind), kind))
        if not 0 <= ore <= MAX_ORE:
            problems.append(Problem("amount_range", ("basis", "costs", kind), "0 to 1 000 000 kr"))
    return problems


# --- making the change --------------------------------------------------------------------------


def _set(target: Any, name: str, value: Any, changes: list[str], label: str) -> None:
    if getattr(target, name) != value:
        setattr(target, name, value)
        changes.append(label)


def apply(
    db: Session,
    known: Known,
    checked: Checked,
    data: HouseholdIn,
    household: Household | None,
    external_id: str | None,
) -> tuple[Household, bool, list[str]]:
    """Store ``data`` as the household's state (no commit); what changed, by name."""
    created = household is None
    changes: list[str] = []
    if household is None:
        household = Household(unit_id=checked.unit.id or 0, external_id=external_id)
        changes.append("created")
    _set(household, "unit_id", checked.unit.id, changes, "unit")
    _set(household, "language", data.language, changes, "language")
    _set(household, "interpreter_needed", data.interpreter_needed, changes, "interpreter")
    _set(household, "protected_identity", data.protected_identity, changes, "protected_identity")
    db.add(household)
    db.flush()
    assert household.id is not None
    if external_id is not None:
        known.households[external_id] = household
    current = {} if created else {m.person_id: m for m, _p in queries.members_of(db, household.id)}
    people: list[tuple[MemberIn, Person]] = []
    for member, number in zip(data.members, checked.numbers, strict=True):
        person = known.persons.get(number)
        if person is None:
            person = Person(
                personnummer=number, given_name=member.given_name, family_name=member.family_name
            )
            known.persons[number] = person
            changes.append("person_added")
        else:
            _set(person, "given_name", member.given_name, changes, "name")
            _set(person, "family_name", member.family_name, changes, "name")
        if member.role in ADULTS:
            _set(person, "language", person.language or data.language, changes, "language")
            if member.email is not None:
                _set(person, "email", member.email.strip() or None, changes, "contact")
            if member.phone is not None:
                _set(person, "phone", member.phone.strip() or None, changes, "contact")
        db.add(person)
        people.append((member, person))
    db.flush()  # the new people in one go: their ids
    wanted = {person.id or 0: (member, person) for member, person in people}
    for person_id, gone in current.items():
        if person_id not in wanted:
            db.delete(gone)
            known.open_household_of.pop(person_id, None)
            changes.append("member_removed")
    for person_id, (member, _person) in wanted.items():
        row = current.get(person_id) or HouseholdMember(
            household_id=household.id, person_id=person_id, role=member.role
        )
        if row.id is None:
            changes.append("member_added")
        _set(row, "role", member.role, changes, "role")
        _set(row, "days_at_home", member.days_at_home, changes, "days_at_home")
        db.add(row)
        known.open_household_of[person_id] = household.id
    if data.basis is not None and _store_basis(db, household, data, wanted, created):
        changes.append("basis")
    return household, created, sorted(set(changes), key=changes.index)


def _store_basis(
    db: Session,
    household: Household,
    data: HouseholdIn,
    people: dict[int, tuple[MemberIn, Person]],
    new_household: bool,
) -> bool:
    """Last month's basis as an application in status ``imported`` with the answers the first
    återansökan is prefilled from (``repository_flow.previous_application``)."""
    basis = data.basis
    assert basis is not None and household.id is not None
    answers: dict[str, Any] = {
        "housing_type": basis.housing_type,
        "costs": {"amounts": dict(basis.costs)},
    }
    if basis.rent_ore is not None:
        answers["rent"] = basis.rent_ore
    for member, person in people.values():
        if member.role in ADULTS:
            amounts: dict[str, int] = {}
            for given, found in basis.incomes.items():
                if normal_personnummer(given) == person.personnummer:
                    amounts.update(found)
            answers[f"incomes:{person.id}"] = {
                "amounts": amounts,
                "abroad": [],
                "none": not amounts,
            }
    applicant = next(p for m, p in people.values() if m.role == "applicant")
    methods = [m for m, v in (("sms", applicant.phone), ("email", applicant.email)) if v]
    if methods:
        answers["contact"] = {
            "methods": methods,
            "phone": applicant.phone or "",
            "email": applicant.email or "",
            "interpreter": data.interpreter_needed,
            "interpreter_language": data.language if data.interpreter_needed else "",
        }
    children = {str(p.id): m.days_at_home for m, p in people.values() if m.role in CHILDREN}
    if children and all(days is not None for days in children.values()):
        answers["children_days"] = children
    application = (
        None if new_household else queries.application_for_month(db, household.id, basis.month)
    )
    fresh = application is None
    if application is None:
        application = Application(
            household_id=household.id,
            month=basis.month,
            status=ApplicationStatus.imported,
            language=data.language,
        )
        db.add(application)
        db.flush()
    assert application.id is not None
    stored = {} if fresh else {row.key: row for row in queries.answers_of(db, application.id)}
    if {key: row.value for key, row in stored.items()} == answers:
        return False
    for key, row in stored.items():
        if key not in answers:
            db.delete(row)
    for key, value in answers.items():
        row = stored.get(key) or Answer(application_id=application.id, key=key)
        row.value = value
        row.updated_at = utcnow()
        db.add(row)
    return True


# --- the case system: upsert and close ---------------------------------------------------------


@dataclass
class Upserted:
    household: Household
    created: bool
    changes: list[str]


def upsert(db: Session, external_id: str, data: HouseholdIn, actor: Actor) -> Upserted:
    """Create or update the household the case system knows as ``external_id``: the same body
    twice changes nothing the second time (and says so in the audit log)."""
    with _unit_of_work(db):
        known = Known.load(db, _numbers(data), [external_id])
        household = known.households.get(external_id)
        checked = check(data, known, household, db=db)
        if isinstance(checked, list):
            _raise(checked)
            raise AssertionError("unreachable")
        household, created, changes = apply(db, known, checked, data, household, external_id)
        _audit(
            db,
            actor,
            "household_created" if created else "household_updated",
            household.id,
            external_id=external_id,
            changes=changes,
        )
    return Upserted(household, created, changes)


def close_by_external_id(db: Session, external_id: str, reason: str, actor: Actor) -> Household:
    with _unit_of_work(db):
        household = queries.household_by_external_id(db, external_id)
        if household is None:
            raise HouseholdProblem(404, [Problem("not_found", (), "no such household")])
        _close(db, household, reason, actor, external_id=external_id)
    return household


def _close(db: Session, household: Household, reason: str, actor: Actor, **detail: Any) -> None:
    repeated = household.closed_at is not None
    if not repeated:
        household.closed_at = utcnow()
        household.close_reason = reason.strip()[:500]
        db.add(household)
    _audit(db, actor, "household_closed", household.id, why=reason, repeated=repeated, **detail)


def state_of(db: Session, household: Household, unit: str | None = None) -> HouseholdIn:
    """The stored household as the body that would store it again (staff changes start here)."""
    assert household.id is not None
    members = [
        MemberIn(
            personnummer=person.personnummer,
            given_name=person.given_name,
            family_name=person.family_name,
            role=member.role,  # type: ignore[arg-type]
            days_at_home=member.days_at_home,
        )
        for member, person in queries.members_of(db, household.id)
    ]
    return HouseholdIn(
        unit=unit or str(household.unit_id),
        language=household.language,
        interpreter_needed=household.interpreter_needed,
        protected_identity=household.protected_identity,
        members=members,
    )


# --- staff: the officer keeps the register right -------------------------------------------------


def _why(why: str) -> str:
    text = (why or "").strip()
    if not text:
        raise HouseholdProblem(422, [Problem("why_required", ("why",), "say why")])
    if len(text) > 1000:
        raise HouseholdProblem(422, [Problem("why_too_long", ("why",), "at most 1000 characters")])
    return text


def _staff_change(
    db: Session,
    household: Household | None,
    data: HouseholdIn,
    actor: Actor,
    action: str,
    why: str,
    external_id: str | None = None,
    **detail: Any,
) -> Household:
    reason = _why(why)
    with _unit_of_work(db):
        known = Known.load(db, _numbers(data), [external_id] if external_id else [])
        if external_id and household is None and external_id in known.households:
            _raise([Problem("external_id_taken", ("external_id",), "already in the register")])
        checked = check(data, known, household, db=db)
        if isinstance(checked, list):
            _raise(checked)
            raise AssertionError("unreachable")
        stored, _created, changes = apply(db, known, checked, data, household, external_id)
        _audit(db, actor, action, stored.id, why=reason, changes=changes, **detail)
    return stored


def register(
    db: Session, data: HouseholdIn, actor: Actor, why: str, external_id: str | None = None
) -> Household:
    """A household registered by an officer after the first meeting (grundutredning)."""
    return _staff_change(db, None, data, actor, "household_registered", why, external_id)


def add_member(
    db: Session, household: Household, member: MemberIn, actor: Actor, why: str
) -> Household:
    data = state_of(db, household)
    data.members.append(member)
    return _staff_change(db, household, data, actor, "household_member_added", why)


def remove_member(
    db: Session, household: Household, person_id: int, actor: Actor, why: str
) -> Household:
    assert household.id is not None
    members = queries.members_of(db, household.id)
    leaving = next((person for _m, person in members if person.id == person_id), None)
    if leaving is None:
        raise HouseholdProblem(404, [Problem("not_found", ("person",), "not a member")])
    data = state_of(db, household)
    data.members = [m for m in data.members if m.personnummer != leaving.personnummer]
    if not data.members:
        raise HouseholdProblem(422, [Problem("applicant_count", ("members",), "one applicant")])
    return _staff_change(
        db, household, data, actor, "household_member_removed", why, person_id=person_id
    )


def move(db: Session, household: Household, unit_id: int, actor: Actor, why: str) -> Household:
    data = state_of(db, household, unit=str(unit_id))
    return _staff_change(
        db, household, data, actor, "household_moved", why, from_unit=household.unit_id
    )


def mark_protected(db: Session, household: Household, actor: Actor, why: str) -> Household:
    """Skyddad identitet: from now on the household's details are not shown on staff pages
    and nothing is sent by SMS or e-mail about it. Removed only through the case system."""
    data = state_of(db, household)
    data.protected_identity = True
    return _staff_change(db, household, data, actor, "household_protected", why)


def close(db: Session, household: Household, actor: Actor, why: str) -> Household:
    reason = _why(why)
    with _unit_of_work(db):
        _close(db, household, reason, actor)
    return household


def task_done(
    db: Session, household: Household, application_id: int, actor: Actor, why: str
) -> None:
    """The officer has acted on what the applicant wrote had changed in the household."""
    reason = _why(why)
    assert household.id is not None
    tasks = {t.application.id: t for t in queries.change_tasks(db, household.id)}
    task = tasks.get(application_id)
    if task is None:
        raise HouseholdProblem(404, [Problem("not_found", ("task",), "no such task")])
    if task.done is not None:
        return
    with _unit_of_work(db):
        db.add(
            HouseholdTask(
                household_id=household.id,
                application_id=application_id,
                done_by=actor.id or 0,
                note=reason,
            )
        )
        _audit(
            db,
            actor,
            "household_task_done",
            household.id,
            why=reason,
            application_id=application_id,
        )


# --- the first load of a unit's households from a file -----------------------------------------


@dataclass(frozen=True)
class Rejected:
    line: int
    external_id: str
    code: str
    detail: str


@dataclass
class ImportReport:
    households: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    stored: bool = False


def import_households(
    db: Session, parsed: Sequence[Parsed], actor: Actor, *, dry_run: bool = False
) -> ImportReport:
    """Check and store every household of an import file (``importfile.Parsed``) in ONE
    transaction: when any line is rejected, or on a dry run, nothing is stored. Every rejected
    line is reported with its line number and reason."""
    report = ImportReport(households=len(parsed))
    valid = [(p, p.data) for p in parsed if p.data is not None and not p.problems]
    for item in parsed:
        for problem in item.problems:
            report.rejected.append(
                Rejected(problem.line, item.external_id, problem.code, problem.detail)
            )
    # The same case system id twice, or a person in two households of the file.
    seen_keys: dict[str, int] = {}
    claimed: dict[str, tuple[str, int]] = {}
    ready = []
    for item, data in valid:
        clash = False
        if item.external_id in seen_keys:
            report.rejected.append(
                Rejected(
                    item.lines[0],
                    item.external_id,
                    "external_id_twice",
                    f"also on line {seen_keys[item.external_id]}",
                )
            )
            clash = True
        seen_keys.setdefault(item.external_id, item.lines[0])
        for index, member in enumerate(data.members):
            number = normal_personnummer(member.personnummer)
            if number is None:
                continue
            other = claimed.get(number)
            if other is not None and other[0] != item.external_id:
                report.rejected.append(
                    Rejected(
                        item.lines[index],
                        item.external_id,
                        "person_in_two_households",
                        f"also in {other[0]} (line {other[1]})",
                    )
                )
                clash = True
            claimed.setdefault(number, (item.external_id, item.lines[index]))
        if not clash:
            ready.append((item, data))
    try:
        known = Known.load(
            db,
            [n for _item, data in ready for n in _numbers(data)],
            [item.external_id for item, _data in ready],
        )
        for item, data in ready:
            household = known.households.get(item.external_id)
            checked = check(data, known, household, db=db)
            if isinstance(checked, list):
                report.rejected += [
                    Rejected(item.line_of(p.loc), item.external_id, p.code, p.detail)
                    for p in checked
                ]
                continue
            if report.rejected and not dry_run:
                continue  # nothing will be stored: checking the rest is enough
            stored, created, changes = apply(db, known, checked, data, household, item.external_id)
            if created:
                report.created += 1
            elif changes:
                report.updated += 1
            else:
                report.unchanged += 1
            db.add(
                AuditEvent(
                    actor_kind=actor.kind,
                    actor_id=actor.id,
                    action="household_imported",
                    object_type="household",
                    object_id=stored.id,
                    detail={**actor.detail(), "external_id": item.external_id, "changes": changes},
                )
            )
            # Written, and out of the session: a session holding every row of a large file
            # makes each further flush slower (the rows stay in the open transaction).
            db.flush()
            db.expunge_all()
        report.rejected.sort(key=lambda r: (r.line, r.code))
        if report.rejected or dry_run:
            db.rollback()
            return report
        _audit(
            db,
            actor,
            "households_import",
            None,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
        )
        db.commit()
        report.stored = True
        return report
    except BaseException:
        db.rollback()
        raise
