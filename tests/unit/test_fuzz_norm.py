"""More properties of the preliminary calculation (hypothesis), beside
test_norm_properties.py: costs, order, exact income arithmetic, refusing a year without a table,
and a trace that can be stored as JSON."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.norm import COST_KINDS, Case, Cost, Income, NormConfig, NormError, calculate
from tests.unit.test_norm_properties import CONFIGS, TABLES, cases

# Counted in full, whoever has it: no jobbstimulans, no exclusion for children's earnings.
PLAIN_INCOME = st.sampled_from(["pension", "unemployment_fund", "sickness_benefit", "tax_refund"])


@settings(max_examples=200, deadline=None)
@given(cases(), CONFIGS, st.sampled_from(COST_KINDS), st.integers(1, 2_000_000), st.booleans())
def test_another_cost_never_lowers_the_amount(
    case: Case, config: NormConfig, kind: str, amount: int, accepted: bool
) -> None:
    before = calculate(case, TABLES, config)
    after = calculate(
        replace(case, costs=(*case.costs, Cost(kind, amount, accepted))), TABLES, config
    )
    assert after.need_ore >= before.need_ore
    assert after.amount_ore >= before.amount_ore
    assert after.norm_ore == before.norm_ore  # costs are outside the norm


@settings(max_examples=200, deadline=None)
@given(cases(), CONFIGS, PLAIN_INCOME, st.integers(1, 2_000_000))
def test_a_plain_income_lowers_the_need_by_exactly_its_amount(
    case: Case, config: NormConfig, kind: str, amount: int
) -> None:
    adult = case.members[0].key
    before = calculate(case, TABLES, config)
    after = calculate(
        replace(case, incomes=(*case.incomes, Income(adult, kind, amount))), TABLES, config
    )
    assert before.need_ore - after.need_ore == amount
    assert after.income_ore - before.income_ore == amount


@settings(max_examples=200, deadline=None)
@given(cases(), CONFIGS, st.randoms(use_true_random=False))
def test_the_order_things_are_listed_in_does_not_matter(
    case: Case, config: NormConfig, random: object
) -> None:
    def shuffled(items: tuple[object, ...]) -> tuple[object, ...]:
        listed = list(items)
        random.shuffle(listed)  # type: ignore[attr-defined]
        return tuple(listed)

    before = calculate(case, TABLES, config)
    after = calculate(
        replace(
            case,
            members=shuffled(case.members),  # type: ignore[arg-type]
            incomes=shuffled(case.incomes),  # type: ignore[arg-type]
            costs=shuffled(case.costs),  # type: ignore[arg-type]
            livsforing=shuffled(case.livsforing),  # type: ignore[arg-type]
        ),
        TABLES,
        config,
    )
    assert (after.norm_ore, after.need_ore, after.amount_ore) == (
        before.norm_ore,
        before.need_ore,
        before.amount_ore,
    )


@settings(max_examples=100, deadline=None)
@given(cases(), CONFIGS)
def test_the_trace_is_json_and_the_same_every_time(case: Case, config: NormConfig) -> None:
    first = calculate(case, TABLES, config).to_dict()
    second = calculate(case, TABLES, config).to_dict()
    assert first == second
    assert json.loads(json.dumps(first)) == first  # stored with the decision as JSON


@settings(max_examples=100, deadline=None)
@given(cases(), st.integers(1900, 2200).filter(lambda year: year not in TABLES), st.integers(1, 12))
def test_a_year_without_a_table_is_refused_never_guessed(case: Case, year: int, month: int) -> None:
    other = replace(case, month=f"{year}-{month:02d}")
    with pytest.raises(NormError) as refused:
        calculate(other, TABLES)
    assert refused.value.code == "norm.no_table_for_year"
    assert refused.value.params["year"] == year
