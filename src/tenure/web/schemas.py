"""The REST API's response shapes (pydantic), named after what they show."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class AccountPublic(BaseModel):
    """An account in the list: profile facts and its latest stage and health."""

    account_id: str
    name: str | None
    owner: str | None
    plan: str | None
    segment: str | None
    industry: str | None
    arr: float
    renewal_on: date | None
    churned_on: date | None
    stage: str | None
    health_score: float | None
    health_band: str | None
    change_30d: float | None
    engagement: float | None


class AccountPage(BaseModel):
    total: int
    page: int
    per_page: int
    as_of: date | None
    accounts: list[AccountPublic]


class Account360(AccountPublic):
    """Everything known about one account as of the latest computed day."""

    domain: str | None
    region: str | None
    employees: int | None
    created_on: date | None
    as_of: date | None
    stage_entered_on: date | None
    coverage: float | None
    capped: bool
    change_7d: float | None
    details: dict[str, Any] = Field(
        description="contacts, subscriptions, tickets, nps, touches, usage (weekly)"
    )


class MilestonePublic(BaseModel):
    milestone: str
    stage: str
    required: bool
    is_value: bool
    anchor_day: date
    due_day: date | None
    achieved_on: date | None
    status: str
    as_of: date


class Contribution(BaseModel):
    measure: str
    group: str | None
    critical: bool
    value: float | None
    points: float | None
    weight: float
    effective_weight: float | None
    band: str | None
    contribution: float | None


class HealthDay(BaseModel):
    day: date
    health_score: float | None
    health_band: str | None
    engagement: float | None
    stage: str | None


class AccountHealth(BaseModel):
    account_id: str
    explained_on: date | None
    contributions: list[Contribution]
    history: list[HealthDay]


class Kpis(BaseModel):
    as_of: date | None
    kpis: dict[str, dict[str, float | None]] = Field(description="{name: {period: value}}")


class AnalysisPublic(BaseModel):
    name: str = Field(description="e.g. cohorts.accounts, churn.plan, survival.plan")
    as_of: date | None
    computed_at: datetime
    seconds: float
    error: str | None = Field(description="why it could not be computed, else null")


class PulseIn(BaseModel):
    sentiment: str = Field(
        description="extremely satisfied, very satisfied, satisfied, at risk, high risk, "
        "severe risk"
    )
    reasons: list[str] = Field(min_length=1, description="reason codes, at least one")
    note: str | None = Field(default=None, max_length=2000)
