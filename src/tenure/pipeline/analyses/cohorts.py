"""Cohort analyses of a workspace: account (logo and revenue) and user retention,
lifecycle and stickiness, read from its warehouse (facts and daily rollups)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from tenure.config import Settings
from tenure.engine.cohorts import account_retention
from tenure.engine.kpis.calendar import add_months, month_start
from tenure.engine.usage_activity import contact_lifecycle, dau_mau, stickiness
from tenure.engine.usage_retention import (
    INTERVALS,
    RETURN_MODES,
    START_MODES,
    Interval,
    ReturnMode,
    StartMode,
    user_retention,
)
from tenure.pipeline.analyses.common import AnalysisError, latest_day, rows_of, table
from tenure.pipeline.imports import open_warehouse

Kind = Literal["accounts", "revenue", "users", "lifecycle", "stickiness"]
KINDS: tuple[Kind, ...] = ("accounts", "revenue", "users", "lifecycle", "stickiness")


@dataclass
class CohortResult:
    """An analysis' rows, with the options and dates it ran with."""

    kind: str
    start: dt.date
    end: dt.date
    options: dict[str, Any]
    rows: list[dict[str, Any]]
    summary: list[dict[str, Any]] = field(default_factory=list)  # DAU/MAU for stickiness
    seconds: float = 0.0


def _back(end: dt.date, interval: str, count: int) -> dt.date:
    if interval == "month":
        return add_months(month_start(end), -count)
    return end - dt.timedelta(days=count * (7 if interval == "week" else 1))


def cohort_analysis(
    settings: Settings,
    *,
    kind: Kind = "accounts",
    by: str | None = None,
    interval: Interval = "week",
    periods: int = 8,
    start: dt.date | None = None,
    end: dt.date | None = None,
    start_event: str | None = None,
    return_event: str | None = None,
    start_mode: StartMode = "first_ever",
    mode: ReturnMode = "on",
) -> CohortResult:
    """Run one cohort analysis on the workspace's warehouse.

    - ``accounts`` / ``revenue``: `engine.cohorts.account_retention` over the
      start months in [start, end] (default: the 12 months ending with the
      latest month with data), optionally split `by` an account attribute.
    - ``users``: `engine.usage_retention.user_retention`, start days in
      [start, end] (default: the `periods` intervals before the latest day),
      followed to the latest day with data.
    - ``lifecycle``: `engine.usage_activity.contact_lifecycle` per interval.
    - ``stickiness``: `engine.usage_activity.stickiness` per week or month,
      with DAU/MAU per month in ``summary``.
    """
    if kind not in KINDS:
        raise AnalysisError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    for name, value, allowed in (
        ("interval", interval, INTERVALS),
        ("start mode", start_mode, START_MODES),
        ("mode", mode, RETURN_MODES),
    ):
        if value not in allowed:
            raise AnalysisError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    began = time.perf_counter()
    warehouse = open_warehouse(settings)
    try:
        last = end or latest_day(warehouse)
        options: dict[str, Any] = {"by": by, "interval": interval}
        summary: list[dict[str, Any]] = []
        if kind in ("accounts", "revenue"):
            first = start or add_months(month_start(last), -11)
            accounts = table(warehouse, "accounts") if by else None
            expr = account_retention(
                table(warehouse, "subscriptions"), months=(first, last), accounts=accounts, by=by
            )
            options = {"by": by, "interval": "month"}
        elif kind == "users":
            first = start or _back(last, interval, periods)
            expr = user_retention(
                table(warehouse, "contact_daily"),
                start=first,
                end=last,
                as_of=last,
                interval=interval,
                periods=periods,
                start_event=start_event,
                return_event=return_event,
                start_mode=start_mode,
                mode=mode,
                events=table(warehouse, "events") if start_event or return_event else None,
            )
            options |= {
                "periods": periods,
                "start_event": start_event,
                "return_event": return_event,
                "start_mode": start_mode,
                "mode": mode,
            }
        elif kind == "lifecycle":
            first = start or _back(last, interval, periods)
            expr = contact_lifecycle(
                table(warehouse, "contact_daily"), start=first, end=last, interval=interval
            )
        else:
            sticky = interval if interval in ("week", "month") else "week"
            first = start or _back(last, sticky, periods)
            daily = table(warehouse, "contact_daily")
            expr = stickiness(daily, start=first, end=last, interval=sticky)
            summary = rows_of(dau_mau(daily, start=first, end=last))
            options["interval"] = sticky
        rows = rows_of(expr)
    except ValueError as exc:
        raise AnalysisError(str(exc)) from exc
    finally:
        warehouse.disconnect()
    return CohortResult(
        kind=kind,
        start=first,
        end=last,
        options=options,
        rows=rows,
        summary=summary,
        seconds=round(time.perf_counter() - began, 3),
    )
