"""Dates and months as Swedish documents write them, and the ``YYYY-MM`` periods made from them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    "januari": 1,
    "februari": 2,
    "mars": 3,
    "april": 4,
    "maj": 5,
    "juni": 6,
    "juli": 7,
    "augusti": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "december": 12,
}
# English month names (statements in English from Swedish banks).
ENGLISH = {
    "january": 1,
    "february": 2,
    "march": 3,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "october": 10,
}
_SHORT = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "maj": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "okt": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH_WORD = (
    "|".join(sorted({**MONTHS, **ENGLISH}, key=len, reverse=True))
    + "|"
    + "|".join(sorted(_SHORT, key=len, reverse=True))
)

_ISO = r"(?P<y>20\d{2})[-. ]?(?P<m>[01]\d)[-. ]?(?P<d>[0-3]\d)"
_DMY = r"(?P<d2>[0-3]?\d)[./](?P<m2>[01]?\d)[./](?P<y2>(?:20)?\d{2})"
_WORDS = rf"(?P<d3>[0-3]?\d)\.?\s+(?P<mw>{_MONTH_WORD})\.?\s+(?P<y3>20\d{{2}})"
# Never a date inside a personnummer ("20010312-1234"), an OCR or an account number.
DATE = re.compile(rf"(?<!\d)(?:{_ISO}|{_DMY}|{_WORDS})(?!\d|-\d{{4}}(?![\d-]))", re.IGNORECASE)

# A month without a day: "oktober 2026", "okt 2026", "2026-10", "202610", "10/2026".
MONTH = re.compile(
    rf"""(?<![\w-])(?:
        (?P<mw>{_MONTH_WORD})\.?\s+(?P<y>20\d{{2}})
      | (?P<y2>20\d{{2}})\s?-\s?(?P<m2>[01]\d)(?![\d-])
      | (?P<y3>20\d{{2}})(?P<m3>[01]\d)(?!\d)
      | (?P<m4>[01]?\d)/(?P<y4>20\d{{2}})
    )(?![\w])""",
    re.IGNORECASE | re.VERBOSE,
)
# "1–31 oktober 2026"
DAY_RANGE = re.compile(
    rf"(?<!\d)(?P<d1>[0-3]?\d)\s?-\s?(?P<d2>[0-3]?\d)\s+(?P<mw>{_MONTH_WORD})\.?\s+(?P<y>20\d{{2}})",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    date: dt.date | None = None  # a full date
    month: str | None = None  # YYYY-MM when only a month is written


def _month_number(word: str) -> int | None:
    word = word.lower().rstrip(".")
    return MONTHS.get(word) or ENGLISH.get(word) or _SHORT.get(word)


def find_dates(text: str) -> list[Found]:
    found = []
    for match in DATE.finditer(text):
        try:
            if match["y"]:
                date = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
            elif match["y2"]:
                year = int(match["y2"])
                date = dt.date(
                    year + 2000 if year < 100 else year, int(match["m2"]), int(match["d2"])
                )
            else:
                month = _month_number(match["mw"])
                if month is None:
                    continue
                date = dt.date(int(match["y3"]), month, int(match["d3"]))
        except ValueError:
            continue
        found.append(Found(match.start(), match.end(), date=date))
    return found


def find_months(text: str) -> list[Found]:
    """Months written without a day (dates are skipped)."""
    taken = [(f.start, f.end) for f in find_dates(text)]
    found = []
    for match in DAY_RANGE.finditer(text):
        month = _month_number(match["mw"])
        if month:
            found.append(Found(match.start(), match.end(), month=f"{match['y']}-{month:02d}"))
            taken.append((match.start(), match.end()))
    for match in MONTH.finditer(text):
        if any(s <= match.start() < e or s < match.end() <= e for s, e in taken):
            continue
        if match["mw"]:
            month = _month_number(match["mw"])
            year = match["y"]
        elif match["y2"]:
            month, year = int(match["m2"]), match["y2"]
        elif match["y3"]:
            month, year = int(match["m3"]), match["y3"]
        else:
            month, year = int(match["m4"]), match["y4"]
        if month and 1 <= month <= 12:
            found.append(Found(match.start(), match.end(), month=f"{year}-{month:02d}"))
    return sorted(found, key=lambda f: f.start)


def month_of(date: dt.date) -> str:
    return f"{date.year}-{date.month:02d}"


def add_months(month: str, count: int) -> str:
    year, number = int(month[:4]), int(month[5:7])
    index = year * 12 + number - 1 + count
    return f"{index // 12}-{index % 12 + 1:02d}"


def month_of_range(start: dt.date, end: dt.date) -> str:
    """The month a period mostly falls in (the end's month when the days are split evenly)."""
    if end < start:
        start, end = end, start
    middle = start + (end - start) / 2
    if (end - start).days % 2 == 1:
        middle += dt.timedelta(days=1)
    return month_of(middle)
