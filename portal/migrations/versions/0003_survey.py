"""survey: invitations with hashed one-time tokens, the per-household pause and the counts
behind the quality dashboard; an index on survey_answer (version, month) for the comments.
``survey_answer`` keeps no link to a person.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("survey_answer", schema=None) as batch_op:
        batch_op.create_index(
            "ix_survey_answer_version_month", ["question_set_version", "month"], unique=False
        )

    op.create_table(
        "survey_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column(
            "question_set_version", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False
        ),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("reminded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_survey_invitation_household_id_household"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_survey_invitation_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_invitation")),
    )
    with op.batch_alter_table("survey_invitation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_invitation_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_invitation_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "survey_invitation_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["survey_invitation.id"],
            name=op.f("fk_survey_invitation_token_invitation_id_survey_invitation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_invitation_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_survey_invitation_token_token_hash")),
    )
    with op.batch_alter_table("survey_invitation_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_invitation_token_invitation_id"), ["invitation_id"], unique=False
        )

    op.create_table(
        "survey_pause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("until_month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_pause")),
        sa.UniqueConstraint("household_key", name=op.f("uq_survey_pause_household_key")),
    )
    with op.batch_alter_table("survey_pause", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_pause_until_month"), ["until_month"], unique=False)

    op.create_table(
        "survey_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "question_set_version", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False
        ),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("item", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_survey_count_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_count")),
        sa.UniqueConstraint(
            "question_set_version",
            "month",
            "unit_id",
            "language",
            "item",
            "value",
            name=op.f("uq_survey_count_question_set_version"),
        ),
    )


def downgrade() -> None:
    op.drop_table("survey_count")
    with op.batch_alter_table("survey_pause", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_pause_until_month"))
    op.drop_table("survey_pause")
    with op.batch_alter_table("survey_invitation_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_invitation_token_invitation_id"))
    op.drop_table("survey_invitation_token")
    with op.batch_alter_table("survey_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_invitation_expires_at"))
        batch_op.drop_index(batch_op.f("ix_survey_invitation_household_id"))
    op.drop_table("survey_invitation")
    with op.batch_alter_table("survey_answer", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_answer_version_month")
