"""Swedish amounts: normalise text, parse one amount, find every amount in a line.

Amounts are öre (integers). Formats seen on Swedish documents (DOMAIN.md): ``12 345,67`` grouped
with a space, a no-break space (U+00A0), a narrow no-break space (U+202F) or a dot; ``kr`` or
``SEK`` before or after; ``7 845:-`` for whole kronor; a minus as ``-``, U+2212 or ``–``, before
the number or trailing it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Every Unicode space separator (Zs) and the usual suspects become a plain space; zero-width
# characters disappear; every dash that can stand for a minus becomes "-".
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"  # noqa: E501
_MINUSES = "\u2212\u2010\u2011\u2012\u2013\u2014\u2015\ufe58\ufe63\uff0d"
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_TABLE = str.maketrans(
    {**dict.fromkeys(_SPACES, " "), **dict.fromkeys(_MINUSES, "-"), **dict.fromkeys(_ZERO_WIDTH)}
)


def normalise(text: str) -> str:
    """NFKC, every Unicode space to " " (tabs kept: they separate columns), every minus to "-"."""
    return unicodedata.normalize("NFKC", text.translate(_TABLE)).translate(_TABLE)


_CURRENCY = r"(?:kr|sek)\.?"
# The whole number part: grouped by a space or a dot (the same separator throughout), or not.
_INTEGER = r"(?P<int>\d{1,3}(?P<g>[ .])\d{3}(?:(?P=g)\d{3})*(?!\d)|\d+)"
_FRACTION = r"(?:,(?P<dec>\d{1,2})(?!\d)|\.(?P<ddec>\d{2})(?![\d.])|(?P<colon>:-))"

_ONE = re.compile(
    rf"""\s*(?P<lead>[-+])?\s*(?:{_CURRENCY}\s*)?(?P<lead2>-)?\s*
    {_INTEGER}{_FRACTION}?
    \s*(?:{_CURRENCY}|:-)?\s*(?P<trail>-)?\s*""",
    re.VERBOSE | re.IGNORECASE,
)

# Inside a line: the amount must not be glued to letters, digits or date punctuation, and must
# not be followed by a unit that makes it something else (a percentage, a price per kWh).
_SCAN = re.compile(
    rf"""(?<![\w.,:/+-])
    (?P<lead>[-+]\ ?)?
    (?:(?P<cur1>{_CURRENCY})\ ?)?
    (?P<lead2>-\ ?)?
    {_INTEGER}(?:{_FRACTION}|\ (?P<sdec>\d{{2}})(?=\ ?(?:kr|sek)\b))?
    (?:\ ?(?P<cur2>{_CURRENCY})(?![\w]))?
    (?P<trail>-(?![\w]))?
    (?![\w,]|\.\d|:\d|\ ?(?:%|öre|kwh|st\b|dagar\b|dgr\b|tim\b|h\b|/))""",
    re.VERBOSE | re.IGNORECASE,
)

# Dates, personal and organisation numbers, times: masked before amounts are looked for.
_NOT_AMOUNTS = re.compile(
    r"""(?<!\d)(?:
        \d{4}-\d{2}-\d{2}(?:\ ?-\ ?\d{4}-\d{2}-\d{2})?   # 2026-10-31 (and ranges)
      | \d{1,2}[./]\d{1,2}[./]\d{2,4}                    # 31.10.2026, 31/10/26
      | \d{6,8}-\d{4}                                    # personnummer, organisationsnummer
      | \d{2,4}-\d{3,4}(?:-\d{1,4})?                     # bankgiro 123-4567, phone numbers
      | \d{1,2}:\d{2}(?::\d{2})?(?!-)                    # 12:30
      | 20\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?![\d,.:]|\ ?(?:kr|sek))  # 20261007
    )(?!\d)""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class AmountMatch:
    start: int
    end: int
    ore: int
    # A "strong" amount has decimals, ":-", a currency or thousands grouping: it is money,
    # not a count or a year.
    strong: bool


def parse_amount(text: str) -> int | None:
    """The amount in öre that ``text`` is (one amount and nothing else), or None."""
    match = _ONE.fullmatch(normalise(text))
    if not match or (match["lead"] and match["lead2"]):
        return None
    return _ore(match)


# OCR reads a wide minus as "--", "=-" or "~-": one minus, same length (offsets must not move).
_OCR_MINUS = re.compile(r"(?<![\w-])[-=~_]{1,2}-(?=\ ?\d)|(?<![\w-])-[-=~_](?=\ ?\d)")


def find_amounts(line: str) -> list[AmountMatch]:
    """Every amount in a line of (normalised) text, left to right."""
    line = _OCR_MINUS.sub(lambda m: " " * (len(m.group()) - 1) + "-", line)
    masked = _NOT_AMOUNTS.sub(lambda m: "#" * len(m.group()), line)
    found: list[AmountMatch] = []
    for match in _SCAN.finditer(masked):
        if match["lead"] and match["lead2"]:
            continue
        ore = _ore(match)
        if ore is None:
            continue
        strong = bool(
            match["dec"] is not None
            or match["ddec"] is not None
            or match["sdec"] is not None
            or match["colon"]
            or match["g"]
            or match["cur1"]
            or match["cur2"]
        )
        found.append(AmountMatch(match.start(), match.end(), ore, strong))
    return found


def _ore(match: re.Match[str]) -> int | None:
    digits = match["int"].replace(" ", "").replace(".", "")
    if len(digits) > 12:
        return None
    # "1 624 38 kr": OCR lost the comma; a group of two digits cannot be a thousands group.
    sdec = match.groupdict().get("sdec")
    decimals = match["dec"] or match["ddec"] or sdec or ""
    if match["ddec"] is not None and match["g"] == ".":
        return None  # "1.234.56" is no amount
    ore = int(digits) * 100 + (int(decimals.ljust(2, "0")) if decimals else 0)
    signs = [s for s in (match["lead"], match["lead2"], match["trail"]) if s and s.strip()]
    if len(signs) > 1:
        return None
    if signs and signs[0].strip() == "-":
        ore = -ore
    return ore


def format_amount(ore: int) -> str:
    """The contract's form: two decimals, no grouping, a leading "-" when negative."""
    sign = "-" if ore < 0 else ""
    kronor, rest = divmod(abs(ore), 100)
    return f"{sign}{kronor}.{rest:02d}"


def format_swedish(ore: int) -> str:
    """``7 850,00`` with narrow no-break spaces: how a person reads an amount."""
    sign = "\u2212" if ore < 0 else ""
    kronor, rest = divmod(abs(ore), 100)
    return f"{sign}{kronor:,}".replace(",", "\u202f") + f",{rest:02d}"
