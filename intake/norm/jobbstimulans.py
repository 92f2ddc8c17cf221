"""Jobbstimulans: after 6 consecutive months on försörjningsstöd, 25 % of a person's net income
from employment is left out, for 24 months (SoL 2001:453, 4 kap. 1 b §; numbers configurable).

The rule as implemented, per person, over their month history:

* A period starts in the first month (the month assessed or an earlier one) in which the person
  has employment income and the ``qualifying_months`` calendar months right before it were all
  months on försörjningsstöd. A month missing from the history counts as a month without support.
* The period lasts ``window_months`` calendar months from that first month, whether or not the
  person receives support in each of them.
* After a period has ended, a new one needs ``qualifying_months`` new months on support in a row,
  all after the end of the previous period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from intake.norm.case import PersonMonth
from intake.norm.config import JobbstimulansRules
from intake.norm.months import month_index, month_text


@dataclass(frozen=True)
class JobbstimulansStatus:
    applies: bool
    # applies / not_qualified / period_ended / no_employment_income
    code: str
    consecutive_support_months: int  # months on support in a row right before the month
    qualifying_months: int
    period_start: str | None = None  # the period that applies, or the last one that ended
    period_end: str | None = None
    month_in_period: int | None = None  # 1 … window_months when it applies


def jobbstimulans_status(
    history: Sequence[PersonMonth],
    month: str,
    *,
    employment_income: bool,
    rules: JobbstimulansRules | None = None,
) -> JobbstimulansStatus:
    """Whether jobbstimulans applies to this person in ``month``. ``history`` holds the person's
    earlier months (an entry for ``month`` itself is ignored: ``employment_income`` says whether
    the person has employment income in the month assessed)."""
    rules = rules or JobbstimulansRules()
    target = month_index(month)
    support: set[int] = set()
    earned: set[int] = set()
    for entry in history:
        index = month_index(entry.month)
        if index >= target:
            continue
        if entry.on_support:
            support.add(index)
        if entry.employment_income_ore > 0:
            earned.add(index)
    if employment_income:
        earned.add(target)

    needed = rules.qualifying_months
    last_end = -1  # month index of the end of the latest period that started
    start: int | None = None
    for index in sorted(earned):
        if index <= last_end:
            continue  # inside a running period
        before = range(index - needed, index)
        if all(m in support and m > last_end for m in before):
            start, last_end = index, index + rules.window_months - 1

    consecutive = 0
    while (target - consecutive - 1) in support:
        consecutive += 1

    def status(code: str, month_in_period: int | None = None) -> JobbstimulansStatus:
        return JobbstimulansStatus(
            applies=code == "applies",
            code=code,
            consecutive_support_months=consecutive,
            qualifying_months=needed,
            period_start=month_text(start) if start is not None else None,
            period_end=month_text(last_end) if start is not None else None,
            month_in_period=month_in_period,
        )

    if not employment_income:
        return status("no_employment_income")
    if start is not None and start <= target <= last_end:
        return status("applies", target - start + 1)
    if start is not None:
        return status("period_ended")
    return status("not_qualified")
