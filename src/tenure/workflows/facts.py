"""What playbook rules read: the computed results (app database) and a few warehouse facts.

Every function returns plain Python values for one as-of day; the warehouse
queries are small Ibis expressions over the fact tables (owners, renewal
dates, NPS answers, touches) and the engine's value segments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import ibis
from ibis.backends import BaseBackend
from sqlalchemy import Connection, Engine, Row, func, inspect, select, text

from tenure.db import AccountDay, ChurnRecord, HealthOverride, MilestoneState
from tenure.definitions import Definitions
from tenure.engine.segments import value_segment


@dataclass
class Account:
    account_id: str
    name: str | None
    owner: str | None
    churned_on: dt.date | None


@dataclass
class DayResult:
    stage: str | None
    score: float | None
    band: str | None
    churn_risk: float | None = None


@dataclass
class Facts:
    """Everything the triggers look at, for `as_of` (the latest computed day)."""

    as_of: dt.date
    accounts: dict[str, Account]
    days: dict[dt.date, dict[str, DayResult]]  # day -> account -> results
    milestones: list[tuple[str, str, str]]  # (account_id, milestone, status)
    segments: dict[dt.date, dict[str, str | None]]  # as_of and the day before
    renewals: dict[str, dt.date]  # account -> next end of a subscription in force
    detractors: list[tuple[str, str, dt.date]]  # (account_id, response_id, day)
    last_touches: dict[tuple[str, str], dt.date]  # (account_id, kind) -> last day
    recorded_churn: set[str]
    has_churn_risk: bool
    skipped: list[str] = field(default_factory=list)


def latest_computed_day(app_db: Engine) -> dt.date | None:
    with app_db.connect() as connection:
        return connection.execute(select(func.max(AccountDay.day))).scalar()


def account_days(app_db: Engine, days: list[dt.date]) -> dict[dt.date, dict[str, DayResult]]:
    """Stage and health per account on each of `days` (and churn_risk when computed).

    A manual health override in force on a day (created on or before it,
    expiring after it; the newest wins) replaces that day's band, and its score
    when it has one: playbooks see the health the CSM vouched for.
    """
    table = AccountDay.__table__
    has_risk = "churn_risk" in {c["name"] for c in inspect(app_db).get_columns("account_days")}
    columns = [table.c.day, table.c.account_id, table.c.stage]
    columns += [table.c.health_score, table.c.health_band]
    query = select(*columns).where(table.c.day.in_(days))
    out: dict[dt.date, dict[str, DayResult]] = {day: {} for day in days}
    with app_db.connect() as connection:
        for day, account, stage, score, band in connection.execute(query):
            out[day][account] = DayResult(stage, score, band)
        if has_risk:
            query_risk = text("SELECT account_id, churn_risk FROM account_days WHERE day = :day")
            for account, risk in connection.execute(query_risk, {"day": max(days)}):
                if account in out[max(days)]:
                    out[max(days)][account].churn_risk = risk
        overrides = _overrides(connection, min(days))
    for day, results in out.items():
        for o in overrides:  # oldest first: the newest in force wins
            if o.account_id in results and o.created_at.date() <= day < o.expires_on:
                result = results[o.account_id]
                result.band = o.band
                result.score = o.score if o.score is not None else result.score
    return out


def _overrides(connection: Connection, since: dt.date) -> list[Row[Any]]:
    query = (
        select(
            HealthOverride.account_id,
            HealthOverride.band,
            HealthOverride.score,
            HealthOverride.created_at,
            HealthOverride.expires_on,
        )
        .where(HealthOverride.expires_on > since)
        .order_by(HealthOverride.created_at, HealthOverride.id)
    )
    return list(connection.execute(query))


def load_facts(
    app_db: Engine,
    warehouse: BaseBackend,
    definitions: Definitions,
    *,
    as_of: dt.date,
    lookback_days: set[int],
    detractor_days: int,
) -> Facts:
    """Read what the playbooks need, once per run."""
    days = sorted(
        {as_of, as_of - dt.timedelta(days=1)}
        | {as_of - dt.timedelta(days=n) for n in lookback_days}
    )
    results = account_days(app_db, days)
    with app_db.connect() as connection:
        milestones = [
            (a, m, s)
            for a, m, s in connection.execute(
                select(MilestoneState.account_id, MilestoneState.milestone, MilestoneState.status)
            )
        ]
        recorded = set(connection.execute(select(ChurnRecord.account_id)).scalars())
    has_risk = "churn_risk" in {c["name"] for c in inspect(app_db).get_columns("account_days")}
    return Facts(
        as_of=as_of,
        accounts=accounts(warehouse),
        days=results,
        milestones=milestones,
        segments=segments(warehouse, definitions, as_of=as_of),
        renewals=renewal_dates(warehouse, as_of=as_of),
        detractors=nps_detractors(warehouse, as_of=as_of, days=detractor_days),
        last_touches=last_touches(warehouse, as_of=as_of),
        recorded_churn=recorded,
        has_churn_risk=has_risk,
    )


def accounts(warehouse: BaseBackend) -> dict[str, Account]:
    t = warehouse.table("accounts")
    rows = t.select("account_id", "name", "owner", "churned_at").to_pyarrow().to_pylist()
    return {
        r["account_id"]: Account(
            r["account_id"],
            r["name"],
            r["owner"],
            r["churned_at"].date() if r["churned_at"] is not None else None,
        )
        for r in rows
    }


def segments(
    warehouse: BaseBackend, definitions: Definitions, *, as_of: dt.date
) -> dict[dt.date, dict[str, str | None]]:
    """Each account's value segment on `as_of` and on the day before."""
    if not definitions.value_segments:
        return {}
    accounts, subscriptions = warehouse.table("accounts"), warehouse.table("subscriptions")
    out = {}
    for day in (as_of - dt.timedelta(days=1), as_of):
        table = value_segment(accounts, subscriptions, definitions.value_segments, as_of=day)
        rows = table.select("account_id", "segment").to_pyarrow().to_pylist()
        out[day] = {r["account_id"]: r["segment"] for r in rows}
    return out


def renewal_dates(warehouse: BaseBackend, *, as_of: dt.date) -> dict[str, dt.date]:
    """The next renewal per account: the earliest end of a subscription in force on `as_of`.

    In force: started_at ≤ as_of < ended_at (open-ended subscriptions never renew).
    """
    s = warehouse.table("subscriptions")
    day = ibis.literal(as_of)
    live = s.filter(s.started_at.date() <= day, s.ended_at.notnull(), s.ended_at.date() > day)
    rows = live.group_by("account_id").aggregate(ends=live.ended_at.min()).to_pyarrow().to_pylist()
    return {r["account_id"]: r["ends"].date() for r in rows}


def nps_detractors(
    warehouse: BaseBackend, *, as_of: dt.date, days: int
) -> list[tuple[str, str, dt.date]]:
    """NPS answers 0–6 responded on the `days` days up to `as_of`."""
    r = warehouse.table("survey_responses")
    since = as_of - dt.timedelta(days=days - 1)
    picked = r.filter(
        r.survey.lower() == "nps",
        r.score <= 6,
        r.responded_at.date().between(since, as_of),
        r.account_id.notnull(),
    )
    rows = picked.select("account_id", "response_id", "responded_at").to_pyarrow().to_pylist()
    return [(x["account_id"], x["response_id"], x["responded_at"].date()) for x in rows]


def last_touches(warehouse: BaseBackend, *, as_of: dt.date) -> dict[tuple[str, str], dt.date]:
    """The day of the latest touch of each kind per account, up to `as_of`."""
    t = warehouse.table("touches")
    upto = t.filter(t.at.date() <= as_of)
    rows = upto.group_by("account_id", "kind").aggregate(last=upto.at.max()).to_pyarrow()
    return {(r["account_id"], r["kind"]): r["last"].date() for r in rows.to_pylist()}
