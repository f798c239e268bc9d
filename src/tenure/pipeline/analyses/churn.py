"""Churn analyses of a workspace: churn rates by dimension with intervals and tests,
and churn reasons by month, read from its warehouse."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from tenure.config import Settings
from tenure.engine.churn import churn_by, churn_reasons
from tenure.engine.kpis.calendar import add_months, month_start
from tenure.pipeline.analyses.common import AnalysisError, latest_day, rows_of, table
from tenure.pipeline.imports import open_warehouse
from tenure.stats.proportions import METHODS, GroupProportion, IntervalMethod, compare_groups


@dataclass
class ChurnRates:
    """Churn per group over [start, end], each against the rest (`stats.proportions`)."""

    dimension: str
    start: dt.date
    end: dt.date
    alpha: float
    method: str
    at_risk: int | None  # accounts; None for `product` (an account can own several)
    churned: int | None
    churn_rate: float | None
    groups: list[GroupProportion]
    seconds: float = 0.0


@dataclass
class ChurnReasons:
    """Churned accounts and MRR lost per month, reason and role."""

    start: dt.date
    end: dt.date
    rows: list[dict[str, Any]]
    seconds: float = 0.0


def churn_rates(
    settings: Settings,
    *,
    by: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    alpha: float = 0.05,
    method: IntervalMethod = "wilson",
) -> ChurnRates:
    """Churn rate per group of `by` over [start, end] (default: the 365 days to the latest day).

    Counts from `engine.churn.churn_by`; intervals, Fisher tests and Holm
    correction from `stats.proportions.compare_groups`.
    """
    if method not in METHODS:
        raise AnalysisError(f"interval method must be one of {', '.join(METHODS)}, not {method!r}")
    if not 0 < alpha < 1:
        raise AnalysisError(f"alpha must be between 0 and 1, not {alpha}")
    began = time.perf_counter()
    warehouse = open_warehouse(settings)
    try:
        last = end or latest_day(warehouse)
        first = start or last - dt.timedelta(days=364)
        expr = churn_by(
            table(warehouse, "accounts"),
            table(warehouse, "subscriptions"),
            dimension=by,
            start=first,
            end=last,
        )
        rows = rows_of(expr)
    except ValueError as exc:
        raise AnalysisError(str(exc)) from exc
    finally:
        warehouse.disconnect()
    rows = [r for r in rows if r["at_risk"] > 0]
    groups = compare_groups(
        [r["group"] for r in rows],
        [r["churned"] for r in rows],
        [r["at_risk"] for r in rows],
        alpha=alpha,
        method=method,
    )
    # Accounts, not group memberships (a product dimension can count an account twice).
    at_risk = sum(r["at_risk"] for r in rows) if by != "product" else None
    churned = sum(r["churned"] for r in rows) if by != "product" else None
    return ChurnRates(
        dimension=by,
        start=first,
        end=last,
        alpha=alpha,
        method=method,
        at_risk=at_risk,
        churned=churned,
        churn_rate=churned / at_risk if at_risk and churned is not None else None,
        groups=groups,
        seconds=round(time.perf_counter() - began, 3),
    )


def churn_reasons_by_month(
    settings: Settings, *, start: dt.date | None = None, end: dt.date | None = None
) -> ChurnReasons:
    """Churn reasons per month in [start, end] (default: the 12 months to the latest day)."""
    began = time.perf_counter()
    warehouse = open_warehouse(settings)
    try:
        last = month_start(end or latest_day(warehouse))
        first = month_start(start) if start else add_months(last, -11)
        expr = churn_reasons(
            table(warehouse, "accounts"), table(warehouse, "subscriptions"), months=(first, last)
        )
        rows = rows_of(expr)
    except ValueError as exc:
        raise AnalysisError(str(exc)) from exc
    finally:
        warehouse.disconnect()
    return ChurnReasons(
        start=first, end=last, rows=rows, seconds=round(time.perf_counter() - began, 3)
    )
