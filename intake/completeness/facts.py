"""What the rules look at: the answers, last month's answers, the documents with what the reader
found in them, and who has signed. Built by the web side from its tables; plain data here."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from intake import flow
from intake.extract.result import Kind

# Document kinds the reader (intake.extract) can recognise. Other proof (receipts, medical
# certificates, activity reports) is never classified, so its kind is not checked.
READABLE_KINDS = frozenset(kind.value for kind in Kind) - {Kind.unknown, Kind.unreadable}
UNREADABLE = "unreadable"
UNKNOWN = "unknown"


class Stage(enum.StrEnum):
    draft = "draft"  # before signing: nothing about signatures yet
    sent = "sent"  # signed by the applicant


class CoApplicant(enum.StrEnum):
    pending = "pending"
    signed = "signed"
    declined = "declined"


@dataclass(frozen=True)
class Document:
    """An uploaded file as the rules see it."""

    id: int
    answer_key: str | None  # the answer it was given for ("later" when added on the status page)
    expected_kind: str | None  # the proof it was given as
    item: str | None = None  # the income or cost type it proves
    kind: str | None = None  # what the reader says it is
    period: str | None = None  # YYYY-MM, as read
    amount_ore: int | None = None  # as read
    confidence: float | None = None
    status: str = "pending"  # pending / done / failed
    confirmed_amount_ore: int | None = None  # what the applicant confirmed or corrected

    @property
    def read(self) -> bool:
        return self.status == "done"

    @property
    def unreadable(self) -> bool:
        return self.status == "failed" or self.kind == UNREADABLE


@dataclass(frozen=True)
class Facts:
    month: str  # YYYY-MM applied for
    sent_month: str  # YYYY-MM the application was sent (for a draft: the current month)
    answers: Mapping[str, Any]
    context: flow.Context  # the household and last month's answers
    documents: tuple[Document, ...] = ()
    co_applicant: CoApplicant | None = None  # None: no co-applicant in the household
    stage: Stage = Stage.sent
    proof_rules: flow.ProofRules = field(default=flow.DEFAULT_PROOF_RULES)

    @property
    def previous(self) -> Mapping[str, Any]:
        return self.context.previous
