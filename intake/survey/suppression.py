"""Small-group suppression with complementary suppression.

A table here is one breakdown of a total into groups (units, languages, months), each with a
count. No count between 1 and ``k - 1`` is shown (primary suppression). Because the total is
shown, a single hidden group could be worked out as total minus the visible groups; so more groups
are hidden (complementary suppression, smallest first) until the hidden groups together hold no
answers at all or at least ``k``. When the total itself is below ``k`` everything is hidden,
the groups without answers too.

Groups with no answers stay visible: showing a zero reveals nothing about anyone. A reader
therefore knows that every hidden group has at least one answer; so the hidden groups are never
left holding exactly one answer each (then each would be known to be 1), another group is hidden.

The protection is against working out a group from the published figures by adding and
subtracting (a reader knows the visible groups, the total and that hidden groups are not empty).
As with all cell suppression, a reader who also replays this method on guessed values can
sometimes narrow a hidden group down further; groups are never shown, only ranges can shrink.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

MIN_GROUP = 5


@dataclass(frozen=True)
class Suppressed(Generic[K]):
    hidden: frozenset[K]
    total_hidden: bool  # nothing of the table is shown: every group (zeros too) is hidden

    def shows(self, key: K) -> bool:
        return key not in self.hidden


def _order(key: object) -> tuple[int, str]:
    # Deterministic tie-breaking between groups of the same size, whatever the key type.
    return (0 if key is None else 1, str(key))


def suppress(
    counts: Mapping[K, int], k: int = MIN_GROUP, also_hide: Iterable[K] = ()
) -> Suppressed[K]:
    """Which groups to hide. ``also_hide`` are groups that must be hidden for another reason
    (e.g. their number of respondents is hidden in a linked table); they count towards the
    hidden total like any other hidden group."""
    if k < 1:
        raise ValueError("k must be at least 1")
    if any(count < 0 for count in counts.values()):
        raise ValueError("counts cannot be negative")
    total = sum(counts.values())
    everything = Suppressed(frozenset(counts), True)
    if total < k:
        return everything
    hidden = {key for key, count in counts.items() if 0 < count < k}
    hidden.update(key for key in also_hide if key in counts)
    hidden_sum = sum(counts[key] for key in hidden)
    while 0 < hidden_sum < k or _all_ones(counts, hidden, hidden_sum):
        candidates = [key for key, count in counts.items() if key not in hidden and count > 0]
        if not candidates:
            # Every group with answers is hidden and each holds one: hide the zeros too, and
            # the total, so that nobody can tell which groups those are.
            return everything
        smallest = min(candidates, key=lambda key: (counts[key], _order(key)))
        hidden.add(smallest)
        hidden_sum += counts[smallest]
    return Suppressed(frozenset(hidden), False)


def _all_ones(counts: Mapping[K, int], hidden: set[K], hidden_sum: int) -> bool:
    """True when the hidden groups with answers could only hold one answer each."""
    return hidden_sum > 0 and hidden_sum == sum(1 for key in hidden if counts[key] > 0)
