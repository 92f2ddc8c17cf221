"""From pages of words to an ``Extraction``: the kind, the amount that matters, the period, other
fields, and a confidence raised or lowered by checks."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from intake.extract import checks
from intake.extract.amounts import format_amount
from intake.extract.anchors import Document, Hit, Value, rows_sum
from intake.extract.choose import (
    ABSTAIN,
    Candidate,
    candidates,
    contributions,
    load_model,
    rank,
    sigmoid,
)
from intake.extract.classify import classify
from intake.extract.dates import add_months, find_dates, find_months, month_of, month_of_range
from intake.extract.kinds import SPECS, KindSpec
from intake.extract.layout import Line, Page, phrase
from intake.extract.result import Extraction, Kind


@dataclass
class Reading:
    """The value read for one field, and how sure the reading is."""

    value: Value
    agreeing: int  # other label occurrences that gave the same value
    conflicting: int  # ... and those that gave another
    strict: bool
    fuzzy: bool = False


def candidates_of(pages: Sequence[Page]) -> tuple[Kind, list[Candidate]]:
    """The kind read and every amount candidate with its features (for training the model)."""
    document = Document(pages)
    verdict = classify(document.text, fuzzy=document.ocr)
    if verdict.kind is Kind.unknown:
        return verdict.kind, []
    spec = SPECS[verdict.kind]
    main = _read_fields(document, spec).get(spec.amount)
    return verdict.kind, candidates(document, verdict.kind, _pick(document, main))


def _pick(document: Document, main: Reading | None) -> tuple[int, int, int] | None:
    if main is None:
        return None
    return document.index(main.value.line), main.value.amount.start, main.value.ore


def interpret(pages: Sequence[Page], explain: bool = False) -> Extraction:
    document = Document(pages)
    source = "ocr" if all(p.ocr for p in pages) else ("text+ocr" if document.ocr else "text")
    verdict = classify(document.text, fuzzy=document.ocr)
    fields = _payment_numbers(document)
    if verdict.kind is Kind.unknown:
        return Extraction(
            Kind.unknown,
            confidence=verdict.confidence,
            fields=fields,
            source=source,
            pages=len(pages),
        )
    spec = SPECS[verdict.kind]
    readings = _read_fields(document, spec)
    result = Extraction(verdict.kind, source=source, pages=len(pages))
    for name, reading in readings.items():
        if name != spec.amount:
            fields[name] = format_amount(reading.value.ore)
    for name, date in _dates(document, spec).items():
        fields[name] = date.isoformat()
    result.fields = fields
    main = readings.get(spec.amount)
    result.amount_ore = main.value.ore if main else None
    result.checks = _checks(document, spec, readings, fields)
    result.period = _period(document, spec, fields)
    amount_confidence = _amount_confidence(main, result.checks, document.ocr) if main else 0.3
    model = load_model()
    if model is not None:
        ranked = rank(candidates(document, verdict.kind, _pick(document, main)), model)
        if explain:
            result.explain = [
                {
                    "amount": format_amount(c.ore),
                    "line": c.describe(),
                    "score": round(c.score, 2),
                    "probability": round(c.probability, 3),
                    "because": [(n, round(v, 2)) for n, v in contributions(c, model)],
                }
                for c in ranked[:5]
            ]
        if ranked and sigmoid(ranked[0].score) >= ABSTAIN:
            best = ranked[0]
            result.amount_ore = best.ore
            # Calibrated on families the model had not seen, and never surer than the model's
            # own probability allows: 0.9 needs a probability of at least 0.8.
            amount_confidence = min(
                model.calibrated(best.probability), 0.5 + 0.5 * best.probability
            )
            if document.ocr:
                amount_confidence = min(amount_confidence, _ocr_cap(best, document))
            if _rival(best, ranked) or (main is not None and main.conflicting):
                amount_confidence = min(amount_confidence, 0.6)
        else:
            result.amount_ore, amount_confidence = None, 0.3
    confidence = min(verdict.confidence, amount_confidence)
    if result.period is None:
        confidence -= 0.1
    result.confidence = max(0.0, min(0.99, round(confidence, 3)))
    return result


# --- fields --------------------------------------------------------------------------------------


def _labels(spec: KindSpec) -> tuple[dict[str, list[str]], set[tuple[str, int]]]:
    labels: dict[str, list[str]] = {}
    strict: set[tuple[str, int]] = set()
    for name, names in spec.labels.items():
        labels[name] = []
        for index, label in enumerate(names):
            if label.startswith("="):
                strict.add((name, index))
            labels[name].append(label.lstrip("="))
    return labels, strict


def _read_fields(document: Document, spec: KindSpec) -> dict[str, Reading]:
    labels, strict = _labels(spec)
    hits = document.hits(labels, spec.stops)
    readings: dict[str, Reading] = {}
    for name in labels:
        prefer = [phrase(p) for p in spec.columns.get(name, ())]
        found: list[tuple[Hit, Value]] = []
        for hit in (h for h in hits if h.field == name):
            values = document.values(hit, hits, strict=(name, hit.label) in strict, prefer=prefer)
            if values:
                found.append((hit, values[0]))
        if not found:
            continue
        # The most specific label wins; among equals, the first in reading order.
        hit, value = min(found, key=lambda f: (f[0].label, document.index(f[0].line)))
        agreeing = sum(1 for h, v in found if h is not hit and v.ore == value.ore)
        conflicting = sum(1 for h, v in found if v.ore != value.ore and h.label <= hit.label + 1)
        readings[name] = Reading(
            value, agreeing, conflicting, (name, hit.label) in strict, fuzzy=hit.fuzzy
        )
    return readings


_OCR_NUMBER = re.compile(
    r"(?<![\w])(?:ocr(?:-nummer|-nr|nummer)?|referens(?:nummer)?)[\s:.]*(\d[\d ]{1,30}\d)"
)
_BANKGIRO = re.compile(
    r"(?<![\w])(?:bankgiro(?:nummer|nr)?|bankgironummer|bg)[\s:.]*(\d{3,4}-\d{4})(?!\d)"
)
_PLUSGIRO = re.compile(r"(?<![\w])(?:plusgiro(?:nummer|nr)?|pg)[\s:.]*(\d{1,7}-\d)(?!\d)")


def _payment_numbers(document: Document) -> dict[str, str]:
    """OCR number, bankgiro and plusgiro as printed (the first of each)."""
    fields: dict[str, str] = {}
    lines = document.lines
    for index, line in enumerate(lines):
        # A label may stand over its number (a payment slip): read it with the next line.
        text = line.folded.replace("\t", " ")
        following = lines[index + 1].folded.replace("\t", " ") if index + 1 < len(lines) else ""
        for name, pattern in (
            ("ocr", _OCR_NUMBER),
            ("bankgiro", _BANKGIRO),
            ("plusgiro", _PLUSGIRO),
        ):
            if name in fields:
                continue
            match = pattern.search(text) or pattern.search(f"{text} {following}")
            if match:
                fields[name] = match.group(1).replace(" ", "")
    return fields


def _dates(document: Document, spec: KindSpec) -> dict[str, dt.date]:
    found: dict[str, dt.date] = {}
    for name, labels in spec.date_labels.items():
        for hit in document.hits({name: list(labels)}):
            dates = find_dates(hit.line.text[hit.end :])
            if dates:
                found[name] = dates[0].date  # type: ignore[assignment]
                break
            below = document.below(hit.line, 1)
            if below:
                dates = [d for d in find_dates(below[0].text) if _under(below[0], d.start, hit)]
                if dates:
                    found[name] = dates[0].date  # type: ignore[assignment]
                    break
    return found


def _under(line: Line, offset: int, hit: Hit) -> bool:
    x0, _ = line.span(offset, offset + 1)
    return hit.x0 - 3 * line.em <= x0 <= hit.x1 + 3 * line.em


# --- period --------------------------------------------------------------------------------------


def _period(document: Document, spec: KindSpec, fields: dict[str, str]) -> str | None:
    rule = spec.period_rule
    if spec.period_labels:
        for hit in document.hits({"period": list(spec.period_labels)}):
            month = _month_after(document, hit, closing=rule == "closing")
            if month:
                return month
    titled = _title_month(document)
    if titled and rule in ("salary", "rent", "closing"):
        return titled
    if rule in ("salary", "payment") and "payment_date" in fields:
        return fields["payment_date"][:7]
    if rule == "rent" and "due_date" in fields:
        due = dt.date.fromisoformat(fields["due_date"])
        # Rent is paid in advance: a due date late in a month pays the next one.
        return add_months(month_of(due), 1) if due.day >= 15 else month_of(due)
    if rule == "consumption" and "invoice_date" in fields:
        return add_months(fields["invoice_date"][:7], -1)
    if rule == "closing":
        return _latest_month(document)
    return _commonest_month(document)


def _title_month(document: Document) -> str | None:
    """A month written without a day near the top of the first page ("Hyresavi maj 2026",
    "Lönespecifikation oktober 2026"): the period the document is titled with."""
    if not document.pages:
        return None
    first = document.pages[0]
    for line in first.lines[:8]:
        if line.top > 0.25 * first.height:
            break
        if find_dates(line.text):
            continue
        months = [m for m in find_months(line.text) if m.month]
        if len(months) == 1 and re.search(r"[^\W\d]{3,}", line.text[: months[0].start]):
            return months[0].month
    return None


def _month_after(document: Document, hit: Hit, closing: bool) -> str | None:
    """The month written after a period label: a range, a month, or a date. For a statement,
    the month of the latest date or month after the label (its closing date)."""
    for line, start in [(hit.line, hit.end), *[(b, 0) for b in document.below(hit.line, 1)]]:
        text = line.text[start:]
        dates = find_dates(text)
        months = find_months(text)
        if closing and (dates or months):
            found = [month_of(d.date) for d in dates if d.date] + [
                m.month for m in months if m.month
            ]
            return max(found)
        first_date = dates[0] if dates else None
        first_month = months[0] if months else None
        if first_date and (first_month is None or first_date.start < first_month.start):
            assert first_date.date is not None
            second = dates[1] if len(dates) > 1 else None
            if second and second.start - first_date.end <= 7 and second.date is not None:
                return month_of_range(first_date.date, second.date)
            return month_of(first_date.date)
        if first_month:
            return first_month.month
    return None


def _all_dates(document: Document) -> list[dt.date]:
    return [f.date for line in document.lines for f in find_dates(line.text) if f.date]


def _latest_month(document: Document) -> str | None:
    dates = _all_dates(document)
    return month_of(max(dates)) if dates else None


def _commonest_month(document: Document) -> str | None:
    dates = _all_dates(document)
    if not dates:
        return None
    return Counter(month_of(d) for d in dates).most_common(1)[0][0]


# --- checks and confidence -----------------------------------------------------------------------


def _checks(
    document: Document, spec: KindSpec, readings: dict[str, Reading], fields: dict[str, str]
) -> dict[str, bool]:
    result: dict[str, bool] = {}
    main = readings.get(spec.amount)
    if main and spec.kind is not Kind.bank_statement:  # a statement has its own check
        rows = max(document.column_above(main.value), document.block_above(main.value), key=len)
        if len(rows) >= 2:
            result["rows_sum"] = rows_sum(rows, main.value.ore)
        before = document.before_in_row(main.value)
        if len(before) >= 2:
            result["row_sum"] = rows_sum(before, main.value.ore)
    if {"gross", "tax"} <= readings.keys() and main:
        result["gross_minus_tax"] = checks.gross_minus_tax_is_net(
            readings["gross"].value.ore, readings["tax"].value.ore, main.value.ore
        )
    if spec.kind is Kind.bank_statement and main:
        balance = _bank_balance(document, readings)
        if balance is not None:
            result["balance"] = balance
    if "ocr" in fields:
        result["luhn_ocr"] = checks.luhn_valid(fields["ocr"])
    if "bankgiro" in fields:
        result["luhn_bankgiro"] = checks.bankgiro_valid(fields["bankgiro"])
    if "plusgiro" in fields:
        result["luhn_plusgiro"] = checks.plusgiro_valid(fields["plusgiro"])
    return result


_DATE_FIRST = re.compile(r"^\s*(?:20\d{2}-?\d{2}-?\d{2}|\d{1,2}[./]\d{1,2})")


def _bank_balance(document: Document, readings: dict[str, Reading]) -> bool | None:
    """Opening balance plus every transaction is the closing balance, or the last running
    balance is."""
    closing = readings["closing_balance"].value.ore
    transactions, last_balance = [], None
    for line in document.lines:
        if not _DATE_FIRST.match(line.text) or not line.amounts:
            continue
        strong = [a for a in line.amounts if a.strong]
        if not strong:
            continue
        transactions.append(strong[0].ore)
        if len(strong) >= 2:
            last_balance = strong[-1].ore
    if not transactions:
        return None
    opening = readings.get("opening_balance")
    if opening is None and last_balance is None:
        return None  # nothing to check against
    if opening is not None and opening.value.ore + sum(transactions) == closing:
        return True
    return last_balance == closing


def _rival(best: Candidate, ranked: list[Candidate]) -> bool:
    """Another amount with as good a label (beside it or over it) and no word against it: two
    totals that disagree. The choice between them is a guess."""

    def labelled(c: Candidate) -> bool:
        f = c.features
        return bool(
            (f.get("left_target") and not f.get("left_negative") and not f.get("left_ytd"))
            or (f.get("over_target") and not f.get("over_negative") and not f.get("over_ytd"))
        )

    if not labelled(best):
        return False
    return any(
        c.ore != best.ore and labelled(c) and c.score > best.score - 2.0 for c in ranked[1:6]
    )


def _ocr_cap(best: Candidate, document: Document) -> float:
    """OCR may misread a digit that no feature sees: only arithmetic that adds up lets a
    photo's amount be sure."""
    conf = best.line.conf(best.amount.start, best.amount.end)
    cap = 0.55 + 0.25 * min(1.0, max(0.0, (conf - 50) / 45))
    f = best.features
    if f.get("rows_sum") or f.get("running_balance") or f.get("is_sum_of_others"):
        cap += 0.3  # the digits add up with other digits read: no digit was misread
    elif f.get("difference"):
        cap += 0.05  # one amount less another: often true of two unrelated amounts too
    return cap


def _amount_confidence(reading: Reading, found: dict[str, bool], ocr: bool) -> float:
    value = reading.value
    # OCR starts lower, and higher the surer tesseract was of the amount's words.
    ocr_start = 0.55 + 0.25 * min(1.0, max(0.0, (value.conf - 50) / 45))
    confidence = ocr_start if ocr else 0.85
    if not value.strong:
        confidence -= 0.15
    if value.below:
        confidence -= 0.03
    if reading.strict:
        confidence -= 0.03
    if reading.fuzzy:
        confidence -= 0.05
    if reading.agreeing:
        confidence += 0.05
    if reading.conflicting:
        confidence -= 0.3
    consistency = [
        found[k] for k in ("rows_sum", "row_sum", "gross_minus_tax", "balance") if k in found
    ]
    if any(consistency):
        confidence += 0.3 if ocr else 0.12
    elif consistency:
        confidence -= 0.1
    luhn = [v for k, v in found.items() if k.startswith("luhn_")]
    if ocr and luhn and not all(luhn):
        confidence -= 0.05
    return confidence
