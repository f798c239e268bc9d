"""Subjective scores: what CSMs record about accounts (the CSM pulse).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 12:52:34.738629
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "subjective_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=255), nullable=False),
        sa.Column("measure", sa.String(length=255), nullable=False),
        sa.Column("value_points", sa.Float(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "value_points >= 0 AND value_points <= 100",
            name=op.f("ck_subjective_scores_points_0_100"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subjective_scores")),
    )
    with op.batch_alter_table("subjective_scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subjective_scores_account_id"), ["account_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("subjective_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subjective_scores_account_id"))

    op.drop_table("subjective_scores")
