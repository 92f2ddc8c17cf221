"""The dashboard's figures from counts: shares, response rates, breakdowns and suppression
across linked tables."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.survey.questions import SKR_EB_2016, QuestionSet
from intake.survey.results import ANSWERED, INVITED, Count, Group, Results, summarise

Q = SKR_EB_2016
MONTHS = ["2026-01", "2026-02", "2026-03"]
UNITS = [1, 2, 3]
LANGUAGES = ["sv", "so", "ar"]


def counts_for(
    answers: list[tuple[str, int, str, dict[str, str]]], invited: dict[tuple[str, int], int]
) -> list[Count]:
    tally: Counter[tuple[str, int, str, str, str]] = Counter()
    for month, unit, language, given_answers in answers:
        tally[(month, unit, language, ANSWERED, "")] += 1
        for code, value in given_answers.items():
            tally[(month, unit, language, code, value)] += 1
    rows = [Count(*key, count) for key, count in tally.items()]
    rows += [Count(month, unit, "", INVITED, "", n) for (month, unit), n in invited.items()]
    return rows


def run(rows: list[Count], questions: QuestionSet = Q) -> Results:
    return summarise(questions, rows, months=MONTHS, units=UNITS, languages=LANGUAGES)


def test_shares_response_rate_and_breakdowns() -> None:
    answers = [("2026-01", 1, "sv", {"overall": "1", "contact": "3"})] * 6
    answers += [("2026-02", 2, "so", {"overall": "4", "contact": "dk"})] * 6
    answers += [("2026-02", 2, "so", {"overall": "2"})] * 3
    results = run(counts_for(answers, {("2026-01", 1): 10, ("2026-02", 2): 20}))
    total = results.total
    assert total.respondents == 15 and total.invited == 30
    assert total.response_rate == pytest.approx(0.5)
    overall = total.questions["overall"].share
    assert overall is not None and (overall.positive, overall.n) == (9, 15)
    contact = total.questions["contact"]
    # "Don't know" is left out: 6 chose a step, none of them positive.
    assert contact.share is not None and (contact.share.positive, contact.share.n) == (0, 6)
    by_unit = {group.key: group for group in results.by_unit}
    assert (
        by_unit[1].respondents == 6 and by_unit[2].respondents == 9 and by_unit[3].respondents == 0
    )
    assert by_unit[2].response_rate == pytest.approx(9 / 20)
    by_language = {group.key: group for group in results.by_language}
    assert by_language["so"].respondents == 9 and by_language["so"].invited is None
    march = results.by_month[2]
    assert march.key == "2026-03" and march.respondents == 0


def test_a_group_of_four_is_hidden_and_so_is_the_next_smallest() -> None:
    answers = [("2026-01", 1, "sv", {"overall": "1"})] * 30
    answers += [("2026-01", 2, "sv", {"overall": "4"})] * 4
    answers += [("2026-01", 3, "sv", {"overall": "1"})] * 9
    results = run(counts_for(answers, {}))
    by_unit = {group.key: group for group in results.by_unit}
    assert by_unit[2].hidden and by_unit[2].questions["overall"].share is None
    assert by_unit[3].hidden, "otherwise unit 2 = total − unit 1 − unit 3"
    assert by_unit[1].respondents == 30
    assert results.total.respondents == 43


def test_a_question_with_fewer_than_five_steps_chosen_is_hidden_in_a_shown_group() -> None:
    answers = [("2026-01", 1, "sv", {"overall": "1"})] * 3
    answers += [("2026-01", 1, "sv", {"overall": "dk"})] * 5
    results = run(counts_for(answers, {}))
    assert results.total.respondents == 8
    assert results.total.questions["overall"].hidden
    assert results.total.questions["overall"].share is None


def test_fewer_than_five_in_the_period_hides_everything() -> None:
    results = run(counts_for([("2026-01", 1, "sv", {"overall": "1"})] * 4, {("2026-01", 1): 9}))
    assert results.total.hidden and results.total.invited is None
    assert all(group.hidden or group.respondents == 0 for group in results.by_unit)
    assert all(fig.share is None for group in results.by_month for fig in group.questions.values())


def test_only_the_months_of_the_period_count() -> None:
    answers = [("2025-12", 1, "sv", {"overall": "1"})] * 50
    answers += [("2026-01", 1, "sv", {"overall": "1"})] * 5
    results = run(counts_for(answers, {}))
    assert results.total.respondents == 5
    assert [group.key for group in results.by_month] == MONTHS


def test_a_threshold_under_five_is_refused() -> None:
    with pytest.raises(ValueError):
        summarise(Q, [], months=MONTHS, units=UNITS, languages=LANGUAGES, k=3)


# --- properties over random data ----------------------------------------------------------------

answer_rows = st.lists(
    st.tuples(
        st.sampled_from(MONTHS),
        st.sampled_from(UNITS),
        st.sampled_from(LANGUAGES),
        st.fixed_dictionaries(
            {},
            optional={
                "overall": st.sampled_from(["1", "2", "3", "4", "dk"]),
                "views_asked": st.sampled_from(["yes", "no", "dk"]),
            },
        ),
    ),
    max_size=60,
)


def _check_breakdown(
    total: Group, groups: tuple[Group, ...], answered_total: dict[str, int]
) -> None:
    if total.hidden:
        assert all(group.hidden or group.respondents == 0 for group in groups)
        return
    assert total.respondents is not None and total.respondents >= 5
    visible = sum(group.respondents or 0 for group in groups if not group.hidden)
    hidden = total.respondents - visible
    assert hidden == 0 or hidden >= 5
    for group in groups:
        if group.hidden:
            assert all(figure.hidden for figure in group.questions.values())
        else:
            assert group.respondents == 0 or group.respondents >= 5
    for code, n_total in answered_total.items():
        shown = sum(g.questions[code].n or 0 for g in groups if not g.questions[code].hidden)
        assert all((g.questions[code].n or 5) >= 5 for g in groups)
        if total.questions[code].hidden:
            continue  # no total is published to subtract from
        rest = n_total - shown
        assert rest == 0 or rest >= 5, (code, n_total, shown)


@settings(max_examples=200, deadline=None)
@given(answer_rows)
def test_no_published_figure_comes_from_fewer_than_five_answers(rows) -> None:  # type: ignore[no-untyped-def]
    results = run(counts_for(rows, {}))
    answered_total = {
        code: sum(1 for *_, given_answers in rows if given_answers.get(code, "dk") != "dk")
        for code in ("overall", "views_asked")
    }
    for breakdown in (results.by_month, results.by_unit, results.by_language):
        _check_breakdown(results.total, breakdown, answered_total)
    for figure in results.total.questions.values():
        assert figure.share is None or figure.share.n >= 5
