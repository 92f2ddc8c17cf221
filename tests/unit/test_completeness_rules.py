"""The completeness rules, one behaviour per test, on hand-built applications."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from intake import flow
from intake.completeness import (
    DEFAULT,
    CoApplicant,
    Code,
    Document,
    Facts,
    Severity,
    Stage,
    evaluate,
    needs_of,
    parse,
)

MONTH = "2026-11"  # applied for
SENT = "2026-10"  # sent in October
APPLICANT = flow.Member(1, "applicant", "Anna", 40)
PARTNER = flow.Member(2, "co_applicant", "Bo", 42)

LAST_MONTH = {
    "anything_changed": False,
    "housing_type": "rental",
    "rent": 785000,
    "incomes:1": {"amounts": {"salary": 1200000}, "abroad": [], "none": False},
    "bank_accounts": [{"bank": "Swedbank", "balance": 123450}],
    "activity:1": ["working"],
    "costs": {"amounts": {}},
    "livsforing": {"amounts": {}},
    "pending_benefits": "",
    "other_assets": "",
    "other_info": "",
    "contact": {"methods": [], "phone": "", "email": "", "interpreter": False},
}


def answers(**changes: Any) -> dict[str, Any]:
    return {**LAST_MONTH, "home_insurance": 0, "household_electricity": 0, **changes}


def rent_notice(id: int = 1, **changes: Any) -> Document:
    base = Document(
        id=id,
        answer_key="rent",
        expected_kind="rent_notice",
        kind="rent_notice",
        period=MONTH,
        amount_ore=785000,
        confidence=0.95,
        status="done",
    )
    return dataclasses.replace(base, **changes)


def payslip(id: int = 2, **changes: Any) -> Document:
    base = Document(
        id=id,
        answer_key="incomes:1",
        expected_kind="payslip",
        item="salary",
        kind="payslip",
        period=SENT,
        amount_ore=1200000,
        confidence=0.93,
        status="done",
    )
    return dataclasses.replace(base, **changes)


def statement(id: int = 3, **changes: Any) -> Document:
    base = Document(
        id=id,
        answer_key="bank_accounts",
        expected_kind="bank_statement",
        kind="bank_statement",
        period=SENT,
        amount_ore=123450,
        confidence=0.9,
        status="done",
    )
    return dataclasses.replace(base, **changes)


def facts(
    documents: tuple[Document, ...] | None = None,
    *,
    given: dict[str, Any] | None = None,
    members: tuple[flow.Member, ...] = (APPLICANT,),
    previous: dict[str, Any] | None = None,
    **changes: Any,
) -> Facts:
    return Facts(
        month=MONTH,
        sent_month=SENT,
        answers=given if given is not None else answers(),
        context=flow.Context(MONTH, members, LAST_MONTH if previous is None else previous),
        documents=(rent_notice(), payslip(), statement()) if documents is None else documents,
        **changes,
    )


def codes(found: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(f.code.value, f.subject) for f in found]


def test_a_complete_application_has_no_findings() -> None:
    assert evaluate(facts()) == []


@pytest.mark.parametrize(
    ("dropped", "subject"),
    [(0, "rent"), (1, "incomes:1/salary"), (2, "bank_accounts")],
)
def test_a_declared_amount_without_its_document_is_missing(dropped: int, subject: str) -> None:
    documents = [rent_notice(), payslip(), statement()]
    del documents[dropped]
    found = evaluate(facts(tuple(documents)))
    assert codes(found) == [("missing_attachment", subject)]
    assert found[0].severity is Severity.blocking


def test_missing_names_the_document_item_and_person() -> None:
    found = evaluate(facts((rent_notice(), statement())))
    assert found[0].params == {
        "answer_key": "incomes:1",
        "document": "payslip",
        "item": "salary",
        "person": 1,
    }


def test_each_income_needs_its_own_proof() -> None:
    given = answers(
        **{
            "incomes:1": {
                "amounts": {"salary": 1200000, "housing_allowance": 150000},
                "abroad": [],
                "none": False,
            }
        }
    )
    found = evaluate(facts(given=given))
    assert codes(found) == [("missing_attachment", "incomes:1/housing_allowance")]
    assert found[0].params["document"] == "benefit_payment"


def test_income_types_without_proof_rule_need_nothing() -> None:
    given = answers(
        **{
            "incomes:1": {
                "amounts": {"salary": 1200000, "child_allowance": 125000},
                "abroad": [],
                "none": False,
            }
        }
    )
    assert evaluate(facts(given=given)) == []


def test_a_cost_outside_the_norm_needs_a_receipt_of_any_kind() -> None:
    given = answers(livsforing={"amounts": {"glasses": 150000}})
    found = evaluate(facts(given=given))
    assert codes(found) == [("missing_attachment", "livsforing/glasses")]
    receipt = Document(
        9, "livsforing", "receipt", "glasses", kind="unknown", status="done", confidence=0.2
    )
    assert evaluate(facts((rent_notice(), payslip(), statement(), receipt), given=given)) == []


@pytest.mark.parametrize(
    ("activity", "document"),
    [("job_seeking", "activity_report"), ("sick_leave", "medical_certificate")],
)
def test_activities_need_their_papers(activity: str, document: str) -> None:
    found = evaluate(facts(given=answers(**{"activity:1": [activity]})))
    assert codes(found) == [("missing_attachment", f"activity:1/{activity}")]
    assert found[0].params["document"] == document


def test_a_municipality_that_asks_for_nothing_gets_no_missing_findings() -> None:
    nothing = flow.ProofRules(amounts={}, incomes={}, activities={}, bank_statement=False)
    assert evaluate(facts((), proof_rules=nothing)) == []


@pytest.mark.parametrize(
    ("document", "code"),
    [
        (rent_notice(kind="bank_statement"), "wrong_kind"),
        (rent_notice(kind="bank_statement", confidence=0.4), "unrecognised_document"),
        (rent_notice(kind="unknown", period=None, amount_ore=None), "unrecognised_document"),
        (rent_notice(kind="unreadable", period=None, amount_ore=None), "unreadable_attachment"),
        (rent_notice(status="failed", kind=None, period=None), "unreadable_attachment"),
        (rent_notice(status="pending", kind=None, period=None), "reading_pending"),
    ],
)
def test_a_document_with_a_problem_is_reported_once_and_not_as_missing(
    document: Document, code: str
) -> None:
    found = evaluate(facts((document, payslip(), statement())))
    assert codes(found) == [(code, "attachment:1")]
    assert found[0].params["answer_key"] == "rent"
    assert found[0].params["document"] == "rent_notice"


@pytest.mark.parametrize(
    ("document", "period", "wrong"),
    [
        ("rent", "2026-10", True),  # a rent notice for October in a November application
        ("rent", "2026-12", True),
        ("rent", "2026-11", False),
        ("pay", "2026-08", True),  # sent in October: a payslip for August is too old
        ("pay", "2026-09", False),  # last month's payslip is the latest one
        ("pay", "2026-10", False),
        ("pay", "2026-11", True),  # a payslip for a month not yet paid
        ("bank", "2026-08", True),
        ("bank", "2026-09", False),
    ],
)
def test_documents_for_the_wrong_month(document: str, period: str, wrong: bool) -> None:
    rent, pay, bank = rent_notice(), payslip(), statement()
    if document == "rent":
        rent = rent_notice(period=period)
    elif document == "pay":
        pay = payslip(period=period)
    else:
        bank = statement(period=period)
    found = evaluate(facts((rent, pay, bank)))
    if wrong:
        assert [f.code for f in found] == [Code.wrong_period]
        assert found[0].params["period"] == period
        assert found[0].severity is Severity.blocking
    else:
        assert found == []


def test_the_month_window_is_configurable() -> None:
    lenient = parse(
        {"periods": {"rent_notice": {"relative_to": "application", "earliest": -1, "latest": 0}}}
    )
    old = (rent_notice(period="2026-10"), payslip(), statement())
    assert evaluate(facts(old), lenient) == []
    assert evaluate(facts(old))[0].params["earliest"] == "2026-11"


def test_a_document_without_a_period_is_not_called_wrong() -> None:
    assert evaluate(facts((rent_notice(period=None), payslip(), statement()))) == []


def test_a_good_document_makes_a_stray_old_one_irrelevant() -> None:
    documents = (rent_notice(1, period="2026-10"), rent_notice(4), payslip(), statement())
    assert evaluate(facts(documents)) == []


def test_a_pending_document_hides_its_siblings_problems_until_read() -> None:
    documents = (
        rent_notice(1, period="2026-10"),
        rent_notice(4, status="pending", kind=None, period=None, amount_ore=None),
        payslip(),
        statement(),
    )
    assert codes(evaluate(facts(documents))) == [("reading_pending", "attachment:4")]


@pytest.mark.parametrize(
    ("declared", "read", "mismatch"),
    [
        (785000, 785000, False),
        (785000, 784550, False),  # 7 845,50 typed as 7 850: within 100 kr
        (785000, 769300, False),  # 2 % of 7 850 kr is 157 kr: more than the 100 kr floor
        (785000, 769200, True),
        (300000, 290000, False),  # 100 kr: the floor for small amounts
        (300000, 289900, True),
        (1200000, 1176000, False),  # 2 % of 12 000 kr = 240 kr
        (1200000, 1170000, True),
        (1200000, 1500000, True),
    ],
)
def test_declared_and_read_amounts_beyond_the_tolerance(
    declared: int, read: int, mismatch: bool
) -> None:
    given = answers(
        rent=declared,
        **{"incomes:1": {"amounts": {"salary": declared}, "abroad": [], "none": False}},
    )
    documents = (rent_notice(amount_ore=read), payslip(amount_ore=read), statement())
    found = evaluate(facts(documents, given=given, previous={}))
    if mismatch:
        assert [f.code for f in found] == [Code.amount_mismatch, Code.amount_mismatch]
        rent = next(f for f in found if f.subject == "rent")
        assert rent.params["declared_ore"] == declared
        assert rent.params["documented_ore"] == read
    else:
        assert found == []


def test_several_payslips_add_up_to_the_declared_income() -> None:
    documents = (
        rent_notice(),
        payslip(2, amount_ore=600000),
        payslip(5, amount_ore=600000, period="2026-09"),
        statement(),
    )
    assert evaluate(facts(documents)) == []
    documents = (rent_notice(), payslip(2, amount_ore=600000), statement())
    assert [f.code for f in evaluate(facts(documents))] == [Code.amount_mismatch]


def test_an_uncertain_amount_is_not_compared_but_flagged_for_review() -> None:
    found = evaluate(facts((rent_notice(amount_ore=100, confidence=0.3), payslip(), statement())))
    assert codes(found) == [("low_confidence", "attachment:1")]
    assert found[0].severity is Severity.review


def test_the_applicants_confirmation_counts_over_an_uncertain_reading() -> None:
    document = rent_notice(amount_ore=100, confidence=0.3, confirmed_amount_ore=785000)
    found = evaluate(facts((document, payslip(), statement())))
    assert codes(found) == [("amount_corrected", "attachment:1")]
    assert found[0].severity is Severity.info
    assert found[0].params["read_ore"] == 100


def test_a_confirmed_amount_that_differs_from_the_answer_is_a_mismatch() -> None:
    document = rent_notice(confirmed_amount_ore=885000, amount_ore=885000)
    assert [f.code for f in evaluate(facts((document, payslip(), statement())))] == [
        Code.amount_mismatch
    ]


def test_a_bank_balance_that_matches_no_account_is_for_review() -> None:
    found = evaluate(facts((rent_notice(), payslip(), statement(amount_ore=5_000_000))))
    assert codes(found) == [("balance_mismatch", "attachment:3")]
    assert found[0].severity is Severity.review
    given = answers(
        bank_accounts=[{"bank": "A", "balance": 123450}, {"bank": "B", "balance": 5_000_000}]
    )
    documents = (rent_notice(), payslip(), statement(3), statement(6, amount_ore=5_000_000))
    assert evaluate(facts(documents, given=given)) == []


def test_a_file_added_as_something_else_covers_the_need_it_turns_out_to_prove() -> None:
    later = rent_notice(7, answer_key="later", expected_kind=None)
    assert evaluate(facts((later, payslip(), statement()))) == []


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (CoApplicant.pending, "co_applicant_not_signed"),
        (CoApplicant.declined, "co_applicant_declined"),
        (CoApplicant.signed, None),
    ],
)
def test_the_co_applicant_must_sign(status: CoApplicant, code: str | None) -> None:
    found = evaluate(
        facts(
            members=(APPLICANT, PARTNER),
            co_applicant=status,
            given=answers(
                **{
                    "incomes:2": {"amounts": {}, "abroad": [], "none": True},
                    "activity:2": ["working"],
                }
            ),
        )
    )
    assert codes(found) == ([(code, "co_applicant")] if code else [])


def test_a_draft_is_not_blamed_for_signatures_it_cannot_have_yet() -> None:
    assert evaluate(facts(co_applicant=CoApplicant.pending, stage=Stage.draft)) == []


@pytest.mark.parametrize(
    ("changes", "told", "finding"),
    [
        (["family"], "", True),
        (["family"], "Ja", True),
        (["family"], "Min sambo Bo flyttade in den 3 oktober.", False),
        (["school"], "", True),
        (["work"], "", False),
        (["housing", "family"], "", True),
    ],
)
def test_a_household_change_needs_its_facts(changes: list[str], told: str, finding: bool) -> None:
    given = answers(anything_changed=True, changes=changes, household_change=told)
    found = evaluate(facts(given=given))
    if finding:
        assert codes(found) == [("household_change_facts", "household_change")]
        assert found[0].params["changes"] == sorted(set(changes) & {"family", "school"})
    else:
        assert found == []


def test_an_income_that_disappeared_is_for_review() -> None:
    given = answers(**{"incomes:1": {"amounts": {}, "abroad": [], "none": True}})
    found = evaluate(facts((rent_notice(), statement()), given=given))
    assert codes(found) == [("income_disappeared", "incomes:1/salary")]
    assert found[0].severity is Severity.review
    assert found[0].params["previous_ore"] == 1200000


def test_a_small_income_that_stopped_is_not_unusual() -> None:
    previous = {
        **LAST_MONTH,
        "incomes:1": {"amounts": {"swish_other": 20000}, "abroad": [], "none": False},
    }
    given = answers(**{"incomes:1": {"amounts": {}, "abroad": [], "none": True}})
    assert evaluate(facts((rent_notice(), statement()), given=given, previous=previous)) == []


@pytest.mark.parametrize(
    ("rent", "unusual"),
    [(785000, False), (863500, False), (863600, True), (1000000, True), (500000, False)],
)
def test_rent_up_more_than_the_set_share(rent: int, unusual: bool) -> None:
    given = answers(rent=rent)
    found = evaluate(facts((rent_notice(amount_ore=rent), payslip(), statement()), given=given))
    assert codes(found) == ([("rent_increase", "rent")] if unusual else [])
    if unusual:
        assert found[0].params["percent"] == round((rent - 785000) * 100 / 785000)


def test_no_previous_month_means_no_unusual_changes() -> None:
    given = answers(rent=2000000, **{"incomes:1": {"amounts": {}, "abroad": [], "none": True}})
    assert (
        evaluate(facts((rent_notice(amount_ore=2000000), statement()), given=given, previous={}))
        == []
    )


def test_rules_switched_off_say_nothing_and_severities_follow_the_table() -> None:
    config = parse({"rules": {"missing_attachment": "review", "wrong_period": "off"}})
    found = evaluate(facts((rent_notice(period="2026-09"), statement())), config)
    assert [(f.code.value, f.severity.value) for f in found] == [("missing_attachment", "review")]


def test_findings_are_sorted_most_serious_first() -> None:
    given = answers(rent=1000000, **{"incomes:1": {"amounts": {}, "abroad": [], "none": True}})
    found = evaluate(facts((statement(),), given=given))
    assert [f.severity for f in found] == sorted(
        (f.severity for f in found), key=["blocking", "review", "info"].index
    )
    assert found[0].code is Code.missing_attachment


def test_needs_follow_the_answers() -> None:
    needs = needs_of(facts())
    assert [(n.step_key, n.document, n.item) for n in needs] == [
        ("rent", "rent_notice", ""),
        ("incomes:1", "payslip", "salary"),
        ("bank_accounts", "bank_statement", ""),
    ]
    assert DEFAULT.severity(Code.missing_attachment) is Severity.blocking
