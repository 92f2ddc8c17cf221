"""The queue's words as codes: household types, flags and days waiting (seed 000 counts the
share waiting more than 14 days for a decision)."""

from __future__ import annotations

import datetime as dt

HOUSEHOLD_TYPES = ("single", "couple", "single_parent", "couple_with_children")
# Flags the queue can filter on:
# changed: an answer differs from last month; findings: the informatör left open findings;
# low_confidence: a document's extracted values are uncertain or could not be read;
# interpreter: the household needs an interpreter; plan: the handlingsplan is missing or its
# follow-up is overdue; over_mark: waiting longer than the mark (14 days).
FLAGS = ("changed", "findings", "low_confidence", "interpreter", "plan", "over_mark")
WAITING_MARK_DAYS = 14
LOW_CONFIDENCE = 0.8


def household_type(adults: int, children: int) -> str:
    if adults >= 2:
        return "couple_with_children" if children else "couple"
    return "single_parent" if children else "single"


def days_waiting(since: dt.datetime | None, now: dt.datetime) -> int:
    """Whole days since the application was received (0 on the first day)."""
    if since is None:
        return 0
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    return max((now - since).days, 0)
