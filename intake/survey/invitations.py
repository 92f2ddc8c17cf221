"""Who is invited to the survey, and when reminders and expiry happen. The numbers are
configuration (the web side reads them from the environment); these rules only apply them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class InvitationRules:
    sampling_rate: float = 1.0  # share of decisions that lead to an invitation
    months_between: int = 6  # at most one invitation per household in this many months
    reminder_days: int = 7  # one reminder this many days after the invitation
    expiry_days: int = 28  # the link stops working after this many days

    def __post_init__(self) -> None:
        if not 0.0 <= self.sampling_rate <= 1.0:
            raise ValueError("sampling_rate must lie between 0 and 1")
        if self.months_between < 0 or self.reminder_days < 1 or self.expiry_days < 1:
            raise ValueError("months_between >= 0, reminder_days >= 1 and expiry_days >= 1")


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def add_months(month: str, count: int) -> str:
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + (number - 1) + count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last``, both included (empty when first > last)."""
    months: list[str] = []
    month = first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def decide(
    rules: InvitationRules,
    *,
    enabled: bool,
    protected_identity: bool,
    has_open_invitation: bool,
    paused_until: str | None,
    this_month: str,
    draw: float,
) -> str:
    """Whether a decision leads to an invitation: ``invite``, or the reason it does not
    (``disabled``; ``protected``: skyddad identitet fails closed; ``open``: an invitation is still
    open; ``paused``: invited within the last months; ``not_sampled``). ``draw`` is a uniform
    random number in [0, 1)."""
    if not enabled:
        return "disabled"
    if protected_identity:
        return "protected"
    if has_open_invitation:
        return "open"
    if paused_until is not None and this_month < paused_until:
        return "paused"
    if draw >= rules.sampling_rate:
        return "not_sampled"
    return "invite"


def pause_until(rules: InvitationRules, this_month: str) -> str:
    """The first month in which the household may be invited again."""
    return add_months(this_month, rules.months_between)


def expires_at(rules: InvitationRules, created: dt.datetime) -> dt.datetime:
    return created + dt.timedelta(days=rules.expiry_days)


def reminder_due(
    rules: InvitationRules,
    *,
    created: dt.datetime,
    expires: dt.datetime,
    reminded: bool,
    now: dt.datetime,
) -> bool:
    """One reminder, ``reminder_days`` after the invitation, while the link still works."""
    return (
        not reminded and now >= created + dt.timedelta(days=rules.reminder_days) and now < expires
    )
