"""From an application's answers (``intake.flow``) to the calculation's ``Case`` (``intake.norm``).

The answers are what the household applied for; the ``Acceptance`` is what the case officer
accepted. Without an acceptance for a kind:

* a reasonable cost outside the norm (rent, household electricity, home insurance, travel to
  work, union and unemployment-fund fees) counts **as applied for** (status ``as_applied``), so
  that the preliminary amount shows the household's claim until the officer has looked;
* a livsföring cost (dental care, glasses, ...) is **not counted** (status ``not_assessed``):
  occasional costs need the officer's assessment before they are part of any amount.

People are keyed by their person id as text. The applicant and the co-applicant are spouses or
sambor (the flow's co-applicant is by definition the partner). A "child" who is 21 or older on
the first day of the month is not part of the applying household: they count as another person
in the home (the non-sambo rule), with the note ``adult_child_in_home``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from intake.norm import (
    COST_KINDS,
    INCOME_KINDS,
    LIVSFORING_KINDS,
    Case,
    Cost,
    Income,
    Member,
    MemberKind,
    PersonMonth,
)
from intake.norm.months import age_on, first_day

ADULT_ROLES = ("applicant", "co_applicant")
# Answer keys that hold a single cost outside the norm, in öre.
SINGLE_COST_ANSWERS = ("rent", "household_electricity", "home_insurance")
# Housing types for which the flow asks for a rent (intake.flow._rents).
RENTED = ("rental", "sublet", "lodger", "owned")


@dataclass(frozen=True)
class Person:
    """A member of the household as the converter needs it."""

    id: int
    role: str  # applicant / co_applicant / child / visiting_child
    birth_date: dt.date
    days_at_home: int | None = None  # as registered; this month's answer wins


@dataclass(frozen=True)
class Acceptance:
    """What the officer accepted; kinds not named keep the default (see the module text)."""

    costs: Mapping[str, int] = field(default_factory=dict)  # cost kind -> öre a month
    livsforing: Mapping[str, int] = field(default_factory=dict)  # livsföring kind -> öre
    above_limit: frozenset[str] = frozenset()  # cost kinds accepted above the municipal limit
    others_in_home: int = 0  # persons sharing the home outside the household
    lunch_outside_home: frozenset[int] = frozenset()  # children without lunch at home 5 d/w

    def to_data(self) -> dict[str, Any]:
        """Plain JSON data, as stored (``assessment.accepted``)."""
        return {
            "costs": dict(self.costs),
            "livsforing": dict(self.livsforing),
            "above_limit": sorted(self.above_limit),
            "others_in_home": self.others_in_home,
            "lunch_outside_home": sorted(self.lunch_outside_home),
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | None) -> Acceptance:
        """Read stored data; anything malformed is left out rather than guessed."""
        data = data or {}

        def amounts(value: Any, kinds: tuple[str, ...]) -> dict[str, int]:
            if not isinstance(value, Mapping):
                return {}
            return {
                kind: ore
                for kind, ore in value.items()
                if kind in kinds and isinstance(ore, int) and not isinstance(ore, bool) and ore >= 0
            }

        others = data.get("others_in_home", 0)
        return cls(
            costs=amounts(data.get("costs"), COST_KINDS),
            livsforing=amounts(data.get("livsforing"), LIVSFORING_KINDS),
            above_limit=frozenset(k for k in data.get("above_limit", []) if k in COST_KINDS),
            others_in_home=others if isinstance(others, int) and 0 <= others <= 20 else 0,
            lunch_outside_home=frozenset(
                i for i in data.get("lunch_outside_home", []) if isinstance(i, int)
            ),
        )


@dataclass(frozen=True)
class CostItem:
    """One cost as applied for and as counted. ``status``: ``as_applied`` (no decision yet,
    counted as applied), ``not_assessed`` (livsföring not yet assessed: not counted),
    ``accepted`` (accepted as applied), ``changed`` (accepted at another amount) or
    ``not_accepted`` (accepted at zero)."""

    group: str  # costs / livsforing
    kind: str
    applied_ore: int | None
    counted_ore: int
    status: str
    above_limit_accepted: bool = False


@dataclass(frozen=True)
class Conversion:
    case: Case
    items: tuple[CostItem, ...]
    notes: tuple[tuple[str, int | None], ...] = ()  # (code, person id or None)


def _ore(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _amounts(answer: Any) -> dict[str, int]:
    if not isinstance(answer, Mapping):
        return {}
    amounts = answer.get("amounts")
    if not isinstance(amounts, Mapping):
        return {}
    return {str(kind): _ore(ore) for kind, ore in amounts.items() if _ore(ore)}


def applied_costs(answers: Mapping[str, Any]) -> dict[str, int]:
    """Costs outside the norm the household applied for, by kind (öre a month)."""
    costs: dict[str, int] = {}
    if answers.get("housing_type") in RENTED and _ore(answers.get("rent")):
        costs["rent"] = _ore(answers.get("rent"))
    for key in SINGLE_COST_ANSWERS[1:]:
        if _ore(answers.get(key)):
            costs[key] = _ore(answers.get(key))
    for kind, ore in _amounts(answers.get("costs")).items():
        if kind in COST_KINDS:
            costs[kind] = ore
    return costs


def applied_livsforing(answers: Mapping[str, Any]) -> dict[str, int]:
    return {k: v for k, v in _amounts(answers.get("livsforing")).items() if k in LIVSFORING_KINDS}


def _cost_items(
    group: str,
    kinds: tuple[str, ...],
    applied: Mapping[str, int],
    accepted: Mapping[str, int],
    above_limit: frozenset[str],
    default_counts: bool,
) -> list[CostItem]:
    items = []
    for kind in kinds:
        if kind not in applied and kind not in accepted:
            continue
        asked = applied.get(kind)
        if kind in accepted:
            counted = accepted[kind]
            if counted == 0:
                status = "not_accepted"
            else:
                status = "accepted" if counted == asked else "changed"
        elif default_counts:
            counted, status = asked or 0, "as_applied"
        else:
            counted, status = 0, "not_assessed"
        items.append(CostItem(group, kind, asked, counted, status, kind in above_limit))
    return items


def case_from_answers(
    month: str,
    people: Sequence[Person],
    answers: Mapping[str, Any],
    acceptance: Acceptance | None = None,
    histories: Mapping[int, Sequence[PersonMonth]] | None = None,
) -> Conversion:
    """The calculation's case for ``month`` from the household and its answers."""
    acceptance = acceptance or Acceptance()
    histories = histories or {}
    notes: list[tuple[str, int | None]] = []
    start = first_day(month)
    adults = [p for p in people if p.role in ADULT_ROLES]
    applicant = next((p for p in adults if p.role == "applicant"), None)
    partner = next((p for p in adults if p.role == "co_applicant"), None)
    couple = applicant is not None and partner is not None
    members: list[Member] = []
    for person in adults:
        partner_key = None
        if couple and applicant is not None and partner is not None:
            partner_key = str(partner.id if person is applicant else applicant.id)
        members.append(
            Member(str(person.id), MemberKind.adult, person.birth_date, None, partner_key)
        )

    days_answer = answers.get("children_days")
    days_answer = days_answer if isinstance(days_answer, Mapping) else {}
    others = acceptance.others_in_home
    for person in people:
        if person.role not in ("child", "visiting_child"):
            continue
        visiting = person.role == "visiting_child"
        if age_on(person.birth_date, start) > 20:
            if not visiting:
                others += 1
            notes.append(("adult_child_in_home" if not visiting else "adult_visitor", person.id))
            continue
        days = days_answer.get(str(person.id), person.days_at_home)
        if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 31:
            days = None
        if visiting and days is None:
            notes.append(("visiting_days_missing", person.id))
            days = 0
        members.append(
            Member(
                str(person.id),
                MemberKind.visiting_child if visiting else MemberKind.child,
                person.birth_date,
                days=days,
                lunch_outside_home=person.id in acceptance.lunch_outside_home,
            )
        )

    incomes: list[Income] = []
    for person in adults:
        for kind, ore in _amounts(answers.get(f"incomes:{person.id}")).items():
            if kind in INCOME_KINDS:
                incomes.append(Income(str(person.id), kind, ore))
            else:
                notes.append((f"unknown_income:{kind}", person.id))

    cost_items = _cost_items(
        "costs",
        COST_KINDS,
        applied_costs(answers),
        acceptance.costs,
        acceptance.above_limit,
        default_counts=True,
    )
    livsforing_items = _cost_items(
        "livsforing",
        LIVSFORING_KINDS,
        applied_livsforing(answers),
        acceptance.livsforing,
        frozenset(),
        default_counts=False,
    )
    case = Case(
        month=month,
        members=tuple(members),
        others_in_home=others,
        incomes=tuple(incomes),
        costs=tuple(
            Cost(item.kind, item.counted_ore, item.above_limit_accepted)
            for item in cost_items
            if item.counted_ore > 0
        ),
        livsforing=tuple(
            Cost(item.kind, item.counted_ore) for item in livsforing_items if item.counted_ore > 0
        ),
        histories={
            str(person.id): tuple(histories[person.id])
            for person in adults
            if person.id in histories
        },
    )
    return Conversion(case, tuple(cost_items + livsforing_items), tuple(notes))


def employment_income(answers: Mapping[str, Any], person_id: int) -> int:
    """A person's net salary in an application (öre), for the jobbstimulans history."""
    return _amounts(answers.get(f"incomes:{person_id}")).get("salary", 0)
