"""Properties of the completeness rules that must hold for any application (hypothesis)."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from intake import flow
from intake.completeness import DEFAULT, Code, Document, Facts, Severity, evaluate

MONTH, SENT = "2026-11", "2026-10"
MEMBERS = (flow.Member(1, "applicant", "Anna", 40),)
PERIODS = st.sampled_from(["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12", None])
KINDS = st.sampled_from(["rent_notice", "payslip", "bank_statement", "unknown", "unreadable", None])
AMOUNTS = st.integers(min_value=0, max_value=5_000_000)


@st.composite
def applications(draw: st.DrawFn) -> Facts:
    incomes = draw(
        st.dictionaries(
            st.sampled_from(
                ["salary", "unemployment_fund", "housing_allowance", "child_allowance"]
            ),
            st.integers(min_value=100, max_value=3_000_000),
            max_size=3,
        )
    )
    answers = {
        "anything_changed": draw(st.booleans()),
        "changes": draw(st.lists(st.sampled_from(flow.CHANGE_KINDS), unique=True)),
        "household_change": draw(st.text(max_size=30)),
        "housing_type": "rental",
        "rent": draw(AMOUNTS),
        "incomes:1": {"amounts": incomes, "abroad": [], "none": not incomes},
        "bank_accounts": [{"bank": "X", "balance": draw(AMOUNTS)}] if draw(st.booleans()) else [],
        "activity:1": ["working"],
    }
    documents = []
    for index in range(draw(st.integers(min_value=0, max_value=6))):
        documents.append(
            Document(
                id=index + 1,
                answer_key=draw(st.sampled_from(["rent", "incomes:1", "bank_accounts", "later"])),
                expected_kind=draw(
                    st.sampled_from(["rent_notice", "payslip", "bank_statement", None])
                ),
                item=draw(st.sampled_from([None, "salary", "housing_allowance"])),
                kind=draw(KINDS),
                period=draw(PERIODS),
                amount_ore=draw(st.none() | AMOUNTS),
                confidence=draw(st.none() | st.floats(min_value=0, max_value=1)),
                status=draw(st.sampled_from(["pending", "done", "failed"])),
                confirmed_amount_ore=draw(st.none() | AMOUNTS),
            )
        )
    previous = {
        "rent": draw(AMOUNTS),
        "incomes:1": {
            "amounts": draw(
                st.dictionaries(st.sampled_from(["salary", "pension"]), AMOUNTS, max_size=2)
            )
        },
    }
    return Facts(MONTH, SENT, answers, flow.Context(MONTH, MEMBERS, previous), tuple(documents))


@settings(max_examples=300, deadline=None)
@given(applications())
def test_findings_are_unique_sorted_and_well_formed(facts: Facts) -> None:
    found = evaluate(facts)
    keys = [f.key for f in found]
    assert len(keys) == len(set(keys))
    order = ["blocking", "review", "info"]
    assert [order.index(f.severity) for f in found] == sorted(
        order.index(f.severity) for f in found
    )
    document_ids = {d.id for d in facts.documents}
    for finding in found:
        assert len(finding.subject) <= 64
        if finding.subject.startswith("attachment:"):
            assert int(finding.subject.split(":")[1]) in document_ids


@settings(max_examples=200, deadline=None)
@given(applications())
def test_a_need_is_either_missing_or_covered_never_both(facts: Facts) -> None:
    found = evaluate(facts)
    missing = {f.subject for f in found if f.code is Code.missing_attachment}
    for finding in found:
        if finding.code in (Code.wrong_kind, Code.wrong_period, Code.unreadable_attachment):
            need = finding.params["answer_key"] + (
                f"/{finding.params['item']}" if finding.params["item"] else ""
            )
            assert need not in missing


@settings(max_examples=200, deadline=None)
@given(applications(), st.data())
def test_turning_a_rule_off_removes_exactly_its_findings(facts: Facts, data: st.DataObject) -> None:
    code = data.draw(st.sampled_from(list(Code)))
    off = dataclasses.replace(DEFAULT, severities={**DEFAULT.severities, code: None})
    with_rule = [f for f in evaluate(facts) if f.code is not code]
    assert evaluate(facts, off) == with_rule


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=10_000_000),
    st.integers(min_value=-10_000_000, max_value=10_000_000),
)
def test_the_tolerance_is_symmetric_around_the_declared_amount(declared: int, delta: int) -> None:
    assert DEFAULT.differs(declared, declared + delta) == DEFAULT.differs(
        declared, declared - delta
    )
    assert not DEFAULT.differs(declared, declared)
    if abs(delta) <= 10000:
        assert not DEFAULT.differs(declared, declared + delta)


@settings(max_examples=100, deadline=None)
@given(applications())
def test_severities_come_from_the_table(facts: Facts) -> None:
    for finding in evaluate(facts):
        assert finding.severity is DEFAULT.severity(finding.code)
        assert isinstance(finding.severity, Severity)
