"""officer: assessments, decisions with försörjningshinder, handlingsplaner, the hand-off API's
tokens and receipts, team leads and egenkontroll samples; indexes for the queue; the audit log
made append-only

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The audit log is append-only: the database itself refuses to change or delete an event.
SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
)
POSTGRESQL_TRIGGERS = (
    "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_event is append-only'; END; $$",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
)


def _append_only_audit(enable: bool) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        if enable:
            for statement in SQLITE_TRIGGERS:
                op.execute(statement)
        else:
            op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
            op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    elif dialect == "postgresql":
        if enable:
            for statement in POSTGRESQL_TRIGGERS:
                op.execute(statement)
        else:
            op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
            op.execute("DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event")
            op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("prefix", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    op.create_table(
        "action_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("established_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_action_plan_household_id_household")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["staff_user.id"], name=op.f("fk_action_plan_recorded_by_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_plan")),
    )
    with op.batch_alter_table("action_plan", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_plan_household_id"), ["household_id"], unique=False
        )

    op.create_table(
        "review_sample",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("seed", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("drawn_by", sa.Integer(), nullable=False),
        sa.Column("drawn_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["drawn_by"], ["staff_user.id"], name=op.f("fk_review_sample_drawn_by_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_review_sample_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_sample")),
    )
    with op.batch_alter_table("review_sample", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_sample_month"), ["month"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_sample_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "team_lead",
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_user_id"], ["staff_user.id"], name=op.f("fk_team_lead_staff_user_id_staff_user")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_team_lead_unit_id_unit")),
        sa.PrimaryKeyConstraint("staff_user_id", "unit_id", name=op.f("pk_team_lead")),
    )
    op.create_table(
        "action_plan_follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("followed_up_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["action_plan.id"],
            name=op.f("fk_action_plan_follow_up_plan_id_action_plan"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["staff_user.id"],
            name=op.f("fk_action_plan_follow_up_recorded_by_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_plan_follow_up")),
    )
    with op.batch_alter_table("action_plan_follow_up", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_plan_follow_up_plan_id"), ["plan_id"], unique=False
        )

    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_assessment_application_id_application"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["staff_user.id"], name=op.f("fk_assessment_updated_by_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
        sa.UniqueConstraint("application_id", name=op.f("uq_assessment_application_id")),
    )
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("amount_ore", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=False),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("calculation", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_decision_application_id_application"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["staff_user.id"], name=op.f("fk_decision_decided_by_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision")),
        sa.UniqueConstraint("application_id", name=op.f("uq_decision_application_id")),
    )
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_decided_at"), ["decided_at"], unique=False)

    op.create_table(
        "handoff_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("case_system", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("case_reference", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("document_version", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_handoff_receipt_application_id_application"),
        ),
        sa.ForeignKeyConstraint(
            ["token_id"], ["api_token.id"], name=op.f("fk_handoff_receipt_token_id_api_token")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_receipt")),
        sa.UniqueConstraint("application_id", name=op.f("uq_handoff_receipt_application_id")),
    )
    op.create_table(
        "review_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("planning_visible", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("household_right", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column(
            "documents_support_costs", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True
        ),
        sa.Column(
            "other_benefits_applied", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True
        ),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("reviewed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_review_item_application_id_application"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["staff_user.id"], name=op.f("fk_review_item_reviewer_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["sample_id"], ["review_sample.id"], name=op.f("fk_review_item_sample_id_review_sample")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_item")),
        sa.UniqueConstraint("sample_id", "application_id", name=op.f("uq_review_item_sample_id")),
    )
    with op.batch_alter_table("review_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_item_reviewer_id"), ["reviewer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_review_item_sample_id"), ["sample_id"], unique=False)

    op.create_table(
        "decision_obstacle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decision.id"], name=op.f("fk_decision_obstacle_decision_id_decision")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_decision_obstacle_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_obstacle")),
        sa.UniqueConstraint(
            "decision_id", "person_id", name=op.f("uq_decision_obstacle_decision_id")
        ),
    )
    with op.batch_alter_table("decision_obstacle", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decision_obstacle_decision_id"), ["decision_id"], unique=False
        )

    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index("ix_application_assigned_to", ["assigned_to"], unique=False)
        batch_op.create_index(
            "ix_application_queue",
            ["status", "submitted_at", "household_id", "assigned_to"],
            unique=False,
        )
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.create_index(
            "ix_answer_changed_application", ["changed", "application_id"], unique=False
        )
    with op.batch_alter_table("household_member", schema=None) as batch_op:
        batch_op.create_index(
            "ix_household_member_household_role", ["household_id", "role"], unique=False
        )

    _append_only_audit(True)


def downgrade() -> None:
    _append_only_audit(False)
    with op.batch_alter_table("household_member", schema=None) as batch_op:
        batch_op.drop_index("ix_household_member_household_role")
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index("ix_answer_changed_application")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index("ix_application_queue")
        batch_op.drop_index("ix_application_assigned_to")

    with op.batch_alter_table("decision_obstacle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_obstacle_decision_id"))

    op.drop_table("decision_obstacle")
    with op.batch_alter_table("review_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_item_sample_id"))
        batch_op.drop_index(batch_op.f("ix_review_item_reviewer_id"))

    op.drop_table("review_item")
    op.drop_table("handoff_receipt")
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_decided_at"))

    op.drop_table("decision")
    op.drop_table("assessment")
    with op.batch_alter_table("action_plan_follow_up", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_plan_follow_up_plan_id"))

    op.drop_table("action_plan_follow_up")
    op.drop_table("team_lead")
    with op.batch_alter_table("review_sample", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_sample_unit_id"))
        batch_op.drop_index(batch_op.f("ix_review_sample_month"))

    op.drop_table("review_sample")
    with op.batch_alter_table("action_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_plan_household_id"))

    op.drop_table("action_plan")
    op.drop_table("api_token")
