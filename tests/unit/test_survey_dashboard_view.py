"""The dashboard's view helpers: the period filter, CSV cells, masked comments and the chart
geometry (mirrored for right-to-left languages, gaps where a month is hidden)."""

from __future__ import annotations

import datetime as dt

import pytest

from intake.survey.questions import SKR_EB_2016
from intake.survey.results import Group, QuestionFigure
from intake.survey.stats import Share
from portal import i18n, survey_dashboard
from portal.survey_settings import SurveySettings

NOW = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)
SURVEY = SurveySettings()


@pytest.mark.parametrize(
    ("params", "first", "last", "question", "errors"),
    [
        ({}, "2025-12", "2026-11", "overall", ()),
        (
            {"from": "2026-01", "to": "2026-03", "question": "contact"},
            "2026-01",
            "2026-03",
            "contact",
            (),
        ),
        ({"to": "2026-06"}, "2025-07", "2026-06", "overall", ()),
        (
            {"from": "2026-05", "to": "2026-01"},
            "2025-12",
            "2026-11",
            "overall",
            (("from", "order"),),
        ),
        ({"from": "nonsense"}, "2025-12", "2026-11", "overall", (("from", "month"),)),
        (
            {"from": "2026-13", "to": "2026-00"},
            "2025-12",
            "2026-11",
            "overall",
            (("from", "month"), ("to", "month")),
        ),
        (
            {"from": "2010-01", "to": "2026-11"},
            "2021-12",
            "2026-11",
            "overall",
            (("from", "span"),),
        ),
        ({"question": "nope", "version": "nope"}, "2025-12", "2026-11", "overall", ()),
    ],
)
def test_parse_filter(params, first, last, question, errors) -> None:  # type: ignore[no-untyped-def]
    found = survey_dashboard.parse_filter(params, SURVEY, now=NOW)
    assert (found.first, found.last, found.question, found.errors) == (
        first,
        last,
        question,
        errors,
    )
    assert found.version == SKR_EB_2016.version


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+46 70", "'+46 70"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Försörjningsstöd Nord", "Försörjningsstöd Nord"),
        (0.85, "0.8500"),
        (12, "12"),
        (None, ""),
    ],
)
def test_csv_cells_never_run_as_formulas(value: object, cell: str) -> None:
    assert survey_dashboard._cell(value) == cell


def test_masked_comments_come_apart_into_text_and_labels() -> None:
    with i18n.use_locale("en"):
        parts = survey_dashboard.free_text_parts("Ring [phone] eller [email], pnr [pnr].")
    assert parts == [
        ("text", "Ring "),
        ("mask", "(phone number removed)"),
        ("text", " eller "),
        ("mask", "(e-mail address removed)"),
        ("text", ", pnr "),
        ("mask", "(personal identity number removed)"),
        ("text", "."),
    ]


def _total(share: Share | None) -> Group:
    return Group(
        "all",
        20,
        30,
        {code: QuestionFigure(code, share, share is None) for code in SKR_EB_2016.codes},
    )


def test_the_question_chart_mirrors_for_right_to_left() -> None:
    with i18n.use_locale("en"):
        ltr = survey_dashboard.question_chart(SKR_EB_2016, _total(Share(15, 20)), 0.85, rtl=False)
        rtl = survey_dashboard.question_chart(SKR_EB_2016, _total(Share(15, 20)), 0.85, rtl=True)
    bar, mirrored = ltr.bars[0], rtl.bars[0]
    assert bar.x == 4 and bar.width == pytest.approx(0.75 * 392)
    assert mirrored.x == pytest.approx(400 - 4 - 0.75 * 392, abs=0.2)
    assert ltr.target_x == pytest.approx(4 + 0.85 * 392, abs=0.1)
    assert rtl.target_x == pytest.approx(400 - ltr.target_x, abs=0.1)
    assert (ltr.label_anchor, rtl.label_anchor) == ("start", "end")
    assert bar.value_text == "75%"


def test_a_hidden_question_has_no_bar() -> None:
    with i18n.use_locale("en"):
        chart = survey_dashboard.question_chart(SKR_EB_2016, _total(None), 0.85, rtl=False)
    assert all(bar.width is None and bar.value_text == "Not shown" for bar in chart.bars)


def test_the_trend_breaks_its_line_where_a_month_is_hidden() -> None:
    months = ("2026-01", "2026-02", "2026-03", "2026-04")
    shown = {code: QuestionFigure(code, Share(8, 10), False) for code in SKR_EB_2016.codes}
    hidden = {code: QuestionFigure(code, None, True) for code in SKR_EB_2016.codes}
    groups = tuple(
        Group(month, 10 if figures is shown else None, None, figures)
        for month, figures in zip(months, (shown, shown, hidden, shown), strict=True)
    )
    with i18n.use_locale("en"):
        chart = survey_dashboard.trend_chart(months, groups, "overall", 0.85, rtl=False)
    assert [len(segment) for segment in chart.segments] == [2, 1]
    assert len(chart.hidden) == 1 and len(chart.bands) == 2
    assert [label for _x, label in chart.x_labels] == ["Jan 26", "Feb 26", "Mar 26", "Apr 26"]
