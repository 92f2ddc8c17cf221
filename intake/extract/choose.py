"""Choosing the document's amount among every amount on it, by evidence that holds across layouts.

Every amount on the page is a candidate. Each gets features: the words before it on its line and
above it in its column (a heading "Efter skatt", a box label "Att betala"), words that argue
against it ("före skatt", "hittills i år", "ingående saldo"), sentence patterns, its position
(the last row of its column, low on the page, inside a box), its typography (bold, larger than
the page's text) and arithmetic (the rows above sum to it, it is one amount less another, it is
the last running balance). The rule-based reader's own choice is a feature too.

A logistic model weighs the features (``model.json``: coefficients trained by
``python -m bench.train_reader`` with scikit-learn, evaluated here with plain arithmetic: no
pickle, nothing fetched). The candidate with the highest score wins; a softmax over the
document's candidates gives the probability, mapped to a confidence by an isotonic calibration
fitted on the training families. ``explain`` gives the contributions of each feature.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from intake.extract.amounts import AmountMatch
from intake.extract.anchors import Document, _cells, _marks_year_to_date
from intake.extract.dates import find_dates, find_months
from intake.extract.layout import Line, fold
from intake.extract.result import Kind

MODEL = Path(__file__).with_name("model.json")

_GENERIC_TOTAL = ["summa", "totalt", "total", "att betala", "belopp att betala"]
_PAID_OUT = [
    "att utbetala",
    "utbetalt",
    "utbetalas",
    "utbetalning",
    "betalas ut",
    "betalar ut",
    "du far",
    "amount paid",
    "total paid",
    "to be paid",
    "you will receive",
    "you get",
    "we will pay",
    "paid",
]
_NET = [
    "netto",
    "nettolon",
    "nettobelopp",
    "net",
    "net pay",
    "net salary",
    "efter skatt",
    "after tax",
    "net amount",
    "net payment",
]
_TO_PAY = [
    "att betala",
    "betala",
    "amount due",
    "to pay",
    "total to pay",
    "please pay",
    "pay",
    "inkl moms",
    "incl vat",
    "total amount due",
]
_BALANCE = [
    "utgaende saldo",
    "saldo",
    "slutsaldo",
    "closing balance",
    "balance",
    "utgaende behallning",
    "periodens slut",
    "end of period",
]

TARGET_WORDS: dict[Kind, list[str]] = {
    Kind.payslip: _PAID_OUT + _NET,
    Kind.rent_notice: _TO_PAY + _GENERIC_TOTAL,
    Kind.electricity_bill: _TO_PAY + _GENERIC_TOTAL,
    Kind.benefit_payment: _PAID_OUT + _GENERIC_TOTAL + _NET,
    Kind.unemployment_payment: _PAID_OUT + _NET,
    Kind.student_aid: _PAID_OUT + _GENERIC_TOTAL,
    Kind.pension: _PAID_OUT + _NET + _GENERIC_TOTAL,
    Kind.bank_statement: _BALANCE,
}
NEGATIVE_WORDS = [
    "fore skatt",
    "before tax",
    "brutto",
    "bruttolon",
    "gross",
    "skatt",
    "skatteavdrag",
    "tax",
    "moms",
    "vat",
    "exkl",
    "excl",
    "ingaende",
    "opening",
    "brought forward",
    "borjan",
    "hittills",
    "ack",
    "ackumulerat",
    "ytd",
    "year to date",
    "so far",
    "i ar",
    "arshyra",
    "annual",
    "skuld",
    "debt",
    "kredit",
    "credit",
    "tidigare",
    "previous",
    "dagpenning",
    "daily rate",
    "pris",
    "price",
    "rate",
    "a-pris",
    "disponibelt",
    "avdrag",
    "deduction",
    "per vecka",
]
SENTENCE_WORDS = [
    "du far",
    "vi betalar",
    "you will",
    "you get",
    "we will",
    "betala ",
    "please",
    "var ",
    "was ",
]


@cache
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    body = "|".join(re.escape(w).replace(r"\ ", r"[\s.:]*") for w in sorted(words, key=len)[::-1])
    return re.compile(rf"(?<![\w])(?:{body})(?![\w])")


def _has(words: Sequence[str], text: str) -> bool:
    return bool(_pattern(tuple(words)).search(text.replace(".", " ")))


def _strip(words: Sequence[str], text: str) -> str:
    return _pattern(tuple(words)).sub(" ", text.replace(".", " "))


@dataclass
class Scored:
    """A candidate as the training script keeps it: its value and its features."""

    ore: int
    features: dict[str, float]


@dataclass
class Candidate:
    line: Line
    amount: AmountMatch
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    probability: float = 0.0

    @property
    def ore(self) -> int:
        return self.amount.ore

    def describe(self) -> str:
        return self.line.text.replace("\t", " | ")


def _labels(text: str, kind: Kind, prefix: str, into: dict[str, float]) -> None:
    target = _has(TARGET_WORDS[kind], text)
    into[f"{prefix}_target"] = float(target)
    into[f"{prefix}_negative"] = float(_has(NEGATIVE_WORDS, _strip(TARGET_WORDS[kind], text)))
    into[f"{prefix}_ytd"] = float(_marks_year_to_date(text))


def _cell_left(line: Line, start: int) -> str:
    """The nearest cell with letters left of ``start`` (a label beside its amount)."""
    for s, e in reversed(_cells(line)):
        if s >= start:
            continue
        text = line.folded[s : min(e, start)]
        if re.search(r"[a-z]{2,}", text):
            return text
    return ""


def _over(document: Document, line: Line, amount: AmountMatch) -> str:
    """Words written just above the amount and overlapping it (a box's label, a column head)."""
    a0, a1 = line.span(amount.start, amount.end)
    previous = line
    for other in document.above(line, 4):
        if previous.top - other.bottom > 2.5 * line.em:
            break
        previous = other
        found = []
        for s, e in _cells(other):
            h0, h1 = other.span(s, e)
            if (
                h1 >= a0 - 2 * line.em
                and h0 <= a1 + line.em
                and re.search(r"[a-z]{2,}", other.folded[s:e])
            ):
                found.append(other.folded[s:e])
        if found:
            return " ".join(found)
    return ""


def candidates(
    document: Document, kind: Kind, rule_pick: tuple[int, int, int] | None
) -> list[Candidate]:
    """Every amount of the document with its features. ``rule_pick`` is (line index, start, öre)
    of the rule-based reader's choice."""
    lines = document.lines
    found: list[Candidate] = []
    for line in lines:
        taken = [(m.start, m.end) for m in find_months(line.text)] if line.amounts else []
        for amount in line.amounts:
            if not amount.strong and abs(amount.ore) < 100_00:
                continue
            if not amount.strong and any(s < amount.end and amount.start < e for s, e in taken):
                continue  # the year of "november 2026", the month of "2026-10"
            found.append(Candidate(line, amount))
    if not found:
        return []
    values = [c.ore for c in found]
    counts: dict[int, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    strong_values = sorted({abs(c.ore) for c in found if c.amount.strong})
    distinct = set(values)
    absolutes = sorted({abs(v) for v in values})
    sizes = [w.size for line in lines for w in line.words if w.size]
    median_size = sorted(sizes)[len(sizes) // 2] if sizes else 0.0
    last_balance = _last_running_balance(document)
    pages = {p.number: p for p in document.pages}
    for cand in found:
        line, a = cand.line, cand.amount
        f = cand.features
        f["bias"] = 1.0
        f["strong"] = float(a.strong)
        f["negative_value"] = float(a.ore < 0)
        f["year_like"] = float(not a.strong and 1900_00 <= a.ore <= 2100_00)
        f["magnitude"] = math.log10(max(abs(a.ore), 100)) / 7
        before = line.folded[: a.start]
        _labels(_cell_left(line, a.start), kind, "left", f)
        _labels(before, kind, "line", f)
        cells = _cells(line)
        first = line.folded[cells[0][0] : cells[0][1]] if cells else ""
        f["row_total_word"] = float(_has(_GENERIC_TOTAL + ["sum"], first))
        over = _over(document, line, a)
        _labels(over, kind, "over", f)
        heading = document.heading(line, a) or ""
        _labels(heading, kind, "head", f)
        words = len(re.findall(r"[a-z]{2,}", line.folded))
        f["sentence"] = float(words >= 5 and _has(SENTENCE_WORDS, line.folded + " "))
        f["dot_leader"] = float("..." in line.text[max(0, a.start - 8) : a.start])
        f["date_in_line"] = float(bool(find_dates(line.text)))
        f["amounts_in_line"] = min(len(line.amounts), 5) / 5
        f["rightmost"] = float(a is line.amounts[-1])
        # position
        page = pages.get(line.page)
        f["pos_y"] = line.top / page.height if page and page.height else 0.5
        f["last_page"] = float(line.page == document.pages[-1].number)
        below = _column_below(document, line, a)
        above = document.column_above_amount(line, a)
        f["last_in_column"] = float(bool(above) and not below)
        f["column_rows"] = min(len(above), 10) / 10
        f["in_box"] = float(_in_box(page, line, a) if page else False)
        # typography
        word = line.words[line.word_at(a.start)]
        f["bold"] = float(word.bold)
        f["larger"] = float(bool(median_size) and word.size > 1.15 * median_size)
        # arithmetic
        f["rows_sum"] = float(_sums_above(above, a.ore))
        f["difference"] = float(_is_difference(a.ore, absolutes, exclude=abs(a.ore)))
        f["is_sum_of_others"] = float(_row_sums(line, a))
        f["repeated"] = float(counts[a.ore] > 1)
        f["running_balance"] = float(last_balance is not None and last_balance == a.ore)
        f["largest"] = float(bool(strong_values) and abs(a.ore) == strong_values[-1])
        f["unique"] = float(len(distinct) == len(values))
        if rule_pick is not None:
            f["rule_pick"] = float(document.index(line) == rule_pick[0] and a.start == rule_pick[1])
            f["rule_value"] = float(a.ore == rule_pick[2])
        else:
            f["rule_pick"] = f["rule_value"] = 0.0
        f["ocr"] = float(document.ocr)
    # Kind-specific copies of the strongest evidence: a balance is read differently from a net.
    for cand in found:
        for name in (
            "left_target",
            "over_target",
            "head_target",
            "running_balance",
            "rows_sum",
            "difference",
            "last_in_column",
            "sentence",
        ):
            cand.features[f"{kind.value}:{name}"] = cand.features[name]
    return found


def _in_box(page: object, line: Line, a: AmountMatch) -> bool:
    boxes = getattr(page, "boxes", ())
    x0, x1 = line.span(a.start, a.end)
    return any(
        b[0] - 1 <= x0 and x1 <= b[2] + 1 and b[1] - 1 <= line.top and line.bottom <= b[3] + 1
        for b in boxes
    )


def _column_below(document: Document, line: Line, a: AmountMatch) -> bool:
    _, a1 = line.span(a.start, a.end)
    for other in document.below(line, 6):
        for b in other.amounts:
            _, b1 = other.span(b.start, b.end)
            if abs(b1 - a1) <= 1.2 * other.em and (b.strong or abs(b.ore) >= 100_00):
                return True
    return False


def _sums_above(rows: list[int], total: int) -> bool:
    from intake.extract.anchors import rows_sum

    return len(rows) >= 2 and rows_sum(rows, total)


def _is_difference(value: int, absolutes: list[int], exclude: int) -> bool:
    """The amount is one other amount less a second (gross − tax = net)."""
    if len(absolutes) > 120:
        return False
    present = set(absolutes)
    for big in absolutes:
        if big <= abs(value) or big == exclude:
            continue
        if big - abs(value) in present and big - abs(value) not in (0, exclude):
            return True
    return False


def _row_sums(line: Line, a: AmountMatch) -> bool:
    before = [b.ore for b in line.amounts if b.end <= a.start and b.strong]
    if len(before) < 2:
        return False
    return sum(before) == a.ore or before[0] - sum(abs(x) for x in before[1:]) == a.ore


_DATE_FIRST = re.compile(r"^\s*(?:20\d{2}-?\d{2}-?\d{2}|\d{1,2}[./]\d{1,2}|\d{1,2}\s+[a-z]{3})")


def _last_running_balance(document: Document) -> int | None:
    """The rightmost amount of the last row that starts with a date and holds two amounts."""
    last = None
    for line in document.lines:
        if _DATE_FIRST.match(line.folded) and len([a for a in line.amounts if a.strong]) >= 2:
            last = line.amounts[-1].ore
    return last


# --- the model -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Model:
    weights: dict[str, float]
    calibration_x: list[float]
    calibration_y: list[float]

    def score(self, features: dict[str, float]) -> float:
        return sum(self.weights.get(name, 0.0) * value for name, value in features.items())

    def calibrated(self, probability: float) -> float:
        xs, ys = self.calibration_x, self.calibration_y
        if not xs:
            return probability
        if probability <= xs[0]:
            return ys[0]
        for i in range(1, len(xs)):
            if probability <= xs[i]:
                t = (probability - xs[i - 1]) / ((xs[i] - xs[i - 1]) or 1)
                return ys[i - 1] + t * (ys[i] - ys[i - 1])
        return ys[-1]


@cache
def load_model(path: Path = MODEL) -> Model | None:
    """The committed model; None (the rule reader alone) without it or when
    ``PORTAL_READER_RULES_ONLY`` is set (the benchmark's before-and-after comparison)."""
    if os.environ.get("PORTAL_READER_RULES_ONLY") or not path.exists():
        return None
    data = json.loads(path.read_text())
    return Model(
        {str(k): float(v) for k, v in data["weights"].items()},
        [float(x) for x in data.get("calibration_x", [])],
        [float(y) for y in data.get("calibration_y", [])],
    )


def rank(found: list[Candidate], model: Model) -> list[Candidate]:
    """Candidates best first, each with its score and its share of the softmax."""
    for cand in found:
        cand.score = model.score(cand.features)
    if not found:
        return found
    top = max(c.score for c in found)
    # Candidates with the same value are one answer: their probabilities add up.
    exp = [math.exp(c.score - top) for c in found]
    total = sum(exp)
    by_value: dict[int, float] = {}
    for cand, e in zip(found, exp, strict=True):
        by_value[cand.ore] = by_value.get(cand.ore, 0.0) + e / total
    for cand in found:
        cand.probability = by_value[cand.ore] * sigmoid(cand.score)
    return sorted(found, key=lambda c: c.score, reverse=True)


def sigmoid(score: float) -> float:
    """The model's own probability that this one candidate is the amount (its share among the
    document's candidates aside: a lone amount without a label is no answer)."""
    return 1 / (1 + math.exp(-max(-50.0, min(50.0, score))))


# Below this the best candidate has no evidence of being the document's amount: none is given.
ABSTAIN = 0.15


def contributions(cand: Candidate, model: Model, top: int = 6) -> list[tuple[str, float]]:
    parts = [
        (name, model.weights.get(name, 0.0) * value)
        for name, value in cand.features.items()
        if value and model.weights.get(name, 0.0)
    ]
    return sorted(parts, key=lambda p: abs(p[1]), reverse=True)[:top]


def folded(text: str) -> str:
    return fold(text)
