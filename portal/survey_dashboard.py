"""The quality dashboard's view: the period filter, the figures in display form, the server-side
SVG charts and the CSV export. The numbers come from ``intake.survey.results`` (with small groups
suppressed there); nothing here adds a figure that the domain did not release.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field

from babel.dates import format_date as babel_format_date
from babel.numbers import format_percent
from sqlmodel import Session

from intake.languages import NATIVE_NAMES, SUPPORTED, direction
from intake.models import utcnow
from intake.survey.invitations import add_months, months_between
from intake.survey.questions import QUESTION_SETS, QuestionSet, question_set
from intake.survey.results import FREE_TEXT, Group, QuestionFigure, Results, summarise
from intake.survey.screening import MASKS
from portal import repository_survey as repo
from portal import survey_texts
from portal.i18n import N_, format_number, get_locale
from portal.i18n import gettext as _
from portal.survey_invitations import this_month
from portal.survey_settings import SurveySettings

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
DEFAULT_MONTHS = 12
MAX_MONTHS = 60
FREE_TEXT_LIMIT = 100

FILTER_ERRORS = {
    "month": N_("Choose months from the lists."),
    "order": N_("The first month must not be after the last month."),
    "span": N_("Choose at most 60 months."),
}


# --- the filter --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    version: str
    first: str
    last: str
    question: str
    errors: tuple[tuple[str, str], ...] = ()  # (field id, error code)

    def query(self) -> str:
        return f"version={self.version}&from={self.first}&to={self.last}&question={self.question}"


def parse_filter(
    params: Mapping[str, str], survey: SurveySettings, now: dt.datetime | None = None
) -> Filter:
    """The period and question asked for, or the defaults (the last 12 months, the overall
    question of the configured set) with error codes for what could not be used."""
    current = this_month(now or utcnow())
    version = params.get("version") or survey.question_set
    if version not in QUESTION_SETS:
        version = survey.question_set
    questions = question_set(version)
    default_question = "overall" if "overall" in questions.codes else questions.codes[0]
    question = params.get("question") or default_question
    if question not in questions.codes:
        question = default_question
    last = params.get("to") or current
    first = params.get("from") or add_months(
        last if MONTH.match(last) else current, 1 - DEFAULT_MONTHS
    )
    errors: list[tuple[str, str]] = []
    for field_id, value in (("from", first), ("to", last)):
        if not MONTH.match(value):
            errors.append((field_id, "month"))
    if errors:
        first, last = add_months(current, 1 - DEFAULT_MONTHS), current
    elif first > last:
        errors.append(("from", "order"))
        first, last = add_months(current, 1 - DEFAULT_MONTHS), current
    elif len(months_between(first, last)) > MAX_MONTHS:
        errors.append(("from", "span"))
        first = add_months(last, 1 - MAX_MONTHS)
    return Filter(version, first, last, question, tuple(errors))


def month_choices(db: Session, version: str, now: dt.datetime | None = None) -> list[str]:
    """Months for the period lists: the last three years and every month with data."""
    current = this_month(now or utcnow())
    recent = months_between(add_months(current, -35), current)
    return sorted(set(recent) | set(repo.months_with_data(db, version)), reverse=True)


# --- formatting --------------------------------------------------------------------------------


def percent(value: float | None) -> str:
    if value is None:
        return "–"
    return format_percent(value, locale=get_locale())


def interval(figure: QuestionFigure) -> str:
    if figure.share is None:
        return "–"
    ci = figure.share.interval
    return _("%(low)s to %(high)s", low=percent(ci.low), high=percent(ci.high))


def month_label(month: str, form: str = "LLLL y") -> str:
    year, number = (int(part) for part in month.split("-"))
    return babel_format_date(dt.date(year, number, 1), format=form, locale=get_locale())


def period_label(first: str, last: str) -> str:
    """``December 2025 to November 2026``, with a capital first letter in every language."""
    text = _("%(first)s to %(last)s", first=month_label(first), last=month_label(last))
    return text[:1].upper() + text[1:]


def unit_label(names: Mapping[int, str], key: Hashable) -> str:
    if isinstance(key, int) and key in names:
        return names[key]
    return _("Unknown unit")


def free_text_parts(text: str) -> list[tuple[str, str]]:
    """A masked comment as ("text", words) and ("mask", label) parts for display."""
    pattern = "(" + "|".join(re.escape(mask) for mask in MASKS) + ")"
    parts: list[tuple[str, str]] = []
    for piece in re.split(pattern, text):
        if piece in MASKS:
            parts.append(("mask", _(survey_texts.MASKS[piece])))
        elif piece:
            parts.append(("text", piece))
    return parts


# --- charts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: float
    x: float | None = None  # bar start
    width: float | None = None
    ci_x1: float | None = None
    ci_x2: float | None = None


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_x: float
    value_x: float
    label_anchor: str
    value_anchor: str
    target_x: float
    target_label: str
    ticks: tuple[tuple[float, str, str], ...]  # (x, label, text-anchor)
    bars: tuple[Bar, ...]
    axis_y: float


def _mirror(rtl: bool, width: float) -> Callable[[float], float]:
    def fx(x: float) -> float:
        return round(width - x, 1) if rtl else round(x, 1)

    return fx


def question_chart(questions: QuestionSet, total: Group, target: float, rtl: bool) -> BarChart:
    width, left, right = 400, 4, 396
    span = right - left
    row = 52
    top = 6
    fx = _mirror(rtl, width)

    def px(share: float) -> float:
        return left + share * span

    bars: list[Bar] = []
    for index, code in enumerate(questions.codes):
        y = top + index * row
        figure = total.questions[code]
        label = survey_texts.short(code)
        if figure.share is None:
            bars.append(Bar(label, _("Not shown") if figure.hidden else "–", y))
            continue
        start, end = fx(px(0)), fx(px(figure.share.value))
        ci = figure.share.interval
        bars.append(
            Bar(
                label,
                percent(figure.share.value),
                y,
                x=min(start, end),
                width=abs(end - start),
                ci_x1=fx(px(ci.low)),
                ci_x2=fx(px(ci.high)),
            )
        )
    axis_y = top + len(questions.codes) * row
    # The end ticks are anchored inwards, so that they are not cut off at the edges.
    ticks = tuple(
        (fx(px(t)), percent(t), anchor)
        for t, anchor in (
            (0.0, "end" if rtl else "start"),
            (0.5, "middle"),
            (1.0, "start" if rtl else "end"),
        )
    )
    return BarChart(
        width=width,
        height=int(axis_y + 26),
        label_x=fx(left),
        value_x=fx(right),
        label_anchor="end" if rtl else "start",
        value_anchor="start" if rtl else "end",
        target_x=fx(px(target)),
        target_label=_("Target %(target)s", target=percent(target)),
        ticks=ticks,
        bars=tuple(bars),
        axis_y=axis_y,
    )


@dataclass(frozen=True)
class TrendPoint:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    plot_left: float
    plot_right: float
    grid: tuple[tuple[float, str], ...]  # (y, label)
    grid_label_x: float
    grid_label_anchor: str
    target_y: float
    segments: tuple[tuple[TrendPoint, ...], ...]  # runs of consecutive shown months
    bands: tuple[str, ...]  # polygon points of the intervals, per run
    x_labels: tuple[tuple[float, str], ...]
    axis_y: float
    hidden: tuple[float, ...]  # x of months not shown


def trend_chart(
    months: tuple[str, ...], groups: tuple[Group, ...], code: str, target: float, rtl: bool
) -> TrendChart:
    width, height = 400, 230
    left, right, top, bottom = 58, 370, 12, 190
    fx = _mirror(rtl, width)
    count = len(months)

    def px(index: int) -> float:
        if count == 1:
            return (left + right) / 2
        return left + index * (right - left) / (count - 1)

    def py(share: float) -> float:
        return round(bottom - share * (bottom - top), 1)

    runs: list[list[tuple[int, QuestionFigure]]] = [[]]
    hidden: list[float] = []
    for index, group in enumerate(groups):
        figure = group.questions[code]
        if figure.share is None:
            if runs[-1]:
                runs.append([])
            hidden.append(fx(px(index)))
            continue
        runs[-1].append((index, figure))
    segments: list[tuple[TrendPoint, ...]] = []
    bands: list[str] = []
    for run in runs:
        if not run:
            continue
        points = []
        upper, lower = [], []
        for index, figure in run:
            assert figure.share is not None
            x = fx(px(index))
            points.append(TrendPoint(x, py(figure.share.value), percent(figure.share.value)))
            ci = figure.share.interval
            upper.append(f"{x},{py(ci.high)}")
            lower.append(f"{x},{py(ci.low)}")
        segments.append(tuple(points))
        bands.append(" ".join(upper + list(reversed(lower))))
    step = max(1, math.ceil(count / 6))
    x_labels = tuple(
        (fx(px(index)), month_label(month, "LLL yy"))
        for index, month in enumerate(months)
        if index % step == 0
    )
    grid = tuple((py(t), percent(t)) for t in (0.0, 0.25, 0.5, 0.75, 1.0))
    return TrendChart(
        width=width,
        height=height,
        plot_left=fx(left),
        plot_right=fx(right),
        grid=grid,
        grid_label_x=fx(left - 6),
        grid_label_anchor="start" if rtl else "end",
        target_y=py(target),
        segments=tuple(segments),
        bands=tuple(bands),
        x_labels=x_labels,
        axis_y=bottom,
        hidden=tuple(hidden),
    )


# --- the whole page ----------------------------------------------------------------------------


@dataclass
class Dashboard:
    filter: Filter
    questions: QuestionSet
    results: Results
    target: float
    unit_names: dict[int, str]
    free_texts: list[str] = field(default_factory=list)
    free_text_total: int = 0

    @property
    def rtl(self) -> bool:
        return direction(get_locale()) == "rtl"

    def question_chart(self) -> BarChart:
        return question_chart(self.questions, self.results.total, self.target, self.rtl)

    def trend_chart(self) -> TrendChart:
        return trend_chart(
            self.results.months, self.results.by_month, self.filter.question, self.target, self.rtl
        )


def build(db: Session, survey: SurveySettings, flt: Filter) -> Dashboard:
    questions = question_set(flt.version)
    names = repo.unit_names(db)
    rows = repo.counts(db, flt.version, flt.first, flt.last)
    period = set(months_between(flt.first, flt.last))
    results = summarise(
        questions,
        rows,
        months=months_between(flt.first, flt.last),
        units=sorted(names),
        languages=SUPPORTED,
        k=survey.min_group,
    )
    dashboard = Dashboard(flt, questions, results, survey.target, names)
    if not results.total.hidden:
        dashboard.free_text_total = sum(
            row.number for row in rows if row.item == FREE_TEXT and row.month in period
        )
        dashboard.free_texts = repo.free_texts(
            db, flt.version, flt.first, flt.last, FREE_TEXT_LIMIT
        )
    return dashboard


# --- CSV ---------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "breakdown",
    "group",
    "question",
    "question_text",
    "respondents",
    "invitations",
    "response_rate",
    "answered",
    "share_positive",
    "ci95_low",
    "ci95_high",
    "shown",
)


def _cell(value: object) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is quoted with '."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def csv_rows(dashboard: Dashboard) -> list[list[str]]:
    results = dashboard.results
    rows: list[list[str]] = [list(CSV_COLUMNS)]
    sections: list[tuple[str, tuple[Group, ...], Callable[[Hashable], object]]] = [
        ("total", (results.total,), lambda _key: "all"),
        ("month", results.by_month, lambda key: key),
        ("unit", results.by_unit, lambda key: unit_label(dashboard.unit_names, key)),
        ("language", results.by_language, lambda key: key),
    ]
    for name, groups, label in sections:
        for group in groups:
            group_name = label(group.key)
            shown = "no" if group.hidden else "yes"
            rows.append(
                [
                    _cell(v)
                    for v in (
                        name,
                        group_name,
                        "",
                        "",
                        group.respondents,
                        group.invited,
                        group.response_rate,
                        None,
                        None,
                        None,
                        None,
                        shown,
                    )
                ]
            )
            for code in dashboard.questions.codes:
                figure = group.questions[code]
                share = figure.share
                ci = share.interval if share else None
                rows.append(
                    [
                        _cell(v)
                        for v in (
                            name,
                            group_name,
                            code,
                            survey_texts.question(code),
                            None,
                            None,
                            None,
                            share.n if share else None,
                            share.value if share else None,
                            ci.low if ci else None,
                            ci.high if ci else None,
                            "no" if figure.hidden else "yes",
                        )
                    ]
                )
    return rows


def to_csv(dashboard: Dashboard) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(csv_rows(dashboard))
    return "\ufeff" + buffer.getvalue()  # the BOM makes spreadsheets read UTF-8


def language_name(code: Hashable) -> str:
    return NATIVE_NAMES.get(str(code), str(code))


def number(value: int | None) -> str:
    return "–" if value is None else format_number(value)


def status_label(status: str) -> str:
    return _(survey_texts.AGAINST_TARGET[status])
