"""Result tables: what the engine computed, for the UI and workflows to read.

Written by `tenure compute` (the pipeline); never computed inside a request.
Per account and day: stage and health (`account_days`); per account and
milestone: its dates and latest status (`milestone_states`); the explanation of
the latest health score (`health_contributions`); portfolio KPIs (`kpi_values`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from tenure.db.tables import Base


class AccountDay(Base):
    """An account on a day: lifecycle stage, health and engagement (the daily snapshot).

    The explanation of a day's score (``health_contributions``) is kept for the
    last day of each compute run; `tenure compute --as-of D` adds it for D.
    """

    __tablename__ = "account_days"

    account_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    stage: Mapped[str | None] = mapped_column(String(64))
    stage_entered_on: Mapped[date | None] = mapped_column(Date)
    health_score: Mapped[float | None] = mapped_column(Float)
    health_band: Mapped[str | None] = mapped_column(String(16))
    coverage: Mapped[float | None] = mapped_column(Float)
    capped: Mapped[bool] = mapped_column(default=False)
    change_7d: Mapped[float | None] = mapped_column(Float)
    change_30d: Mapped[float | None] = mapped_column(Float)
    engagement: Mapped[float | None] = mapped_column(Float)


class MilestoneState(Base):
    """An account's milestone: its anchor, due and achieved days, and status as of `as_of`."""

    __tablename__ = "milestone_states"

    account_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    milestone: Mapped[str] = mapped_column(String(255), primary_key=True)
    stage: Mapped[str] = mapped_column(String(64))
    required: Mapped[bool]
    is_value: Mapped[bool]
    anchor_day: Mapped[date] = mapped_column(Date)
    due_day: Mapped[date | None] = mapped_column(Date)
    achieved_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), index=True)
    as_of: Mapped[date] = mapped_column(Date)


class HealthContribution(Base):
    """One measure's part in an account's health score on a day."""

    __tablename__ = "health_contributions"

    account_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    measure: Mapped[str] = mapped_column(String(255), primary_key=True)
    group: Mapped[str | None] = mapped_column(String(255))
    critical: Mapped[bool] = mapped_column(default=False)
    value: Mapped[float | None] = mapped_column(Float)
    points: Mapped[float | None] = mapped_column(Float)
    weight: Mapped[float] = mapped_column(Float)
    effective_weight: Mapped[float | None] = mapped_column(Float)
    band: Mapped[str | None] = mapped_column(String(16))
    contribution: Mapped[float | None] = mapped_column(Float)


class KpiValue(Base):
    """A portfolio KPI for a period ending on `as_of` (optionally per cohort)."""

    __tablename__ = "kpi_values"

    as_of: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    cohort: Mapped[str] = mapped_column(String(64), primary_key=True, default="")
    value: Mapped[float | None] = mapped_column(Float)


class ComputeRun(Base):
    """One `tenure compute`: which days it filled and how long it took."""

    __tablename__ = "compute_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    accounts: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[float | None] = mapped_column(Float)
