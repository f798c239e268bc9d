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
import uuid
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

import ibis
import sqlglot as sg
import sqlglot.expressions as sge
from ibis.backends import BaseBackend

from tenure.definitions import Definitions, EventRule, Rule, ShareOfContactsRule
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
    build: str | None = None  # id of the full build the rollups descend from
    through: date | None = None  # the last day rolled up


def _rules(definitions: Definitions) -> Iterator[Rule]:
    """Every rule of the milestones and lifecycle stages, nested ones included."""
    pending = [m.rule for m in definitions.milestones] + [s.enters for s in definitions.lifecycle]
    while pending:
        rule = pending.pop()
        if rule is not None:
            yield rule
            pending += [*getattr(rule, "any", []), *getattr(rule, "all", [])]


def tracked_details(definitions: Definitions) -> dict[str, str]:
    """The defaults plus every property a rule filters on or counts distinct values of."""
    details = dict(DEFAULT_DETAILS)
    for rule in _rules(definitions):
        if isinstance(rule, EventRule):
            for prop in [*rule.where, *([rule.distinct] if rule.distinct else [])]:
                details[rule.event] = prop
    return details


def tracked_first_events(definitions: Definitions) -> list[str]:
    """The events whose first day per contact a rule needs (`share_of_contacts`)."""
    found = {r.share_of_contacts for r in _rules(definitions) if isinstance(r, ShareOfContactsRule)}
    return sorted(found)


def refresh_for(con: BaseBackend, definitions: Definitions, **options: object) -> RollupRefresh:
    """`refresh_rollups` with what `definitions` track (every caller must agree on it)."""
    return refresh_rollups(
        con,
        details=tracked_details(definitions),
        firsts=tracked_first_events(definitions),
        **options,  # type: ignore[arg-type]
    )


def refresh_rollups(
    con: BaseBackend,
    *,
    details: Mapping[str, str] = DEFAULT_DETAILS,
    firsts: Collection[str] | None = None,
    full: bool = False,
    since: date | None = None,
) -> RollupRefresh:
    """Bring `activity_daily`, `contact_daily` and `contact_event_first` up to date.

    `details`: the property rolled up per event; `firsts`: the events kept in
    `contact_event_first` (None: all). `since`: re-roll from that day at the
    latest (events just drained from the inbox may be late for days already rolled).
    """
    started = time.perf_counter()
    ensure_fact_tables(con)
    events = con.table("events")
    tracked = {
        "details": dict(sorted(details.items())),
        "firsts": None if firsts is None else sorted(firsts),
    }
    state = json.dumps(tracked)
    last = None if full or _state(con) != state else _last_rolled_day(con)
    since = min(last, since) if last and since else last
    if since is None:
        con.create_table("activity_daily", activity_daily(events, details=details), overwrite=True)
        con.create_table("contact_daily", contact_daily(events), overwrite=True)
        con.create_table(
            "contact_event_first", contact_event_first(events, only=firsts), overwrite=True
        )
        build = uuid.uuid4().hex
        con.create_table(
            STATE, ibis.memtable({"details": [state], "build": [build]}), overwrite=True
        )
    else:
        for name in ("activity_daily", "contact_daily"):
            _delete_from(con, name, since)
        # A late event can be a contact's new first: firsts from `since` on are recomputed.
        _delete_from(con, "contact_event_first", since, column="first_day")
        con.insert("activity_daily", activity_daily(events, details=details, since=since))
        con.insert("contact_daily", contact_daily(events, since=since))
        known = con.table("contact_event_first")
        new = contact_event_first(events, since=since, only=firsts)
        con.insert(
            "contact_event_first",
            new.anti_join(known, ["account_id", "contact_id", "event"]),
        )
    seconds = time.perf_counter() - started
    return RollupRefresh(since is None, since, seconds, _build(con), _last_rolled_day(con))


def _state(con: BaseBackend) -> str | None:
    if STATE not in con.list_tables() or "activity_daily" not in con.list_tables():
        return None
    rows = con.table(STATE).details.to_pyarrow().to_pylist()
    return rows[0] if rows else None


def _build(con: BaseBackend) -> str | None:
    state = con.table(STATE)
    if "build" not in state.columns:  # written before builds had ids
        return None
    rows = state.build.to_pyarrow().to_pylist()
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
