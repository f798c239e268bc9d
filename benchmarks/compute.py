"""Benchmark of `tenure compute` on the standard workspace (10,000 accounts x 12 months).

`python -m benchmarks.compute`. In one run:
- floor: one hand-written DuckDB SQL group-by of the raw events by account and day;
- full compute for one as-of day, rollups rebuilt from every event;
- incremental update for one new day of events;
- backfill of 365 daily snapshots in one pass;
- the peer: a straightforward pandas rollup and event-count milestone statuses,
  against the engine doing the same (rollups from events, those milestones).
Prints one JSON line.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from tenure.config import load_settings
from tenure.definitions import Definitions, EventRule
from tenure.warehouse.connect import connect

WORKSPACE = Path("benchmarks/out/workspace")
FLOOR_SQL = (
    "SELECT count(*) FROM (SELECT account_id, CAST(timestamp AS DATE) AS day, count(*) AS n "
    "FROM events GROUP BY ALL)"
)


def ensure_workspace() -> None:
    if (WORKSPACE / "warehouse.duckdb").exists():
        return
    tenure = str(Path(sys.executable).with_name("tenure"))
    subprocess.run([tenure, "init", str(WORKSPACE)], check=True)
    args = ["--accounts", "10000", "--months", "12", "--seed", "1", "-w", str(WORKSPACE)]
    subprocess.run([tenure, "generate", *args], check=True, stdout=subprocess.DEVNULL)


def timed(action) -> float:  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    action()
    return round(time.perf_counter() - began, 2)


def timed_compute(settings, laps: dict[str, dict[str, float]], name: str, **days) -> float:  # type: ignore[no-untyped-def]
    """Seconds of one compute; its laps per step go into `laps[name]`."""
    from tenure.pipeline.compute import compute

    result = {}
    seconds = timed(lambda: result.update(run=compute(settings, **days)))
    laps[name] = {step: round(s, 2) for step, s in result["run"].seconds.items()}
    return seconds


def hold_back_last_day(url: str) -> tuple[dt.date, object]:
    """Remove the last day's events (kept in memory) so one new day can arrive later."""
    con = connect(url)
    events = con.table("events")
    last = events.timestamp.max().to_pyarrow().as_py().date()
    start = dt.datetime.combine(last, dt.time())
    held = events.filter(events.timestamp >= start).to_pyarrow()
    con.raw_sql(f"DELETE FROM events WHERE timestamp >= '{start.isoformat()}'")
    con.disconnect()
    return last, held


def floor_seconds(url: str) -> float:
    con = connect(url)
    seconds = timed(lambda: con.sql(FLOOR_SQL).execute())
    con.disconnect()
    return seconds


def peer_vs_engine(settings, last: dt.date) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from benchmarks.peers import pandas_milestones
    from tenure.engine.milestones import milestone_dates, milestone_status
    from tenure.pipeline.compute import sources_of
    from tenure.pipeline.rollups import refresh_for

    counted = [
        m
        for m in settings.definitions.milestones
        if isinstance(m.rule, EventRule)
        and not m.rule.where
        and not m.rule.distinct
        and m.within_days
    ]
    folder = WORKSPACE / "data" / "generated"

    def pandas_run() -> None:
        daily = pandas_milestones.rollup(folder)
        pandas_milestones.milestone_statuses(folder, daily, counted, as_of=last)

    def engine_run() -> None:
        con = connect(settings.resolved_warehouse_url)
        refresh_for(con, settings.definitions, full=True)
        definitions = Definitions(lifecycle=settings.definitions.lifecycle, milestones=counted)
        sources = sources_of(con, definitions)
        milestone_status(milestone_dates(definitions, sources), as_of=last).to_pyarrow()
        con.disconnect()

    return {"engine": timed(engine_run), "pandas": timed(pandas_run)}


def main() -> None:
    ensure_workspace()
    settings = load_settings(WORKSPACE)
    url = settings.resolved_warehouse_url
    floor = floor_seconds(url)
    last, held = hold_back_last_day(url)
    before = last - dt.timedelta(days=1)
    laps: dict[str, dict[str, float]] = {}
    full = timed_compute(settings, laps, "full", as_of=before, full=True)
    con = connect(url)
    con.insert("events", held)
    con.disconnect()
    incremental = timed_compute(settings, laps, "incremental")
    first = last - dt.timedelta(days=364)
    backfill = timed_compute(settings, laps, "backfill", start=first, end=last)
    peer = peer_vs_engine(settings, last)
    print(
        json.dumps(
            {
                "benchmark": "compute",
                "floor_seconds": floor,
                "full_compute_seconds": full,
                "full_ratio_to_floor": round(full / floor, 1),
                "incremental_day_seconds": incremental,
                "backfill_365_days_seconds": backfill,
                "engine_rollup_and_milestones_seconds": peer["engine"],
                "pandas_rollup_and_milestones_seconds": peer["pandas"],
                "speedup_vs_pandas": round(peer["pandas"] / peer["engine"], 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "laps": laps,
            }
        )
    )


if __name__ == "__main__":
    main()
