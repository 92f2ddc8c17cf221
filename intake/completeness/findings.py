"""What the completeness rules say about an application: findings with a code, a severity, the
answer or attachment they concern and the values the words need. Never sentences."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.StrEnum):
    blocking = "blocking"  # the case cannot be assessed without it
    review = "review"  # a person should look before a case officer does
    info = "info"  # worth knowing, nothing to do


SEVERITY_ORDER = {Severity.blocking: 0, Severity.review: 1, Severity.info: 2}


class Code(enum.StrEnum):
    missing_attachment = "missing_attachment"  # a declared income, cost or asset lacks its proof
    wrong_kind = "wrong_kind"  # the document is something else than it was given as
    unrecognised_document = "unrecognised_document"  # the reader could not tell what it is
    wrong_period = "wrong_period"  # a rent notice for another month, an old payslip
    amount_mismatch = "amount_mismatch"  # declared and documented amounts differ
    balance_mismatch = "balance_mismatch"  # a bank statement's balance matches no account
    amount_corrected = "amount_corrected"  # the applicant changed the amount the reader found
    low_confidence = "low_confidence"  # the amount was read without certainty, not confirmed
    unreadable_attachment = "unreadable_attachment"  # the file could not be read at all
    reading_pending = "reading_pending"  # the document has not been read yet
    co_applicant_not_signed = "co_applicant_not_signed"
    co_applicant_declined = "co_applicant_declined"
    household_change_facts = "household_change_facts"  # a change without who, what and when
    income_disappeared = "income_disappeared"  # an income last month is gone this month
    rent_increase = "rent_increase"  # rent up more than the set share


# Codes the applicant can do something about (shown under "What is still missing").
FIXABLE_BY_APPLICANT = frozenset(
    {
        Code.missing_attachment,
        Code.wrong_kind,
        Code.wrong_period,
        Code.amount_mismatch,
        Code.balance_mismatch,
        Code.low_confidence,
        Code.unreadable_attachment,
        Code.co_applicant_not_signed,
        Code.co_applicant_declined,
        Code.household_change_facts,
    }
)

# Codes about one uploaded file; the subject is then ``attachment:<id>``.
ABOUT_ATTACHMENT = frozenset(
    {
        Code.wrong_kind,
        Code.unrecognised_document,
        Code.wrong_period,
        Code.balance_mismatch,
        Code.amount_corrected,
        Code.low_confidence,
        Code.unreadable_attachment,
        Code.reading_pending,
    }
)


@dataclass(frozen=True)
class Finding:
    code: Code
    severity: Severity
    subject: str  # an answer key (``rent``, ``incomes:12/salary``), ``attachment:<id>`` or a role
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> tuple[str, str]:
        """What makes a finding the same finding when the application is evaluated again."""
        return (self.code.value, self.subject)

    @property
    def routes_to_informator(self) -> bool:
        return self.severity in (Severity.blocking, Severity.review)


def attachment_subject(attachment_id: int) -> str:
    return f"attachment:{attachment_id}"


def need_subject(step_key: str, item: str = "") -> str:
    return f"{step_key}/{item}" if item else step_key


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.code.value, f.subject))
