"""The result of a calculation and its trace, line by line, for the web side to put into words.

Every line has a stable ``code``, ``params`` (plain JSON values; amounts end in ``_ore``), a
signed ``amount_ore`` and the ``rule`` it follows (a key of ``RULES``). ``kind`` says how the
line counts:

* ``item``: part of the sum; the item lines of a calculation add up to ``need_ore`` exactly;
* ``info``: shown for the officer (e.g. an amount left out and why), not part of the sum;
* ``total``: a subtotal or the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ParamValue = str | int | bool | list[str] | None

# Where each rule comes from. Paragraphs are those of the socialtjänstlag (2001:453) as the
# sources quote them; the new socialtjänstlag (2025:400) numbers them differently: check before
# showing a paragraph to anyone.
RULES: Mapping[str, str] = {
    "norm.table": "Socialtjänstförordningen (2001:937) 2 kap. 1 §: the yearly riksnorm",
    "norm.personal": "SoL (2001:453) 4 kap. 3 § 1 p.: personal costs by age",
    "norm.common": "SoL (2001:453) 4 kap. 3 § 1 p.: household-common costs by size; beyond 7 "
    "persons the 6→7 difference per extra person",
    "norm.non_sambo": "Riksnorm: an adult sharing a home without being a sambo gets the "
    "single-adult amount and the common costs divided by the persons in the home",
    "norm.part_time_child": "Configuration: a child living part-time in the home gets the "
    "personal amount × days / days_divisor",
    "norm.visiting_child": "Configuration: a visiting child (umgängesbarn) gets the personal "
    "amount × visiting_child_percent × days / days_divisor",
    "costs.outside_norm": "SoL (2001:453) 4 kap. 3 § 2 p.: reasonable costs outside the norm",
    "costs.limit": "Configuration: the municipality's limit for the cost",
    "livsforing": "SoL (2001:453) 4 kap. 1 §: livsföring i övrigt, as accepted",
    "income.counted": "SoL (2001:453) 4 kap. 1 §: the household's own means come first; every "
    "income counts, tax-free benefits too (bostadsbidrag, barnbidrag, underhållsstöd)",
    "income.children_earnings": "Children's own earnings are not counted (DOMAIN.md)",
    "jobbstimulans": "SoL (2001:453) 4 kap. 1 b §: jobbstimulans",
    "result": "Preliminary amount = norm + costs outside the norm + livsföring − income, "
    "not below zero",
}


@dataclass(frozen=True)
class Line:
    section: str  # table / norm / costs / livsforing / income / result
    code: str
    amount_ore: int
    rule: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    kind: str = "item"  # item / info / total

    def to_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "code": self.code,
            "kind": self.kind,
            "amount_ore": self.amount_ore,
            "rule": self.rule,
            "params": dict(self.params),
        }


@dataclass(frozen=True)
class Calculation:
    month: str
    table_year: int
    table_title: str
    table_source: str
    is_demo: bool  # the table holds example values: say so wherever this is shown
    norm_ore: int
    costs_ore: int
    livsforing_ore: int
    income_ore: int  # counted income (after exclusions and jobbstimulans), positive
    need_ore: int  # norm + costs + livsforing − income (may be negative)
    amount_ore: int  # the preliminary amount: need, not below zero
    lines: tuple[Line, ...]
    warnings: tuple[str, ...] = ()  # codes: norm.demo_table, norm.derived_table, norm.table_note

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "table": {
                "year": self.table_year,
                "title": self.table_title,
                "source": self.table_source,
                "is_demo": self.is_demo,
            },
            "norm_ore": self.norm_ore,
            "costs_ore": self.costs_ore,
            "livsforing_ore": self.livsforing_ore,
            "income_ore": self.income_ore,
            "need_ore": self.need_ore,
            "amount_ore": self.amount_ore,
            "warnings": list(self.warnings),
            "lines": [line.to_dict() for line in self.lines],
        }


class NormError(ValueError):
    """The calculation cannot be made. ``code`` is stable; ``params`` say what was wrong."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(f"{code} {params}" if params else code)
        self.code = code
        self.params = params
