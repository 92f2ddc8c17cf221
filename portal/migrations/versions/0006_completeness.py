"""completeness: finding parameters, pre-validation, completion requests and contact notes

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        # "awaiting_co_applicant" is 21 characters: PostgreSQL refused it in a VARCHAR(20).
        batch_op.alter_column(
            "status",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=20),
            type_=sqlmodel.sql.sqltypes.AutoString(length=32),
            existing_nullable=False,
        )
        batch_op.add_column(sa.Column("complete_on_submission", sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column("pre_validated", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("completed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("resolved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )

    op.create_table(
        "completion_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reply", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_completion_request_application_id_application"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["staff_user.id"],
            name=op.f("fk_completion_request_requested_by_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_completion_request")),
    )
    with op.batch_alter_table("completion_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_completion_request_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "completion_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("template", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["finding.id"], name=op.f("fk_completion_item_finding_id_finding")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["completion_request.id"],
            name=op.f("fk_completion_item_request_id_completion_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_completion_item")),
        sa.UniqueConstraint("request_id", "finding_id", name=op.f("uq_completion_item_request_id")),
    )
    with op.batch_alter_table("completion_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_completion_item_finding_id"), ["finding_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_completion_item_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "contact_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_contact_note_application_id_application"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["staff_user.id"], name=op.f("fk_contact_note_author_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_note")),
    )
    with op.batch_alter_table("contact_note", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_note_application_id"), ["application_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("contact_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_note_application_id"))
    op.drop_table("contact_note")
    with op.batch_alter_table("completion_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_completion_item_request_id"))
        batch_op.drop_index(batch_op.f("ix_completion_item_finding_id"))
    op.drop_table("completion_item")
    with op.batch_alter_table("completion_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_completion_request_application_id"))
    op.drop_table("completion_request")
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_column("resolved_at")
        batch_op.drop_column("params")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_column("completed_at")
        batch_op.drop_column("pre_validated")
        batch_op.drop_column("complete_on_submission")
        batch_op.alter_column(
            "status",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=32),
            type_=sqlmodel.sql.sqltypes.AutoString(length=20),
            existing_nullable=False,
        )
