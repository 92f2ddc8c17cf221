"""The officer's decision: granted (bifall), refused (avslag) or partly (delvis), with an amount,
a reason and a försörjningshinder for every adult of the household (seed 001: registered at
every decision). ``check`` returns problems as (field, code); the web side puts them into words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

OUTCOMES = ("granted", "partly", "refused")
# Försörjningshinder (DOMAIN.md): Arbetslös · Sjukskriven · Sjuk- eller aktivitetsersättning ·
# Arbetshinder sociala skäl · Föräldraledig · Arbetar (otillräcklig inkomst) · Språkhinder ·
# Utan försörjningshinder · Annat.
SUPPORT_OBSTACLES = (
    "unemployed",
    "sick_leave",
    "sickness_or_activity_compensation",
    "social_reasons",
    "parental_leave",
    "working_insufficient_income",
    "language_barrier",
    "no_obstacle",
    "other",
)
MAX_REASON = 4000
# A decision on support given: these outcomes count as a month on försörjningsstöd.
ON_SUPPORT = frozenset({"granted", "partly"})


@dataclass(frozen=True)
class Draft:
    outcome: str
    amount_ore: int | None  # None when no amount was given
    reason: str = ""
    obstacles: Mapping[int, str] = field(default_factory=dict)  # adult person id -> code


@dataclass(frozen=True)
class Problem:
    field: str
    code: str


def check(draft: Draft, adults: Sequence[int]) -> list[Problem]:
    """What is wrong with the draft; an empty list means it can be recorded.

    * granted and partly need an amount above zero; refused has no amount (or zero);
    * refused and partly need a reason (what is refused must be motivated);
    * every adult of the household gets a försörjningshinder.
    """
    problems: list[Problem] = []
    if draft.outcome not in OUTCOMES:
        problems.append(Problem("outcome", "choose_one"))
    elif draft.outcome in ("granted", "partly"):
        if draft.amount_ore is None or draft.amount_ore <= 0:
            problems.append(Problem("amount", "amount_positive"))
    elif draft.amount_ore:
        problems.append(Problem("amount", "amount_must_be_zero"))
    if draft.outcome in ("refused", "partly") and not draft.reason.strip():
        problems.append(Problem("reason", "reason_required"))
    if len(draft.reason) > MAX_REASON:
        problems.append(Problem("reason", "text_too_long"))
    for person in adults:
        if draft.obstacles.get(person) not in SUPPORT_OBSTACLES:
            problems.append(Problem(f"obstacle_{person}", "choose_one"))
    return problems


def suggest_obstacle(activities: Iterable[str], incomes: Mapping[str, Any]) -> str | None:
    """A försörjningshinder the answers point to, offered as the form's first choice (the officer
    decides). ``activities`` are the person's ``activity:<id>`` answer, ``incomes`` the amounts
    of their ``incomes:<id>`` answer."""
    chosen = set(activities)
    if "sickness_compensation" in incomes:
        return "sickness_or_activity_compensation"
    if "sick_leave" in chosen:
        return "sick_leave"
    if "parental_leave" in chosen:
        return "parental_leave"
    if "working" in chosen or "salary" in incomes:
        return "working_insufficient_income"
    if "job_seeking" in chosen or "plan_activity" in chosen:
        return "unemployed"
    return None
