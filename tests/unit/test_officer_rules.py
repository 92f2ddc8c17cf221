"""The officer's domain rules: decisions, handlingsplan status, egenkontroll samples, the queue's
household types and days waiting."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.officer import decision, plan, queue, sample
from intake.officer.decision import Draft, Problem, check, suggest_obstacle

# --- decisions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("draft", "problems"),
    [
        (Draft("granted", 812300, "", {1: "unemployed"}), []),
        (Draft("partly", 500000, "Rent above the ceiling", {1: "sick_leave"}), []),
        (Draft("refused", None, "Income above the norm", {1: "working_insufficient_income"}), []),
        (Draft("refused", 0, "Income above the norm", {1: "no_obstacle"}), []),
        (Draft("granted", None, "", {1: "unemployed"}), [Problem("amount", "amount_positive")]),
        (Draft("granted", 0, "", {1: "unemployed"}), [Problem("amount", "amount_positive")]),
        (
            Draft("refused", 100, "x", {1: "unemployed"}),
            [Problem("amount", "amount_must_be_zero")],
        ),
        (Draft("refused", None, " ", {1: "other"}), [Problem("reason", "reason_required")]),
        (
            Draft("partly", 100, "", {1: "other"}),
            [Problem("reason", "reason_required")],
        ),
        (Draft("maybe", 100, "", {1: "other"}), [Problem("outcome", "choose_one")]),
        (Draft("granted", 100, "", {}), [Problem("obstacle_1", "choose_one")]),
        (
            Draft("granted", 100, "", {1: "lazy"}),
            [Problem("obstacle_1", "choose_one")],
        ),
        (
            Draft("granted", 100, "x" * (decision.MAX_REASON + 1), {1: "other"}),
            [Problem("reason", "text_too_long")],
        ),
    ],
)
def test_decision_rules(draft: Draft, problems: list[Problem]) -> None:
    assert check(draft, [1]) == problems


def test_every_adult_needs_an_obstacle() -> None:
    draft = Draft("granted", 100, "", {1: "unemployed"})
    assert check(draft, [1, 2]) == [Problem("obstacle_2", "choose_one")]


def test_the_obstacles_are_those_of_the_domain_brief() -> None:
    # Arbetslös, sjukskriven, sjuk-/aktivitetsersättning, arbetshinder sociala skäl,
    # föräldraledig, arbetar (otillräcklig inkomst), språkhinder, utan försörjningshinder, annat.
    assert len(decision.SUPPORT_OBSTACLES) == 9
    assert {"granted", "partly"} == decision.ON_SUPPORT


@pytest.mark.parametrize(
    ("activities", "incomes", "expected"),
    [
        (["job_seeking"], {"unemployment_fund": 1}, "unemployed"),
        (["plan_activity"], {}, "unemployed"),
        (["sick_leave"], {"sickness_benefit": 1}, "sick_leave"),
        (["job_seeking"], {"sickness_compensation": 1}, "sickness_or_activity_compensation"),
        (["parental_leave"], {"parental_benefit": 1}, "parental_leave"),
        (["working"], {"salary": 1}, "working_insufficient_income"),
        ([], {"salary": 1}, "working_insufficient_income"),
        (["studying"], {}, None),
        ([], {}, None),
    ],
)
def test_suggested_obstacle(activities: list[str], incomes: dict[str, int], expected: str) -> None:
    assert suggest_obstacle(activities, incomes) == expected


# --- handlingsplan --------------------------------------------------------------------------

TODAY = dt.date(2026, 5, 20)


@pytest.mark.parametrize(
    ("established", "follow_ups", "applications", "code", "next_due"),
    [
        (None, [], 1, "not_needed_yet", None),
        (None, [], 2, "missing", None),
        (dt.date(2026, 4, 1), [], 3, "up_to_date", dt.date(2026, 7, 1)),
        (dt.date(2026, 2, 28), [], 3, "due_soon", dt.date(2026, 5, 28)),
        (dt.date(2026, 2, 19), [], 3, "overdue", dt.date(2026, 5, 19)),
        (dt.date(2025, 6, 1), [dt.date(2026, 3, 15)], 9, "up_to_date", dt.date(2026, 6, 15)),
        (
            dt.date(2025, 6, 1),
            [dt.date(2025, 9, 1), dt.date(2025, 12, 1)],
            9,
            "overdue",
            dt.date(2026, 3, 1),
        ),
        # A follow-up before the plan was established belongs to an earlier plan.
        (dt.date(2026, 1, 10), [dt.date(2025, 12, 1)], 9, "overdue", dt.date(2026, 4, 10)),
    ],
)
def test_plan_status(
    established: dt.date | None,
    follow_ups: list[dt.date],
    applications: int,
    code: str,
    next_due: dt.date | None,
) -> None:
    status = plan.plan_status(established, follow_ups, TODAY, applications=applications)
    assert status.code == code
    assert status.next_due == next_due
    assert status.needs_attention == (code in ("missing", "due_soon", "overdue"))


def test_plan_intervals_are_configuration() -> None:
    status = plan.plan_status(
        dt.date(2026, 1, 1), [], TODAY, applications=5, interval_months=6, due_soon_days=0
    )
    assert (status.code, status.next_due) == ("up_to_date", dt.date(2026, 7, 1))
    assert plan.plan_status(None, [], TODAY, applications=2, needed_from_application=3).code == (
        "not_needed_yet"
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2024, 11, 30), 3, dt.date(2025, 2, 28)),
        (dt.date(2026, 5, 20), -3, dt.date(2026, 2, 20)),
        (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),
    ],
)
def test_add_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert plan.add_months(day, months) == expected


def test_the_attention_cutoff_matches_the_status() -> None:
    cutoff = plan.attention_cutoff(TODAY)
    assert plan.plan_status(cutoff, [], TODAY, applications=3).code != "overdue"
    before = cutoff - dt.timedelta(days=1)
    assert plan.plan_status(before, [], TODAY, applications=3).code == "overdue"


# --- egenkontroll samples --------------------------------------------------------------------


def test_the_same_seed_draws_the_same_sample() -> None:
    population = list(range(100, 160))
    first = sample.draw(population, 10, "seed-2026-03")
    assert first == sample.draw(list(reversed(population)), 10, "seed-2026-03")
    assert first == sorted(first) and len(set(first)) == 10
    assert set(first) <= set(population)
    assert first != sample.draw(population, 10, "another-seed")


def test_a_sample_is_the_whole_population_when_it_is_small() -> None:
    assert sample.draw([3, 1, 2, 2], 10, "x") == [1, 2, 3]
    assert sample.draw([], 5, "x") == []
    assert sample.draw([1, 2], 0, "x") == []


@given(st.sets(st.integers(1, 10_000), max_size=300), st.integers(0, 50), st.text(max_size=20))
def test_samples_are_reproducible_subsets(population: set[int], size: int, seed: str) -> None:
    drawn = sample.draw(population, size, seed)
    assert drawn == sample.draw(sorted(population, reverse=True), size, seed)
    assert len(drawn) == min(size, len(population))
    assert set(drawn) <= population


def test_a_known_sample_stays_the_same_across_versions() -> None:
    # Recorded once: if Python's random ever changed, old samples could not be reproduced.
    assert sample.draw(range(1, 101), 5, "egenkontroll") == [9, 34, 57, 59, 100]
    assert len(sample.new_seed()) == 16


def test_the_monthly_summary_counts_reviewed_checklists() -> None:
    yes = dict.fromkeys(sample.CHECKLIST, "yes")
    summary = sample.summarise(
        [
            yes,
            {**yes, "household_right": "no", "other_benefits_applied": "not_applicable"},
            {**yes, "planning_visible": None},  # not reviewed yet
        ]
    )
    assert (summary.sampled, summary.reviewed) == (3, 2)
    items = {item.item: item for item in summary.items}
    assert items["planning_visible"].share_yes == 1.0
    assert items["household_right"].share_yes == 0.5
    assert items["other_benefits_applied"].not_applicable == 1
    assert items["other_benefits_applied"].share_yes == 1.0
    assert sample.summarise([]).items[0].share_yes is None


# --- the queue --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("adults", "children", "expected"),
    [(1, 0, "single"), (2, 0, "couple"), (1, 2, "single_parent"), (2, 3, "couple_with_children")],
)
def test_household_types(adults: int, children: int, expected: str) -> None:
    assert queue.household_type(adults, children) == expected


def test_days_waiting() -> None:
    now = dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC)
    assert queue.days_waiting(None, now) == 0
    assert queue.days_waiting(now - dt.timedelta(hours=23), now) == 0
    assert queue.days_waiting(now - dt.timedelta(days=14, hours=1), now) == 14
    assert queue.days_waiting(dt.datetime(2026, 5, 1, 12), now) == 19  # naive = UTC
    assert queue.days_waiting(now + dt.timedelta(days=1), now) == 0
