"""What reading a document gives: a kind, a period, one amount, a confidence and other fields."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from intake.extract.amounts import format_amount


class Kind(enum.StrEnum):
    payslip = "payslip"
    rent_notice = "rent_notice"
    electricity_bill = "electricity_bill"
    benefit_payment = "benefit_payment"
    unemployment_payment = "unemployment_payment"
    student_aid = "student_aid"
    pension = "pension"
    bank_statement = "bank_statement"
    unknown = "unknown"
    unreadable = "unreadable"


class ErrorCode(enum.StrEnum):
    """Why a file could not be read. The web side turns these codes into words."""

    empty = "empty"
    unsupported_type = "unsupported_type"
    truncated = "truncated"
    encrypted = "encrypted"
    damaged = "damaged"
    too_many_pages = "too_many_pages"
    too_many_pixels = "too_many_pixels"
    memory_limit = "memory_limit"
    time_limit = "time_limit"
    reader_crashed = "reader_crashed"
    ocr_unavailable = "ocr_unavailable"
    not_found = "not_found"
    blurred = "blurred"  # a photo too blurred to read


@dataclass
class Extraction:
    kind: Kind
    period: str | None = None  # YYYY-MM
    amount_ore: int | None = None
    confidence: float = 0.0
    # Other named values: amounts as "1234.56", dates as "YYYY-MM-DD", numbers as printed.
    fields: dict[str, str] = field(default_factory=dict)
    error: str | None = None  # a short technical message
    error_code: ErrorCode | None = None
    currency: str = "SEK"
    source: str | None = None  # "text" (a text layer), "ocr" or "text+ocr"
    pages: int = 0
    checks: dict[str, bool] = field(default_factory=dict)  # e.g. {"gross_minus_tax": True}
    # With --explain: the top amount candidates and the features that weighed for them.
    explain: list[dict[str, Any]] | None = None

    @classmethod
    def unreadable(cls, code: ErrorCode, message: str) -> Extraction:
        return cls(kind=Kind.unreadable, error=message, error_code=code)

    @property
    def amount(self) -> str | None:
        return None if self.amount_ore is None else format_amount(self.amount_ore)

    def contract(self, file: str) -> dict[str, Any]:
        """The JSON object of ``portal extract --json`` (issue 4), keys in the contract's order."""
        return {
            "file": file,
            "kind": self.kind.value,
            "period": self.period,
            "amount": self.amount,
            "currency": self.currency,
            "confidence": round(self.confidence, 2),
            "fields": dict(self.fields),
            "error": self.error,
        }

    def stored(self) -> dict[str, Any]:
        """What the attachment row keeps beside kind, period, amount and confidence."""
        return {
            "fields": dict(self.fields),
            "error": self.error,
            "error_code": self.error_code.value if self.error_code else None,
            "checks": dict(self.checks),
            "source": self.source,
            "pages": self.pages,
        }

    def to_dict(self) -> dict[str, Any]:
        """Everything, for passing between processes."""
        return {
            "kind": self.kind.value,
            "period": self.period,
            "amount_ore": self.amount_ore,
            "confidence": self.confidence,
            "fields": self.fields,
            "error": self.error,
            "error_code": self.error_code.value if self.error_code else None,
            "currency": self.currency,
            "source": self.source,
            "pages": self.pages,
            "checks": self.checks,
            "explain": self.explain,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Extraction:
        return cls(
            kind=Kind(data["kind"]),
            period=data.get("period"),
            amount_ore=data.get("amount_ore"),
            confidence=float(data.get("confidence", 0.0)),
            fields=dict(data.get("fields") or {}),
            error=data.get("error"),
            error_code=ErrorCode(data["error_code"]) if data.get("error_code") else None,
            currency=data.get("currency", "SEK"),
            source=data.get("source"),
            pages=int(data.get("pages", 0)),
            checks=dict(data.get("checks") or {}),
            explain=data.get("explain"),
        )
