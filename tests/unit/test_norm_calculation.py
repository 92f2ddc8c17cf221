"""The preliminary calculation on hand-computed households.

Each test writes its arithmetic in kronor (kr) in a comment so that a reviewer can check it
against the tables in DOMAIN.md; amounts are compared in öre. Unless said otherwise the month is
2023-05 (Ängelholm 2023: adult alone 3 490, couple 6 300; children 0: 2 420, 1–2: 2 700,
3: 2 410, 4–6: 2 700, 7–10: 3 380, 11–14: 3 890, 15–18: 4 390, 19–20: 4 430; common costs for
1–7 persons 1 130 / 1 150 / 1 580 / 1 790 / 2 060 / 2 330 / 2 510), and ages are taken on the
first day of the month.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from intake.norm import (
    RULES,
    Calculation,
    Case,
    Cost,
    Income,
    Member,
    MemberKind,
    NormConfig,
    NormError,
    NormTable,
    PersonMonth,
    builtin_table_files,
    calculate,
    read_table_file,
)

TABLES: dict[int, NormTable] = {t.year: t for t in map(read_table_file, builtin_table_files())}
ADULT, CHILD, VISITING = MemberKind.adult, MemberKind.child, MemberKind.visiting_child
KR = 100  # öre per krona


def adult(key: str = "a", partner: str | None = None) -> Member:
    return Member(key, ADULT, dt.date(1985, 3, 12), partner=partner)


def child(key: str, born: str, days: int | None = None, **kwargs: bool) -> Member:
    return Member(key, CHILD, dt.date.fromisoformat(born), days=days, **kwargs)


def run(case: Case, config: NormConfig | None = None) -> Calculation:
    result = calculate(case, TABLES, config)
    items = [line for line in result.lines if line.kind == "item"]
    # The items add up to the need, the sections to their totals, and every rule is known.
    assert sum(line.amount_ore for line in items) == result.need_ore
    assert result.amount_ore == max(result.need_ore, 0)
    for section, total in (("norm", result.norm_ore), ("costs", result.costs_ore)):
        assert sum(line.amount_ore for line in items if line.section == section) == total
    assert all(line.rule in RULES for line in result.lines)
    json.dumps(result.to_dict())  # the trace is plain JSON for the web side
    return result


def line(result: Calculation, code: str) -> dict:
    [found] = [ln for ln in result.lines if ln.code == code]
    return {"amount": found.amount_ore, "kind": found.kind, **found.params}


def codes(result: Calculation) -> list[str]:
    return [ln.code for ln in result.lines]


def test_01_single_adult_with_rent() -> None:
    # norm 3 490 + common(1) 1 130 = 4 620; + rent 6 000 = 10 620; no income.
    result = run(Case("2023-05", (adult(),), costs=(Cost("rent", 6000 * KR),)))
    assert result.norm_ore == 4620 * KR
    assert result.amount_ore == 10620 * KR
    assert line(result, "norm.personal.adult_alone")["amount"] == 3490 * KR
    assert line(result, "norm.common") == {"amount": 1130 * KR, "kind": "item", "persons": 1}
    assert not result.is_demo and result.warnings == ()


def test_02_couple_with_benefits_and_the_published_common_cost_note() -> None:
    # norm: couple 6 300 + common(2) 1 150 (as published) = 7 450
    # costs: rent 8 120 + electricity 450 + insurance 189 = 8 759 → 16 209
    # income: a-kassa 9 450 + sickness benefit 5 200 = 14 650 → 16 209 − 14 650 = 1 559
    case = Case(
        "2023-05",
        (adult("m", partner="w"), adult("w", partner="m")),
        incomes=(
            Income("m", "unemployment_fund", 9450 * KR),
            Income("w", "sickness_benefit", 5200 * KR),
        ),
        costs=(
            Cost("rent", 8120 * KR),
            Cost("household_electricity", 450 * KR),
            Cost("home_insurance", 189 * KR),
        ),
    )
    result = run(case)
    assert result.norm_ore == 7450 * KR
    assert result.costs_ore == 8759 * KR
    assert result.income_ore == 14650 * KR
    assert result.amount_ore == 1559 * KR
    assert line(result, "norm.personal.adult_couple")["members"] == ["m", "w"]
    assert "norm.personal.adult_alone" not in codes(result)
    # The doubtful 2-person common cost is used, so its note is in the trace.
    assert line(result, "table.note")["key"] == "common.2"
    assert "norm.table_note" in result.warnings


def test_03_single_parent_with_children_of_three_ages() -> None:
    # Ages on 2023-05-01: born 2022-11-10 → 0; 2017-06-01 → 5; 2010-12-24 → 12.
    # norm: 3 490 + 2 420 + 2 700 + 3 890 + common(4) 1 790 = 14 290
    # costs: rent 9 150 → 23 440
    # income: parental benefit 6 120 + child allowance 4 480 + housing allowance 3 000 = 13 600
    #   (tax-free barnbidrag and bostadsbidrag count as income)
    # 23 440 − 13 600 = 9 840
    case = Case(
        "2023-05",
        (adult(), child("c0", "2022-11-10"), child("c5", "2017-06-01"), child("c12", "2010-12-24")),
        incomes=(
            Income("a", "parental_benefit", 6120 * KR),
            Income("a", "child_allowance", 4480 * KR),
            Income("a", "housing_allowance", 3000 * KR),
        ),
        costs=(Cost("rent", 9150 * KR),),
    )
    result = run(case)
    children = [ln for ln in result.lines if ln.code == "norm.personal.child"]
    assert [(ln.params["age"], ln.params["age_group"], ln.amount_ore) for ln in children] == [
        (0, "child_0", 2420 * KR),
        (5, "child_4_6", 2700 * KR),
        (12, "child_11_14", 3890 * KR),
    ]
    assert line(result, "norm.common")["persons"] == 4
    assert result.norm_ore == 14290 * KR
    assert result.amount_ore == 9840 * KR
    assert line(result, "income.child_allowance")["tax_free"] is True
    assert line(result, "income.parental_benefit")["tax_free"] is False


def test_04_children_living_part_time() -> None:
    # Ages on 2023-05-01: born 2015-02-10 → 8 (7–10: 3 380), 15 days: 3 380 × 15/30 = 1 690
    #                     born 2007-01-15 → 16 (15–18: 4 390), 10 days: 4 390 × 10/30
    #                     = 1 463.333… kr = 146 333.33 öre → 146 333 öre (half up to the öre)
    # Both count as persons (from 1 day): common(3) 1 580.
    # norm: 3 490 + 1 690 + 1 463.33 + 1 580 = 8 223.33 kr = 822 333 öre
    case = Case("2023-05", (adult(), child("c8", "2015-02-10", 15), child("c16", "2007-01-15", 10)))
    result = run(case)
    part = {
        ln.params["member"]: ln for ln in result.lines if ln.code == "norm.personal.child_part_time"
    }
    assert part["c8"].amount_ore == 169_000
    assert part["c8"].params["days"] == 15 and part["c8"].params["full_amount_ore"] == 338_000
    assert part["c16"].amount_ore == 146_333
    assert part["c16"].rule == "norm.part_time_child"
    assert line(result, "norm.common")["persons"] == 3
    assert result.norm_ore == 822_333
    assert result.amount_ore == 822_333


def test_04b_part_time_rules_are_configuration() -> None:
    # Same household; the municipality rounds pro rata to whole kronor and counts a child as a
    # person only from 15 days: c8 (15 days) counts, c16 (10 days) does not.
    # 4 390 × 10/30 = 1 463.33 → 1 463; common(2) 1 150.
    # norm: 3 490 + 1 690 + 1 463 + 1 150 = 7 793
    case = Case("2023-05", (adult(), child("c8", "2015-02-10", 15), child("c16", "2007-01-15", 10)))
    config = NormConfig(prorata_rounding_ore=100, child_common_min_days=15)
    result = run(case, config)
    assert line(result, "norm.common")["persons"] == 2
    assert result.norm_ore == 7793 * KR


def test_05_visiting_child() -> None:
    # Visiting child born 2019-03-01 → 4 (4–6: 2 700), 8 days: 2 700 × 8/30 = 720.
    # Not a person of the household by default: common(1) 1 130.
    # norm: 3 490 + 720 + 1 130 = 5 340
    case = Case("2023-05", (adult(), Member("v", VISITING, dt.date(2019, 3, 1), days=8)))
    result = run(case)
    visit = line(result, "norm.personal.visiting_child")
    assert visit["amount"] == 720 * KR and visit["days"] == 8 and visit["percent"] == 100
    assert line(result, "norm.common")["persons"] == 1
    assert result.norm_ore == 5340 * KR
    # A municipality giving half the amount and counting visiting children as persons:
    # 2 700 × 50 % × 8/30 = 360; common(2) 1 150 → 3 490 + 360 + 1 150 = 5 000
    config = NormConfig(visiting_child_percent=50, visiting_children_in_common=True)
    assert run(case, config).norm_ore == 5000 * KR


def test_06_eight_person_household_adds_the_six_to_seven_step() -> None:
    # Couple 6 300; children (ages on 2023-05-01) 1: 2 700, 3: 2 410, 6: 2 700, 9: 3 380,
    # 13: 3 890, 17: 4 390 → personal 25 770.
    # common(8) = common(7) 2 510 + (2 510 − 2 330) = 2 690 → norm 28 460
    kids = (
        child("k1", "2021-08-01"),
        child("k3", "2019-12-01"),
        child("k6", "2016-09-01"),
        child("k9", "2013-07-01"),
        child("k13", "2009-10-01"),
        child("k17", "2005-11-01"),
    )
    case = Case("2023-05", (adult("m", partner="w"), adult("w", partner="m"), *kids))
    result = run(case)
    common = line(result, "norm.common")
    assert common == {
        "amount": 2690 * KR,
        "kind": "item",
        "persons": 8,
        "extra_persons": 1,
        "step_ore": 180 * KR,
        "amount_for_7_ore": 2510 * KR,
    }
    assert result.norm_ore == 28460 * KR
    # A ninth person (a newborn, 2 420): common(9) = 2 510 + 2 × 180 = 2 870
    # norm 25 770 + 2 420 + 2 870 = 31 060
    bigger = Case("2023-05", (*case.members, child("k0", "2023-01-01")))
    assert run(bigger).norm_ore == 31060 * KR


def test_07_non_sambo_adult_sharing_a_home() -> None:
    # One adult sharing with one other adult who is not a sambo: 3 490 + common(2) 1 150 / 2
    # = 3 490 + 575 = 4 065
    result = run(Case("2023-05", (adult(),), others_in_home=1))
    shared = line(result, "norm.common.shared")
    assert shared["amount"] == 575 * KR
    assert shared["persons"] == 2 and shared["household_persons"] == 1
    assert shared["full_amount_ore"] == 1150 * KR
    assert result.norm_ore == 4065 * KR
    assert "table.note" in codes(result)  # the 2-person value is the doubtful one
    # Sharing with two others: 3 490 + 1 580 / 3 = 3 490 + 526.666… → 52 667 öre → 401 667 öre
    assert run(Case("2023-05", (adult(),), others_in_home=2)).norm_ore == 401_667


def test_07b_two_adults_who_are_not_sambor_in_one_application() -> None:
    # Two adults without a partner relation: each 3 490 (single-adult amount), common(2) 1 150
    # = 8 130 = 2 × (3 490 + 1 150 / 2), the non-sambo rule for each of them.
    result = run(Case("2023-05", (adult("a"), adult("b"))))
    assert result.norm_ore == 8130 * KR == 2 * (3490 + 575) * KR
    assert codes(result).count("norm.personal.adult_alone") == 2


def test_08_income_above_the_norm_gives_nothing() -> None:
    # norm 4 620 + rent 5 000 = 9 620; salary 15 000 (no history: no jobbstimulans)
    # need 9 620 − 15 000 = −5 380 → amount 0, surplus 5 380
    case = Case(
        "2023-05",
        (adult(),),
        incomes=(Income("a", "salary", 15000 * KR),),
        costs=(Cost("rent", 5000 * KR),),
    )
    result = run(case)
    assert result.need_ore == -5380 * KR
    assert result.amount_ore == 0
    amount = line(result, "result.amount")
    assert amount["income_exceeds_need"] is True and amount["surplus_ore"] == 5380 * KR
    assert line(result, "income.jobbstimulans_not_qualified")["consecutive_support_months"] == 0


def _months(first: str, last: str) -> list[str]:
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _working_adult(month: str, history: list[PersonMonth]) -> Case:
    return Case(
        month,
        (adult(),),
        incomes=(Income("a", "salary", 4000 * KR),),
        costs=(Cost("rent", 6000 * KR),),
        histories={"a": tuple(history)},
    )


def test_09_jobbstimulans_not_after_five_months() -> None:
    # 2024 (derived): adult alone 3 790 + common(1) 1 230 = 5 020; rent 6 000 → 11 020
    # On support 2024-02…2024-06 (5 months): the whole salary 4 000 counts → 7 020
    history = [PersonMonth(m, True) for m in _months("2024-02", "2024-06")]
    result = run(_working_adult("2024-07", history))
    assert result.amount_ore == 7020 * KR
    info = line(result, "income.jobbstimulans_not_qualified")
    assert info["kind"] == "info" and info["consecutive_support_months"] == 5
    assert "norm.derived_table" in result.warnings


def test_10_jobbstimulans_after_six_months() -> None:
    # On support 2024-01…2024-06 (6 months): 25 % of 4 000 = 1 000 left out
    # income 4 000 − 1 000 = 3 000 → 11 020 − 3 000 = 8 020
    history = [PersonMonth(m, True) for m in _months("2024-01", "2024-06")]
    result = run(_working_adult("2024-07", history))
    stim = line(result, "income.jobbstimulans")
    assert stim["amount"] == 1000 * KR
    assert stim["period_start"] == "2024-07" and stim["period_end"] == "2026-06"
    assert stim["month_in_period"] == 1
    assert result.income_ore == 3000 * KR
    assert result.amount_ore == 8020 * KR


def test_11_jobbstimulans_ends_after_24_months() -> None:
    # Support 2022-01…2022-06, then working with support every month: the period is
    # 2022-07…2024-06. In 2024-06 (month 24) 1 000 is left out → 8 020; in 2024-07 it has
    # ended, and the 6 months before are inside the old period, so no new one: 7 020.
    history = [PersonMonth(m, True) for m in _months("2022-01", "2022-06")]
    history += [PersonMonth(m, True, 4000 * KR) for m in _months("2022-07", "2024-06")]
    june = run(_working_adult("2024-06", history))
    assert line(june, "income.jobbstimulans")["month_in_period"] == 24
    assert june.amount_ore == 8020 * KR
    july = run(_working_adult("2024-07", history))
    ended = line(july, "income.jobbstimulans_period_ended")
    assert ended["period_start"] == "2022-07" and ended["period_end"] == "2024-06"
    assert july.amount_ore == 7020 * KR


def test_12_childrens_own_earnings_are_left_out() -> None:
    # Child born 2006-03-01 → 17 (15–18: 4 390) earns 2 000 from a summer job: not counted.
    # norm 3 490 + 4 390 + common(2) 1 150 = 9 030; income: child allowance 1 250 → 7 780
    case = Case(
        "2023-05",
        (adult(), child("k", "2006-03-01")),
        incomes=(Income("k", "salary", 2000 * KR), Income("a", "child_allowance", 1250 * KR)),
    )
    result = run(case)
    excluded = line(result, "income.child_earnings_excluded")
    assert excluded["kind"] == "info" and excluded["excluded_ore"] == 2000 * KR
    assert excluded["member"] == "k"
    assert result.income_ore == 1250 * KR
    assert result.amount_ore == 7780 * KR
    assert "income.salary" not in codes(result)


def test_13_rent_above_the_ceiling() -> None:
    # Couple + child born 2020-10-01 → 2 (1–2: 2 700): 3 persons.
    # norm 6 300 + 2 700 + common(3) 1 580 = 10 580
    # rent 9 500 above the ceiling for 3 persons (8 000) → 8 000; electricity 400
    # 10 580 + 8 400 = 18 980
    config = NormConfig(rent_ceiling_ore={1: 6000 * KR, 2: 7000 * KR, 3: 8000 * KR, 4: 9000 * KR})
    members = (adult("m", partner="w"), adult("w", partner="m"), child("k", "2020-10-01"))
    costs = (Cost("rent", 9500 * KR), Cost("household_electricity", 400 * KR))
    result = run(Case("2023-05", members, costs=costs), config)
    rent = line(result, "cost.rent")
    assert rent["amount"] == 8000 * KR
    assert rent["accepted_ore"] == 9500 * KR and rent["limit_ore"] == 8000 * KR
    assert rent["above_limit"] is True and rent["limit_waived"] is False
    assert result.amount_ore == 18980 * KR
    # The officer accepts the whole rent for a reason of their own: 10 580 + 9 900 = 20 480
    waived = (Cost("rent", 9500 * KR, above_limit_accepted=True), costs[1])
    result = run(Case("2023-05", members, costs=waived), config)
    assert line(result, "cost.rent")["limit_waived"] is True
    assert result.amount_ore == 20480 * KR
    # Larger households than configured use the largest size's ceiling.
    assert config.rent_ceiling(6) == 9000 * KR and config.rent_ceiling(1) == 6000 * KR


def test_14_a_month_without_a_table_is_refused() -> None:
    with pytest.raises(NormError) as caught:
        calculate(Case("2022-05", (adult(),)), TABLES)
    assert caught.value.code == "norm.no_table_for_year"
    assert caught.value.params == {"year": 2022, "month": "2022-05"}
    with pytest.raises(NormError) as caught:
        calculate(Case("2027-01", (adult(),)), TABLES.get)  # a lookup function works too
    assert caught.value.code == "norm.no_table_for_year"
    with pytest.raises(NormError) as caught:
        calculate(Case("2023-13", (adult(),)), TABLES)
    assert caught.value.code == "norm.bad_month"


def test_15_a_demo_table_is_labelled_in_the_result() -> None:
    # Demo 2025 (example values = derived 2024): 3 790 + 1 230 = 5 020
    result = run(Case("2025-03", (adult(),)))
    assert result.amount_ore == 5020 * KR
    assert result.is_demo is True
    assert result.warnings[0] == "norm.demo_table"
    assert line(result, "table.demo")["year"] == 2025
    assert line(result, "table.used")["demo"] is True
    assert line(result, "result.amount")["demo"] is True
    assert result.to_dict()["table"]["is_demo"] is True
    assert "example values" in result.table_title.lower()


def test_16_the_2019_table_without_lunch() -> None:
    # 2019: adult 3 090; child born 2016-08-01 → 2 on 2019-05-01, no lunch at home 5 days a week:
    # 2 190 instead of 2 380; common(2) 1 100 → 3 090 + 2 190 + 1 100 = 6 380
    kid = child("k", "2016-08-01", lunch_outside_home=True)
    result = run(Case("2019-05", (adult(), kid)))
    assert line(result, "norm.personal.child")["amount"] == 2190 * KR
    assert line(result, "norm.personal.child")["without_lunch_amount_in_table"] is True
    assert result.norm_ore == 6380 * KR
    # 2023 publishes no such amounts: the full amount is used and the trace says so.
    # Child born 2020-08-01 → 2 on 2023-05-01: 3 490 + 2 700 + 1 150 = 7 340
    kid = child("k", "2020-08-01", lunch_outside_home=True)
    result = run(Case("2023-05", (adult(), kid)))
    assert line(result, "norm.personal.child")["without_lunch_amount_in_table"] is False
    assert result.norm_ore == 7340 * KR


def test_17_every_cost_outside_the_norm_and_livsforing() -> None:
    # norm 4 620; costs rent 6 000 + electricity 300 + insurance 150 + work travel 800
    # + union 400 + a-kassa fee 150 = 7 800; livsföring dental 1 200 + glasses 900 = 2 100
    # salary 3 000 → 4 620 + 7 800 + 2 100 − 3 000 = 11 520
    case = Case(
        "2023-05",
        (adult(),),
        incomes=(Income("a", "salary", 3000 * KR),),
        costs=tuple(
            Cost(kind, kr * KR)
            for kind, kr in (
                ("rent", 6000),
                ("household_electricity", 300),
                ("home_insurance", 150),
                ("work_travel", 800),
                ("union_fee", 400),
                ("unemployment_fund_fee", 150),
            )
        ),
        livsforing=(Cost("dental_care", 1200 * KR), Cost("glasses", 900 * KR)),
    )
    result = run(case)
    assert result.costs_ore == 7800 * KR
    assert result.livsforing_ore == 2100 * KR
    assert line(result, "livsforing.glasses")["amount"] == 900 * KR
    assert line(result, "cost.work_travel")["amount"] == 800 * KR
    assert result.amount_ore == 11520 * KR


@pytest.mark.parametrize(
    ("born", "age_at", "group", "kronor"),
    [
        ("2016-05-15", "month_start", "child_4_6", 2700),  # 6 on 2023-05-01
        ("2016-05-15", "month_end", "child_7_10", 3380),  # 7 on 2023-05-31
        ("2003-09-01", "month_start", "child_19_20", 4430),  # 19, still at school
        ("2023-05-20", "month_start", "child_0", 2420),  # born during the month
    ],
)
def test_18_the_age_group_follows_the_configured_day(
    born: str, age_at: str, group: str, kronor: int
) -> None:
    result = run(Case("2023-05", (adult(), child("k", born))), NormConfig(age_at=age_at))
    found = line(result, "norm.personal.child")
    assert (found["age_group"], found["amount"]) == (group, kronor * KR)


@pytest.mark.parametrize(
    ("case", "code"),
    [
        (Case("2023-05", (child("k", "2010-01-01"),)), "input.no_adult"),
        (Case("2023-05", (adult(), child("k", "2001-01-01"))), "input.child_age_out_of_range"),
        (Case("2023-05", (adult(), child("k", "2023-06-02"))), "input.born_after_month"),
        (Case("2023-05", (adult("a", partner="b"), adult("b"))), "input.partner_mismatch"),
        (Case("2023-05", (adult(), adult())), "input.duplicate_member"),
        (
            Case("2023-05", (adult(), Member("v", VISITING, dt.date(2015, 1, 1)))),
            "input.visiting_days_missing",
        ),
        (Case("2023-05", (adult(),), incomes=(Income("x", "salary", 1),)), "input.unknown_member"),
        (
            Case("2023-05", (adult(),), incomes=(Income("a", "lottery", 1),)),
            "input.unknown_income_kind",
        ),
        (Case("2023-05", (adult(),), costs=(Cost("car", 1),)), "input.unknown_cost_kind"),
        (Case("2023-05", (adult(),), costs=(Cost("rent", -1),)), "input.negative_amount"),
        (
            Case("2023-05", (adult(),), livsforing=(Cost("rent", 1),)),
            "input.unknown_livsforing_kind",
        ),
    ],
)
def test_19_bad_input_is_refused_with_a_code(case: Case, code: str) -> None:
    with pytest.raises(NormError) as caught:
        calculate(case, TABLES)
    assert caught.value.code == code


def test_20_the_trace_is_stable_and_renderable() -> None:
    result = run(Case("2023-05", (adult(),), costs=(Cost("rent", 6000 * KR),)))
    data = result.to_dict()
    assert [ln["code"] for ln in data["lines"]] == [
        "table.used",
        "norm.personal.adult_alone",
        "norm.common",
        "total.norm",
        "cost.rent",
        "total.costs",
        "total.livsforing",
        "total.income",
        "result.need",
        "result.amount",
    ]
    assert set(data["lines"][1]) == {"section", "code", "kind", "amount_ore", "rule", "params"}
    assert data["lines"][1]["params"] == {"member": "a"}
    assert all(isinstance(ln["amount_ore"], int) for ln in data["lines"])
