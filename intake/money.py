"""Amounts typed by people: ``7850``, ``7 850``, ``7850 kr``, ``7.850,50``, ``7 850:-``.

Amounts are öre (integers). Errors are codes: ``empty``, ``format``, ``negative``, ``too_large``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# Every kind of space a phone keyboard or a copied document may hold.
_SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f\u2002\u2003\u205f\u3000']")
_MINUSES = "\u2212\u2013\u2014\u2012"
MAX_ORE = 100_000_000  # 1 000 000 kr a month is not a plausible single amount here


class AmountError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def normalise(text: str) -> str:
    """Fold Unicode spaces away and every minus sign to ``-``."""
    for minus in _MINUSES:
        text = text.replace(minus, "-")
    return _SPACES.sub("", text)


def parse_amount(text: str, *, allow_negative: bool = False, maximum: int = MAX_ORE) -> int:
    """The amount in öre. Swedish decimal comma; ``.`` or space as thousands separators."""
    raw = normalise(text or "").lower()
    for suffix in ("kronor", "kr.", "kr", "sek", ":-", ",-"):
        raw = raw.removesuffix(suffix)
    raw = raw.removeprefix("sek")
    if not raw:
        raise AmountError("empty")
    negative = raw.startswith("-") or raw.endswith("-")
    raw = raw.strip("-")
    if "," in raw:
        whole, _, fraction = raw.rpartition(",")
        whole = whole.replace(".", "")
    elif raw.count(".") == 1 and len(raw.split(".")[1]) in (1, 2):
        whole, fraction = raw.split(".")
    else:
        whole, fraction = raw.replace(".", ""), ""
    if not whole.isdigit() or (fraction and not fraction.isdigit()) or len(fraction) > 2:
        raise AmountError("format")
    try:
        value = Decimal(f"{whole}.{fraction or '0'}")
    except InvalidOperation as exc:  # pragma: no cover - guarded by the checks above
        raise AmountError("format") from exc
    ore = int(value * 100)
    if negative:
        if not allow_negative:
            raise AmountError("negative")
        ore = -ore
    if abs(ore) > maximum:
        raise AmountError("too_large")
    return ore


def ore_to_input(ore: int | None) -> str:
    """How an amount is shown back in an input: ``7850`` or ``7850,50``."""
    if ore is None:
        return ""
    kronor, rest = divmod(abs(ore), 100)
    sign = "-" if ore < 0 else ""
    return f"{sign}{kronor}" if rest == 0 else f"{sign}{kronor},{rest:02d}"
