"""Swedish personnummer and samordningsnummer: parsing, Luhn check, normal form.

The normal form is twelve digits, ``YYYYMMDDNNNC``; that is what the database stores, once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_PATTERN = re.compile(r"^(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{3})(\d)$")


class InvalidPersonnummer(ValueError):
    """Raised with a reason code: ``format``, ``date`` or ``checksum``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def luhn_ok(digits: str) -> bool:
    """True when the string of digits passes the mod-10 (Luhn) check."""
    if not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def luhn_check_digit(digits: str) -> str:
    """The check digit that makes ``digits + check`` pass the Luhn check."""
    for candidate in "0123456789":
        if luhn_ok(digits + candidate):
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True)
class Personnummer:
    value: str  # twelve digits

    @property
    def birth_date(self) -> dt.date:
        day = int(self.value[6:8])
        if day > 60:  # samordningsnummer
            day -= 60
        return dt.date(int(self.value[:4]), int(self.value[4:6]), day)

    @property
    def is_samordningsnummer(self) -> bool:
        return int(self.value[6:8]) > 60

    def formatted(self) -> str:
        return f"{self.value[:8]}-{self.value[8:]}"

    def masked(self) -> str:
        return f"{self.value[:8]}-****"

    def age_on(self, day: dt.date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def parse(text: str, today: dt.date | None = None) -> Personnummer:
    """Parse ``YYYYMMDD-NNNN``, ``YYMMDD-NNNN`` (``+`` for 100 years or older), with or
    without separator and surrounding spaces. Raises :class:`InvalidPersonnummer`."""
    today = today or dt.date.today()
    cleaned = re.sub(r"\s", "", text or "")
    match = _PATTERN.match(cleaned)
    if not match:
        raise InvalidPersonnummer("format")
    century, yy, mm, dd, sep, serial, check = match.groups()
    if century is None:
        year = 2000 + int(yy)
        if year > today.year:
            year -= 100
        if sep == "+":
            year -= 100
    else:
        year = int(century + yy)
    day = int(dd)
    real_day = day - 60 if day > 60 else day
    try:
        born = dt.date(year, int(mm), real_day)
    except ValueError as exc:
        raise InvalidPersonnummer("date") from exc
    if born > today:
        raise InvalidPersonnummer("date")
    if not luhn_ok(f"{yy}{mm}{dd}{serial}{check}"):
        raise InvalidPersonnummer("checksum")
    return Personnummer(f"{year:04d}{mm}{dd}{serial}{check}")


def make(birth: str, serial: str) -> str:
    """Build a valid twelve-digit number from ``YYYYMMDD`` and a three-digit serial (demo data,
    tests)."""
    check = luhn_check_digit(birth[2:] + serial)
    return birth + serial + check
