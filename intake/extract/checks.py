"""Checks that raise or lower the confidence in what was read."""

from __future__ import annotations

from collections.abc import Sequence

from intake.personnummer import luhn_ok


def luhn_valid(digits: str) -> bool:
    """Mod 10 (Luhn): OCR numbers, bankgiro, plusgiro and personnummer carry this check digit."""
    return len(digits) >= 2 and luhn_ok(digits)


def bankgiro_valid(number: str) -> bool:
    digits = number.replace("-", "").replace(" ", "")
    return len(digits) in (7, 8) and luhn_valid(digits)


def plusgiro_valid(number: str) -> bool:
    digits = number.replace("-", "").replace(" ", "")
    return 2 <= len(digits) <= 8 and luhn_valid(digits)


def gross_minus_tax_is_net(gross: int, tax: int, net: int) -> bool:
    """Tax may be printed with or without its minus sign."""
    return gross - abs(tax) == net


def sums_to(rows: Sequence[int], total: int) -> bool:
    """Rows (signed, in the order printed, nearest the total last) add up to the total, or the first
    row less every following row does (deductions printed without a minus)."""
    if not rows:
        return False
    if sum(rows) == total:
        return True
    return len(rows) > 1 and rows[0] - sum(abs(r) for r in rows[1:]) == total
