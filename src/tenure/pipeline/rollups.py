"""Materialize the daily rollups in the warehouse, incrementally.

A full build scans every event once. After that, a refresh re-rolls only the
days from the last rolled day on (that day may have been partial), so a new day
of data costs time in proportion to its events, not to the history. Events
that arrive late for days already rolled are picked up by `since` (compute
passes the earliest day of the events it drained from the inbox) or by
`full=True` (`tenure compute --full`, also needed after any change of the
tracked properties).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import ibis
import sqlglot as sg
import sqlglot.expressions as sge
from ibis.backends import BaseBackend

from tenure.definitions import Definitions, EventRule
from tenure.engine.rollups import (
    DEFAULT_DETAILS,
    activity_daily,
    contact_daily,
    contact_event_first,
)
from tenure.warehouse.connect import ensure_fact_tables

STATE = "rollup_state"
# Backends that delete rows in place; the others rewrite the table.
DELETES_IN_PLACE = {"duckdb": True, "postgres": True, "pyspark": False}


@dataclass(frozen=True)
class RollupRefresh:
    full: bool
    since: date | None  # first day re-rolled (None: everything)
    seconds: float


def tracked_details(definitions: Definitions) -> dict[str, str]:
    """The defaults plus every property a rule filters on or counts distinct values of."""
    details = dict(DEFAULT_DETAILS)
    pending = [m.rule for m in definitions.milestones] + [s.enters for s in definitions.lifecycle]
    while pending:
        rule = pending.pop()
        if isinstance(rule, EventRule):
            for prop in [*rule.where, *([rule.distinct] if rule.distinct else [])]:
                details[rule.event] = prop
        pending += [*getattr(rule, "any", []), *getattr(rule, "all", [])]
    return details


def refresh_rollups(
    con: BaseBackend,
    *,
    details: Mapping[str, str] = DEFAULT_DETAILS,
    full: bool = False,
    since: date | None = None,
) -> RollupRefresh:
    """Bring `activity_daily`, `contact_daily` and `contact_event_first` up to date.

    `since`: re-roll from that day at the latest (events just drained from the
    inbox may be late for days already rolled).
    """
    started = time.perf_counter()
    ensure_fact_tables(con)
    events = con.table("events")
    state = json.dumps(dict(sorted(details.items())))
    last = None if full or _state(con) != state else _last_rolled_day(con)
    since = min(last, since) if last and since else last
    if since is None:
        con.create_table("activity_daily", activity_daily(events, details=details), overwrite=True)
        con.create_table("contact_daily", contact_daily(events), overwrite=True)
        con.create_table("contact_event_first", contact_event_first(events), overwrite=True)
        con.create_table(STATE, ibis.memtable({"details": [state]}), overwrite=True)
    else:
        for name in ("activity_daily", "contact_daily"):
            _delete_from(con, name, since)
        # A late event can be a contact's new first: firsts from `since` on are recomputed.
        _delete_from(con, "contact_event_first", since, column="first_day")
        con.insert("activity_daily", activity_daily(events, details=details, since=since))
        con.insert("contact_daily", contact_daily(events, since=since))
        firsts = con.table("contact_event_first")
        new = contact_event_first(events, since=since)
        con.insert(
            "contact_event_first",
            new.anti_join(firsts, ["account_id", "contact_id", "event"]),
        )
    return RollupRefresh(since is None, since, time.perf_counter() - started)


def _state(con: BaseBackend) -> str | None:
    if STATE not in con.list_tables() or "activity_daily" not in con.list_tables():
        return None
    rows = con.table(STATE).details.to_pyarrow().to_pylist()
    return rows[0] if rows else None


def _last_rolled_day(con: BaseBackend) -> date | None:
    day = con.table("activity_daily").day.max().to_pyarrow().as_py()
    return day if isinstance(day, date) else None


def _delete_from(con: BaseBackend, name: str, since: date, *, column: str = "day") -> None:
    """Delete the rows of `name` from day `since` on (built as a syntax tree, not text)."""
    if DELETES_IN_PLACE.get(con.name, False):
        condition = sge.GTE(
            this=sg.column(column), expression=sge.cast(sge.convert(since.isoformat()), "date")
        )
        statement = sg.delete(sg.table(name)).where(condition)
        con.raw_sql(statement.sql(con.dialect))
        return
    table = con.table(name)
    kept = table.filter(table[column] < since).to_pyarrow()
    con.create_table(name, kept, overwrite=True)
