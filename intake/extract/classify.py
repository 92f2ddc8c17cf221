"""Which kind of document this is, from the words that give each kind away."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from intake.extract.kinds import SPECS
from intake.extract.layout import fuzzy_phrase, phrase
from intake.extract.result import Kind

# Below this score nothing fits: the document is "unknown".
THRESHOLD = 4.0


@dataclass(frozen=True)
class Verdict:
    kind: Kind
    confidence: float
    scores: dict[Kind, float]


@cache
def _patterns(fuzzy: bool) -> dict[Kind, list[tuple[re.Pattern[str], float]]]:
    make = fuzzy_phrase if fuzzy else phrase
    return {
        kind: [(make(word), weight) for word, weight in spec.keywords.items()]
        for kind, spec in SPECS.items()
    }


def classify(folded_text: str, fuzzy: bool = False) -> Verdict:
    """Score each kind by its words in the (folded) text; OCR text may have a letter wrong in
    longer words."""
    scores = {
        kind: sum(weight for pattern, weight in patterns if pattern.search(folded_text))
        for kind, patterns in _patterns(fuzzy).items()
    }
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < THRESHOLD:
        return Verdict(Kind.unknown, 0.8 if top < 2 else 0.6, scores)
    if top >= 8 and top >= 2 * second:
        confidence = 0.99
    elif top >= 6 and top >= 1.5 * second:
        confidence = 0.92
    elif top > second:
        confidence = 0.75
    else:
        confidence = 0.5
    return Verdict(best, confidence, scores)
