"""What pages and the API read: results and account profiles, from the app database only.

Every function here is a few indexed queries; none reads the warehouse or runs
engine work (that happens in `tenure compute`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from tenure.db import (
    AccountDay,
    AccountProfile,
    ComputeRun,
    HealthContribution,
    KpiValue,
    MilestoneState,
)

SORTS = {
    "name": AccountProfile.name,
    "arr": AccountProfile.arr,
    "health": AccountProfile.health_score,
    "change": AccountProfile.change_30d,
    "renewal": AccountProfile.renewal_on,
    "stage": AccountProfile.stage,
    "owner": AccountProfile.owner,
}
BANDS = ("red", "yellow", "green")


@dataclass
class AccountFilter:
    """The accounts list's filters; empty values do not filter."""

    segment: str | None = None
    stage: str | None = None
    band: str | None = None
    owners: list[str] = field(default_factory=list)
    renewal_days: int | None = None  # renewing within this many days of the as-of day
    search: str | None = None
    sort: str = "name"
    descending: bool = False
    page: int = 1
    per_page: int = 50


def latest_day(db: Session) -> date | None:
    return db.scalar(select(func.max(AccountDay.day)))


# The list's columns only: loading whole profiles would parse every 360 document.
LIST_COLUMNS = (
    AccountProfile.account_id,
    AccountProfile.name,
    AccountProfile.owner,
    AccountProfile.plan,
    AccountProfile.segment,
    AccountProfile.industry,
    AccountProfile.arr,
    AccountProfile.renewal_on,
    AccountProfile.churned_on,
    AccountProfile.stage,
    AccountProfile.health_score,
    AccountProfile.health_band,
    AccountProfile.change_30d,
    AccountProfile.engagement,
)


def _accounts_query(day: date, where: AccountFilter) -> Select[*tuple[Any, ...]]:
    """Profiles matching `where`; they carry the latest day's stage and health."""
    query = select(*LIST_COLUMNS)
    if where.segment:
        query = query.where(AccountProfile.segment == where.segment)
    if where.stage:
        query = query.where(AccountProfile.stage == where.stage)
    if where.band:
        query = query.where(AccountProfile.health_band == where.band)
    if where.owners:
        query = query.where(AccountProfile.owner.in_(where.owners))
    if where.renewal_days is not None:
        until = day + timedelta(days=where.renewal_days)
        query = query.where(AccountProfile.renewal_on.between(day, until))
    if where.search:
        like = f"%{where.search.strip()}%"
        query = query.where(
            or_(AccountProfile.name.ilike(like), AccountProfile.account_id.ilike(like))
        )
    return query


def accounts(db: Session, where: AccountFilter) -> tuple[int, list[dict[str, Any]]]:
    """(total matching, one page of rows) of accounts as of the latest computed day."""
    day = latest_day(db)
    if day is None:
        return 0, []
    query = _accounts_query(day, where)
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    column = SORTS.get(where.sort, AccountProfile.name)
    order = column.desc() if where.descending else column.asc()
    page = query.order_by(order.nulls_last(), AccountProfile.account_id)
    if where.per_page > 0:
        page = page.limit(where.per_page).offset((max(where.page, 1) - 1) * where.per_page)
    return total, [dict(row._mapping) for row in db.execute(page)]


def choices(db: Session) -> dict[str, list[str]]:
    """Values the list can filter on: segments, stages, owners."""

    def distinct(column: Any) -> list[str]:
        return [v for v in db.scalars(select(column).distinct().order_by(column)) if v]

    day = latest_day(db)
    stages = (
        distinct(AccountDay.stage)
        if day is None
        else [
            v
            for v in db.scalars(
                select(AccountDay.stage)
                .where(AccountDay.day == day)
                .distinct()
                .order_by(AccountDay.stage)
            )
            if v
        ]
    )
    return {
        "segments": distinct(AccountProfile.segment),
        "stages": stages,
        "owners": distinct(AccountProfile.owner),
        "bands": list(BANDS),
    }


def cached_choices(db: Session, cache: dict[str, Any]) -> dict[str, list[str]]:
    """`choices`, recomputed only when a new compute run has finished (35 ms on 10k accounts)."""
    run = db.scalar(select(func.max(ComputeRun.id)))
    if cache.get("run") != run or "choices" not in cache:
        cache.update(run=run, choices=choices(db))
    return dict(cache["choices"])


def account(db: Session, account_id: str) -> dict[str, Any] | None:
    """Everything the account 360 shows, or None for an unknown account."""
    profile = db.get(AccountProfile, account_id)
    if profile is None:
        return None
    day = latest_day(db)
    snapshot = db.get(AccountDay, (account_id, day)) if day else None
    row = {column.key: getattr(profile, column.key) for column in LIST_COLUMNS}
    row |= {
        "domain": profile.domain,
        "region": profile.region,
        "employees": profile.employees,
        "created_on": profile.created_on,
        "as_of": day,
        "stage_entered_on": snapshot.stage_entered_on if snapshot else None,
        "coverage": snapshot.coverage if snapshot else None,
        "capped": snapshot.capped if snapshot else False,
        "change_7d": snapshot.change_7d if snapshot else None,
        "details": json.loads(profile.details or "{}"),
    }
    return row


def health_history(db: Session, account_id: str) -> list[dict[str, Any]]:
    rows = db.execute(
        select(
            AccountDay.day,
            AccountDay.health_score,
            AccountDay.health_band,
            AccountDay.engagement,
            AccountDay.stage,
        )
        .where(AccountDay.account_id == account_id)
        .order_by(AccountDay.day)
    )
    return [r._asdict() for r in rows]


def health_explanation(db: Session, account_id: str) -> tuple[date | None, list[dict[str, Any]]]:
    """The latest explained day and each measure's part in that day's score."""
    day = db.scalar(
        select(func.max(HealthContribution.day)).where(HealthContribution.account_id == account_id)
    )
    if day is None:
        return None, []
    rows = db.scalars(
        select(HealthContribution)
        .where(HealthContribution.account_id == account_id, HealthContribution.day == day)
        .order_by(HealthContribution.contribution.desc().nulls_last())
    )
    keys = (
        "measure",
        "group",
        "critical",
        "value",
        "points",
        "weight",
        "effective_weight",
        "band",
        "contribution",
    )
    return day, [{k: getattr(r, k) for k in keys} for r in rows]


def milestones(db: Session, account_id: str) -> list[dict[str, Any]]:
    rows = db.scalars(
        select(MilestoneState)
        .where(MilestoneState.account_id == account_id)
        .order_by(MilestoneState.anchor_day, MilestoneState.due_day.nulls_last())
    )
    keys = (
        "milestone",
        "stage",
        "required",
        "is_value",
        "anchor_day",
        "due_day",
        "achieved_on",
        "status",
        "as_of",
    )
    return [{k: getattr(r, k) for k in keys} for r in rows]


def kpis(db: Session) -> tuple[date | None, dict[str, dict[str, float | None]]]:
    """Portfolio KPIs of the latest as-of day: {name: {period: value}} (cohorts left out)."""
    as_of = db.scalar(select(func.max(KpiValue.as_of)))
    if as_of is None:
        return None, {}
    found: dict[str, dict[str, float | None]] = {}
    for row in db.scalars(select(KpiValue).where(KpiValue.as_of == as_of, KpiValue.cohort == "")):
        found.setdefault(row.name, {})[row.period] = row.value
    return as_of, found
