"""Stage and milestone dates brought up to date incrementally equal a fresh evaluation."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from tenure.config import load_settings
from tenure.pipeline.compute import sources_of
from tenure.pipeline.dates import MILESTONE_DATES, STAGE_DAYS, refreshed_dates
from tenure.pipeline.generate import generate_into_workspace
from tenure.pipeline.imports import open_warehouse
from tenure.pipeline.rollups import refresh_for
from tenure.workspace import init_workspace

END = date(2026, 10, 31)
CUT = datetime(2026, 10, 10)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ws")
    settings = init_workspace(folder)
    generate_into_workspace(settings, accounts=80, months=4, seed=11, end_date=END)
    return folder


def snapshot(warehouse) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return {
        name: sorted(map(str, warehouse.table(name).to_pyarrow().to_pylist()))
        for name in (STAGE_DAYS, MILESTONE_DATES)
    }


def refresh(warehouse, definitions, **options):  # type: ignore[no-untyped-def]
    rollups = refresh_for(warehouse, definitions, **options)
    sources = sources_of(warehouse, definitions)
    refreshed_dates(warehouse, definitions, sources, rollups, full=options.get("full", False))
    return rollups


def test_new_days_of_events_give_the_dates_of_a_fresh_evaluation(workspace: Path) -> None:
    settings = load_settings(workspace)
    definitions = settings.definitions
    warehouse = open_warehouse(settings)
    events = warehouse.table("events")
    later = events.filter(events.timestamp >= CUT).to_pyarrow()
    warehouse.raw_sql(f"DELETE FROM events WHERE timestamp >= '{CUT.isoformat()}'")
    refresh(warehouse, definitions, full=True)
    before = snapshot(warehouse)
    warehouse.insert("events", later)  # three weeks of events arrive
    step = refresh(warehouse, definitions)
    assert not step.full
    assert step.since == date(2026, 10, 9)
    incremental = snapshot(warehouse)
    refresh(warehouse, definitions, full=True)
    fresh = snapshot(warehouse)
    warehouse.disconnect()
    assert incremental == fresh
    assert incremental != before  # the new events did reach milestones


def test_a_change_of_definitions_evaluates_everything_again(workspace: Path) -> None:
    settings = load_settings(workspace)
    warehouse = open_warehouse(settings)
    refresh(warehouse, settings.definitions)
    five = [
        m.model_copy(update={"rule": m.rule.model_copy(update={"at_least": 5})})
        if m.name == "100 messages sent"
        else m
        for m in settings.definitions.milestones
    ]
    changed = settings.definitions.model_copy(update={"milestones": five})
    refresh(warehouse, changed)
    updated = snapshot(warehouse)
    refresh(warehouse, changed, full=True)
    assert updated == snapshot(warehouse)
    refresh(warehouse, settings.definitions, full=True)
    assert updated != snapshot(warehouse)
    warehouse.disconnect()
