"""Small hand-written fact tables for the rule, milestone and lifecycle tests.

Rows are dicts naming only the columns a test needs; the rest are null. The
rollups are built from the events with `tenure.engine.rollups`, as in production.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend
from pydantic import TypeAdapter

from tenure.definitions import Rule
from tenure.engine.rollups import activity_daily, contact_daily, contact_event_first
from tenure.engine.rules import Sources, rule_achieved
from tenure.warehouse.schemas import FACT_TABLES

Row = dict[str, Any]
RULE = TypeAdapter(Rule)


def rule(data: Mapping[str, Any]) -> Any:
    """A rule from its YAML-like mapping, validated as `tenure.yaml` would be."""
    return RULE.validate_python(data)


def fact(name: str, rows: Iterable[Row]) -> pa.Table:
    """The fact table `name` with `rows` (missing columns null)."""
    schema = FACT_TABLES[name].schema.to_pyarrow()
    return pa.Table.from_pylist(
        [{c: row.get(c) for c in schema.names} for row in rows], schema=schema
    )


def event(
    account: str | None,
    contact: str | None,
    name: str,
    day: dt.date,
    *,
    count: int = 1,
    hour: int = 12,
    **properties: str,
) -> list[Row]:
    """`count` events `name` of a contact on a day (at `hour`), with properties."""
    at = dt.datetime(day.year, day.month, day.day, hour)
    props = json.dumps(properties) if properties else None
    return [
        {"account_id": account, "contact_id": contact, "event": name, "timestamp": at,
         "properties": props}
        for _ in range(count)
    ]  # fmt: skip


def load_sources(
    backend: BaseBackend,
    *,
    accounts: Sequence[Row] = (),
    contacts: Sequence[Row] = (),
    subscriptions: Sequence[Row] = (),
    tickets: Sequence[Row] = (),
    survey_responses: Sequence[Row] = (),
    events: Sequence[Row] = (),
) -> Sources:
    """Load the facts into `backend` and bundle them with rollups over the events."""
    events = [{**row, "message_id": f"m{i}"} for i, row in enumerate(events)]
    given = {
        "accounts": _keyed(accounts, "account_id"),
        "contacts": _keyed(contacts, "contact_id"),
        "subscriptions": _keyed(subscriptions, "subscription_id"),
        "tickets": _keyed(tickets, "ticket_id"),
        "survey_responses": _keyed(survey_responses, "response_id"),
        "events": events,
    }
    tables = {name: backend.create_table(name, fact(name, rows)) for name, rows in given.items()}
    facts = tables.pop("events")
    return Sources(
        **tables,
        activity_daily=activity_daily(facts),
        contact_daily=contact_daily(facts),
        contact_event_first=contact_event_first(facts),
    )


def _keyed(rows: Sequence[Row], key: str) -> list[Row]:
    """Rows with a generated key where they have none."""
    return [{key: f"{key}{i}", **row} for i, row in enumerate(rows)]


def anchors(backend: BaseBackend, days: Mapping[str, dt.date], name: str = "anchors") -> ir.Table:
    """An anchors table (account_id, anchor_day) in `backend`."""
    table = pa.table(
        {
            "account_id": pa.array(list(days), pa.string()),
            "anchor_day": pa.array(list(days.values()), pa.date32()),
        }
    )
    return backend.create_table(name, table)


def achieved_days(
    sources: Sources, cases: Mapping[str, tuple[Any, ir.Table]]
) -> dict[str, dict[str, dt.date]]:
    """`rule_achieved` of several labelled (rule, anchors), in one query: label → account → day."""
    parts = [
        rule_achieved(r, sources, anchors=a).mutate(case=ibis.literal(label))
        for label, (r, a) in cases.items()
    ]
    found: dict[str, dict[str, dt.date]] = {label: {} for label in cases}
    for row in ibis.union(*parts).to_pyarrow().to_pylist():
        found[row["case"]][row["account_id"]] = row["achieved_on"]
    return found
