"""Jobbstimulans as a pure function over one person's month history."""

from __future__ import annotations

import pytest

from intake.norm import JobbstimulansRules, PersonMonth, jobbstimulans_status
from intake.norm.months import month_index, month_text


def months(first: str, count: int, *, support: bool = True, salary: int = 0) -> list[PersonMonth]:
    start = month_index(first)
    return [PersonMonth(month_text(start + i), support, salary) for i in range(count)]


def status(history: list[PersonMonth], month: str, employed: bool = True, **rules: int):  # type: ignore[no-untyped-def]
    return jobbstimulans_status(
        history, month, employment_income=employed, rules=JobbstimulansRules(**rules)
    )


def test_six_months_in_a_row_start_a_period_in_the_first_month_with_a_salary() -> None:
    found = status(months("2024-01", 6), "2024-07")
    assert found.applies and found.code == "applies"
    assert (found.period_start, found.period_end, found.month_in_period) == (
        "2024-07",
        "2026-06",
        1,
    )
    assert found.consecutive_support_months == 6


def test_five_months_are_not_enough() -> None:
    found = status(months("2024-02", 5), "2024-07")
    assert (found.applies, found.code, found.consecutive_support_months) == (
        False,
        "not_qualified",
        5,
    )


def test_a_gap_breaks_the_chain() -> None:
    # Support Jan–Mar and May–Jul 2024; April missing: only 3 months in a row before August.
    history = months("2024-01", 3) + months("2024-05", 3)
    assert status(history, "2024-08").code == "not_qualified"
    # A month present but without support breaks it too.
    history = months("2024-01", 3) + [PersonMonth("2024-04", False)] + months("2024-05", 3)
    assert status(history, "2024-08").code == "not_qualified"


def test_the_period_counts_calendar_months_even_off_support() -> None:
    # Qualified, salary from 2024-07; off support 2025-01…2025-12; back in 2026-03: month 21.
    history = months("2024-01", 6) + months("2024-07", 6, salary=500_000)
    history += months("2025-01", 12, support=False, salary=2_000_000)
    found = status(history, "2026-03")
    assert found.applies and found.month_in_period == 21
    assert status(history, "2026-06").month_in_period == 24
    assert status(history, "2026-07").code == "period_ended"


def test_qualifying_without_a_salary_waits_for_the_first_salary() -> None:
    # On support 2024-01…2024-10 without work; first salary in 2024-11: the period starts then.
    found = status(months("2024-01", 10), "2024-11")
    assert (found.period_start, found.month_in_period) == ("2024-11", 1)


def test_a_new_period_needs_six_new_months_after_the_old_one() -> None:
    old = months("2020-01", 6) + months("2020-07", 24, salary=100)  # period 2020-07…2022-06
    assert status(old, "2022-07").code == "period_ended"
    # Off support for a while, then 6 months on support after the period: a new period.
    again = old + months("2022-07", 3, support=False) + months("2022-10", 6)
    found = status(again, "2023-04")
    assert found.applies and found.period_start == "2023-04"
    # 5 months after the old period are not enough.
    assert status(old + months("2022-10", 5), "2023-03").code == "period_ended"


def test_no_salary_this_month_means_nothing_to_leave_out() -> None:
    found = status(months("2024-01", 6), "2024-07", employed=False)
    assert (found.applies, found.code) == (False, "no_employment_income")


def test_months_at_or_after_the_month_assessed_are_ignored() -> None:
    future = months("2024-07", 12)
    assert status(future, "2024-07").code == "not_qualified"


@pytest.mark.parametrize(("qualifying", "window"), [(3, 12), (6, 24), (12, 6)])
def test_the_numbers_are_configuration(qualifying: int, window: int) -> None:
    history = months("2024-01", qualifying)
    first = month_text(month_index("2024-01") + qualifying)
    last = month_text(month_index(first) + window - 1)
    found = status(history, first, qualifying_months=qualifying, window_months=window)
    assert (found.period_start, found.period_end) == (first, last)
    short = status(history[1:], first, qualifying_months=qualifying, window_months=window)
    assert short.code == "not_qualified"
