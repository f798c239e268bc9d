"""Stored analyses: run a fixed set of analyses for a workspace and keep each result in the
app database (`analysis_results`), where the web pages and the API read them.

Each analysis is one of the documented analysis functions (cohorts, churn,
survival, segments) run with sensible defaults for one as-of day; its result is
stored as the same plain JSON that its command prints with ``--json``
(`tenure.pipeline.plain`). An analysis that cannot run (no data for it, a
definition missing) stores ``{"error": "..."}`` and the others still run.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from tenure.config import Settings
from tenure.db import AnalysisResult
from tenure.pipeline.analyses import churn, cohorts, segments
from tenure.pipeline.analyses.common import AnalysisError, latest_day
from tenure.pipeline.imports import open_app_db, open_warehouse
from tenure.pipeline.plain import plain_data, to_json
from tenure.stats.errors import StatsInputError

log = logging.getLogger(__name__)

CHURN_DIMENSIONS = ("plan", "industry", "segment", "owner", "tenure")
MIGRATION_DAYS = 90
# Mistakes of data or definitions: stored as their message. Anything else is a bug,
# stored too (so the other analyses still run) but logged with its traceback.
EXPECTED_ERRORS = (AnalysisError, segments.SegmentsError, StatsInputError, ValueError)

Run = Callable[[Settings, dt.date], Any]


def _survival(settings: Settings, day: dt.date) -> Any:
    from tenure.pipeline.analyses.survival import survival_analysis, survival_json  # lifelines

    return survival_json(survival_analysis(settings, by="plan", as_of=day))


def _churn(dimension: str) -> Run:
    return lambda settings, day: churn.churn_rates(settings, by=dimension, end=day)


def _cohorts(kind: cohorts.Kind) -> Run:
    return lambda settings, day: cohorts.cohort_analysis(settings, kind=kind, end=day)


def _migration(settings: Settings, day: dt.date) -> Any:
    start = day - dt.timedelta(days=MIGRATION_DAYS)
    return segments.migration(settings, kind="value", start=start, end=day, compare=False)


# name -> what runs it, in the order they run. Names are stable: pages and API use them.
ANALYSES: dict[str, Run] = {
    "cohorts.accounts": _cohorts("accounts"),
    "cohorts.revenue": _cohorts("revenue"),
    **{f"churn.{d}": _churn(d) for d in CHURN_DIMENSIONS},
    "churn.reasons": lambda settings, day: churn.churn_reasons_by_month(settings, end=day),
    "survival.plan": _survival,
    "segments.pyramid": lambda settings, day: segments.pyramid(settings, as_of=day),
    "segments.headcount": lambda settings, day: segments.headcount(settings, as_of=day),
    "segments.behaviour": lambda settings, day: segments.behaviour(settings, as_of=day),
    "segments.migration": _migration,
}


@dataclass
class StoredAnalysis:
    name: str
    as_of: dt.date | None
    seconds: float
    error: str | None = None


@dataclass
class RefreshReport:
    as_of: dt.date
    analyses: list[StoredAnalysis] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[StoredAnalysis]:
        return [a for a in self.analyses if a.error is not None]


def _as_of(settings: Settings) -> dt.date:
    warehouse = open_warehouse(settings)
    try:
        return latest_day(warehouse)
    finally:
        warehouse.disconnect()


def _run(name: str, run: Run, settings: Settings, day: dt.date) -> tuple[dict[str, Any], float]:
    began = time.perf_counter()
    try:
        payload = plain_data(run(settings, day))
    except EXPECTED_ERRORS as exc:
        payload = {"error": str(exc)}
    except Exception as exc:  # a bug in one analysis must not lose the others
        log.exception("analysis %s failed", name)
        payload = {"error": f"{type(exc).__name__}: {exc} (see the log)"}
    return payload, round(time.perf_counter() - began, 3)


def refresh_analyses(
    settings: Settings, as_of: dt.date | None = None, *, names: list[str] | None = None
) -> RefreshReport:
    """Run the stored analyses (all of `ANALYSES`, or `names`) for `as_of` and store them.

    ``as_of`` defaults to the latest day with data (`common.latest_day`); every
    analysis runs for that one day, so the pages agree with each other. Each
    row of `analysis_results` is replaced: (name, as_of, computed_at, payload
    JSON, seconds).
    """
    unknown = sorted(set(names or []) - set(ANALYSES))
    if unknown:
        raise AnalysisError(f"unknown analyses {', '.join(unknown)}: use {', '.join(ANALYSES)}")
    began = time.perf_counter()
    day = as_of or _as_of(settings)
    report = RefreshReport(as_of=day)
    engine = open_app_db(settings)
    try:
        for name in names or list(ANALYSES):
            payload, seconds = _run(name, ANALYSES[name], settings, day)
            error = payload.get("error") if isinstance(payload, dict) else None
            with Session(engine) as session, session.begin():
                session.merge(
                    AnalysisResult(
                        name=name,
                        as_of=day,
                        computed_at=dt.datetime.now(dt.UTC),
                        payload=to_json(payload),
                        seconds=seconds,
                    )
                )
            report.analyses.append(StoredAnalysis(name, day, seconds, error))
    finally:
        engine.dispose()
    report.seconds = round(time.perf_counter() - began, 3)
    return report
