"""Random but plausible Swedish names, places, numbers, dates and amount formats."""

from __future__ import annotations

import calendar
import datetime as dt
import random
from dataclasses import dataclass

from intake.personnummer import luhn_check_digit as luhn_digit

GIVEN = [
    "Anna",
    "Erik",
    "Maria",
    "Johan",
    "Fatima",
    "Ahmed",
    "Sara",
    "Mikael",
    "Aino",
    "Yonas",
    "Olena",
    "Hodan",
    "Lars",
    "Karin",
    "Reza",
    "Maryam",
    "Emma",
    "Oskar",
    "Leila",
    "Nils",
]
FAMILY = [
    "Lindqvist",
    "Andersson",
    "Al-Hassan",
    "Berg",
    "Virtanen",
    "Farah",
    "Tesfay",
    "Kovalenko",
    "Ahmadi",
    "Johansson",
    "Nilsson",
    "Karlsson",
    "Öberg",
    "Åström",
    "Ekström",
    "Hussein",
]
STREETS = [
    "Storgatan",
    "Kungsgatan",
    "Björkvägen",
    "Tallstigen",
    "Skolgatan",
    "Åsvägen",
    "Ringvägen",
    "Järnvägsgatan",
    "Parkgatan",
    "Hagvägen",
    "Sjöbacken",
    "Ängsvägen",
]
TOWNS = [
    ("Vänersborg", "462"),
    ("Lindesberg", "711"),
    ("Trelleborg", "231"),
    ("Sundsvall", "852"),
    ("Sävsjö", "576"),
    ("Gagnef", "785"),
    ("Botkyrka", "147"),
    ("Ängelholm", "262"),
    ("Borås", "503"),
    ("Mölndal", "431"),
    ("Örebro", "702"),
    ("Umeå", "903"),
]
MONTH_NAMES = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]
MONTH_SHORT = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


@dataclass
class Person:
    name: str
    street: str
    postcode: str
    town: str

    @property
    def address(self) -> list[str]:
        return [self.name, self.street, f"{self.postcode} {self.town}"]


def person(rng: random.Random) -> Person:
    town, prefix = rng.choice(TOWNS)
    return Person(
        f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
        f"{rng.choice(STREETS)} {rng.randint(1, 60)}{rng.choice(['', '', 'A', 'B'])}",
        f"{prefix} {rng.randint(10, 99)}",
        town,
    )


def org_number(rng: random.Random) -> str:
    body = f"55{rng.randint(0, 9)}{rng.randint(100, 999)}{rng.randint(100, 999)}"
    return f"{body[:6]}-{body[6:]}{luhn_digit(body)}"


def bankgiro(rng: random.Random) -> str:
    body = str(rng.randint(100000, 9999999))
    digits = body + luhn_digit(body)
    return f"{digits[:-4]}-{digits[-4:]}"


def ocr_number(rng: random.Random) -> str:
    body = str(rng.randint(10**8, 10**14))
    return body + luhn_digit(body)


def last_weekday(year: int, month: int) -> dt.date:
    day = dt.date(year, month, calendar.monthrange(year, month)[1])
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def weekday_on_or_before(date: dt.date) -> dt.date:
    while date.weekday() >= 5:
        date -= dt.timedelta(days=1)
    return date


def month_start(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:]), 1)


def month_end(month: str) -> dt.date:
    year, number = int(month[:4]), int(month[5:])
    return dt.date(year, number, calendar.monthrange(year, number)[1])


def shift(month: str, count: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:]) - 1 + count
    return f"{index // 12}-{index % 12 + 1:02d}"


def random_month(rng: random.Random) -> str:
    return f"{rng.choice([2025, 2026, 2026, 2027])}-{rng.randint(1, 12):02d}"


@dataclass
class Money:
    """How one document writes its amounts: grouping, decimals, currency and minus sign."""

    group: str  # " ", "\u00a0", "\u202f", ".", ""
    currency: str  # "", " kr", " SEK", "SEK ", ":-"
    minus: str  # "-", "\u2212", "\u2013", "trailing"
    decimals: bool = True

    def __call__(self, ore: int, currency: bool | None = None) -> str:
        negative = ore < 0
        kronor, rest = divmod(abs(ore), 100)
        digits = f"{kronor:,}".replace(",", "\x00").replace("\x00", self.group)
        use_currency = self.currency if currency is None else (self.currency if currency else "")
        if use_currency == ":-" and rest == 0:
            text = f"{digits}:-"
        elif self.decimals or rest:
            text = f"{digits},{rest:02d}"
        else:
            text = digits
        if use_currency in (" kr", " SEK"):
            text += use_currency
        elif use_currency == "SEK ":
            text = "SEK " + text
        if negative:
            text = text + "-" if self.minus == "trailing" else self.minus + text
        return text

    @property
    def whole(self) -> bool:
        """Amounts written as "7 845:-" must be whole kronor."""
        return self.currency == ":-" or not self.decimals


def money(rng: random.Random, *, whole_kronor_likely: bool = False) -> Money:
    group = rng.choice([" ", " ", "\u00a0", "\u202f", ".", ""])
    currency = rng.choice(["", "", " kr", " kr", " SEK", "SEK ", ":-"])
    minus = rng.choice(["-", "-", "\u2212", "\u2013", "trailing"])
    decimals = not (whole_kronor_likely and rng.random() < 0.5) or currency == ":-"
    if currency == ":-":
        decimals = False
    return Money(group, currency, minus, decimals)


def kronor(rng: random.Random, low: int, high: int, whole: bool) -> int:
    """A random amount in öre between ``low`` and ``high`` kronor."""
    value = rng.randint(low * 100, high * 100)
    return value - value % 100 if whole else value


def iso(date: dt.date) -> str:
    return date.isoformat()


def date_text(rng: random.Random, date: dt.date) -> str:
    style = rng.choice(["iso", "iso", "iso", "words", "compact"])
    if style == "words":
        return f"{date.day} {MONTH_NAMES[date.month - 1]} {date.year}"
    if style == "compact":
        return date.strftime("%Y%m%d")
    return date.isoformat()


def month_text(rng: random.Random, month: str) -> str:
    year, number = month[:4], int(month[5:])
    style = rng.choice(["words", "words", "Words", "iso", "compact", "short"])
    if style == "words":
        return f"{MONTH_NAMES[number - 1]} {year}"
    if style == "Words":
        return f"{MONTH_NAMES[number - 1].capitalize()} {year}"
    if style == "short":
        return f"{MONTH_SHORT[number - 1]} {year}"
    if style == "compact":
        return f"{year}{number:02d}"
    return month


def range_text(rng: random.Random, start: dt.date, end: dt.date) -> str:
    dash = rng.choice([" – ", " - ", "–", " -- ", " till "])
    return f"{start.isoformat()}{dash}{end.isoformat()}"
