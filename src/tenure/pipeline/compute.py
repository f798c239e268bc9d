"""`compute`: rollups -> lifecycle, milestones, health, engagement, KPIs -> app database.

One pass fills a whole range of days (the engine's window computations cover
every day at once); plain `compute` continues from the last computed day.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend
from sqlalchemy import Engine, func, select

from tenure.config import Settings
from tenure.db import (
    AccountDay,
    AccountProfile,
    ComputeRun,
    HealthContribution,
    KpiValue,
    MilestoneState,
    SubjectiveScore,
)
from tenure.db.bulk import bulk_writes
from tenure.definitions import Definitions
from tenure.engine.health import scorecard_assignment
from tenure.engine.lifecycle import lifecycle_stage
from tenure.engine.measures import MeasureSources
from tenure.engine.milestones import milestone_status
from tenure.engine.rules import Sources
from tenure.engine.segments import value_segment
from tenure.pipeline.dates import materialized, refreshed_dates
from tenure.pipeline.imports import open_app_db, open_warehouse
from tenure.pipeline.inbox import DrainReport, drain_inbox
from tenure.pipeline.kpis import kpi_rows
from tenure.pipeline.profiles import account_profiles, with_snapshot
from tenure.pipeline.results import replace_all, replace_days
from tenure.pipeline.rollups import RollupRefresh, refresh_for, tracked_details
from tenure.pipeline.stages import account_days


class NothingToCompute(ValueError):
    """The warehouse has no data to compute from, or the days asked for are wrong."""


@dataclass
class ComputeResult:
    first_day: dt.date
    last_day: dt.date
    rollups: RollupRefresh
    accounts: pa.Table  # account_days of the last day
    milestones: pa.Table  # milestone states as of the last day
    contributions: pa.Table  # health contributions of the last day
    kpis: pa.Table
    seconds: dict[str, float] = field(default_factory=dict)
    inbox: DrainReport = field(default_factory=DrainReport)  # events drained from the inbox first
    profiles: pa.Table = field(default_factory=lambda: pa.table({}))  # what pages show (last day)


def sources_of(warehouse: BaseBackend, definitions: Definitions) -> Sources:
    tables = [name for name in Sources.__dataclass_fields__ if name != "details"]
    return Sources(
        **{name: warehouse.table(name) for name in tables}, details=tracked_details(definitions)
    )


def compute(
    settings: Settings,
    *,
    as_of: dt.date | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    full: bool = False,
) -> ComputeResult:
    """Compute every account's results for the days asked for and store them.

    Events accepted over HTTP are drained from the inbox into the warehouse first.
    `as_of`: one day; `start`/`end`: every day of the range; neither: from the
    day after the last computed day to the latest day with data.
    """
    clock = _Clock()
    warehouse, app_db = open_warehouse(settings), open_app_db(settings)
    try:
        definitions = settings.definitions
        inbox = drain_inbox(app_db, warehouse)
        clock.lap("inbox")
        refresh = refresh_for(warehouse, definitions, full=full, since=inbox.earliest_day)
        clock.lap("rollups")
        first, last = _days(warehouse, app_db, as_of=as_of, start=start, end=end)
        subjective = subjective_entries(app_db)
        result = _compute_days(
            warehouse, definitions, settings, (first, last), refresh, clock, subjective
        )
        result.rollups, result.inbox = refresh, inbox
        profiles = account_profiles(warehouse, definitions, as_of=last)
        result.profiles = with_snapshot(profiles, result.accounts, day=last)
        clock.lap("profiles")
        _store(app_db, result, clock)
    finally:
        app_db.dispose()
        warehouse.disconnect()
    return result


def _compute_days(
    warehouse: BaseBackend,
    definitions: Definitions,
    settings: Settings,
    span: tuple[dt.date, dt.date],
    rollups: RollupRefresh,
    clock: _Clock,
    subjective: ir.Table | None,
) -> ComputeResult:
    first, last = span
    sources = sources_of(warehouse, definitions)
    entries, dates = refreshed_dates(warehouse, definitions, sources, rollups)
    clock.lap("lifecycle and milestones")
    accounts, contributions = _health(sources, definitions, entries, (first, last), subjective)
    clock.lap("health and engagement")
    milestones = milestone_status(dates, as_of=last).to_pyarrow()
    kpis = kpi_rows(sources, dates, settings, as_of=last, engagement=accounts)
    clock.lap("kpis")
    return ComputeResult(
        first,
        last,
        RollupRefresh(False, None, 0.0),
        accounts,
        milestones,
        contributions,
        kpis,
        clock.laps,
    )


def _health(
    sources: Sources,
    definitions: Definitions,
    entries: ir.Table,
    span: tuple[dt.date, dt.date],
    subjective: ir.Table | None,
) -> tuple[pa.Table, pa.Table]:
    """The account_days rows of `span` (stage, health, engagement) and the health
    contributions of its last day, over every scorecard."""
    last = span[1]
    warehouse = ibis.get_backend(sources.accounts)
    measured = MeasureSources.of(sources)
    if "churn_predictions" in warehouse.list_tables():  # written by the churn model
        measured = replace(measured, churn_predictions=warehouse.table("churn_predictions"))
    assignment = None
    if definitions.scorecards:
        stages = lifecycle_stage(entries, as_of=last).select("account_id", "stage")
        segments = value_segment(
            sources.accounts, sources.subscriptions, definitions.value_segments, as_of=last
        )
        accounts = segments.left_join(stages, "account_id")
        assignment = scorecard_assignment(
            accounts.select("account_id", "stage", "segment"), definitions.scorecards
        )
    return account_days(
        measured,
        definitions.scorecards,
        entries=entries,
        span=span,
        assignment=assignment,
        subjective=subjective,
        materialized=lambda table: materialized(warehouse, table),
    )


def subjective_entries(app_db: Engine) -> ir.Table | None:
    """Recorded subjective points (the CSM pulse) from the app database, if any."""
    columns = [
        SubjectiveScore.account_id,
        SubjectiveScore.measure,
        SubjectiveScore.value_points,
        SubjectiveScore.recorded_at,
    ]
    with app_db.connect() as connection:
        rows = connection.execute(select(*columns)).all()
    if not rows:
        return None
    account_id, measure, points, recorded = zip(*rows, strict=True)
    return ibis.memtable(
        pa.table(
            {
                "account_id": pa.array(account_id, pa.string()),
                "measure": pa.array(measure, pa.string()),
                "value_points": pa.array(points, pa.float64()),
                "recorded_at": pa.array(
                    [r.replace(tzinfo=None) for r in recorded], pa.timestamp("us")
                ),
            }
        )
    )


def _days(
    warehouse: BaseBackend,
    app_db: Engine,
    *,
    as_of: dt.date | None,
    start: dt.date | None,
    end: dt.date | None,
) -> tuple[dt.date, dt.date]:
    if as_of is not None:
        return as_of, as_of
    latest = warehouse.table("activity_daily").day.max().to_pyarrow().as_py()
    if start is not None or end is not None:
        first, last = start or end, end or latest
    else:
        if latest is None:
            raise NothingToCompute("no events in the warehouse yet: import some, then compute")
        with app_db.connect() as connection:
            done = connection.execute(select(func.max(ComputeRun.last_day))).scalar()
        first = min(done + dt.timedelta(days=1), latest) if done else latest
        last = latest
    if first is None or last is None or last < first:
        raise NothingToCompute(f"nothing to compute between {first} and {last}")
    return first, last


def _store(app_db: Engine, result: ComputeResult, clock: _Clock) -> None:
    span, last = (result.first_day, result.last_day), (result.last_day, result.last_day)
    with bulk_writes(app_db) as writes:  # one transaction: all of the run's results or none
        replace_days(writes, AccountDay, result.accounts, days=span)
        if result.contributions.num_rows:
            replace_days(writes, HealthContribution, result.contributions, days=last)
        replace_all(writes, MilestoneState, result.milestones)
        replace_all(writes, AccountProfile, result.profiles)
        replace_days(writes, KpiValue, result.kpis, days=last, column="as_of")
    clock.lap("store")
    with app_db.begin() as connection:
        connection.execute(
            ComputeRun.__table__.insert(),  # type: ignore[attr-defined]
            {
                "started_at": clock.started_at,
                "finished_at": datetime.now(UTC),
                "first_day": result.first_day,
                "last_day": result.last_day,
                "accounts": result.accounts.num_rows,
                "seconds": sum(clock.laps.values()),
            },
        )


class _Clock:
    def __init__(self) -> None:
        self.started_at = datetime.now(UTC)
        self._last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 3)
        self._last = now
