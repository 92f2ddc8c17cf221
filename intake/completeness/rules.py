"""The completeness rules: an application's facts in, structured findings out.

Documents are first matched to the proof each answer needs (``intake.flow.proof_needed``); each
need is then either missing, covered by a usable document, or covered only by documents with a
problem (unreadable, of the wrong kind, for the wrong month). Amounts are compared only on usable
documents. A problem is reported once: a need with a wrong-month rent notice is not also
"missing", and a stray old document does not count against a need that a good one covers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from intake import flow
from intake.completeness.config import DEFAULT, Config
from intake.completeness.facts import (
    READABLE_KINDS,
    UNKNOWN,
    CoApplicant,
    Document,
    Facts,
    Stage,
)
from intake.completeness.findings import (
    Code,
    Finding,
    attachment_subject,
    need_subject,
    sort_findings,
)
from intake.norm.months import month_index, month_text

Raw = tuple[Code, str, dict[str, Any]]


@dataclass
class Need:
    """A document an answer needs, with the documents given for it."""

    step_key: str
    document: str
    item: str
    documents: list[Document] = field(default_factory=list)

    @property
    def subject(self) -> str:
        return need_subject(self.step_key, self.item)

    @property
    def params(self) -> dict[str, Any]:
        return {
            "answer_key": self.step_key,
            "document": self.document,
            "item": self.item,
            "person": person_of(self.step_key),
        }


def person_of(step_key: str) -> int | None:
    """The person a per-adult answer is about (``incomes:12`` → 12)."""
    _, _, rest = step_key.partition(":")
    return int(rest) if rest.isdigit() else None


def evaluate(facts: Facts, config: Config = DEFAULT) -> list[Finding]:
    """Every finding for the application, most serious first; rules set to "off" say nothing."""
    raw: list[Raw] = [
        *document_findings(facts, config),
        *co_applicant_findings(facts),
        *household_change_findings(facts, config),
        *income_disappeared_findings(facts, config),
        *rent_increase_findings(facts, config),
    ]
    findings: list[Finding] = []
    seen: set[tuple[Code, str]] = set()
    for code, subject, params in raw:
        severity = config.severity(code)
        if severity is None or (code, subject) in seen:
            continue
        seen.add((code, subject))
        findings.append(Finding(code, severity, subject, params))
    return sort_findings(findings)


# --- documents ---------------------------------------------------------------------------------


def needs_of(facts: Facts) -> list[Need]:
    """The proof every answered question needs, with the documents given for each."""
    needs: list[Need] = []
    for step in flow.active_steps(facts.answers, facts.context):
        if step.key not in facts.answers:
            continue
        for proof in flow.proof_needed(step, facts.answers[step.key], facts.proof_rules):
            needs.append(Need(proof.step_key, proof.document, proof.item))
    used: set[int] = set()
    for need in needs:
        for document in facts.documents:
            if (
                document.answer_key == need.step_key
                and document.expected_kind == need.document
                and (document.item or "") == need.item
            ):
                need.documents.append(document)
                used.add(document.id)
    # A file added "as something else" that the reader recognises covers a need still empty.
    for document in facts.documents:
        if document.id in used or document.kind not in READABLE_KINDS:
            continue
        for need in needs:
            if not need.documents and need.document == document.kind:
                need.documents.append(document)
                used.add(document.id)
                break
    return needs


def document_findings(facts: Facts, config: Config) -> Iterator[Raw]:
    for need in needs_of(facts):
        if not need.documents:
            yield Code.missing_attachment, need.subject, need.params
            continue
        usable: list[Document] = []
        problems: list[Raw] = []
        pending: list[Raw] = []
        for document in need.documents:
            problem = document_problem(document, need, facts, config)
            if problem is None:
                usable.append(document)
            elif problem[0] is Code.reading_pending:
                pending.append(problem)
            else:
                problems.append(problem)
        if usable:
            yield from amount_findings(need, usable, facts, config)
        elif pending:
            # Not read yet: what it says is not known, so nothing else is said about this need.
            yield from pending
        else:
            yield from problems


def document_problem(document: Document, need: Need, facts: Facts, config: Config) -> Raw | None:
    found = reading_problem(document, need.document, facts.month, facts.sent_month, config)
    if found is None:
        return None
    code, extra = found
    params = {**need.params, "attachment": document.id, "kind": document.kind, **extra}
    return code, attachment_subject(document.id), params


def reading_problem(
    document: Document, expected: str, month: str, sent_month: str, config: Config
) -> tuple[Code, dict[str, Any]] | None:
    """What is wrong with one document given as ``expected`` for the application of ``month``
    (sent, or for a draft being written, in ``sent_month``), with the values the words need.
    The same answer the rules give, so that the screen where it was uploaded can say it at once."""
    if document.unreadable:
        return Code.unreadable_attachment, {}
    if not document.read:
        return Code.reading_pending, {}
    if expected not in READABLE_KINDS:
        return None  # receipts, certificates: the reader does not classify them
    if document.kind in (None, UNKNOWN):
        return Code.unrecognised_document, {}
    if document.kind != expected:
        # Only a confident reading says "wrong kind"; an unsure one asks a person to look.
        if (document.confidence or 0) >= config.min_confidence:
            return Code.wrong_kind, {}
        return Code.unrecognised_document, {}
    window = config.periods.get(expected)
    if window is not None and document.period:
        base = month if window.relative_to == "application" else sent_month
        earliest = month_text(month_index(base) + window.earliest)
        latest = month_text(month_index(base) + window.latest)
        if not earliest <= document.period <= latest:
            return Code.wrong_period, {
                "period": document.period,
                "earliest": earliest,
                "latest": latest,
            }
    return None


def documented_amount(document: Document, config: Config) -> int | None:
    """The document's amount as far as it can be trusted: the applicant's confirmation first,
    then what the reader found with enough confidence."""
    if document.confirmed_amount_ore is not None:
        return document.confirmed_amount_ore
    if document.amount_ore is not None and (document.confidence or 0) >= config.min_confidence:
        return document.amount_ore
    return None


def declared_amount(answers: Mapping[str, Any], step_key: str, item: str) -> int | None:
    value = answers.get(step_key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, dict):
        amount = value.get("amounts", {}).get(item)
        return amount if isinstance(amount, int) and not isinstance(amount, bool) else None
    return None


def amount_findings(
    need: Need, usable: list[Document], facts: Facts, config: Config
) -> Iterator[Raw]:
    if need.document not in READABLE_KINDS:
        return
    amounts: list[int] = []
    for document in usable:
        subject = attachment_subject(document.id)
        params = {**need.params, "attachment": document.id}
        if (
            document.confirmed_amount_ore is not None
            and document.amount_ore is not None
            and config.differs(document.amount_ore, document.confirmed_amount_ore)
        ):
            yield (
                Code.amount_corrected,
                subject,
                {
                    **params,
                    "read_ore": document.amount_ore,
                    "confirmed_ore": document.confirmed_amount_ore,
                },
            )
        amount = documented_amount(document, config)
        if amount is None:
            yield Code.low_confidence, subject, {**params, "read_ore": document.amount_ore}
            return
        amounts.append(amount)
    if need.document == "bank_statement":
        yield from balance_findings(need, usable, amounts, facts, config)
        return
    declared = declared_amount(facts.answers, need.step_key, need.item)
    if declared is None:
        return
    documented = sum(amounts)
    if config.differs(declared, documented):
        yield (
            Code.amount_mismatch,
            need.subject,
            {
                **need.params,
                "declared_ore": declared,
                "documented_ore": documented,
                "attachments": [document.id for document in usable],
            },
        )


def balance_findings(
    need: Need, usable: list[Document], amounts: list[int], facts: Facts, config: Config
) -> Iterator[Raw]:
    accounts = facts.answers.get(need.step_key) or []
    balances: list[int] = [
        a["balance"]
        for a in accounts
        if isinstance(a, dict)
        and isinstance(a.get("balance"), int)
        and not isinstance(a.get("balance"), bool)
    ]
    if not balances:
        return
    for document, amount in zip(usable, amounts, strict=True):
        if all(config.differs(balance, amount) for balance in balances):
            yield (
                Code.balance_mismatch,
                attachment_subject(document.id),
                {**need.params, "attachment": document.id, "documented_ore": amount},
            )


# --- signatures, household, changes against last month -----------------------------------------


def co_applicant_findings(facts: Facts) -> Iterator[Raw]:
    if facts.stage is Stage.draft or facts.co_applicant is None:
        return
    if facts.co_applicant is CoApplicant.pending:
        yield Code.co_applicant_not_signed, "co_applicant", {}
    elif facts.co_applicant is CoApplicant.declined:
        yield Code.co_applicant_declined, "co_applicant", {}


def household_change_findings(facts: Facts, config: Config) -> Iterator[Raw]:
    answers = facts.answers
    if answers.get("anything_changed") is not True:
        return
    changes = answers.get("changes") or []
    needing = sorted(set(changes) & config.household_change_needs_text_for)
    if not needing:
        return
    told = str(answers.get("household_change") or "").strip()
    if len(told) < max(config.household_change_min_length, 1):
        yield Code.household_change_facts, "household_change", {"changes": needing}


def income_disappeared_findings(facts: Facts, config: Config) -> Iterator[Raw]:
    for key, previous in facts.previous.items():
        if not key.startswith("incomes:") or not isinstance(previous, dict):
            continue
        current = facts.answers.get(key)
        if not isinstance(current, dict):
            continue  # not answered (yet), or the person is no longer in the household
        now = current.get("amounts", {}) or {}
        for item, amount in (previous.get("amounts", {}) or {}).items():
            if (
                isinstance(amount, int)
                and amount >= config.income_disappeared_min_ore
                and item not in now
            ):
                yield (
                    Code.income_disappeared,
                    need_subject(key, item),
                    {
                        "answer_key": key,
                        "item": item,
                        "previous_ore": amount,
                        "person": person_of(key),
                    },
                )


def rent_increase_findings(facts: Facts, config: Config) -> Iterator[Raw]:
    previous = facts.previous.get("rent")
    current = facts.answers.get("rent")
    if not all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in (previous, current)
    ):
        return
    assert isinstance(previous, int) and isinstance(current, int)
    if current > previous * (1 + config.rent_increase_share):
        yield (
            Code.rent_increase,
            "rent",
            {
                "answer_key": "rent",
                "previous_ore": previous,
                "current_ore": current,
                "percent": round((current - previous) * 100 / previous),
            },
        )
