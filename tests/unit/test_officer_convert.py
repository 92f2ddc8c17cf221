"""From an application's answers to the calculation's case (intake/officer/convert.py), checked on
hand-computed households. Month 2023-05 (Ängelholm 2023: adult alone 3 490 kr, couple 6 300;
children 3 years 2 410, 4–6: 2 700, 7–10: 3 380; common costs 1–3 persons 1 130 / 1 150 / 1 580);
ages on the first day of the month. Amounts in the answers are öre, as the flow stores them."""

from __future__ import annotations

import datetime as dt

import pytest

from intake.norm import (
    Calculation,
    MemberKind,
    NormTable,
    PersonMonth,
    builtin_table_files,
    calculate,
    read_table_file,
)
from intake.officer.convert import (
    Acceptance,
    Person,
    applied_costs,
    applied_livsforing,
    case_from_answers,
)

TABLES: dict[int, NormTable] = {t.year: t for t in map(read_table_file, builtin_table_files())}
KR = 100
MONTH = "2023-05"

ANNA = Person(1, "applicant", dt.date(1985, 3, 12))
MIKKO = Person(2, "applicant", dt.date(1979, 7, 4))
AINO = Person(3, "co_applicant", dt.date(1981, 11, 22))


def answers(**extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "anything_changed": False,
        "housing_type": "rental",
        "rent": 6000 * KR,
        "household_electricity": 300 * KR,
        "home_insurance": 150 * KR,
        "costs": {"amounts": {}},
        "livsforing": {"amounts": {}},
    }
    return {**base, **extra}


def income(**amounts: int) -> dict[str, object]:
    return {"amounts": {k: v * KR for k, v in amounts.items()}, "abroad": [], "none": not amounts}


def run(conversion_case, month: str = MONTH) -> Calculation:  # type: ignore[no-untyped-def]
    return calculate(conversion_case, TABLES)


def line(result: Calculation, code: str) -> int:
    [found] = [ln for ln in result.lines if ln.code == code]
    return found.amount_ore


def test_single_adult_with_rent_and_unemployment_fund() -> None:
    # norm 3 490 + common(1) 1 130 = 4 620; costs 6 000 + 300 + 150 = 6 450; income 4 000
    # → 4 620 + 6 450 − 4 000 = 7 070 kr.
    converted = case_from_answers(
        MONTH, [ANNA], answers(**{"incomes:1": income(unemployment_fund=4000)})
    )
    result = run(converted.case)
    assert result.amount_ore == 7070 * KR
    assert [m.kind for m in converted.case.members] == [MemberKind.adult]
    assert {(c.kind, c.amount_ore) for c in converted.case.costs} == {
        ("rent", 6000 * KR),
        ("household_electricity", 300 * KR),
        ("home_insurance", 150 * KR),
    }
    assert all(item.status == "as_applied" for item in converted.items)


def test_couple_gets_the_couple_amount_and_both_incomes_count() -> None:
    # couple 6 300 + common(2) 1 150 = 7 450; rent 8 000 → 15 450; incomes 9 000 + 5 000
    # → 1 450 kr. Salary without six months on support: no jobbstimulans.
    converted = case_from_answers(
        MONTH,
        [MIKKO, AINO],
        {
            "housing_type": "rental",
            "rent": 8000 * KR,
            "incomes:2": income(salary=9000),
            "incomes:3": income(sickness_benefit=5000),
        },
    )
    members = {m.key: m for m in converted.case.members}
    assert members["2"].partner == "3" and members["3"].partner == "2"
    result = run(converted.case)
    assert line(result, "norm.personal.adult_couple") == 6300 * KR
    assert result.amount_ore == 1450 * KR
    assert "income.jobbstimulans_not_qualified" in [ln.code for ln in result.lines]


def test_single_parent_with_part_time_and_visiting_children() -> None:
    # Elsa (2015-06-03, 7 years): 3 380. Noah (2019-09-11, 3 years) lives 15 of 30 days this
    # month by the answer (registered 30): 2 410 × 15/30 = 1 205. Liam visits 8 days (2017-04-05,
    # 6 years): 2 700 × 8/30 = 720. Persons: Sara, Elsa, Noah = 3 → common 1 580.
    # Norm 3 490 + 3 380 + 1 205 + 720 + 1 580 = 10 375; rent 9 150 → 19 525;
    # income 6 120 + 2 500 = 8 620 → 10 905 kr.
    people = [
        Person(10, "applicant", dt.date(1992, 2, 18)),
        Person(11, "child", dt.date(2015, 6, 3), 30),
        Person(12, "child", dt.date(2019, 9, 11), 30),
        Person(13, "visiting_child", dt.date(2017, 4, 5), 8),
    ]
    converted = case_from_answers(
        MONTH,
        people,
        {
            "housing_type": "rental",
            "rent": 9150 * KR,
            "children_days": {"11": 30, "12": 15, "13": 8},
            "incomes:10": income(parental_benefit=6120, child_allowance=2500),
        },
    )
    result = run(converted.case)
    assert line(result, "norm.personal.child_part_time") == 1205 * KR
    assert line(result, "norm.personal.visiting_child") == 720 * KR
    assert line(result, "norm.common") == 1580 * KR
    assert result.norm_ore == 10375 * KR
    assert result.amount_ore == 10905 * KR


def test_a_visiting_child_without_days_counts_nothing_and_says_so() -> None:
    people = [ANNA, Person(20, "visiting_child", dt.date(2016, 1, 1))]
    converted = case_from_answers(MONTH, people, {"housing_type": "homeless"})
    assert ("visiting_days_missing", 20) in converted.notes
    result = run(converted.case)
    assert line(result, "norm.personal.visiting_child") == 0


def test_a_grown_up_child_is_another_person_in_the_home() -> None:
    # Ville (2001-02-01) is 22: his own economy. Anna: 3 490 + common(2) 1 150 × 1/2 = 575.
    people = [ANNA, Person(21, "child", dt.date(2001, 2, 1), 30)]
    converted = case_from_answers(MONTH, people, {"housing_type": "homeless"})
    assert converted.case.others_in_home == 1
    assert ("adult_child_in_home", 21) in converted.notes
    result = run(converted.case)
    assert line(result, "norm.common.shared") == 575 * KR
    assert result.norm_ore == 4065 * KR


def test_no_rent_without_a_rented_home() -> None:
    converted = case_from_answers(MONTH, [ANNA], answers(housing_type="homeless"))
    assert "rent" not in {c.kind for c in converted.case.costs}
    assert applied_costs({"housing_type": "homeless", "rent": 5000 * KR}) == {}


def test_the_officers_acceptance_decides_what_counts() -> None:
    # Rent accepted at 5 000 (not 6 000), electricity not accepted, insurance as applied 150;
    # dental care 1 200 accepted, glasses 900 applied but not assessed (not counted).
    # 4 620 + 5 000 + 150 + 1 200 = 10 970 kr.
    acceptance = Acceptance(
        costs={"rent": 5000 * KR, "household_electricity": 0},
        livsforing={"dental_care": 1200 * KR},
    )
    converted = case_from_answers(
        MONTH,
        [ANNA],
        answers(livsforing={"amounts": {"dental_care": 1200 * KR, "glasses": 900 * KR}}),
        acceptance,
    )
    status = {(i.group, i.kind): i.status for i in converted.items}
    assert status == {
        ("costs", "rent"): "changed",
        ("costs", "household_electricity"): "not_accepted",
        ("costs", "home_insurance"): "as_applied",
        ("livsforing", "dental_care"): "accepted",
        ("livsforing", "glasses"): "not_assessed",
    }
    result = run(converted.case)
    assert result.amount_ore == 10970 * KR
    assert result.livsforing_ore == 1200 * KR


def test_a_cost_the_household_did_not_apply_for_can_be_accepted() -> None:
    converted = case_from_answers(
        MONTH, [ANNA], answers(), Acceptance(costs={"work_travel": 800 * KR})
    )
    [travel] = [i for i in converted.items if i.kind == "work_travel"]
    assert travel.applied_ore is None and travel.counted_ore == 800 * KR
    assert travel.status == "changed"


def test_rent_above_the_ceiling_only_when_the_officer_accepts_it() -> None:
    from intake.norm import NormConfig

    config = NormConfig(rent_ceiling_ore={1: 5500 * KR})
    plain = case_from_answers(MONTH, [ANNA], answers())
    assert line(calculate(plain.case, TABLES, config), "cost.rent") == 5500 * KR
    accepted = case_from_answers(
        MONTH, [ANNA], answers(), Acceptance(above_limit=frozenset({"rent"}))
    )
    assert line(calculate(accepted.case, TABLES, config), "cost.rent") == 6000 * KR


def test_children_without_lunch_at_home() -> None:
    child = Person(30, "child", dt.date(2016, 6, 1), 30)  # 3 years in October 2019
    converted = case_from_answers(
        "2019-10",
        [ANNA, child],
        {"housing_type": "homeless"},
        Acceptance(lunch_outside_home=frozenset({30})),
    )
    [member] = [m for m in converted.case.members if m.key == "30"]
    assert member.lunch_outside_home
    # 2019: child 3 years without lunch 1 940 kr instead of 2 120.
    assert line(calculate(converted.case, TABLES), "norm.personal.child") == 1940 * KR


def test_no_income_and_unknown_income_kinds() -> None:
    converted = case_from_answers(
        MONTH,
        [ANNA],
        {"housing_type": "homeless", "incomes:1": {"amounts": {"lottery": 100}, "none": False}},
    )
    assert converted.case.incomes == ()
    assert ("unknown_income:lottery", 1) in converted.notes
    none = case_from_answers(MONTH, [ANNA], {"incomes:1": income()})
    assert none.case.incomes == ()


def test_jobbstimulans_from_the_history_of_earlier_months() -> None:
    # Six months on support right before May 2023, salary 10 000 now: 2 500 left out.
    # 4 620 − (10 000 − 2 500) = −2 880 → 0, income exceeds the need.
    history = [PersonMonth(f"2022-{m:02d}", True) for m in range(11, 13)] + [
        PersonMonth(f"2023-{m:02d}", True) for m in range(1, 5)
    ]
    converted = case_from_answers(
        MONTH,
        [ANNA],
        {"housing_type": "homeless", "incomes:1": income(salary=10000)},
        histories={1: history},
    )
    result = run(converted.case)
    assert line(result, "income.jobbstimulans") == 2500 * KR
    assert result.income_ore == 7500 * KR
    assert result.amount_ore == 0


def test_a_demo_table_is_marked_as_example_values() -> None:
    converted = case_from_answers("2026-03", [ANNA], answers())
    result = calculate(converted.case, TABLES)
    assert result.is_demo and "norm.demo_table" in result.warnings


def test_acceptance_round_trips_and_ignores_malformed_data() -> None:
    acceptance = Acceptance(
        costs={"rent": 1},
        livsforing={"glasses": 2},
        above_limit=frozenset({"rent"}),
        others_in_home=1,
        lunch_outside_home=frozenset({5}),
    )
    assert Acceptance.from_data(acceptance.to_data()) == acceptance
    bad = Acceptance.from_data(
        {
            "costs": {"rent": -5, "nonsense": 3, "union_fee": True},
            "livsforing": "everything",
            "above_limit": ["rent", "moon"],
            "others_in_home": 99,
            "lunch_outside_home": ["x", 4],
        }
    )
    assert bad == Acceptance(above_limit=frozenset({"rent"}), lunch_outside_home=frozenset({4}))
    assert Acceptance.from_data(None) == Acceptance()


@pytest.mark.parametrize(
    ("livsforing", "expected"),
    [({"amounts": {"glasses": 900}}, {"glasses": 900}), (None, {}), ({"amounts": {"x": 1}}, {})],
)
def test_applied_livsforing(livsforing: object, expected: dict[str, int]) -> None:
    assert applied_livsforing({"livsforing": livsforing}) == expected
