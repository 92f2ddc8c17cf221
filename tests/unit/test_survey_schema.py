"""Anonymity by construction, proven on the migrated schema (SQLite, and PostgreSQL in the
PostgreSQL run): no path leads from a survey answer to a person, a household, an application
or an invitation, and the tables that know households hold nothing that joins to an answer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from portal.db import make_engine, migrate

pytestmark = pytest.mark.db

PERSONAL = {
    "person",
    "household",
    "household_member",
    "application",
    "survey_invitation",
    "survey_invitation_token",
    "web_session",
    "staff_user",
    "notification",
    "audit_event",
}


@pytest.fixture
def migrated(empty_database_url: str) -> Iterator[Engine]:
    engine = make_engine(empty_database_url)
    migrate(engine)
    yield engine
    engine.dispose()


def _foreign_keys(engine: Engine) -> dict[str, set[str]]:
    inspector = inspect(engine)
    return {
        table: {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
        for table in inspector.get_table_names()
    }


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for target in graph.get(todo.pop(), set()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_an_answer_reaches_only_the_unit_and_municipality(migrated: Engine) -> None:
    graph = _foreign_keys(migrated)
    assert _reachable(graph, "survey_answer") == {"unit", "municipality"}
    assert not _reachable(graph, "survey_answer") & PERSONAL


def test_nothing_points_at_an_answer(migrated: Engine) -> None:
    graph = _foreign_keys(migrated)
    assert [table for table, targets in graph.items() if "survey_answer" in targets] == []


def test_an_answer_has_no_column_for_a_person_a_time_or_an_address(migrated: Engine) -> None:
    columns = {column["name"] for column in inspect(migrated).get_columns("survey_answer")}
    assert columns == {
        "id",
        "question_set_version",
        "month",
        "unit_id",
        "language",
        "channel",
        "answers",
        "free_text",
    }
    month = next(c for c in inspect(migrated).get_columns("survey_answer") if c["name"] == "month")
    assert getattr(month["type"], "length", None) == 7  # YYYY-MM, never a day or a time


def test_the_counts_and_the_pause_join_to_nothing_personal(migrated: Engine) -> None:
    graph = _foreign_keys(migrated)
    assert _reachable(graph, "survey_count") == {"unit", "municipality"}
    assert graph["survey_pause"] == set()
    pause = {column["name"] for column in inspect(migrated).get_columns("survey_pause")}
    assert pause == {"id", "household_key", "until_month"}


def test_tokens_are_stored_only_as_hashes(migrated: Engine) -> None:
    columns = {c["name"]: c for c in inspect(migrated).get_columns("survey_invitation_token")}
    assert set(columns) == {"id", "invitation_id", "token_hash", "channel"}
    assert getattr(columns["token_hash"]["type"], "length", None) == 64
