"""The completeness rules take whatever the flow stores, including what today's configuration
no longer knows (an income kind, an activity, a change removed since; negative or huge amounts;
empty lists), and answer findings, never an exception; the same facts always give the same
findings (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from intake import flow
from intake.completeness import DEFAULT, Facts, evaluate
from tests.unit.test_completeness_properties import MEMBERS, MONTH, SENT, applications

WORD = (
    st.text(max_size=12) | st.sampled_from(flow.INCOME_TYPES) | st.sampled_from(flow.CHANGE_KINDS)
)
AMOUNT = st.integers(-(10**12), 10**12)
AMOUNTS = st.fixed_dictionaries({"amounts": st.dictionaries(WORD, AMOUNT, max_size=4)})
# Each answer in the shape the flow stores it, with contents of any kind.
ODD_ANSWERS = st.fixed_dictionaries(
    {},
    optional={
        "anything_changed": st.booleans(),
        "changes": st.lists(WORD, max_size=4),
        "household_change": st.text(max_size=30),
        "rent": st.none() | AMOUNT,
        "household_electricity": st.none() | AMOUNT,
        "incomes:1": st.fixed_dictionaries(
            {
                "amounts": st.dictionaries(WORD, AMOUNT, max_size=4),
                "abroad": st.lists(WORD, max_size=2),
                "none": st.booleans(),
            }
        ),
        "bank_accounts": st.lists(
            st.fixed_dictionaries({"bank": st.text(max_size=10), "balance": AMOUNT}), max_size=3
        ),
        "activity:1": st.lists(WORD, max_size=3),
        "costs": AMOUNTS,
        "livsforing": AMOUNTS,
        "children_days": st.dictionaries(st.text(max_size=4), st.integers(-5, 40), max_size=3),
    },
)


@settings(max_examples=300, deadline=None)
@given(applications(), ODD_ANSWERS)
def test_odd_stored_answers_never_break_the_rules(facts: Facts, odd: dict[str, object]) -> None:
    broken = Facts(
        facts.month, facts.sent_month, {**facts.answers, **odd}, facts.context, facts.documents
    )
    findings = evaluate(broken, DEFAULT)
    assert all(f.code and f.severity for f in findings)


@settings(max_examples=200, deadline=None)
@given(applications())
def test_the_same_facts_give_the_same_findings(facts: Facts) -> None:
    assert evaluate(facts, DEFAULT) == evaluate(facts, DEFAULT)


@settings(max_examples=200, deadline=None)
@given(ODD_ANSWERS)
def test_an_application_of_nothing_but_odd_answers(odd: dict[str, object]) -> None:
    facts = Facts(MONTH, SENT, odd, flow.Context(MONTH, MEMBERS, {}), ())
    evaluate(facts, DEFAULT)
