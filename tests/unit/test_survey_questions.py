"""The question set as versioned data, and the cleaning of one respondent's answers."""

from __future__ import annotations

import pytest

from intake.survey.questions import (
    CURRENT_VERSION,
    DONT_KNOW,
    FREE_TEXT_MAX,
    QUESTION_SETS,
    SKR_EB_2016,
    question_set,
    validate,
)
from portal import survey_texts


def test_the_current_set_is_skrs_ekonomiskt_bistand_set_in_order() -> None:
    assert question_set(CURRENT_VERSION) is SKR_EB_2016
    assert SKR_EB_2016.codes == (
        "contact",
        "information",
        "views_asked",
        "understanding",
        "influence",
        "change",
        "overall",
    )
    assert SKR_EB_2016.free_text is True


@pytest.mark.parametrize("question", SKR_EB_2016.questions, ids=lambda q: q.code)
def test_scales_have_four_steps_or_yes_no_and_dont_know_with_the_top_two_positive(question) -> None:  # type: ignore[no-untyped-def]
    scale = question.scale
    assert scale.values[-1] == DONT_KNOW
    if question.code == "views_asked":
        assert scale.steps == ("yes", "no") and scale.positive == {"yes"}
    else:
        assert scale.steps == ("1", "2", "3", "4")
        assert scale.positive == {"1", "2"}


@pytest.mark.parametrize("version", sorted(QUESTION_SETS))
def test_every_question_scale_and_step_has_words(version: str) -> None:
    for question in question_set(version).questions:
        assert question.code in survey_texts.QUESTIONS and question.code in survey_texts.SHORT
        for value in question.scale.values:
            assert survey_texts.step(question.scale.code, value) != value


def test_an_unknown_version_is_refused() -> None:
    with pytest.raises(KeyError):
        question_set("no-such-version")


@pytest.mark.parametrize(
    ("raw", "text", "answers", "problems"),
    [
        ({"contact": "1", "overall": "4"}, "", {"contact": "1", "overall": "4"}, []),
        ({"views_asked": "yes", "change": "dk"}, None, {"views_asked": "yes", "change": "dk"}, []),
        ({"contact": " 2 "}, None, {"contact": "2"}, []),
        ({"contact": ""}, "Bra bemötande", {}, []),
        ({}, "", {}, [("nothing_answered", "contact")]),
        ({"contact": "5"}, None, {}, [("invalid", "contact")]),
        ({"views_asked": "1"}, None, {}, [("invalid", "views_asked")]),
        ({"overall": "1", "unknown": "1"}, None, {"overall": "1"}, []),
        (
            {"overall": "1"},
            "x" * (FREE_TEXT_MAX + 1),
            {"overall": "1"},
            [("too_long", "free_text")],
        ),
    ],
)
def test_validate(raw, text, answers, problems) -> None:  # type: ignore[no-untyped-def]
    cleaned, free_text, found = validate(SKR_EB_2016, raw, text)
    assert cleaned == answers
    assert [(p.code, p.field) for p in found] == problems
    assert free_text == ((text or "").strip() or None)
