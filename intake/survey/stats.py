"""Shares and confidence intervals.

The share positive of a question is the share of the top two steps among those who chose a step
("don't know" and skipped answers are left out), with a 95 % Wilson score interval: unlike the
normal approximation it stays inside 0–1 and behaves for small groups and shares near 0 or 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def wilson(positive: int, n: int, z: float = Z95) -> Interval:
    """The Wilson score interval for ``positive`` successes out of ``n``."""
    if n <= 0:
        raise ValueError("n must be positive")
    if not 0 <= positive <= n:
        raise ValueError("positive must lie between 0 and n")
    p = positive / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # At p = 0 or 1 the bound is exactly 0 or 1; floating point would leave noise there.
    low = 0.0 if positive == 0 else max(0.0, min(p, centre - half))
    high = 1.0 if positive == n else min(1.0, max(p, centre + half))
    return Interval(low, high)


@dataclass(frozen=True)
class Share:
    positive: int
    n: int

    @property
    def value(self) -> float:
        return self.positive / self.n

    @property
    def interval(self) -> Interval:
        return wilson(self.positive, self.n)

    def against(self, target: float) -> str:
        """``above`` when the whole interval lies at or above the target, ``below`` when it lies
        under it, else ``uncertain`` (the data cannot tell)."""
        interval = self.interval
        if interval.low >= target:
            return "above"
        if interval.high < target:
            return "below"
        return "uncertain"


def share(positive: int, n: int) -> Share | None:
    return Share(positive, n) if n > 0 else None


def rate(part: int, whole: int) -> float | None:
    """A ratio such as the response rate (answers / invitations); None without a denominator."""
    return part / whole if whole > 0 else None
