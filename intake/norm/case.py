"""What the calculation is given: the household for one month, as the officer accepted it.

Keys (``Member.key``) are whatever the caller uses to name people (e.g. a person id as text);
the trace refers to people by these keys, and the web side turns them into names.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from intake.flow import INCOME_TYPES
from intake.norm.config import COST_KINDS, LIVSFORING_KINDS
from intake.norm.months import BadMonth, month_index
from intake.norm.trace import NormError

# The income types of the application flow; net amounts a month.
INCOME_KINDS = INCOME_TYPES
EMPLOYMENT_INCOME = frozenset({"salary"})  # inkomst av anställning (jobbstimulans, children)
# Tax-free benefits (forsakringskassan.se): counted as income like any other (see calculate.py).
TAX_FREE_INCOME = frozenset({"housing_allowance", "child_allowance", "maintenance_support"})


class MemberKind(enum.StrEnum):
    adult = "adult"  # applicant, co-applicant or another adult in the applying household
    child = "child"  # a child living in the home, full or part time (0–20 years)
    visiting_child = "visiting_child"  # umgängesbarn: lives elsewhere, visits some days


@dataclass(frozen=True)
class Member:
    key: str
    kind: MemberKind
    birth_date: dt.date
    # Children: days a month the child lives in this home (None = the whole month).
    # Visiting children: days of the visit this month (required).
    days: int | None = None
    # Adults: the key of this adult's spouse or sambo in the same household (both ways).
    partner: str | None = None
    # Children: the household gives no lunch 5 days a week (the child eats at preschool); the
    # table's "without lunch" amount is used when the table publishes one.
    lunch_outside_home: bool = False


@dataclass(frozen=True)
class Income:
    member: str
    kind: str  # one of INCOME_KINDS
    amount_ore: int  # net, for the month


@dataclass(frozen=True)
class Cost:
    kind: str  # COST_KINDS (outside the norm) or LIVSFORING_KINDS (livsföring i övrigt)
    amount_ore: int  # as accepted by the officer, for the month
    # The officer accepts more than the municipal limit (e.g. a rent above the ceiling for a
    # reason of their own); the limit is then shown but not applied.
    above_limit_accepted: bool = False


@dataclass(frozen=True)
class PersonMonth:
    """One month of a person's history, for jobbstimulans."""

    month: str  # YYYY-MM
    on_support: bool  # received försörjningsstöd (ekonomiskt bistånd) that month
    employment_income_ore: int = 0  # net income from employment that month


@dataclass(frozen=True)
class Case:
    month: str  # YYYY-MM applied for
    members: tuple[Member, ...]
    # Persons who share the home but are not part of the applying household (an adult who is not
    # a sambo, a lodger, a grown-up child with an economy of their own): the non-sambo rule.
    others_in_home: int = 0
    incomes: tuple[Income, ...] = ()
    costs: tuple[Cost, ...] = ()  # reasonable costs outside the norm, as accepted
    livsforing: tuple[Cost, ...] = ()  # accepted livsföring i övrigt
    histories: Mapping[str, tuple[PersonMonth, ...]] = field(default_factory=dict)


def check_case(case: Case) -> dict[str, Member]:
    """The members by key, after checking the case; ``NormError`` names what is wrong."""
    try:
        month_index(case.month)
    except BadMonth as exc:
        raise NormError("norm.bad_month", month=case.month) from exc
    members: dict[str, Member] = {}
    for member in case.members:
        if member.key in members:
            raise NormError("input.duplicate_member", member=member.key)
        members[member.key] = member
        if member.kind is MemberKind.visiting_child and member.days is None:
            raise NormError("input.visiting_days_missing", member=member.key)
        if member.days is not None and not 0 <= member.days <= 31:
            raise NormError("input.bad_days", member=member.key, days=member.days)
        if member.partner is not None and member.kind is not MemberKind.adult:
            raise NormError("input.partner_not_adult", member=member.key)
    if not any(m.kind is MemberKind.adult for m in members.values()):
        raise NormError("input.no_adult")
    for member in members.values():
        if member.partner is None:
            continue
        partner = members.get(member.partner)
        if partner is None or partner.partner != member.key or partner.key == member.key:
            raise NormError("input.partner_mismatch", member=member.key, partner=member.partner)
    if case.others_in_home < 0:
        raise NormError("input.negative_others_in_home")
    for income in case.incomes:
        if income.member not in members:
            raise NormError("input.unknown_member", member=income.member)
        if income.kind not in INCOME_KINDS:
            raise NormError("input.unknown_income_kind", kind=income.kind)
        if income.amount_ore < 0:
            raise NormError("input.negative_amount", kind=income.kind)
    for cost in case.costs:
        if cost.kind not in COST_KINDS:
            raise NormError("input.unknown_cost_kind", kind=cost.kind)
        if cost.amount_ore < 0:
            raise NormError("input.negative_amount", kind=cost.kind)
    for cost in case.livsforing:
        if cost.kind not in LIVSFORING_KINDS:
            raise NormError("input.unknown_livsforing_kind", kind=cost.kind)
        if cost.amount_ore < 0:
            raise NormError("input.negative_amount", kind=cost.kind)
    for key in case.histories:
        if key not in members:
            raise NormError("input.unknown_member", member=key)
    return members
