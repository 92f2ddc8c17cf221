"""Which answers need which documents, per municipality: a TOML file validated at start-up.

    # proof.toml
    bank_statement = true          # every bank account needs the latest statement
    costs = "receipt"              # what proves a cost outside the norm
    [amounts]                      # amount questions that need a document when not zero
    rent = "rent_notice"
    household_electricity = "electricity_bill"
    [incomes]                      # income type -> document
    salary = "payslip"
    [activities]                   # activity -> document
    sick_leave = "medical_certificate"

A section that is left out keeps the defaults; an empty section asks for nothing. Some
municipalities ask for no attachments at renewal and sample afterwards: all sections empty and
``bank_statement = false``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from intake.flow import ACTIVITIES, DEFAULT_PROOF_RULES, INCOME_TYPES, ProofRules

DOCUMENTS = frozenset(
    {
        "payslip",
        "rent_notice",
        "electricity_bill",
        "benefit_payment",
        "unemployment_payment",
        "student_aid",
        "pension",
        "bank_statement",
        "receipt",
        "activity_report",
        "medical_certificate",
    }
)
AMOUNT_QUESTIONS = frozenset({"rent", "household_electricity", "home_insurance"})


class ProofRulesError(ValueError):
    """Names the file and the key that is wrong."""


def load(path: Path) -> ProofRules:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProofRulesError(f"{path}: {exc}") from exc
    return parse(data, str(path))


def parse(data: dict[str, Any], where: str = "proof rules") -> ProofRules:
    known = {"amounts", "incomes", "activities", "costs", "bank_statement"}
    for key in data:
        if key not in known:
            raise ProofRulesError(
                f"{where}: unknown key {key!r} (known: {', '.join(sorted(known))})"
            )

    def table(name: str, allowed: frozenset[str] | tuple[str, ...], default: Any) -> dict[str, str]:
        if name not in data:
            return dict(default)
        section = data[name]
        if not isinstance(section, dict):
            raise ProofRulesError(f"{where}: [{name}] must be a table")
        for key, document in section.items():
            if key not in allowed:
                raise ProofRulesError(f"{where}: {name}.{key}: not a known question or type")
            if document not in DOCUMENTS:
                raise ProofRulesError(
                    f"{where}: {name}.{key} = {document!r}: not a known document "
                    f"({', '.join(sorted(DOCUMENTS))})"
                )
        return dict(section)

    costs = data.get("costs", DEFAULT_PROOF_RULES.costs)
    if costs not in DOCUMENTS:
        raise ProofRulesError(f"{where}: costs = {costs!r}: not a known document")
    bank_statement = data.get("bank_statement", DEFAULT_PROOF_RULES.bank_statement)
    if not isinstance(bank_statement, bool):
        raise ProofRulesError(f"{where}: bank_statement must be true or false")
    return ProofRules(
        amounts=table("amounts", AMOUNT_QUESTIONS, DEFAULT_PROOF_RULES.amounts),
        incomes=table("incomes", INCOME_TYPES, DEFAULT_PROOF_RULES.incomes),
        activities=table("activities", ACTIVITIES, DEFAULT_PROOF_RULES.activities),
        costs=costs,
        bank_statement=bank_statement,
    )
