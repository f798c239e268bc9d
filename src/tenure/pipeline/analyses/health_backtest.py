"""Is the health score any good? Its stored snapshots against what happened next.

Snapshot days: the days of `account_days` (filled by `tenure compute`, e.g.
`--from D1 --to D2`) whose horizon has passed (day + horizon ≤ the last day
with events), taken every `spacing_days` back from the latest such day so the
pooled sample is not a near-copy of one day. Each (account, day) snapshot gets
the outcome `churned` = churned in (day, day + horizon]
(`tenure.engine.features.churn_outcomes`). Per-measure AUCs use the stored
explanations (`health_contributions`) of those days where there are any.
The churn model is backtested on the latest snapshot day for comparison, and
the score's AUC on that day alone is reported beside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, select

from tenure.config import Settings
from tenure.db import AccountDay, HealthContribution
from tenure.engine.features import churn_outcomes
from tenure.pipeline.analyses.churn_model import churn_backtest, last_event_day
from tenure.pipeline.imports import open_app_db, open_warehouse
from tenure.pipeline.rollups import refresh_for
from tenure.stats.churn_metrics import roc_auc
from tenure.stats.churn_model import ChurnDataError
from tenure.stats.health_signal import HealthSignal, health_signal


@dataclass
class HealthBacktest:
    horizon_days: int
    days: list[dt.date]
    pooled: HealthSignal
    latest_day: dt.date
    health_roc_auc_latest: float | None  # the score's AUC on latest_day alone
    model_roc_auc_latest: float | None  # the churn model's backtest AUC on latest_day


def snapshot_days(app_db: Engine, *, until: dt.date, spacing_days: int) -> list[dt.date]:
    """Stored snapshot days ≤ until, every `spacing_days` back from the latest one."""
    with app_db.connect() as connection:
        stored = connection.execute(
            select(AccountDay.day).where(AccountDay.day <= until).distinct()
        ).scalars()
        available = sorted(set(stored), reverse=True)
    chosen: list[dt.date] = []
    for day in available:
        if not chosen or (chosen[-1] - day).days >= spacing_days:
            chosen.append(day)
    return chosen


def _read(app_db: Engine, table: type, columns: list[str], days: list[dt.date]) -> pd.DataFrame:
    fields = [getattr(table, c) for c in columns]
    with app_db.connect() as connection:
        rows = connection.execute(select(*fields).where(table.day.in_(days))).all()  # type: ignore[attr-defined]
    return pd.DataFrame(rows, columns=columns)


def health_backtest(
    settings: Settings,
    *,
    horizon_days: int = 90,
    spacing_days: int = 30,
    with_model: bool = True,
) -> HealthBacktest:
    """AUC, band calibration and per-measure AUCs of stored health scores for later churn."""
    warehouse, app_db = open_warehouse(settings), open_app_db(settings)
    try:
        refresh_for(warehouse, settings.definitions)
        last = last_event_day(warehouse)
        until = last - dt.timedelta(days=horizon_days)
        days = snapshot_days(app_db, until=until, spacing_days=spacing_days)
        if not days:
            raise ChurnDataError(
                f"no health snapshots on or before {until} (the last day with events, {last}, "
                f"minus {horizon_days} days): fill some with tenure compute --from D1 --to D2"
            )
        scores = _read(
            app_db, AccountDay, ["account_id", "day", "health_score", "health_band"], days
        )
        parts = _read(app_db, HealthContribution, ["account_id", "day", "measure", "points"], days)
        accounts = warehouse.table("accounts")
        outcomes = pd.concat(
            churn_outcomes(accounts, as_of=day, horizon_days=horizon_days)
            .to_pandas()
            .assign(day=day)
            for day in days
        )
    finally:
        app_db.dispose()
        warehouse.disconnect()
    scores = scores.merge(outcomes, on=["account_id", "day"])
    parts = parts.merge(outcomes, on=["account_id", "day"])
    latest = scores[scores.day == days[0]].dropna(subset=["health_score"])
    model_auc = None
    if with_model:
        model_auc = churn_backtest(settings, as_of=days[0], horizon_days=horizon_days).test.roc_auc
    return HealthBacktest(
        horizon_days,
        days,
        health_signal(scores, parts),
        days[0],
        roc_auc(latest.churned.to_numpy(), 100 - latest.health_score.to_numpy()),
        model_auc,
    )
