"""The dashboard's figures, from counts: per question the share positive with its 95 % interval,
response rates, and breakdowns by month, unit and language, with small groups suppressed.

Input is a list of :class:`Count` rows (how many respondents in a month, unit and language gave
``value`` to ``item``), the shape the counts are stored in. Special items: ``_answered`` (one per
respondent), ``_free_text`` (respondents who wrote a comment) and ``_invited`` (invitations sent,
by month and unit).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from intake.survey.questions import QuestionSet
from intake.survey.stats import Share, rate
from intake.survey.suppression import MIN_GROUP, suppress

ANSWERED = "_answered"
FREE_TEXT = "_free_text"
INVITED = "_invited"


class Count(NamedTuple):
    month: str
    unit_id: int | None
    language: str
    item: str
    value: str
    number: int


@dataclass(frozen=True)
class QuestionFigure:
    code: str
    share: Share | None  # None: hidden, or nobody chose a step
    hidden: bool

    @property
    def n(self) -> int | None:
        return None if self.share is None else self.share.n


@dataclass(frozen=True)
class Group:
    key: Hashable
    respondents: int | None  # None: hidden
    invited: int | None  # None: hidden, or not known for this breakdown
    questions: dict[str, QuestionFigure] = field(default_factory=dict)

    @property
    def hidden(self) -> bool:
        return self.respondents is None

    @property
    def response_rate(self) -> float | None:
        if self.respondents is None or self.invited is None:
            return None
        return rate(self.respondents, self.invited)


@dataclass(frozen=True)
class Results:
    version: str
    months: tuple[str, ...]
    min_group: int
    total: Group
    by_month: tuple[Group, ...]
    by_unit: tuple[Group, ...]
    by_language: tuple[Group, ...]


@dataclass
class _Tally:
    respondents: int = 0
    invited: int = 0
    positive: dict[str, int] = field(default_factory=dict)
    answered: dict[str, int] = field(default_factory=dict)


def _tally(
    questions: QuestionSet,
    counts: Iterable[Count],
    key: Callable[[Count], Hashable],
    keys: Iterable[Hashable],
) -> dict[Hashable, _Tally]:
    # Add up by (group, item, value) first: one cheap pass over many rows, then a few lookups.
    sums: defaultdict[tuple[Hashable, str, str], int] = defaultdict(int)
    for row in counts:
        sums[(key(row), row.item, row.value)] += row.number
    tallies: dict[Hashable, _Tally] = {group: _Tally() for group in keys}
    scales = {question.code: question.scale for question in questions.questions}
    for (group_key, item, value), count in sums.items():
        group = tallies.setdefault(group_key, _Tally())
        if item == ANSWERED:
            group.respondents += count
        elif item == INVITED:
            group.invited += count
        elif item in scales and value in scales[item].steps:
            group.answered[item] = group.answered.get(item, 0) + count
            if value in scales[item].positive:
                group.positive[item] = group.positive.get(item, 0) + count
    return tallies


def _breakdown(
    questions: QuestionSet,
    tallies: dict[Hashable, _Tally],
    k: int,
    with_invitations: bool,
) -> tuple[Group, ...]:
    respondents = suppress({g: t.respondents for g, t in tallies.items()}, k)
    per_question = {
        code: suppress(
            {g: t.answered.get(code, 0) for g, t in tallies.items()},
            k,
            also_hide=respondents.hidden,
        )
        for code in questions.codes
    }
    groups: list[Group] = []
    for key, tally in tallies.items():
        shown = respondents.shows(key) and not respondents.total_hidden
        figures = {}
        for code in questions.codes:
            suppressed = per_question[code]
            visible = shown and suppressed.shows(key) and not suppressed.total_hidden
            answered = tally.answered.get(code, 0)
            figures[code] = QuestionFigure(
                code,
                Share(tally.positive.get(code, 0), answered) if visible and answered else None,
                hidden=not visible,
            )
        groups.append(
            Group(
                key,
                tally.respondents if shown else None,
                tally.invited if shown and with_invitations else None,
                figures,
            )
        )
    return tuple(groups)


def summarise(
    questions: QuestionSet,
    counts: Sequence[Count],
    *,
    months: Sequence[str],
    units: Sequence[int | None],
    languages: Sequence[str],
    k: int = MIN_GROUP,
) -> Results:
    """Every figure of the dashboard for ``months``. ``units`` and ``languages`` are the groups
    always listed (with zero answers when none came); others found in ``counts`` are added."""
    if k < MIN_GROUP:
        raise ValueError(f"groups under {MIN_GROUP} answers are never shown")
    period = set(months)
    in_period = [row for row in counts if row.month in period]
    answers = [row for row in in_period if row.item != INVITED]
    total = _tally(questions, in_period, lambda _row: "all", ["all"])
    (total_group,) = _breakdown(questions, total, k, with_invitations=True)
    return Results(
        version=questions.version,
        months=tuple(months),
        min_group=k,
        total=total_group,
        by_month=_breakdown(
            questions,
            _tally(questions, in_period, lambda row: row.month, months),
            k,
            with_invitations=True,
        ),
        by_unit=_breakdown(
            questions,
            _tally(questions, in_period, lambda row: row.unit_id, units),
            k,
            with_invitations=True,
        ),
        by_language=_breakdown(
            questions,
            _tally(questions, answers, lambda row: row.language, languages),
            k,
            with_invitations=False,
        ),
    )
