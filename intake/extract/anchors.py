"""Amounts anchored to their labels, in the period column, never the year-to-date column.

A label ("Att utbetala") is found in a line; its value is the first amount to its right that is
not in a year-to-date column (a column headed "Hittills i år" or "Ack.", a row labelled so, or a
section under such a heading) and not past another label; failing that, the amount under it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from intake.extract.amounts import AmountMatch
from intake.extract.checks import sums_to
from intake.extract.layout import Line, Page, fuzzy_phrase, phrase

YEAR_TO_DATE = [
    phrase(p)
    for p in (
        "hittills i år",
        "hittills under året",
        "hittills",
        "ackumulerat",
        "ackumulerad",
        "ack",
        "totalt i år",
        "summa i år",
        "i år",
        "årets",
        "året",
        "ytd",
    )
]
PERIOD_COLUMN = [
    phrase(p)
    for p in (
        "denna period",
        "aktuell period",
        "perioden",
        "period",
        "denna månad",
        "månad",
        "belopp",
    )
]


@dataclass(frozen=True)
class Hit:
    line: Line
    start: int
    end: int
    label: int  # index of the label in its list: lower is more specific
    field: str
    fuzzy: bool = False  # matched with one letter wrong (OCR)

    @property
    def x0(self) -> float:
        return self.line.span(self.start, self.end)[0]

    @property
    def x1(self) -> float:
        return self.line.span(self.start, self.end)[1]


@dataclass(frozen=True)
class Value:
    ore: int
    line: Line
    amount: AmountMatch
    hit: Hit
    below: bool  # found under the label rather than beside it

    @property
    def strong(self) -> bool:
        return self.amount.strong

    @property
    def conf(self) -> float:
        return self.line.conf(self.amount.start, self.amount.end)

    @property
    def x1(self) -> float:
        return self.line.span(self.amount.start, self.amount.end)[1]

    @property
    def x0(self) -> float:
        return self.line.span(self.amount.start, self.amount.end)[0]


class Document:
    def __init__(self, pages: Sequence[Page]) -> None:
        self.pages = list(pages)
        self.lines = [line for page in self.pages for line in page.lines]
        self.text = "\n".join(line.folded for line in self.lines)
        self._position = {id(line): i for i, line in enumerate(self.lines)}

    @property
    def ocr(self) -> bool:
        return any(page.ocr for page in self.pages)

    def index(self, line: Line) -> int:
        return self._position[id(line)]

    def above(self, line: Line, count: int) -> list[Line]:
        """Up to ``count`` lines above ``line`` on the same page, nearest first."""
        i = self.index(line)
        found = []
        for other in reversed(self.lines[max(0, i - count) : i]):
            if other.page != line.page:
                break
            found.append(other)
        return found

    def below(self, line: Line, count: int) -> list[Line]:
        i = self.index(line)
        return [o for o in self.lines[i + 1 : i + 1 + count] if o.page == line.page]

    # --- labels -------------------------------------------------------------------------------

    def hits(self, labels: Mapping[str, Sequence[str]], stops: Sequence[str] = ()) -> list[Hit]:
        """Every label of every field, overlaps resolved in favour of the longer label (and of an
        exact match over a fuzzy one). ``stops`` are labels of no field that still win over
        shorter ones ("summa före skatt" over "skatt"). On OCR pages a long label may have one
        letter wrong."""
        wanted = [
            (name, index, label)
            for name, field_labels in labels.items()
            for index, label in enumerate(field_labels)
        ] + [("", 0, label) for label in stops]
        exact = [(name, index, phrase(label)) for name, index, label in wanted]
        fuzzy = [(name, index, _fuzzy(label)) for name, index, label in wanted] if self.ocr else []
        ocr_pages = {page.number for page in self.pages if page.ocr}
        found: list[Hit] = []
        for line in self.lines:
            matches = [
                (m.start(), m.end(), name, index, False)
                for name, index, pattern in exact
                for m in pattern.finditer(line.folded)
            ]
            if line.page in ocr_pages:
                matches += [
                    (m.start(), m.end(), name, index, True)
                    for name, index, pattern in fuzzy
                    for m in pattern.finditer(line.folded)
                ]
            matches.sort(key=lambda m: (m[0] - m[1], m[4], m[0]))  # longest, exact first
            kept: list[tuple[int, int, str, int, bool]] = []
            for match in matches:
                if all(match[1] <= k[0] or match[0] >= k[1] for k in kept):
                    kept.append(match)
            found.extend(Hit(line, s, e, index, name, fuzzy) for s, e, name, index, fuzzy in kept)
        return sorted(found, key=lambda h: (self.index(h.line), h.start))

    def values(
        self,
        hit: Hit,
        all_hits: Sequence[Hit],
        strict: bool = False,
        prefer: Sequence[re.Pattern[str]] = (),
    ) -> list[Value]:
        """The hit's value candidates, best first: beside it, else (for a specific label) under it.
        A strict label takes only amounts with nothing but other amounts between it and them."""
        if self.in_year_to_date_section(hit):
            return []
        line = hit.line
        stop = min(
            (h.start for h in all_hits if h.line is line and h.start >= hit.end),
            default=len(line.text),
        )
        beside = []
        for a in line.amounts:
            if not hit.end <= a.start < stop or _too_weak(a):
                continue
            between = line.folded[hit.end : a.start]
            if _marks_year_to_date(between) or self.column_is_year_to_date(line, a):
                continue
            if strict and _has_words(between, line.amounts, hit.end):
                continue
            beside.append(Value(a.ore, line, a, hit, below=False))
        if beside:
            return _ordered(self, beside, prefer)
        if strict:
            # A generic label ("Netto") looks down only as a column heading in a row of them.
            header_row = not line.amounts and len(_cells(line)) >= 3
            return self._under(hit, over_only=True) if header_row else []
        return self._under(hit)

    def _under(self, hit: Hit, over_only: bool = False) -> list[Value]:
        """Amounts in the first line under the label that has any in the label's column: over
        it, or between it and the next cell of its line (a box of its own)."""
        em = hit.line.em
        next_cell = min(
            (hit.line.span(s, e)[0] for s, e in _cells(hit.line) if s >= hit.end), default=1e9
        )
        centre = (hit.x0 + hit.x1) / 2
        for line in self.below(hit.line, 3):
            if line.top - hit.line.bottom > 4 * em:
                break
            found = []
            for a in line.amounts:
                if _too_weak(a):
                    continue
                a0, a1 = line.span(a.start, a.end)
                over = a1 >= hit.x0 - em and a0 <= hit.x1 + em
                inside = a0 >= hit.x0 - em and a1 <= next_cell and not over_only
                if not (over or inside):
                    continue
                if _marks_year_to_date(line.folded[: a.start]) or self.column_is_year_to_date(
                    line, a
                ):
                    continue
                found.append(
                    (not over, abs((a0 + a1) / 2 - centre), Value(a.ore, line, a, hit, below=True))
                )
            if found:
                return [min(found, key=lambda f: f[:2])[2]]
        return []

    # --- columns and year to date -------------------------------------------------------------

    def heading(self, line: Line, amount: AmountMatch) -> str | None:
        """The heading of the column an amount stands in: the nearest cell without amounts that
        overlaps it, in the nearest line above that has one."""
        a0, a1 = line.span(amount.start, amount.end)
        centre = (a0 + a1) / 2
        previous = line
        for other in self.above(line, 30):
            if previous.top - other.bottom > 3.5 * previous.em:
                return None  # a heading stands close to its column
            previous = other
            best: tuple[float, str] | None = None
            for start, end in _cells(other):
                if any(start <= a.start < end for a in other.amounts):
                    continue
                h0, h1 = other.span(start, end)
                if h1 < a0 - other.em or h0 > a1 + other.em:
                    continue
                distance = abs((h0 + h1) / 2 - centre)
                if best is None or distance < best[0]:
                    best = (distance, other.folded[start:end])
            if best is not None:
                return best[1]
        return None

    def column_is_year_to_date(self, line: Line, amount: AmountMatch) -> bool:
        heading = self.heading(line, amount)
        return heading is not None and _marks_year_to_date(heading)

    def in_year_to_date_section(self, hit: Hit) -> bool:
        """Whether the label stands under a heading such as "Hittills i år" (a line of its own,
        starting at or left of the label) in the same block of lines."""
        previous = hit.line
        for other in self.above(hit.line, 12):
            if previous.top - other.bottom > 1.8 * previous.em:
                return False
            words = other.folded.split()
            if (
                len(words) <= 5
                and not other.amounts
                and _marks_year_to_date(other.folded)
                and other.x0 <= hit.x0 + 2 * other.em
                and not any(p.search(other.folded) for p in PERIOD_COLUMN)
            ):
                return True
            previous = other
        return False

    # --- columns ------------------------------------------------------------------------------

    def column_above(self, value: Value, limit: int = 40) -> list[int]:
        """Amounts right-aligned with ``value`` in the lines above it, nearest first, up to a
        column heading or a line with a label that takes a total ("Summa")."""
        rows = []
        for line in self.above(value.line, limit):
            if any(p.search(line.folded) for p in PERIOD_COLUMN) and not line.amounts:
                break
            for a in line.amounts:
                a0, a1 = line.span(a.start, a.end)
                if abs(a1 - value.x1) <= 1.2 * line.em and not _too_weak(a):
                    rows.append(a.ore)
                    break
        return rows

    def column_above_amount(self, line: Line, amount: AmountMatch, limit: int = 40) -> list[int]:
        """Like ``column_above`` for any amount of a line (no label needed)."""
        _, x1 = line.span(amount.start, amount.end)
        rows = []
        for other in self.above(line, limit):
            if any(p.search(other.folded) for p in PERIOD_COLUMN) and not other.amounts:
                break
            for a in other.amounts:
                _, a1 = other.span(a.start, a.end)
                if abs(a1 - x1) <= 1.2 * other.em and not _too_weak(a):
                    rows.append(a.ore)
                    break
        return rows

    def block_above(self, value: Value) -> list[int]:
        """The amounts of the lines just above ``value`` that each hold one (a list written as
        "Studiebidrag 3 324 kr" lines, without a column), nearest first."""
        rows = []
        previous = value.line
        for line in self.above(value.line, 20):
            money = [a for a in line.amounts if not _too_weak(a)]
            if len(money) != 1 or previous.top - line.bottom > 2 * line.em:
                break
            rows.append(money[0].ore)
            previous = line
        return rows

    def before_in_row(self, value: Value) -> list[int]:
        """The amounts left of ``value`` in its own line (and right of its label), nearest first:
        a row of boxes "Brutto | Skatt | Avdrag | Netto" adds up along the row."""
        line = value.line
        start = value.hit.end if value.hit.line is line else 0
        return [
            a.ore
            for a in reversed(line.amounts)
            if start <= a.start < value.amount.start and a.strong
        ]


@lru_cache(maxsize=512)
def _fuzzy(label: str) -> re.Pattern[str]:
    return fuzzy_phrase(label)


def _too_weak(amount: AmountMatch) -> bool:
    """A bare number under 100 beside a label is a count, a day or a page, not money."""
    return not amount.strong and abs(amount.ore) < 100_00


def _marks_year_to_date(text: str) -> bool:
    return any(p.search(text) for p in YEAR_TO_DATE)


def rows_sum(rows_nearest_first: Sequence[int], total: int) -> bool:
    """Whether a run of rows just above a total adds up to it (at least two rows)."""
    for count in range(2, len(rows_nearest_first) + 1):
        if sums_to(list(reversed(rows_nearest_first[:count])), total):
            return True
    return False


def _cells(line: Line) -> list[tuple[int, int]]:
    """Character ranges of the line's cells (text between column gaps)."""
    cells, start = [], 0
    for index, char in enumerate(line.text + "\t"):
        if char == "\t":
            if index > start:
                cells.append((start, index))
            start = index + 1
    return cells


_WORD = re.compile(r"[a-z]{2,}")
_CURRENCY_WORDS = {"kr", "sek"}


def _has_words(between: str, amounts: Sequence[AmountMatch], offset: int) -> bool:
    """Whether text between a label and an amount has words other than currencies (amounts in
    between, from other columns, are allowed)."""
    chars = list(between)
    for a in amounts:
        for i in range(max(a.start - offset, 0), min(a.end - offset, len(chars))):
            chars[i] = " "
    return any(w not in _CURRENCY_WORDS for w in _WORD.findall("".join(chars)))


def _ordered(
    document: Document, values: list[Value], prefer: Sequence[re.Pattern[str]]
) -> list[Value]:
    """Values under a preferred column heading first, then strong amounts, in reading order."""

    def rank(value: Value) -> tuple[int, int]:
        preferred = 0
        if prefer:
            heading = document.heading(value.line, value.amount) or ""
            preferred = 0 if any(p.search(heading) for p in prefer) else 1
        return preferred, 0 if value.strong else 1

    return sorted(values, key=rank)
