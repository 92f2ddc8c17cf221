"""The application flow as data: which steps are asked, confirmed or carried over."""

import datetime as dt

import pytest

from intake import flow

ADULT = flow.Member(id=1, role="applicant", given_name="Anna", age=40)
PARTNER = flow.Member(id=2, role="co_applicant", given_name="Bo", age=42)
CHILD = flow.Member(id=3, role="child", given_name="Elsa", age=9, days_at_home=30)

LAST_MONTH = {
    "anything_changed": False,
    "housing_type": "rental",
    "rent": 785000,
    "household_electricity": 0,
    "home_insurance": 18900,
    "incomes:1": {"amounts": {"salary": 1200000}, "abroad": [], "none": False},
    "pending_benefits": "",
    "bank_accounts": [{"bank": "Nordea", "balance": 50000}],
    "other_assets": "",
    "costs": {"amounts": {}},
    "livsforing": {"amounts": {}},
    "activity:1": ["working"],
    "other_info": "",
    "contact": {
        "methods": [],
        "phone": "",
        "email": "",
        "interpreter": False,
        "interpreter_language": "",
    },
}


def context(*members: flow.Member, previous: dict | None = None) -> flow.Context:
    return flow.Context(month="2026-12", members=members or (ADULT,), previous=previous or {})


def keys(steps: list[flow.Step]) -> list[str]:
    return [step.key for step in steps]


def test_a_first_application_asks_everything_in_order() -> None:
    steps = keys(flow.active_steps({"housing_type": "rental"}, context(ADULT, PARTNER, CHILD)))
    assert steps[0] == "children_days"
    assert "anything_changed" not in steps
    assert steps.index("rent") < steps.index("incomes:1") < steps.index("incomes:2")
    assert steps[-2:] == ["other_info", "contact"]
    assert {"activity:1", "activity:2"} <= set(steps)
    assert "incomes:3" not in steps  # children are not asked for income


def test_with_history_the_first_question_is_whether_anything_changed() -> None:
    ctx = context(previous=LAST_MONTH)
    assert flow.next_step({}, ctx).key == "anything_changed"  # type: ignore[union-attr]
    assert "changes" not in keys(flow.active_steps({"anything_changed": False}, ctx))
    assert "changes" in keys(flow.active_steps({"anything_changed": True}, ctx))


def test_rent_is_only_asked_of_those_who_pay_for_housing() -> None:
    ctx = context()
    assert "rent" in keys(flow.active_steps({"housing_type": "rental"}, ctx))
    assert "rent" not in keys(flow.active_steps({"housing_type": "homeless"}, ctx))


def test_nothing_changed_confirms_amounts_and_carries_the_rest() -> None:
    ctx = context(previous=LAST_MONTH)
    answers = {"anything_changed": False}
    carried = flow.carried_over(answers, ctx)
    assert set(carried) == {
        "housing_type",
        "household_electricity",
        "pending_benefits",
        "other_assets",
        "costs",
        "livsforing",
        "other_info",
        "contact",
    }
    remaining = [
        s.key
        for s in flow.active_steps({**answers, **carried}, ctx)
        if s.key not in {**answers, **carried}
    ]
    assert remaining == ["rent", "home_insurance", "incomes:1", "bank_accounts", "activity:1"]
    rent = flow.find_step("rent", ctx)
    assert rent is not None and flow.confirming(rent, answers, ctx)


def test_something_changed_asks_in_full_with_last_month_filled_in() -> None:
    ctx = context(previous=LAST_MONTH)
    answers = {"anything_changed": True}
    assert flow.carried_over(answers, ctx) == {}
    rent = flow.find_step("rent", ctx)
    assert rent is not None
    assert not flow.confirming(rent, answers, ctx)
    assert flow.prefill(rent, answers, ctx) == 785000


def test_step_after_skips_what_is_answered_and_remaining_counts_down() -> None:
    ctx = context()
    answers = {"housing_type": "rental", "rent": 1, "household_electricity": 0}
    assert flow.step_after("rent", answers, ctx).key == "home_insurance"  # type: ignore[union-attr]
    before = flow.remaining({"housing_type": "rental"}, ctx)
    assert flow.remaining(answers, ctx) == before - 2  # rent and electricity answered
    # Unanswered housing adds itself but hides rent and electricity, which depend on it.
    assert flow.remaining({}, ctx) == before + 1 - 2


@pytest.mark.parametrize(
    ("step_key", "form", "value", "errors"),
    [
        ("anything_changed", {"value": "yes"}, True, {}),
        ("anything_changed", {}, None, {"value": "choose_one"}),
        ("housing_type", {"value": "castle"}, None, {"value": "choose_one"}),
        ("rent", {"value": "7 850:-"}, 785000, {}),
        ("rent", {"value": ""}, None, {"value": "amount_empty"}),
        ("rent", {"value": "-100"}, None, {"value": "amount_negative"}),
        ("rent", {"value": "125000"}, None, {"value": "amount_too_large"}),
        ("home_insurance", {"value": ""}, 0, {}),
        ("incomes:1", {"none": "yes"}, {"amounts": {}, "abroad": [], "none": True}, {}),
        ("incomes:1", {}, None, {"amount_salary": "income_or_none"}),
        ("incomes:1", {"none": "yes", "amount_pension": "100"}, None, {"none": "none_and_amounts"}),
        (
            "incomes:1",
            {"amount_salary": "12 000", "abroad": "salary"},
            {"amounts": {"salary": 1200000}, "abroad": ["salary"], "none": False},
            {},
        ),
        (
            "bank_accounts",
            {"bank_0": "Nordea", "balance_0": "-12,50"},
            [{"bank": "Nordea", "balance": -1250}],
            {},
        ),
        ("bank_accounts", {"bank_0": "", "balance_0": "100"}, None, {"bank_0": "bank_required"}),
        ("livsforing", {"amount_other": "300"}, None, {"other_description": "describe_other"}),
        (
            "livsforing",
            {"amount_other": "300", "other_description": "Bussresa till sjukhuset"},
            {"amounts": {"other": 30000}, "description": "Bussresa till sjukhuset"},
            {},
        ),
        ("other_info", {"value": "x" * 2001}, None, {"value": "text_too_long"}),
        ("contact", {"methods": "sms", "phone": "12"}, None, {"phone": "phone_format"}),
        (
            "contact",
            {"methods": "email", "email": "anna@example.org"},
            {
                "methods": ["email"],
                "phone": "",
                "email": "anna@example.org",
                "interpreter": False,
                "interpreter_language": "",
            },
            {},
        ),
        (
            "contact",
            {"interpreter": "yes", "interpreter_language": "xx"},
            None,
            {"interpreter_language": "choose_one"},
        ),
    ],
)
def test_parsing_answers(step_key: str, form: dict, value: object, errors: dict) -> None:
    ctx = context()
    step = flow.find_step(step_key, ctx)
    assert step is not None
    parsed = flow.parse(step, form, ctx)
    assert parsed.errors == errors
    if not errors:
        assert parsed.value == value


def test_children_days_are_checked_per_child() -> None:
    ctx = context(ADULT, CHILD)
    step = flow.find_step("children_days", ctx)
    assert step is not None
    assert flow.parse(step, {"days_3": "15"}, ctx).value == {"3": 15}
    assert flow.parse(step, {"days_3": "40"}, ctx).errors == {"days_3": "days_range"}


@pytest.mark.parametrize(
    ("step_key", "value", "documents"),
    [
        ("rent", 785000, [("rent_notice", "")]),
        ("rent", 0, []),
        (
            "incomes:1",
            {"amounts": {"salary": 1, "child_allowance": 2, "pension": 3}},
            [("payslip", "salary"), ("pension", "pension")],
        ),
        ("livsforing", {"amounts": {"glasses": 100}}, [("receipt", "glasses")]),
        ("bank_accounts", [{"bank": "x", "balance": 1}], [("bank_statement", "")]),
        ("activity:1", ["job_seeking", "working"], [("activity_report", "job_seeking")]),
    ],
)
def test_proof_by_answer(step_key: str, value: object, documents: list) -> None:
    step = flow.find_step(step_key, context())
    assert step is not None
    assert [(n.document, n.item) for n in flow.proof_needed(step, value)] == documents


def test_proof_rules_are_configuration() -> None:
    rules = flow.ProofRules(amounts={}, incomes={}, activities={}, bank_statement=False)
    step = flow.find_step("rent", context())
    assert step is not None
    assert flow.proof_needed(step, 785000, rules) == []


@pytest.mark.parametrize(
    ("today", "month"),
    [(dt.date(2026, 11, 24), "2026-12"), (dt.date(2026, 12, 1), "2027-01")],
)
def test_the_month_applied_for_is_the_next(today: dt.date, month: str) -> None:
    assert flow.month_to_apply_for(today) == month


def test_changes_are_differences_against_last_month() -> None:
    assert flow.differs(800000, 785000)
    assert not flow.differs(785000, 785000)
    assert not flow.differs(785000, None)
