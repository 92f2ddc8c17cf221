"""survey unlinkable: random (UUID4) ids for survey answers, and the answers and counters
written again in an order that says nothing about when they were given

``survey_answer.id`` was a sequence: its order was the order of answering, which the access log
also shows (sign-in, survey start, answer). The table is made again with a random id (on SQLite
without rowid, so stored in id order); the existing answers get new random ids and are written
in the order of those ids, so that neither the id nor the row order (SQLite's rowid,
PostgreSQL's ctid) nor the writing transaction follows the old order. ``survey_count`` rows are written again in the order of their key: their
ids told which values were chosen first.

Revision ID: 0010
Revises: 0009
"""

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    "question_set_version",
    "month",
    "unit_id",
    "language",
    "channel",
    "answers",
    "free_text",
)
_COUNT_KEY = ("question_set_version", "month", "unit_id", "language", "item", "value")


def _answer_table(id_column: sa.Column[Any], **options: Any) -> sa.Table:
    return op.create_table(
        "survey_answer",
        id_column,
        sa.Column(
            "question_set_version", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False
        ),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("free_text", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_survey_answer_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_answer")),
        **options,
    )


def _indexes() -> None:
    with op.batch_alter_table("survey_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_answer_month"), ["month"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_survey_answer_question_set_version"),
            ["question_set_version"],
            unique=False,
        )
        batch_op.create_index(
            "ix_survey_answer_version_month", ["question_set_version", "month"], unique=False
        )


def _read_answers(*extra: str) -> list[dict[str, Any]]:
    columns = [
        sa.column(name, sa.JSON()) if name == "answers" else sa.column(name)
        for name in (*extra, *_COLUMNS)
    ]
    old = sa.table("survey_answer", *columns)
    return [dict(row) for row in op.get_bind().execute(sa.select(old)).mappings()]


def _rewrite_counts() -> None:
    """The counters again, in the order of their key (their ids told the order of answers)."""
    count = sa.table("survey_count", *(sa.column(name) for name in (*_COUNT_KEY, "count")))
    bind = op.get_bind()
    rows = [dict(row) for row in bind.execute(sa.select(count)).mappings()]
    bind.execute(sa.delete(count))
    rows.sort(key=lambda row: tuple(str(row[key]) for key in _COUNT_KEY))
    if rows:
        bind.execute(sa.insert(count), rows)


def upgrade() -> None:
    rows = _read_answers()
    op.drop_table("survey_answer")
    # SQLite: a table without rowid is stored in the order of its key, the random id.
    table = _answer_table(
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sqlite_with_rowid=False,
    )
    _indexes()
    for row in rows:
        row["id"] = str(uuid.uuid4())
    rows.sort(key=lambda row: row["id"])
    if rows:
        op.get_bind().execute(sa.insert(table), rows)
    _rewrite_counts()


def downgrade() -> None:
    rows = sorted(_read_answers("id"), key=lambda row: str(row["id"]))
    for row in rows:
        del row["id"]  # numbered again, in the order of the random ids
    op.drop_table("survey_answer")
    table = _answer_table(sa.Column("id", sa.Integer(), nullable=False))
    _indexes()
    if rows:
        op.get_bind().execute(sa.insert(table), rows)

