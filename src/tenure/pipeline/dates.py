"""Stage and milestone dates kept in the warehouse between runs, so a new day costs little.

The first day a rule on the activity rollups holds (`stage_rule_days`,
`milestone_dates`) only changes for what was not yet met before the first
day whose rolled-up data changed: such rules are causal. So each run stores
its dates in the warehouse and the next one re-evaluates only the rest. A new
day of events then costs time in proportion to the accounts still working
towards something, not to the whole history. Rules on the other facts
(subscriptions, tickets, surveys, attributes) are cheap and always evaluated
afresh, so corrections of those facts show at once.

Everything is evaluated afresh when the definitions or the tracked
properties change, when the rollups were rebuilt, or with `full=True`. New
accounts, anchors that moved and late events are picked up by every run.
"""

from __future__ import annotations

import json
import uuid
from datetime import date

import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from tenure.definitions import Definitions
from tenure.engine.lifecycle import entries_from, stage_rule_days
from tenure.engine.milestones import milestone_dates
from tenure.engine.rules import Sources
from tenure.pipeline.rollups import RollupRefresh

STATE = "dates_state"
STAGE_DAYS = "stage_rule_days"
MILESTONE_DATES = "milestone_dates"


def refreshed_dates(
    warehouse: BaseBackend,
    definitions: Definitions,
    sources: Sources,
    rollups: RollupRefresh,
    *,
    full: bool = False,
) -> tuple[ir.Table, ir.Table]:
    """`(stage_entries, milestone_dates)` up to date, stored for the next run."""
    state = json.dumps(
        {
            "lifecycle": [s.model_dump(mode="json") for s in definitions.lifecycle],
            "milestones": [m.model_dump(mode="json") for m in definitions.milestones],
            "details": dict(sorted(sources.details.items())),
            "rollups": rollups.build,
        },
        sort_keys=True,
    )
    since = None if full else _changed_since(warehouse, state, rollups)
    stored = since is not None
    raw = materialized(
        warehouse,
        stage_rule_days(
            definitions,
            sources,
            previous=warehouse.table(STAGE_DAYS) if stored else None,
            since=since,
        ),
    )
    entries = materialized(warehouse, entries_from(raw))
    dates = milestone_dates(
        definitions,
        sources,
        stage_entries=entries,
        previous=warehouse.table(MILESTONE_DATES) if stored else None,
        since=since,
    )
    dates = materialized(warehouse, dates)
    warehouse.create_table(STAGE_DAYS, raw, overwrite=True)
    warehouse.create_table(MILESTONE_DATES, dates, overwrite=True)
    stored_state = pa.table(
        {"state": pa.array([state]), "through": pa.array([rollups.through], pa.date32())}
    )
    warehouse.create_table(STATE, stored_state, overwrite=True)
    return entries, dates


def _changed_since(warehouse: BaseBackend, state: str, rollups: RollupRefresh) -> date | None:
    """The first day whose data may have changed since the stored dates (None: start over).

    The stored dates saw the rollups through their `through` day; every refresh
    since re-rolled from at most that day, or from the day this one started at.
    """
    tables = warehouse.list_tables()
    if rollups.full or not {STATE, STAGE_DAYS, MILESTONE_DATES} <= set(tables):
        return None
    rows = warehouse.table(STATE).to_pyarrow().to_pylist()
    if not rows or rows[0]["state"] != state or rows[0]["through"] is None:
        return None
    through: date = rows[0]["through"]
    return min(through, rollups.since) if rollups.since else through


def materialized(warehouse: BaseBackend, table: ir.Table) -> ir.Table:
    """An intermediate result computed once (read by several later steps)."""
    name = f"_tenure_{uuid.uuid4().hex[:12]}"
    return warehouse.create_table(name, table, temp=warehouse.name != "pyspark")
