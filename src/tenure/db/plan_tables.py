"""Success plans: per account, goals → objectives → metrics with targets, and metric readings.

A metric is bound to engine data (``source`` = ``health_score`` or
``engagement`` from ``account_days``, or ``measure:NAME`` from
``health_contributions``) or entered by hand (``source`` = ``manual``, its
values in ``metric_readings``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenure.db.tables import Base


class SuccessGoal(Base):
    """A customer's goal (e.g. "Grow the pipeline from the website")."""

    __tablename__ = "success_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[str] = mapped_column(String(255), index=True)
    title: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]


class SuccessObjective(Base):
    """A step towards a goal, optionally planned for a quarter ("2026Q4")."""

    __tablename__ = "success_objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("success_goals.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    quarter: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime]


class SuccessMetric(Base):
    """A measurable target of an objective: `target` by `target_on`."""

    __tablename__ = "success_metrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("success_objectives.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(255), default="manual")
    target: Mapped[float] = mapped_column(Float)
    target_on: Mapped[date] = mapped_column(Date)
    unit: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]


class MetricReading(Base):
    """A hand-entered value of a manual metric on a day."""

    __tablename__ = "metric_readings"

    id: Mapped[int] = mapped_column(primary_key=True)
    metric_id: Mapped[int] = mapped_column(ForeignKey("success_metrics.id"), index=True)
    on: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    author: Mapped[str | None] = mapped_column(String(255))
    recorded_at: Mapped[datetime]
