"""The preliminary calculation: advice to the case officer, shown with its trace.

    preliminary amount = norm
                       + reasonable costs outside the norm (as accepted, within municipal limits)
                       + accepted livsföring i övrigt
                       − household income
                       (not below zero)

Norm: the personal costs of every member by age, plus the household-common costs by the number
of persons (beyond 7 persons the 6→7 difference per extra person).

Rules as implemented (``NormConfig`` holds what municipalities set differently):

* Adults: a couple (spouses/sambor, ``Member.partner`` both ways) gets the couple amount; every
  other adult the single-adult amount.
* Non-sambo rule: when the home is shared with persons outside the applying household
  (``Case.others_in_home``), the household gets the common costs for everyone in the home
  divided by the persons in the home, times its own persons. For one adult sharing with one
  other: single-adult amount + common(2) / 2.
* Children living part-time in the home: the personal amount × days / 30 (``days_divisor``),
  rounded half up to ``prorata_rounding_ore``; they count as persons of the household from
  ``child_common_min_days`` days (default 1: a child living alternately counts in both homes).
* Visiting children (umgängesbarn): the personal amount × ``visiting_child_percent`` × visiting
  days / 30; not counted as persons unless ``visiting_children_in_common``.
* The age group follows the age on the first day of the month (``age_at``).
* Children aged 0–20 use the child groups; a member of 21 or more must be given as an adult.
* Rent is limited by the ceiling for the household's size (persons of the household, not the
  others in the home); other costs by their flat limits; the officer may accept more.
* Income: every income of the household counts at its net amount, tax-free benefits
  (bostadsbidrag, barnbidrag with flerbarnstillägg, underhållsstöd) too, since the law counts all
  the household's own means and exempts none of them. Children's own earnings (salary of a
  member of kind ``child``) are left out; a visiting child's income is not the household's.
* Jobbstimulans per person (see ``jobbstimulans.py``): 25 % of net salary is left out, rounded
  half up to the öre.

The calculation refuses (``NormError``) a month whose year has no table: never a guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from intake.norm.case import (
    EMPLOYMENT_INCOME,
    TAX_FREE_INCOME,
    Case,
    Cost,
    Member,
    MemberKind,
    check_case,
)
from intake.norm.config import NormConfig
from intake.norm.jobbstimulans import jobbstimulans_status
from intake.norm.months import BadMonth, age_on, first_day, last_day, month_index
from intake.norm.table import NormTable
from intake.norm.trace import Calculation, Line, NormError, ParamValue

Params = dict[str, ParamValue]

TableSource = Mapping[int, NormTable] | Callable[[int], NormTable | None]

# Age (completed years) → the table's personal key.
_CHILD_GROUPS = (
    (0, 0, "child_0"),
    (1, 2, "child_1_2"),
    (3, 3, "child_3"),
    (4, 6, "child_4_6"),
    (7, 10, "child_7_10"),
    (11, 14, "child_11_14"),
    (15, 18, "child_15_18"),
    (19, 20, "child_19_20"),
)


def child_group(age: int) -> str | None:
    for low, high, key in _CHILD_GROUPS:
        if low <= age <= high:
            return key
    return None


def round_half_up(value: Decimal, step: int = 1) -> int:
    return int((value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * step


def prorate(amount_ore: int, days: int, divisor: int, step: int, percent: int = 100) -> int:
    return round_half_up(Decimal(amount_ore) * percent * days / (100 * divisor), step)


def find_table(tables: TableSource, month: str) -> NormTable:
    """The table for the month's year, or ``NormError("norm.no_table_for_year")``."""
    try:
        year = month_index(month) // 12
    except BadMonth as exc:
        raise NormError("norm.bad_month", month=month) from exc
    table = tables.get(year) if isinstance(tables, Mapping) else tables(year)
    if table is None:
        raise NormError("norm.no_table_for_year", year=year, month=month)
    if table.year != year:
        raise NormError("norm.table_year_mismatch", year=year, table_year=table.year)
    return table


def calculate(case: Case, tables: TableSource, config: NormConfig | None = None) -> Calculation:
    """The preliminary amount for ``case`` with its trace. ``tables`` gives the table of a year
    (a mapping or a function, e.g. one that reads the database)."""
    config = config or NormConfig()
    table = find_table(tables, case.month)
    members = check_case(case)
    lines, warnings = _table_lines(table)

    norm_lines, persons, used_keys = _personal_lines(case, members, table, config)
    norm_lines.append(_common_line(table, persons, case.others_in_home, config, used_keys))
    for key in dict.fromkeys(used_keys):
        if key in table.notes:
            warnings.append("norm.table_note")
            lines.append(info("table", "table.note", "norm.table", key=key, note=table.notes[key]))
    norm = _section(lines, norm_lines, "norm", "total.norm", "norm.table")

    cost_lines = [_cost_line(cost, persons, config) for cost in case.costs]
    costs = _section(lines, cost_lines, "costs", "total.costs", "costs.outside_norm")
    livsforing_lines = [
        Line("livsforing", f"livsforing.{cost.kind}", cost.amount_ore, "livsforing")
        for cost in case.livsforing
    ]
    livsforing = _section(lines, livsforing_lines, "livsforing", "total.livsforing", "livsforing")
    income_lines = _income_lines(case, members, config)
    income = -_section(lines, income_lines, "income", "total.income", "income.counted")

    need = norm + costs + livsforing - income
    amount = max(need, 0)
    lines.append(Line("result", "result.need", need, "result", kind="total"))
    result_params: Params = {
        "income_exceeds_need": need <= 0 and income > 0,
        "surplus_ore": max(-need, 0),
        "demo": table.demo,
    }
    lines.append(Line("result", "result.amount", amount, "result", result_params, "total"))
    return Calculation(
        month=case.month,
        table_year=table.year,
        table_title=table.title,
        table_source=table.source.name,
        is_demo=table.demo,
        norm_ore=norm,
        costs_ore=costs,
        livsforing_ore=livsforing,
        income_ore=income,
        need_ore=need,
        amount_ore=amount,
        lines=tuple(lines),
        warnings=tuple(dict.fromkeys(warnings)),
    )


def info(section: str, code: str, rule: str, **params: ParamValue) -> Line:
    return Line(section, code, 0, rule, params, "info")


def _section(lines: list[Line], items: list[Line], section: str, code: str, rule: str) -> int:
    """Add ``items`` and their total line to ``lines``; return the total."""
    total = sum(line.amount_ore for line in items)
    lines += items
    lines.append(Line(section, code, total, rule, kind="total"))
    return total


def _table_lines(table: NormTable) -> tuple[list[Line], list[str]]:
    """Which table is used; a demo table and a derived table say so."""
    lines = [
        info(
            "table",
            "table.used",
            "norm.table",
            year=table.year,
            title=table.title,
            source=table.source.name,
            demo=table.demo,
        )
    ]
    warnings = []
    if table.demo:
        warnings.append("norm.demo_table")
        lines.append(info("table", "table.demo", "norm.table", year=table.year))
    if table.derived is not None:
        warnings.append("norm.derived_table")
        lines.append(
            info(
                "table",
                "table.derived",
                "norm.table",
                year=table.year,
                from_year=table.derived.from_year,
                percent=str(table.derived.percent),
                rounding=table.derived.rounding,
                source=table.derived.source,
            )
        )
    return lines, warnings


def _personal_lines(
    case: Case, members: Mapping[str, Member], table: NormTable, config: NormConfig
) -> tuple[list[Line], int, list[str]]:
    """The personal costs of every member; the persons the household counts; the table keys
    used (for their notes)."""
    lines: list[Line] = []
    used: list[str] = []
    persons = 0
    paired: set[str] = set()
    for member in members.values():
        if member.kind is not MemberKind.adult:
            continue
        persons += 1
        if member.partner is None:
            used.append("personal.adult_alone")
            amount = table.personal("adult_alone")
            params: Params = {"member": member.key}
            lines.append(Line("norm", "norm.personal.adult_alone", amount, "norm.personal", params))
        elif member.key not in paired:
            paired |= {member.key, member.partner}
            used.append("personal.adult_couple")
            amount = table.personal("adult_couple")
            params = {"members": [member.key, member.partner]}
            lines.append(
                Line("norm", "norm.personal.adult_couple", amount, "norm.personal", params)
            )
    day = first_day(case.month) if config.age_at == "month_start" else last_day(case.month)
    for member in members.values():
        if member.kind is not MemberKind.adult:
            line, counts, key = _child_line(member, case.month, day, table, config)
            lines.append(line)
            used.append(key)
            persons += counts
    return lines, persons, used


def _child_line(
    member: Member, month: str, day: dt.date, table: NormTable, config: NormConfig
) -> tuple[Line, int, str]:
    """A child's personal amount, whether the child counts as a person of the household (0/1),
    and the table key used."""
    if member.birth_date > last_day(month):
        raise NormError("input.born_after_month", member=member.key)
    age = max(age_on(member.birth_date, day), 0)  # 0 when born during the month
    group = child_group(age)
    if group is None:
        raise NormError("input.child_age_out_of_range", member=member.key, age=age)
    full, key = table.personal(group), f"personal.{group}"
    params: Params = {"member": member.key, "age": age, "age_group": group}
    if member.lunch_outside_home:
        in_table = group in table.without_lunch_ore
        params |= {"lunch_outside_home": True, "without_lunch_amount_in_table": in_table}
        if in_table:
            full, key = table.without_lunch_ore[group], f"personal_without_lunch.{group}"
    params["full_amount_ore"] = full
    divisor, step = config.days_divisor, config.prorata_rounding_ore
    if member.kind is MemberKind.visiting_child:
        days = min(member.days or 0, divisor)
        percent = config.visiting_child_percent
        amount = prorate(full, days, divisor, step, percent)
        params |= {"days": days, "days_divisor": divisor, "percent": percent}
        counts = int(config.visiting_children_in_common and days > 0)
        code, rule = "norm.personal.visiting_child", "norm.visiting_child"
        return Line("norm", code, amount, rule, params), counts, key
    if member.days is None or member.days >= divisor:
        return Line("norm", "norm.personal.child", full, "norm.personal", params), 1, key
    amount = prorate(full, member.days, divisor, step)
    params |= {"days": member.days, "days_divisor": divisor}
    counts = int(member.days >= max(config.child_common_min_days, 1))  # 0 days: not at home
    code, rule = "norm.personal.child_part_time", "norm.part_time_child"
    return Line("norm", code, amount, rule, params), counts, key


def _common_line(
    table: NormTable, persons: int, others: int, config: NormConfig, used: list[str]
) -> Line:
    """Household-common costs by persons in the home; the household's share when it shares the
    home with others (the non-sambo rule)."""
    in_home = persons + others
    full = table.common(in_home)
    used.append(f"common.{min(in_home, 7)}")
    params: Params = {"persons": in_home}
    if in_home > 7:
        used.append("common.6")
        step = table.common(7) - table.common(6)
        params |= {
            "extra_persons": in_home - 7,
            "step_ore": step,
            "amount_for_7_ore": table.common(7),
        }
    if not others:
        return Line("norm", "norm.common", full, "norm.common", params)
    share = round_half_up(Decimal(full) * persons / in_home, config.prorata_rounding_ore)
    params |= {"household_persons": persons, "others_in_home": others, "full_amount_ore": full}
    return Line("norm", "norm.common.shared", share, "norm.non_sambo", params)


def _cost_line(cost: Cost, persons: int, config: NormConfig) -> Line:
    """A cost outside the norm as accepted, within the municipality's limit for it unless the
    officer accepted more."""
    params: Params = {"accepted_ore": cost.amount_ore}
    if cost.kind == "rent":
        limit = config.rent_ceiling(persons)
        params["household_persons"] = persons
    else:
        limit = config.cost_ceiling_ore.get(cost.kind)
    amount, rule = cost.amount_ore, "costs.outside_norm"
    if limit is not None:
        above = cost.amount_ore > limit
        params |= {
            "limit_ore": limit,
            "above_limit": above,
            "limit_waived": above and cost.above_limit_accepted,
        }
        if above and not cost.above_limit_accepted:
            amount, rule = limit, "costs.limit"
    return Line("costs", f"cost.{cost.kind}", amount, rule, params)


def _income_lines(case: Case, members: Mapping[str, Member], config: NormConfig) -> list[Line]:
    """Counted incomes (negative), what is left out and why, and jobbstimulans per person."""
    lines: list[Line] = []
    salary: dict[str, int] = {}
    for income in case.incomes:
        member = members[income.member]
        excluded: Params = {
            "member": member.key,
            "income_kind": income.kind,
            "excluded_ore": income.amount_ore,
        }
        if member.kind is MemberKind.visiting_child:
            lines.append(
                info("income", "income.visiting_child_excluded", "income.counted", **excluded)
            )
        elif member.kind is MemberKind.child and income.kind in EMPLOYMENT_INCOME:
            code, rule = "income.child_earnings_excluded", "income.children_earnings"
            lines.append(info("income", code, rule, **excluded))
        else:
            params: Params = {"member": member.key, "tax_free": income.kind in TAX_FREE_INCOME}
            amount = -income.amount_ore
            lines.append(Line("income", f"income.{income.kind}", amount, "income.counted", params))
            if income.kind in EMPLOYMENT_INCOME:
                salary[member.key] = salary.get(member.key, 0) + income.amount_ore
    rules = config.jobbstimulans
    for key, earned in salary.items():
        if earned <= 0:
            continue
        history = case.histories.get(key, ())
        status = jobbstimulans_status(history, case.month, employment_income=True, rules=rules)
        params = {
            "member": key,
            "employment_income_ore": earned,
            "percent": rules.percent,
            "consecutive_support_months": status.consecutive_support_months,
            "qualifying_months": status.qualifying_months,
            "period_start": status.period_start,
            "period_end": status.period_end,
        }
        if status.applies:
            left_out = round_half_up(Decimal(earned) * rules.percent / 100)
            params |= {
                "month_in_period": status.month_in_period,
                "window_months": rules.window_months,
            }
            lines.append(Line("income", "income.jobbstimulans", left_out, "jobbstimulans", params))
        else:
            code = f"income.jobbstimulans_{status.code}"
            lines.append(Line("income", code, 0, "jobbstimulans", params, "info"))
    return lines
