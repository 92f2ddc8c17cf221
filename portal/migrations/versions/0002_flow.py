"""flow: what each attachment was given as proof of

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attachment") as batch_op:
        batch_op.add_column(sa.Column("expected_kind", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("item", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attachment") as batch_op:
        batch_op.drop_column("item")
        batch_op.drop_column("expected_kind")
