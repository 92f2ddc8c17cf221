"""The quality dashboard and its CSV export: figures only for groups of at least 5, the same
suppression in both, the period filter, masked comments, and nothing that points to a person."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from intake.models import Person, SurveyAnswer
from intake.survey.questions import SKR_EB_2016
from intake.survey.screening import screen
from portal import repository_survey as repo
from portal.settings import Settings
from portal.survey_settings import SurveySettings
from tests.conftest import check_page, login_staff
from tests.survey_support import (
    clear_invitations,
    invite,
    link_in,
    mail_settings,
    smtp_server,
    speak,
)


@pytest.fixture
def quality(client: TestClient) -> TestClient:
    login_staff(client, "kvalitet")
    speak(client, "en")
    return client


@pytest.fixture
def units(db: Session) -> list[int]:
    return sorted(repo.unit_names(db))


def _add(db: Session, month: str, unit: int, language: str, n: int, **extra: object) -> None:
    answers = extra.pop("answers", {"overall": "1", "contact": "3"})
    repo.add_answers(
        db,
        SKR_EB_2016,
        [
            SurveyAnswer(
                question_set_version=SKR_EB_2016.version,
                month=month,
                unit_id=unit,
                language=language,
                channel="email",
                answers=answers,  # type: ignore[arg-type]
                free_text=extra.get("free_text"),  # type: ignore[arg-type]
            )
            for _ in range(n)
        ],
    )
    db.commit()


def _main(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def _rows(html: str, caption_id: str) -> dict[str, str]:
    """A table's rows as {row header: the rest of the row, as text}."""
    table = html.split(f'id="{caption_id}"', 1)[1].split("</table>", 1)[0]
    rows: dict[str, str] = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
        header = re.search(r'<th scope="row">(.*?)</th>', row, flags=re.S)
        if header:
            name = re.sub(r"<[^>]+>|\s+", " ", header.group(1)).strip()
            rest = row.split("</th>", 1)[1]
            rows[name] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", rest)).strip()
    return rows


def _csv(client: TestClient, query: str) -> list[dict[str, str]]:
    response = client.get("/quality/export.csv?" + query)
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))


def test_an_answer_shows_only_once_its_group_reaches_five(
    quality: TestClient, db: Session, settings: Settings
) -> None:
    import datetime as dt

    clear_invitations(db)
    survey_client = TestClient(quality.app, base_url="http://127.0.0.1")
    query = "from=2036-01&to=2036-01&question=overall"
    with smtp_server() as sink:
        for number in range(1, 6):
            invite(
                db,
                mail_settings(settings, sink),
                "Somali-speaking single parent",
                dt.datetime(2036, 1, number, 12, tzinfo=dt.UTC),
            )
            path = "/survey/t/" + link_in(sink.wait_for(number)[-1]).rsplit("/survey/t/", 1)[1]
            form = survey_client.get(path).text
            token = re.search(r'name="token" value="([^"]+)"', form)
            assert token
            survey_client.post("/survey/answer", data={"token": token.group(1), "overall": "2"})
            page = quality.get("/quality?" + query)
            check_page(page.text)
            main = _main(page.text)
            figures = _csv(quality, query)
            total = next(
                row for row in figures if row["breakdown"] == "total" and not row["question"]
            )
            if number < 5:
                assert "Fewer than 5" in main and "Share positive per question" not in main
                assert total["respondents"] == "" and total["shown"] == "no"
                assert all(row["share_positive"] == "" for row in figures)
            else:
                assert "Share positive per question" in main
                rows = _rows(page.text, "questions-table-caption")
                overall_row = next(t for n, t in rows.items() if n.startswith("Overall"))
                assert overall_row.startswith("100% 57% to 100% 5 Cannot tell")
                overall = next(
                    r for r in figures if r["breakdown"] == "total" and r["question"] == "overall"
                )
                assert (overall["answered"], overall["share_positive"]) == ("5", "1.0000")
                assert total["respondents"] == "5" and total["invitations"] == "5"
    clear_invitations(db)


def test_a_small_unit_is_hidden_together_with_the_next_smallest(
    quality: TestClient, db: Session, units: list[int]
) -> None:
    _add(db, "2036-02", units[0], "sv", 12)
    _add(db, "2036-02", units[1], "sv", 3, answers={"overall": "4"})
    page = quality.get("/quality?from=2036-02&to=2036-02&question=overall")
    check_page(page.text)
    rows = _rows(page.text, "units-table-caption")
    # Other tests may add units to the shared database; they have no answers this month.
    hidden = [name for name, text in rows.items() if text.startswith("Not shown")]
    assert len(hidden) == 2
    assert all(text.startswith("0 ") for name, text in rows.items() if name not in hidden)
    assert "15" in _main(page.text).split("Answers", 1)[1][:200]
    figures = _csv(quality, "from=2036-02&to=2036-02")
    unit_rows = [row for row in figures if row["breakdown"] == "unit" and row["group"] in hidden]
    assert unit_rows and all(
        row["shown"] == "no" and row["respondents"] == row["share_positive"] == ""
        for row in unit_rows
    )


def test_small_languages_are_hidden_and_the_rest_shown(
    quality: TestClient, db: Session, units: list[int]
) -> None:
    _add(db, "2036-03", units[0], "sv", 10)
    _add(db, "2036-03", units[0], "so", 2)
    _add(db, "2036-03", units[0], "ar", 6)
    page = quality.get("/quality?from=2036-03&to=2036-03&question=overall")
    rows = _rows(page.text, "languages-table-caption")
    assert rows["Svenska"].startswith("10 100%")
    assert rows["Soomaali"].startswith("Not shown") and rows["العربية"].startswith("Not shown")
    assert rows["Suomi"].startswith("0 ")  # no answers: nothing to hide
    figures = {
        (row["group"], row["question"]): row
        for row in _csv(quality, "from=2036-03&to=2036-03")
        if row["breakdown"] == "language"
    }
    assert figures[("sv", "")]["respondents"] == "10"
    assert figures[("so", "")]["respondents"] == "" and figures[("so", "overall")]["shown"] == "no"
    assert figures[("ar", "overall")]["share_positive"] == ""


def test_comments_are_shown_masked_and_only_with_five_answers(
    quality: TestClient, db: Session, units: list[int]
) -> None:
    text = screen("Ring mig på 070-123 45 67 eller mejla kim@example.org")
    _add(db, "2036-04", units[0], "sv", 1, free_text=text)
    hidden = quality.get("/quality?from=2036-04&to=2036-04")
    assert "Ring mig" not in hidden.text
    _add(db, "2036-04", units[0], "sv", 4)
    page = quality.get("/quality?from=2036-04&to=2036-04")
    main = _main(page.text)
    assert "Ring mig på" in main and "(phone number removed)" in main
    assert "(e-mail address removed)" in main
    assert "070-123" not in page.text and "kim@example.org" not in page.text
    assert "1 comment in this period." in main


def test_the_period_filter_reports_what_it_could_not_use(quality: TestClient) -> None:
    wrong_order = quality.get("/quality?from=2036-05&to=2036-01")
    check_page(wrong_order.text)
    assert "The first month must not be after the last month." in wrong_order.text
    assert 'href="#from"' in wrong_order.text and "<title>Error:" in wrong_order.text
    garbage = quality.get("/quality?from=last+year&to=2036-13")
    assert "Choose months from the lists." in garbage.text
    too_long = quality.get("/quality?from=2020-01&to=2036-01")
    assert "Choose at most 60 months." in too_long.text
    fine = quality.get("/quality?from=2036-01&to=2036-02&question=contact")
    assert "<title>Error:" not in fine.text
    assert '<option value="contact" selected>' in fine.text
    assert '<option value="2036-01" selected>' in fine.text


def test_charts_are_svg_with_a_title_a_description_and_the_same_figures_as_the_table(
    quality: TestClient, db: Session, units: list[int]
) -> None:
    _add(db, "2036-06", units[0], "sv", 7, answers={"overall": "1", "contact": "1"})
    _add(db, "2036-06", units[1], "fi", 5, answers={"overall": "3", "contact": "1"})
    page = quality.get("/quality?from=2036-06&to=2036-06&question=overall")
    html = page.text
    assert html.count('<svg class="survey-chart__svg"') == 2
    assert 'role="img" aria-labelledby="questions-chart-title questions-chart-desc"' in html
    desc = re.search(r'<desc id="questions-chart-desc">(.*?)</desc>', html, flags=re.S)
    assert desc and "Overall satisfaction: 58%" in desc.group(1)
    rows = _rows(html, "questions-table-caption")
    overall = next(text for name, text in rows.items() if name.startswith("Overall satisfaction"))
    assert overall.startswith("58% 32% to 81% 12 Below target")
    assert "Contact: 100%" in desc.group(1)
    assert "<script" not in html.split("<main", 1)[1]


def test_right_to_left_mirrors_the_charts(
    quality: TestClient, db: Session, units: list[int]
) -> None:
    _add(db, "2036-07", units[0], "sv", 6)
    speak(quality, "ar")
    page = quality.get("/quality?from=2036-07&to=2036-07")
    assert check_page(page.text).html_attrs["dir"] == "rtl"
    assert 'direction="ltr"' in page.text
    assert 'text-anchor="end" class="survey-chart__label"' in page.text


def test_the_target_is_configurable(
    quality: TestClient, app: FastAPI, db: Session, units: list[int]
) -> None:
    _add(db, "2036-08", units[0], "sv", 20)
    app.state.survey_settings = SurveySettings(target=0.9)
    try:
        page = quality.get("/quality?from=2036-08&to=2036-08")
    finally:
        del app.state.survey_settings
    assert "Target 90%" in page.text
    assert "Target 85%" in quality.get("/quality?from=2036-08&to=2036-08").text


def test_no_page_or_export_reveals_a_person(
    quality: TestClient, db: Session, units: list[int]
) -> None:
    _add(
        db, "2036-09", units[0], "so", 8, free_text=screen("Hodan 19900506-6627 hodan@example.org")
    )
    page = quality.get("/quality?from=2036-01&to=2036-12")
    export = quality.get("/quality/export.csv?from=2036-01&to=2036-12").text
    people = db.exec(select(Person)).all()
    assert people
    for person in people:
        for private in (
            person.personnummer,
            person.personnummer[2:8],
            person.email,
            person.family_name,
        ):
            # Other tests' people may have one-letter names (property tests): those say nothing.
            if private and len(private) >= 3:
                assert private not in _main(page.text), private
                assert private not in export, private
    # No row ids, no times: nothing that orders answers in the order they came.
    assert not re.search(r"\d{2}:\d{2}", export)
    assert "id" not in next(csv.reader(io.StringIO(export.lstrip("\ufeff"))))


def test_the_csv_export_is_named_and_forbidden_for_others(client: TestClient) -> None:
    login_staff(client, "handlaggare")
    assert client.get("/quality/export.csv").status_code == 403
    client.cookies.clear()
    login_staff(client, "kvalitet")
    response = client.get("/quality/export.csv?from=2036-01&to=2036-02")
    assert re.fullmatch(
        r'attachment; filename="survey-skr-eb-2016-2036-01-2036-02\.csv"',
        response.headers["content-disposition"],
    )
    header = next(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert header[:3] == ["breakdown", "group", "question"] and "ci95_low" in header


@pytest.fixture(autouse=True)
def _no_leftover_settings(app: FastAPI) -> Iterator[None]:
    yield
    if hasattr(app.state, "survey_settings"):
        del app.state.survey_settings
