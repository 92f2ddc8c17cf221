"""Every finding code has its words, for the applicant and for staff, and every wording the
informatör can choose fills in without a missing placeholder, in every language."""

from __future__ import annotations

import pytest

from intake.completeness import FIXABLE_BY_APPLICANT, Code
from intake.languages import SUPPORTED
from portal import completeness_text as words
from portal.i18n import use_locale

NAMES = words.Names(files={7: "hyresavi.jpg"}, people={12: "Anna"}, co_applicant="Bo")
PARAMS = {
    "answer_key": "incomes:12",
    "document": "payslip",
    "item": "salary",
    "person": 12,
    "attachment": 7,
    "kind": "bank_statement",
    "period": "2026-09",
    "earliest": "2026-10",
    "latest": "2026-11",
    "declared_ore": 785000,
    "documented_ore": 885050,
    "read_ore": 100,
    "confirmed_ore": 785000,
    "previous_ore": 1200000,
    "current_ore": 1300000,
    "percent": 8,
    "changes": ["family", "school"],
}


@pytest.mark.parametrize("code", list(Code))
def test_every_code_has_a_title_staff_words_and_wordings(code: Code) -> None:
    assert code in words.TITLES
    assert code in words.FOR_STAFF
    assert words.templates_for(code.value)[-1] == words.GENERAL_TEMPLATE
    if code in FIXABLE_BY_APPLICANT:
        assert code in words.FOR_APPLICANT


@pytest.mark.parametrize("language", SUPPORTED)
@pytest.mark.parametrize("code", list(Code))
def test_the_words_fill_in_in_every_language(code: Code, language: str) -> None:
    with use_locale(language):
        staff = words.for_staff(code.value, PARAMS, NAMES)
        assert staff and "%(" not in staff
        if code in FIXABLE_BY_APPLICANT:
            applicant = words.for_applicant(code.value, PARAMS, NAMES)
            assert applicant and "%(" not in applicant
        for template in words.templates_for(code.value):
            text = words.template_text(template, code.value, PARAMS, NAMES)
            assert text and "%(" not in text


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("missing_attachment", "No Payslip: Salary for Salary (Anna)"),
        (
            "wrong_period",
            "hyresavi.jpg is for September 2026; expected October 2026 – November 2026",
        ),
        ("amount_mismatch", "Salary (Anna): declared SEK\xa07,850.00, documented SEK\xa08,850.50"),
        (
            "wrong_kind",
            "hyresavi.jpg was given as Payslip: Salary but reads as "
            "Bank statement for the last month",
        ),
        ("co_applicant_declined", "Bo (co-applicant) declined to sign"),
        (
            "household_change_facts",
            "Household change (Family: someone moved in or out, or a baby, A child started or "
            "left school) without who and when",
        ),
        ("rent_increase", "Rent SEK\xa012,000.00 last month, SEK\xa013,000.00 now (+8 %)"),
    ],
)
def test_staff_words_in_english(code: str, expected: str) -> None:
    with use_locale("en"):
        assert words.for_staff(code, PARAMS, NAMES) == expected


def test_applicant_words_are_plain() -> None:
    with use_locale("en"):
        assert (
            words.for_applicant("missing_attachment", PARAMS, NAMES)
            == "We need this document: Payslip: Salary."
        )
        assert words.for_applicant("co_applicant_not_signed", {}, NAMES) == (
            "Bo has not signed the application yet."
        )
        assert words.title("nonsense") == "nonsense"
        assert words.for_applicant("nonsense", {}, NAMES) == ""
