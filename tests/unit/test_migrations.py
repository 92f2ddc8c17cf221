"""Models and migrations agree, on SQLite and (in the PostgreSQL run) on PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

import intake.models  # noqa: F401
from portal.db import alembic_config, make_engine, migrate

pytestmark = pytest.mark.db


def test_migrations_build_exactly_the_models(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    migrate(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
        tables = set(inspect(connection).get_table_names())
    engine.dispose()
    assert differences == []
    assert {"application", "answer", "attachment", "finding", "survey_answer"} <= tables


def test_migrating_twice_changes_nothing(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    migrate(engine)
    migrate(engine)
    with engine.connect() as connection:
        version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    engine.dispose()
    head = ScriptDirectory.from_config(alembic_config(empty_database_url)).get_current_head()
    assert version == head and head is not None and head >= "0007"


def test_survey_answers_have_no_column_that_points_to_a_person() -> None:
    table = SQLModel.metadata.tables["survey_answer"]
    assert {fk.column.table.name for fk in table.foreign_keys} == {"unit"}
    assert not {"person_id", "household_id", "created_at", "ip"} & set(table.columns.keys())
