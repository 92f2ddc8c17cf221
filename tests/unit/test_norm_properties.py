"""Properties of the calculation over generated households (hypothesis)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from intake.norm import (
    COST_KINDS,
    INCOME_KINDS,
    LIVSFORING_KINDS,
    Case,
    Cost,
    Income,
    Member,
    MemberKind,
    NormConfig,
    PersonMonth,
    builtin_table_files,
    calculate,
    read_table_file,
)
from intake.norm.months import month_index, month_text

TABLES = {t.year: t for t in map(read_table_file, builtin_table_files())}
MONTHS = [f"{year}-{month:02d}" for year in sorted(TABLES) for month in (1, 6, 12)]


@st.composite
def children(
    draw: st.DrawFn, month: str, prefix: str = "c", low: int = 0, high: int = 7
) -> list[Member]:
    first = dt.date.fromisoformat(month + "-01")
    count = draw(st.integers(low, high))
    result = []
    for index in range(count):
        age_days = draw(st.integers(0, 20 * 365))
        kind = draw(
            st.sampled_from([MemberKind.child, MemberKind.child, MemberKind.visiting_child])
        )
        days = draw(st.one_of(st.none(), st.integers(0, 31)))
        if kind is MemberKind.visiting_child and days is None:
            days = draw(st.integers(0, 30))
        result.append(
            Member(
                f"{prefix}{index}",
                kind,
                first - dt.timedelta(days=age_days),
                days=days,
                lunch_outside_home=draw(st.booleans()),
            )
        )
    return result


@st.composite
def cases(draw: st.DrawFn) -> Case:
    month = draw(st.sampled_from(MONTHS))
    couple = draw(st.booleans())
    adults = [Member("a", MemberKind.adult, dt.date(1980, 1, 1), partner="b" if couple else None)]
    if couple or draw(st.booleans()):
        adults.append(
            Member("b", MemberKind.adult, dt.date(1982, 1, 1), partner="a" if couple else None)
        )
    members = adults + draw(children(month))
    keys = [m.key for m in members]
    amount = st.integers(0, 3_000_000)
    incomes = draw(
        st.lists(
            st.builds(Income, st.sampled_from(keys), st.sampled_from(INCOME_KINDS), amount),
            max_size=5,
        )
    )
    costs = draw(
        st.lists(st.builds(Cost, st.sampled_from(COST_KINDS), amount, st.booleans()), max_size=4)
    )
    livsforing = draw(
        st.lists(st.builds(Cost, st.sampled_from(LIVSFORING_KINDS), amount), max_size=2)
    )
    start = month_index(month)
    history = tuple(
        PersonMonth(month_text(start - offset), on_support, salary)
        for offset, (on_support, salary) in enumerate(
            draw(st.lists(st.tuples(st.booleans(), st.sampled_from([0, 100_000])), max_size=40)), 1
        )
    )
    return Case(
        month,
        tuple(members),
        others_in_home=draw(st.integers(0, 3)),
        incomes=tuple(incomes),
        costs=tuple(costs),
        livsforing=tuple(livsforing),
        histories={"a": history},
    )


CONFIGS = st.sampled_from(
    [
        NormConfig(),
        NormConfig(rent_ceiling_ore={1: 500_000, 3: 800_000}, prorata_rounding_ore=100),
        NormConfig(visiting_children_in_common=True, visiting_child_percent=60, age_at="month_end"),
        NormConfig(child_common_min_days=15, cost_ceiling_ore={"home_insurance": 20_000}),
    ]
)


@settings(max_examples=300, deadline=None)
@given(cases(), CONFIGS)
def test_the_amount_is_never_negative_and_the_items_add_up(case: Case, config: NormConfig) -> None:
    result = calculate(case, TABLES, config)
    assert result.amount_ore >= 0
    assert result.amount_ore == max(result.need_ore, 0)
    assert sum(ln.amount_ore for ln in result.lines if ln.kind == "item") == result.need_ore
    assert result.norm_ore > 0
    assert result.is_demo == TABLES[int(case.month[:4])].demo


@settings(max_examples=300, deadline=None)
@given(
    cases(),
    CONFIGS,
    st.data(),
    st.integers(1, 2_000_000),
)
def test_more_income_never_raises_the_amount(
    case: Case, config: NormConfig, data: st.DataObject, extra: int
) -> None:
    before = calculate(case, TABLES, config)
    keys = [m.key for m in case.members]
    if case.incomes and data.draw(st.booleans()):
        index = data.draw(st.integers(0, len(case.incomes) - 1))
        raised = list(case.incomes)
        raised[index] = replace(raised[index], amount_ore=raised[index].amount_ore + extra)
    else:
        kind = data.draw(st.sampled_from(INCOME_KINDS))
        raised = [*case.incomes, Income(data.draw(st.sampled_from(keys)), kind, extra)]
    after = calculate(replace(case, incomes=tuple(raised)), TABLES, config)
    assert after.amount_ore <= before.amount_ore
    assert after.need_ore <= before.need_ore


@settings(max_examples=300, deadline=None)
@given(cases(), CONFIGS, st.data())
def test_adding_a_child_never_lowers_the_norm(
    case: Case, config: NormConfig, data: st.DataObject
) -> None:
    before = calculate(case, TABLES, config)
    [new] = data.draw(children(case.month, prefix="new", low=1, high=1))
    after = calculate(replace(case, members=(*case.members, new)), TABLES, config)
    assert after.norm_ore >= before.norm_ore
