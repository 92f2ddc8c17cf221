"""``portal survey``: made-up answers for the demo, recount, reminders and expiry, run as
commands against a database of their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from intake.models import SurveyAnswer, SurveyCount
from portal import demo
from portal.cli import main
from portal.db import make_engine, migrate
from portal.settings import get_settings
from portal.survey_settings import get_survey_settings


@pytest.fixture
def own_database(
    empty_database_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PORTAL_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("PORTAL_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("PORTAL_SECRET_KEY", "x" * 40)
    get_settings.cache_clear()
    get_survey_settings.cache_clear()
    engine = make_engine(empty_database_url)
    migrate(engine)
    with Session(engine) as db:
        demo.seed(db, "Testkommun")
    yield engine
    engine.dispose()
    get_settings.cache_clear()
    get_survey_settings.cache_clear()


def _counts(engine: Engine) -> dict[tuple[str, str, int | None, str, str, str], int]:
    with Session(engine) as db:
        rows = db.exec(select(SurveyCount).where(SurveyCount.item != "_invited")).all()
        return {
            (r.question_set_version, r.month, r.unit_id, r.language, r.item, r.value): r.count
            for r in rows
        }


def test_seed_adds_answers_once_and_the_counts_match_a_recount(own_database: Engine) -> None:
    runner = CliRunner()
    seeded = runner.invoke(
        main, ["survey", "seed", "--answers", "300", "--months", "6", "--if-empty"]
    )
    assert seeded.exit_code == 0, seeded.output
    assert "Added 300 survey answers" in seeded.output
    again = runner.invoke(main, ["survey", "seed", "--answers", "300", "--if-empty"])
    assert "nothing added" in again.output
    with Session(own_database) as db:
        assert db.exec(select(func.count()).select_from(SurveyAnswer)).one() == 300
        comments = db.exec(
            select(SurveyAnswer.free_text).where(SurveyAnswer.free_text.is_not(None))  # type: ignore[union-attr]
        ).all()
    assert comments and not any("070-123" in text or "@example.org" in text for text in comments)
    before = _counts(own_database)
    recounted = runner.invoke(main, ["survey", "recount"])
    assert "counts rebuilt from 300 answers" in recounted.output
    assert _counts(own_database) == before


def test_reminders_and_expiry_report_what_they_did(own_database: Engine) -> None:
    runner = CliRunner()
    reminded = runner.invoke(main, ["survey", "send-reminders"])
    assert reminded.exit_code == 0 and "0 reminder(s) queued." in reminded.output
    expired = runner.invoke(main, ["survey", "expire"])
    assert expired.exit_code == 0 and "0 expired invitation(s)" in expired.output


def test_every_command_has_help() -> None:
    runner = CliRunner()
    for command in ("seed", "recount", "send-reminders", "expire"):
        result = runner.invoke(main, ["survey", command, "--help"])
        assert result.exit_code == 0 and len(result.output.splitlines()) > 3


def test_demo_answers_for_seed_demo_are_added_once(own_database: Engine) -> None:
    from portal.survey_seed import seed_demo_answers

    with Session(own_database) as db:
        assert seed_demo_answers(db, answers=120) == 120
        assert seed_demo_answers(db, answers=120) == 0
        assert db.exec(select(func.count()).select_from(SurveyAnswer)).one() == 120
