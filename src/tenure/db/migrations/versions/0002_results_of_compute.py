"""Results of compute: account days, milestone states, health contributions, KPIs, runs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:26:39.019900
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "account_days",
        sa.Column("account_id", sa.String(length=255), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(length=64), nullable=True),
        sa.Column("stage_entered_on", sa.Date(), nullable=True),
        sa.Column("health_score", sa.Float(), nullable=True),
        sa.Column("health_band", sa.String(length=16), nullable=True),
        sa.Column("coverage", sa.Float(), nullable=True),
        sa.Column("capped", sa.Boolean(), nullable=False),
        sa.Column("change_7d", sa.Float(), nullable=True),
        sa.Column("change_30d", sa.Float(), nullable=True),
        sa.Column("engagement", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("account_id", "day", name=op.f("pk_account_days")),
    )
    with op.batch_alter_table("account_days", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_days_day"), ["day"], unique=False)

    op.create_table(
        "compute_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compute_runs")),
    )
    with op.batch_alter_table("compute_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_compute_runs_started_at"), ["started_at"], unique=False
        )

    op.create_table(
        "health_contributions",
        sa.Column("account_id", sa.String(length=255), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("measure", sa.String(length=255), nullable=False),
        sa.Column("group", sa.String(length=255), nullable=True),
        sa.Column("critical", sa.Boolean(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("points", sa.Float(), nullable=True),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("effective_weight", sa.Float(), nullable=True),
        sa.Column("band", sa.String(length=16), nullable=True),
        sa.Column("contribution", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint(
            "account_id", "day", "measure", name=op.f("pk_health_contributions")
        ),
    )
    op.create_table(
        "kpi_values",
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("cohort", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("as_of", "name", "period", "cohort", name=op.f("pk_kpi_values")),
    )
    op.create_table(
        "milestone_states",
        sa.Column("account_id", sa.String(length=255), nullable=False),
        sa.Column("milestone", sa.String(length=255), nullable=False),
        sa.Column("stage", sa.String(length=64), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("is_value", sa.Boolean(), nullable=False),
        sa.Column("anchor_day", sa.Date(), nullable=False),
        sa.Column("due_day", sa.Date(), nullable=True),
        sa.Column("achieved_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "milestone", name=op.f("pk_milestone_states")),
    )
    with op.batch_alter_table("milestone_states", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_milestone_states_status"), ["status"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("milestone_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_states_status"))

    op.drop_table("milestone_states")
    op.drop_table("kpi_values")
    op.drop_table("health_contributions")
    with op.batch_alter_table("compute_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compute_runs_started_at"))

    op.drop_table("compute_runs")
    with op.batch_alter_table("account_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_days_day"))

    op.drop_table("account_days")
