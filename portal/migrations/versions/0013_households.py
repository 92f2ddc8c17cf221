"""households: the case system's id and closing of a household, and the officer's done
household-change tasks

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", _str(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("close_reason", _str(length=500), nullable=True))
        batch_op.create_unique_constraint("uq_household_external_id", ["external_id"])
    op.create_table(
        "household_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("done_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("done_by", sa.Integer(), nullable=False),
        sa.Column("note", _str(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name="fk_household_task_application_id_application",
        ),
        sa.ForeignKeyConstraint(
            ["done_by"], ["staff_user.id"], name="fk_household_task_done_by_staff_user"
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name="fk_household_task_household_id_household"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_household_task"),
        sa.UniqueConstraint("application_id", name="uq_household_task_application_id"),
    )
    op.create_index(
        "ix_household_task_household_id", "household_task", ["household_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_household_task_household_id", table_name="household_task")
    op.drop_table("household_task")
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_constraint("uq_household_external_id", type_="unique")
        batch_op.drop_column("close_reason")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("external_id")
