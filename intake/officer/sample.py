"""Egenkontroll (seeds 000, 002, 004): a reproducible random sample of decided applications and
a checklist per sampled application.

The sample: the population's ids sorted ascending, then ``random.Random(seed).sample`` of the
size asked for (all when fewer). The same population and seed give the same sample on every
machine and Python version that keeps ``random``'s documented reproducibility (Python 3.2+ for
``sample`` with a string seed, version 2 seeding).
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

CHECKLIST = (
    "planning_visible",  # the planning (handlingsplan, activities) is visible in the case
    "household_right",  # the household's composition is right
    "documents_support_costs",  # the documents support the costs granted
    "other_benefits_applied",  # other benefits have been applied for (the household's own means)
)
ANSWERS = ("yes", "no", "not_applicable")
MAX_SAMPLE = 200


def new_seed() -> str:
    return secrets.token_hex(8)


def draw(population: Iterable[int], size: int, seed: str) -> list[int]:
    """``size`` ids of ``population`` chosen with ``seed``, in ascending order."""
    ordered = sorted(set(population))
    size = max(0, min(size, len(ordered)))
    return sorted(random.Random(seed).sample(ordered, size))


@dataclass(frozen=True)
class ItemSummary:
    item: str
    yes: int
    no: int
    not_applicable: int

    @property
    def share_yes(self) -> float | None:
        """Share of yes among yes and no; None when nobody answered yes or no."""
        answered = self.yes + self.no
        return self.yes / answered if answered else None


@dataclass(frozen=True)
class Summary:
    sampled: int
    reviewed: int
    items: tuple[ItemSummary, ...]


def summarise(rows: Sequence[Mapping[str, str | None]]) -> Summary:
    """Counts per checklist item over reviewed rows (a row: item -> answer or None)."""
    reviewed = [row for row in rows if all(row.get(item) in ANSWERS for item in CHECKLIST)]
    items = tuple(
        ItemSummary(
            item,
            sum(1 for row in reviewed if row.get(item) == "yes"),
            sum(1 for row in reviewed if row.get(item) == "no"),
            sum(1 for row in reviewed if row.get(item) == "not_applicable"),
        )
        for item in CHECKLIST
    )
    return Summary(len(rows), len(reviewed), items)
