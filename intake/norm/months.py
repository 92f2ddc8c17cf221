"""Months as ``YYYY-MM`` text and as consecutive integers (year * 12 + month - 1)."""

from __future__ import annotations

import datetime as dt
import re

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class BadMonth(ValueError):
    code = "bad_month"


def month_index(month: str) -> int:
    match = _MONTH.match(month or "")
    if not match:
        raise BadMonth(month)
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def first_day(month: str) -> dt.date:
    index = month_index(month)
    return dt.date(index // 12, index % 12 + 1, 1)


def last_day(month: str) -> dt.date:
    index = month_index(month) + 1
    return dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)


def age_on(birth: dt.date, day: dt.date) -> int:
    """Completed years on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
