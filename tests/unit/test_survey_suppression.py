"""Small-group suppression: no group under 5 is shown, and the totals cannot reveal one."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.survey.suppression import MIN_GROUP, suppress

K = MIN_GROUP
tables = st.dictionaries(
    st.sampled_from(["Nord", "Syd", "Öst", "Väst", "Centrum", "Norr", "Söder"]),
    st.integers(0, 60),
    min_size=1,
    max_size=7,
)


def _published(counts: dict[str, int]) -> tuple[dict[str, int], int | None, frozenset[str]]:
    """What a reader sees: the visible groups, the total (unless hidden) and which are hidden."""
    result = suppress(counts)
    visible = {key: value for key, value in counts.items() if result.shows(key)}
    total = None if result.total_hidden else sum(counts.values())
    return visible, total, result.hidden


@given(tables)
def test_no_visible_group_has_between_one_and_four_answers(counts: dict[str, int]) -> None:
    visible, total, _hidden = _published(counts)
    assert all(value == 0 or value >= K for value in visible.values())
    assert total is None or total >= K


@given(tables)
def test_the_hidden_groups_together_hold_none_or_at_least_five(counts: dict[str, int]) -> None:
    visible, total, hidden = _published(counts)
    if total is None:
        assert visible == {} and hidden == set(counts)
        return
    hidden_sum = total - sum(visible.values())
    assert hidden_sum == 0 or hidden_sum >= K
    assert hidden_sum == sum(counts[key] for key in hidden)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["a", "b", "c", "d", "e", "f"]), st.integers(0, 9), min_size=2, max_size=6
    )
)
def test_no_hidden_group_can_be_worked_out_from_the_published_figures(
    counts: dict[str, int],
) -> None:
    """A reader adds and subtracts: the hidden groups hold total − visible answers, and each
    hidden group has at least one (zeros are shown). Every value a hidden group could hold with
    the others still holding one or more each is possible; there must be more than one."""
    visible, total, hidden = _published(counts)
    if total is None or not hidden:
        return
    keys = sorted(hidden)
    hidden_sum = total - sum(visible.values())

    def others_can_hold(rest: int, groups: int) -> bool:
        # `groups` hidden groups of at least one answer each can hold `rest` answers.
        return rest == 0 if groups == 0 else rest >= groups

    for key in keys:
        possible = {
            value
            for value in range(1, hidden_sum + 1)
            if others_can_hold(hidden_sum - value, len(keys) - 1)
        }
        assert counts[key] in possible
        assert len(possible) > 1, (counts, key, possible)


@given(tables, st.data())
def test_groups_hidden_for_another_reason_are_protected_too(counts: dict[str, int], data) -> None:  # type: ignore[no-untyped-def]
    also = data.draw(st.sets(st.sampled_from(sorted(counts))))
    result = suppress(counts, also_hide=also)
    if result.total_hidden:
        return
    assert also <= result.hidden
    hidden_sum = sum(counts[key] for key in result.hidden)
    assert hidden_sum == 0 or hidden_sum >= K


@pytest.mark.parametrize(
    ("counts", "hidden", "total_hidden"),
    [
        ({"Nord": 40, "Syd": 30}, set(), False),
        ({"Nord": 40, "Syd": 3}, {"Syd", "Nord"}, False),  # 3 alone would be total − 40
        ({"Nord": 40, "Syd": 3, "Öst": 9}, {"Syd", "Öst"}, False),  # smallest other group
        ({"Nord": 40, "Syd": 3, "Öst": 2}, {"Syd", "Öst"}, False),  # 3 + 2 = 5 hidden together
        ({"Nord": 40, "Syd": 0, "Öst": 9}, set(), False),  # a zero is shown
        ({"Nord": 3, "Syd": 1, "Öst": 0}, {"Nord", "Syd", "Öst"}, True),  # the total is too small
        # Five groups of one and nothing else: which groups they are must not show either.
        ({"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 0}, set("abcdef"), True),
        ({"Nord": 2, "Syd": 3, "Öst": 20}, {"Nord", "Syd"}, False),  # 2 + 3 = 5 hidden together
        # Five groups of one would each be known to hold exactly one answer: hide one more.
        ({"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 30, "g": 7}, set("abcdeg"), False),
    ],
)
def test_examples(counts: dict[str, int], hidden: set[str], total_hidden: bool) -> None:
    result = suppress(counts)
    assert set(result.hidden) == hidden
    assert result.total_hidden is total_hidden


def test_a_smaller_threshold_is_refused_and_negative_counts_too() -> None:
    with pytest.raises(ValueError):
        suppress({"a": 1}, k=0)
    with pytest.raises(ValueError):
        suppress({"a": -1})
