"""Shares positive and their 95 % Wilson intervals."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.survey.stats import Z95, Share, rate, share, wilson


@pytest.mark.parametrize(
    ("positive", "n", "low", "high"),
    [
        # R: prop.test(x, n, correct = FALSE)$conf.int gives the same (the Wilson score interval).
        (50, 100, 0.4038, 0.5962),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (81, 263, 0.2553, 0.3662),
        (4, 5, 0.3755, 0.9638),
        (152, 229, 0.6003, 0.7218),  # seed 003: 152 of 229,
    ],
)
def test_wilson_reference_values(positive: int, n: int, low: float, high: float) -> None:
    interval = wilson(positive, n)
    assert interval.low == pytest.approx(low, abs=5e-4)
    assert interval.high == pytest.approx(high, abs=5e-4)


@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_the_interval_holds_the_share_and_stays_within_zero_and_one(case: tuple[int, int]) -> None:
    positive, n = case
    interval = wilson(positive, n)
    assert 0.0 <= interval.low <= positive / n <= interval.high <= 1.0
    mirrored = wilson(n - positive, n)
    assert math.isclose(interval.low, 1 - mirrored.high, abs_tol=1e-9)


@given(st.integers(2, 3000).flatmap(lambda n: st.tuples(st.integers(1, n - 1), st.just(n))))
def test_the_bounds_solve_the_score_equation(case: tuple[int, int]) -> None:
    """What defines the Wilson interval: the proportions whose score test just accepts p̂."""
    positive, n = case
    p = positive / n
    for bound in (wilson(positive, n).low, wilson(positive, n).high):
        assert (p - bound) ** 2 == pytest.approx(Z95**2 * bound * (1 - bound) / n, rel=1e-6)


@given(st.integers(1, 400), st.floats(0.05, 0.95))
def test_more_answers_give_a_narrower_interval(n: int, p: float) -> None:
    small = wilson(round(p * n), n)
    large = wilson(round(p * n * 4), n * 4)
    assert large.high - large.low < small.high - small.low


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        wilson(1, 0)
    with pytest.raises(ValueError):
        wilson(3, 2)


@pytest.mark.parametrize(
    ("figure", "target", "verdict"),
    [
        (Share(95, 100), 0.85, "above"),
        (Share(60, 100), 0.85, "below"),
        (Share(85, 100), 0.85, "uncertain"),
        (Share(5, 5), 0.85, "uncertain"),  # five of five is not enough to say
    ],
)
def test_comparison_with_the_target_uses_the_whole_interval(
    figure: Share, target: float, verdict: str
) -> None:
    assert figure.against(target) == verdict


def test_share_and_rate_without_a_denominator() -> None:
    assert share(0, 0) is None
    assert share(3, 4) == Share(3, 4)
    assert rate(152, 229) == pytest.approx(0.6638, abs=1e-4)
    assert rate(1, 0) is None
