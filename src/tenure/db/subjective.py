"""Subjective measures: what a CSM records about an account (e.g. the CSM pulse).

Scorecards read the latest entry per account and measure until it expires
(`expires_days` of the measure). The pulse UI and its reason codes come with
the workflows; the table is here so that health scores can use it today.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenure.db.tables import Base


class SubjectiveScore(Base):
    """One recorded subjective value: 0–100 points for a scorecard measure."""

    __tablename__ = "subjective_scores"
    __table_args__ = (
        CheckConstraint("value_points >= 0 AND value_points <= 100", name="points_0_100"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[str] = mapped_column(String(255), index=True)
    measure: Mapped[str] = mapped_column(String(255))
    value_points: Mapped[float] = mapped_column(Float)
    recorded_at: Mapped[datetime]
    author: Mapped[str | None] = mapped_column(String(255))
    reason: Mapped[str | None] = mapped_column(Text)
