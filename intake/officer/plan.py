"""Handlingsplan status (seed 004, Lindesberg): a plan should exist by the household's second
application and be followed up every 3 months. Numbers are configuration.

``code``:

* ``not_needed_yet``: no plan, and the household has fewer applications than needed;
* ``missing``: no plan although one is needed;
* ``up_to_date``: the next follow-up is more than ``due_soon_days`` away;
* ``due_soon``: the next follow-up is within ``due_soon_days`` (today included);
* ``overdue``: the next follow-up date has passed.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class PlanStatus:
    code: str
    established_on: dt.date | None = None
    last_follow_up: dt.date | None = None
    next_due: dt.date | None = None
    days_left: int | None = None  # negative when overdue

    @property
    def needs_attention(self) -> bool:
        return self.code in ("missing", "overdue", "due_soon")


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months; the 31st becomes the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def plan_status(
    established_on: dt.date | None,
    follow_ups: Iterable[dt.date],
    today: dt.date,
    *,
    applications: int,
    interval_months: int = 3,
    needed_from_application: int = 2,
    due_soon_days: int = 14,
) -> PlanStatus:
    if established_on is None:
        code = "missing" if applications >= needed_from_application else "not_needed_yet"
        return PlanStatus(code)
    done = [day for day in follow_ups if day >= established_on]
    last = max(done) if done else None
    next_due = add_months(last or established_on, interval_months)
    days_left = (next_due - today).days
    if days_left < 0:
        code = "overdue"
    elif days_left <= due_soon_days:
        code = "due_soon"
    else:
        code = "up_to_date"
    return PlanStatus(code, established_on, last, next_due, days_left)


def attention_cutoff(today: dt.date, interval_months: int = 3) -> dt.date:
    """A plan established or followed up before this day is overdue today (for queries)."""
    return add_months(today, -interval_months)
