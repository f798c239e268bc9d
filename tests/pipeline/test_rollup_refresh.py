"""Incremental rollups equal a full rebuild, and cost only the new days."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa

from tenure.definitions import Definitions
from tenure.pipeline.rollups import refresh_rollups, tracked_details
from tenure.warehouse.connect import connect, ensure_fact_tables
from tenure.warehouse.schemas import EVENTS


def events(start: int, end: int) -> pa.Table:
    """One event per hour for hours [start, end) of March 2024, over two accounts."""
    hours = range(start, end)
    return pa.table(
        {
            "message_id": [f"m{h}" for h in hours],
            "account_id": [f"A{h % 2}" for h in hours],
            "contact_id": [f"c{h % 5}" for h in hours],
            "anonymous_id": [None for _ in hours],
            "event": ["core_feature_used" if h % 3 else "login" for h in hours],
            "timestamp": [datetime(2024, 3, 1) + timedelta(hours=h) for h in hours],
            "properties": [f'{{"feature": "f{h % 4}"}}' for h in hours],
        },
        schema=EVENTS.schema.to_pyarrow(),
    )


def snapshot(con):  # type: ignore[no-untyped-def]
    return {
        name: sorted(map(str, con.table(name).to_pyarrow().to_pylist()))
        for name in ("activity_daily", "contact_daily", "contact_event_first")
    }


def test_incremental_refresh_matches_a_full_build(tmp_path) -> None:
    con = connect(f"duckdb:///{tmp_path / 'w.duckdb'}")
    ensure_fact_tables(con)
    con.insert("events", events(0, 60))  # 1 March 00:00 to 3 March 11:00
    assert refresh_rollups(con).full
    con.insert("events", events(60, 100))  # the rest of 3 March, and 4 and 5 March
    step = refresh_rollups(con)
    assert not step.full
    assert str(step.since) == "2024-03-03"
    incremental = snapshot(con)
    assert refresh_rollups(con, full=True).full
    assert snapshot(con) == incremental


def test_a_change_of_tracked_properties_rebuilds(tmp_path) -> None:
    con = connect(f"duckdb:///{tmp_path / 'w.duckdb'}")
    ensure_fact_tables(con)
    con.insert("events", events(0, 10))
    refresh_rollups(con)
    assert refresh_rollups(con, details={"login": "os"}).full


def test_rules_add_the_properties_they_filter_on() -> None:
    definitions = Definitions.model_validate(
        {
            "lifecycle": [{"name": "onboarding"}],
            "milestones": [
                {
                    "name": "Exported",
                    "stage": "onboarding",
                    "rule": {"any": [{"event": "report_viewed", "where": {"format": "csv"}}]},
                },
            ],
        }
    )
    assert tracked_details(definitions)["report_viewed"] == "format"
    assert tracked_details(definitions)["core_feature_used"] == "feature"


def test_late_events_are_rolled_from_the_day_given(tmp_path) -> None:
    """Events drained late for a day already rolled: `since` re-rolls from that day."""
    con = connect(f"duckdb:///{tmp_path / 'w.duckdb'}")
    ensure_fact_tables(con)
    con.insert("events", events(24, 100))  # 2 March to 5 March
    refresh_rollups(con)
    con.insert("events", events(0, 24))  # 1 March arrives late
    plain = refresh_rollups(con)  # from the last rolled day only: 1 March is missed
    assert str(plain.since) == "2024-03-05"
    assert "2024-03-01" not in {str(d) for d in con.table("activity_daily").day.to_pyarrow()}
    step = refresh_rollups(con, since=datetime(2024, 3, 1).date())
    assert (step.full, str(step.since)) == (False, "2024-03-01")
    late = snapshot(con)
    refresh_rollups(con, full=True)
    assert snapshot(con) == late
