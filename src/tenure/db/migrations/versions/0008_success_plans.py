"""Success plans: goals, objectives, metrics with targets, hand-entered metric readings.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "success_goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=255), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_success_goals")),
    )
    with op.batch_alter_table("success_goals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_success_goals_account_id"), ["account_id"], unique=False
        )
    op.create_table(
        "success_objectives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("quarter", sa.String(length=8), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["success_goals.id"],
            name=op.f("fk_success_objectives_goal_id_success_goals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_success_objectives")),
    )
    with op.batch_alter_table("success_objectives", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_success_objectives_goal_id"), ["goal_id"], unique=False
        )
    op.create_table(
        "success_metrics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("target_on", sa.Date(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["success_objectives.id"],
            name=op.f("fk_success_metrics_objective_id_success_objectives"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_success_metrics")),
    )
    with op.batch_alter_table("success_metrics", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_success_metrics_objective_id"), ["objective_id"], unique=False
        )
    op.create_table(
        "metric_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("metric_id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["metric_id"],
            ["success_metrics.id"],
            name=op.f("fk_metric_readings_metric_id_success_metrics"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_readings")),
    )
    with op.batch_alter_table("metric_readings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_metric_readings_metric_id"), ["metric_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("metric_readings")
    op.drop_table("success_metrics")
    op.drop_table("success_objectives")
    op.drop_table("success_goals")
