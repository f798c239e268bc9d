"""`tenure survival`: retention curves, log-rank test, churn drivers and subscription CLV
of a workspace's accounts, read from its warehouse."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from ibis.backends import BaseBackend

from tenure.config import Settings
from tenure.engine.lifetimes import DEFAULT_ATTRIBUTES, account_lifetimes
from tenure.pipeline.imports import open_warehouse
from tenure.stats.clv import SubscriptionValue, subscription_clv
from tenure.stats.errors import StatsInputError
from tenure.stats.survival import (
    ChurnDrivers,
    LogRankTest,
    RetentionCurve,
    churn_drivers,
    kaplan_meier,
    log_rank,
)


@dataclass(frozen=True)
class SurvivalReport:
    as_of: dt.date
    observed_from: dt.date | None
    by: str | None
    accounts: int
    churned: int
    curves: list[RetentionCurve]
    log_rank: LogRankTest | None
    values: list[SubscriptionValue]
    drivers: ChurnDrivers | None
    seconds: float


def latest_day(warehouse: BaseBackend) -> dt.date | None:
    """The last day anything happened: account created or churned, subscription or event."""
    days = []
    tables = set(warehouse.list_tables())
    for table, columns in (
        ("accounts", ("created_at", "churned_at")),
        ("subscriptions", ("started_at",)),
        ("events", ("timestamp",)),
    ):
        if table in tables:
            t = warehouse.table(table)
            row = t.aggregate(**{c: t[c].max() for c in columns}).to_pyarrow().to_pylist()[0]
            days += [v.date() for v in row.values() if v is not None]
    return max(days, default=None)


def first_event_day(warehouse: BaseBackend) -> dt.date | None:
    """The first day of product events: where the data's churn history is taken to begin."""
    if "events" not in warehouse.list_tables():
        return None
    value = warehouse.table("events").timestamp.min().to_pyarrow().as_py()
    return value.date() if value is not None else None


def lifetimes_frame(
    warehouse: BaseBackend,
    *,
    as_of: dt.date,
    attributes: Sequence[str] = DEFAULT_ATTRIBUTES,
    observed_from: dt.date | None = None,
) -> pd.DataFrame:
    """`account_lifetimes` of the warehouse's accounts and subscriptions, as pandas."""
    frame = account_lifetimes(
        warehouse.table("accounts"),
        warehouse.table("subscriptions"),
        as_of=as_of,
        attributes=attributes,
        observed_from=observed_from,
    ).to_pandas()
    return frame.sort_values("account_id", ignore_index=True)


def survival_analysis(
    settings: Settings,
    *,
    by: str | None = None,
    as_of: dt.date | None = None,
    observed_from: dt.date | str | None = "events",
    drivers: Sequence[str] | None = None,
    horizon_months: float = 60.0,
    warehouse: BaseBackend | None = None,
) -> SurvivalReport:
    """Kaplan–Meier curves by ``by``, its log-rank test, subscription CLV per group,
    and (with ``drivers``, a list of attributes) a Cox model of churn.

    ``as_of`` defaults to the latest day with data; ``observed_from`` to the
    first event day ("events"), so accounts that were customers before the
    data begins enter the risk set late (left truncation); None treats the
    warehouse as the complete history. Subscription CLV per group = mean MRR of
    its paying accounts × ``settings.gross_margin`` × the restricted mean
    lifetime over ``horizon_months``.
    """
    began = time.perf_counter()
    warehouse = warehouse or open_warehouse(settings)
    as_of = as_of or latest_day(warehouse)
    if as_of is None:
        raise StatsInputError("the warehouse has no accounts yet (import or generate some)")
    since = first_event_day(warehouse) if observed_from == "events" else observed_from
    assert not isinstance(since, str)
    attributes = list(dict.fromkeys([*DEFAULT_ATTRIBUTES, *([by] if by else []), *(drivers or [])]))
    frame = lifetimes_frame(warehouse, as_of=as_of, attributes=attributes, observed_from=since)
    if frame.empty:
        raise StatsInputError(f"no accounts started on or before {as_of}")
    columns = set(warehouse.table("accounts").columns)
    for name in [*([by] if by else []), *(drivers or [])]:
        if name not in columns and frame[name].isna().all():
            raise StatsInputError(
                f"unknown attribute {name!r}: neither a column of accounts"
                f" ({', '.join(sorted(columns - {'traits'}))}) nor a key of any account's traits"
            )
    curves = kaplan_meier(frame, by=by)
    groups = frame[by].astype("string").fillna("(none)") if by else pd.Series("all", frame.index)
    values = [
        subscription_clv(
            curve,
            arpa=float(frame.loc[(groups == curve.group) & (frame.mrr > 0), "mrr"].mean()),
            gross_margin=settings.gross_margin,
            horizon_months=horizon_months,
        )
        for curve in curves
    ]
    return SurvivalReport(
        as_of=as_of,
        observed_from=since,
        by=by,
        accounts=len(frame),
        churned=int(frame.churned.sum()),
        curves=curves,
        log_rank=log_rank(frame, by=by) if by and len(curves) > 1 else None,
        values=values,
        drivers=churn_drivers(frame, list(drivers)) if drivers else None,
        seconds=round(time.perf_counter() - began, 2),
    )


def median_or_none(days: float) -> float | None:
    """A median for JSON: None when the curve never reaches 0.5."""
    return None if math.isinf(days) else days


def survival_json(report: SurvivalReport) -> dict[str, Any]:
    """The report as plain data (what `tenure survival --json` prints)."""
    return {
        **dataclasses.asdict(report),
        "curves": [
            {**dataclasses.asdict(c), "median_days": median_or_none(c.median_days)}
            for c in report.curves
        ],
    }
