"""Question sets as versioned data. Results are only ever compared within one version.

A question set names its questions and their scales by code; the words live on the web side.
Answer values are codes too: ``"1"``–``"4"`` on a four-step scale (``"1"`` most positive),
``"yes"``/``"no"`` on a yes/no question, and ``"dk"`` for "don't know / no opinion".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

DONT_KNOW = "dk"
FREE_TEXT_MAX = 1000


@dataclass(frozen=True)
class Scale:
    code: str
    steps: tuple[str, ...]  # most positive first
    positive: frozenset[str]  # the steps counted as positive ("top two" on a four-step scale)

    @property
    def values(self) -> tuple[str, ...]:
        """Every accepted answer: the steps, then "don't know"."""
        return (*self.steps, DONT_KNOW)


def four_step(code: str) -> Scale:
    return Scale(code, ("1", "2", "3", "4"), frozenset({"1", "2"}))


EASE = four_step("ease")  # very easy … very hard
EXTENT = four_step("extent")  # to a very great extent … not at all
CHANGE = four_step("change")  # much better … worse
SATISFACTION = four_step("satisfaction")  # very satisfied … very dissatisfied
YES_NO = Scale("yes_no", ("yes", "no"), frozenset({"yes"}))


@dataclass(frozen=True)
class Question:
    code: str
    scale: Scale


@dataclass(frozen=True)
class QuestionSet:
    version: str
    questions: tuple[Question, ...]
    free_text: bool = True

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(question.code for question in self.questions)

    def question(self, code: str) -> Question:
        for question in self.questions:
            if question.code == code:
                return question
        raise KeyError(code)


# SKR's national user survey for ekonomiskt bistånd (2015–16 set, DOMAIN.md), plus free text.
SKR_EB_2016 = QuestionSet(
    version="skr-eb-2016",
    questions=(
        Question("contact", EASE),
        Question("information", EASE),
        Question("views_asked", YES_NO),
        Question("understanding", EXTENT),
        Question("influence", EXTENT),
        Question("change", CHANGE),
        Question("overall", SATISFACTION),
    ),
    free_text=True,
)

QUESTION_SETS: dict[str, QuestionSet] = {SKR_EB_2016.version: SKR_EB_2016}
CURRENT_VERSION = SKR_EB_2016.version


def question_set(version: str) -> QuestionSet:
    """The question set of ``version``; ``KeyError`` when there is none."""
    return QUESTION_SETS[version]


@dataclass(frozen=True)
class Problem:
    code: str  # "invalid" / "nothing_answered" / "too_long"
    field: str


def validate(
    questions: QuestionSet, raw: Mapping[str, str], free_text: str | None
) -> tuple[dict[str, str], str | None, list[Problem]]:
    """Clean one respondent's answers. Unanswered questions are left out (skipping is allowed);
    a value outside the scale is a problem; at least one answer or a comment is needed."""
    answers: dict[str, str] = {}
    problems: list[Problem] = []
    for question in questions.questions:
        value = (raw.get(question.code) or "").strip()
        if not value:
            continue
        if value not in question.scale.values:
            problems.append(Problem("invalid", question.code))
            continue
        answers[question.code] = value
    text = (free_text or "").strip() if questions.free_text else ""
    if len(text) > FREE_TEXT_MAX:
        problems.append(Problem("too_long", "free_text"))
    if not answers and not text and not problems:
        problems.append(Problem("nothing_answered", questions.codes[0]))
    return answers, (text or None), problems
