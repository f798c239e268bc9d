"""Drain the event inbox (app database) into the warehouse facts.

Messages accepted over HTTP wait in ``inbox``; ``compute`` calls `drain_inbox`
first, so an accepted event is in the next compute. Per chunk of messages, in
time order:

- ``identify`` (with a ``userId``) updates the contact ``userId``: traits from
  ``context.traits`` and ``traits`` (the latter wins);
- ``group`` updates the account ``groupId`` with its traits and, with a
  ``userId``, sets that contact's ``account_id`` (``context.groupId`` on an
  identify does the same);
- ``track`` becomes an ``events`` row; ``page``/``screen`` become the events
  ``Page Viewed``/``Screen Viewed`` with ``name`` and ``category`` in their
  properties. An event's account is ``context.groupId``, else
  ``properties.groupId``, else the account its contact is linked to;
- ``touch`` (the web app's "log a touch" form, never accepted over HTTP)
  becomes a ``touches`` row: its ``touch`` object holds the row's columns;
- ``alias`` calls and identify calls without a ``userId`` are kept in the inbox
  but change no fact.

A trait named like a column (``email``, ``plan``, ``createdAt`` or
``created_at``, ...) fills that column when its value has the column's type;
every other trait is merged into the row's ``traits`` JSON. Traits merge into
what the warehouse holds: an identify that sends only ``plan`` keeps the
contact's stored email. Writes go through the idempotent upsert, and rows are
marked processed only after it, so a crash in between re-applies the same
messages to the same result.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import ibis
import orjson
import pyarrow as pa
from ibis.backends import BaseBackend
from sqlalchemy import Engine

from tenure.db import PendingMessage, mark_processed, pending_messages
from tenure.warehouse.connect import ensure_fact_tables
from tenure.warehouse.schemas import ACCOUNTS, CONTACTS, EVENTS, TOUCHES, Column, FactTable
from tenure.warehouse.writes import WriteCounts, upsert

VIEW_EVENTS = {"page": "Page Viewed", "screen": "Screen Viewed"}
ALIASES = {"accounts": {"website": "domain"}}  # used when the column's own trait is absent
_MISSING = object()


@dataclass(frozen=True)
class DrainReport:
    messages: int = 0
    events: WriteCounts = field(default_factory=WriteCounts)
    contacts: WriteCounts = field(default_factory=WriteCounts)
    accounts: WriteCounts = field(default_factory=WriteCounts)
    touches: WriteCounts = field(default_factory=WriteCounts)
    ignored: int = 0  # alias calls, identify calls without a userId
    earliest_day: date | None = None  # of the events drained: rollups re-roll from there
    seconds: float = 0.0


@dataclass
class _Update:
    """What a chunk says about one contact or account: traits in time order, a link."""

    traits: dict[str, Any] = field(default_factory=dict)
    account_id: str | None = None


@dataclass
class _Chunk:
    contacts: dict[str, _Update] = field(default_factory=dict)
    accounts: dict[str, _Update] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    touches: list[dict[str, Any]] = field(default_factory=list)
    ignored: int = 0


def drain_inbox(app_db: Engine, warehouse: BaseBackend, *, chunk: int = 50_000) -> DrainReport:
    """Move every pending inbox message into the warehouse facts; mark them processed."""
    started = time.perf_counter()
    ensure_fact_tables(warehouse)
    total, ignored, earliest = 0, 0, None
    counts = {name: WriteCounts() for name in ("events", "contacts", "accounts", "touches")}
    while pending := pending_messages(app_db, limit=chunk):
        parts = _parts(pending)
        written = {
            "accounts": _write(warehouse, ACCOUNTS, _merged(warehouse, ACCOUNTS, parts.accounts)),
            "contacts": _write(warehouse, CONTACTS, _merged(warehouse, CONTACTS, parts.contacts)),
        }
        events = _with_accounts(warehouse, parts.events)
        written["events"] = _write(warehouse, EVENTS, pa.Table.from_pylist(events, _arrow(EVENTS)))
        touches = pa.Table.from_pylist(parts.touches, _arrow(TOUCHES))
        written["touches"] = _write(warehouse, TOUCHES, touches)
        mark_processed(app_db, (m.id for m in pending))
        counts = {name: _added(counts[name], written[name]) for name in counts}
        total, ignored = total + len(pending), ignored + parts.ignored
        days = [e["timestamp"].date() for e in events]
        earliest = min([*days, earliest] if earliest else days, default=None)
    return DrainReport(
        total,
        counts["events"],
        counts["contacts"],
        counts["accounts"],
        counts["touches"],
        ignored,
        earliest,
        round(time.perf_counter() - started, 3),
    )


def _parts(pending: list[PendingMessage]) -> _Chunk:
    chunk = _Chunk()
    messages = sorted((orjson.loads(m.payload) for m in pending), key=lambda m: m["timestamp"])
    for message in messages:
        kind, user_id = message["type"], message.get("userId")
        context = message.get("context") or {}
        if kind in ("track", "page", "screen"):
            chunk.events.append(_event(message, kind, context))
        elif kind == "identify" and user_id:
            contact = chunk.contacts.setdefault(user_id, _Update())
            contact.traits |= {**(context.get("traits") or {}), **(message.get("traits") or {})}
            contact.account_id = _text(context.get("groupId")) or contact.account_id
        elif kind == "group":
            account = chunk.accounts.setdefault(message["groupId"], _Update())
            account.traits |= message.get("traits") or {}
            if user_id:
                chunk.contacts.setdefault(user_id, _Update()).account_id = message["groupId"]
        elif kind == "touch":
            chunk.touches.append(_touch(message["touch"]))
        else:
            chunk.ignored += 1
    return chunk


def _touch(touch: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {name: touch.get(name) for name in TOUCHES.column_names}
    row["at"] = _naive_utc(datetime.fromisoformat(touch["at"]))
    return row


def _event(message: dict[str, Any], kind: str, context: dict[str, Any]) -> dict[str, Any]:
    properties = dict(message.get("properties") or {})
    if kind != "track":
        properties |= {k: message[k] for k in ("name", "category") if message.get(k) is not None}
    return {
        "message_id": message["messageId"],
        "account_id": _text(context.get("groupId")) or _text(properties.get("groupId")),
        "contact_id": message.get("userId"),
        "anonymous_id": message.get("anonymousId"),
        "event": message["event"] if kind == "track" else VIEW_EVENTS[kind],
        "timestamp": _naive_utc(datetime.fromisoformat(message["timestamp"])),
        "properties": orjson.dumps(properties).decode() if properties else None,
    }


def _with_accounts(warehouse: BaseBackend, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fill an event's missing account from its contact's link (after this chunk's links)."""
    users = {e["contact_id"] for e in events if e["account_id"] is None and e["contact_id"]}
    if not users:
        return events
    links = {
        row["contact_id"]: row["account_id"]
        for row in _stored(warehouse, CONTACTS, users)
        if row["account_id"] is not None
    }
    for event in events:
        if event["account_id"] is None and event["contact_id"] in links:
            event["account_id"] = links[event["contact_id"]]
    return events


def _merged(warehouse: BaseBackend, table: FactTable, updates: dict[str, _Update]) -> pa.Table:
    """The rows of `updates` applied on top of what the warehouse holds for those keys."""
    stored = {row[table.key]: row for row in _stored(warehouse, table, updates)}
    rows = []
    for key, update in updates.items():
        row = stored.get(key) or dict.fromkeys(table.column_names) | {table.key: key}
        stored_extras = row[table.extras]
        extras = json.loads(stored_extras) if stored_extras else {}
        for trait, value in _with_aliases(table, update.traits).items():
            column = _column_for(table, trait)
            converted = _MISSING if column is None else _converted(column, value)
            if converted is _MISSING:
                extras[trait] = value
            else:
                row[column.name] = converted  # type: ignore[union-attr]
        if update.account_id is not None:
            row["account_id"] = update.account_id
        row[table.extras] = json.dumps(extras, sort_keys=True) if extras else None
        rows.append(row)
    return pa.Table.from_pylist(rows, _arrow(table))


def _with_aliases(table: FactTable, traits: dict[str, Any]) -> dict[str, Any]:
    traits = dict(traits)
    for alias, column in ALIASES.get(table.name, {}).items():
        if alias in traits and column not in traits:
            traits[column] = traits.pop(alias)
    if (
        table is CONTACTS
        and "name" not in traits
        and ("firstName" in traits or "lastName" in traits)
    ):
        traits["name"] = " ".join(
            str(traits[k]) for k in ("firstName", "lastName") if traits.get(k)
        )
    return traits


def _column_for(table: FactTable, trait: str) -> Column | None:
    for column in table.columns:
        if column.name in (table.key, table.extras):
            continue
        if trait in (column.name, _camel(column.name)):
            return column
    return None


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


def _converted(column: Column, value: Any) -> Any:
    """`value` as the column's type, or _MISSING when it does not fit (kept in the JSON)."""
    if value is None or isinstance(value, bool | dict | list):
        return _MISSING
    converted: Any = _MISSING
    if column.dtype == "string":
        converted = str(value)
    elif column.dtype == "int64":
        converted = _integer(value)
    elif column.dtype == "float64" and isinstance(value, int | float):
        converted = float(value)
    elif column.dtype == "timestamp" and isinstance(value, str):
        try:
            converted = _naive_utc(datetime.fromisoformat(value))
        except ValueError:
            converted = _MISSING
    if converted is _MISSING:
        return _MISSING
    numeric = isinstance(converted, int | float)
    if numeric and column.minimum is not None and converted < column.minimum:
        return _MISSING
    if column.choices and converted not in column.choices:
        return _MISSING
    return converted


def _integer(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return _MISSING


def _stored(warehouse: BaseBackend, table: FactTable, keys: Iterable[str]) -> list[dict[str, Any]]:
    keys = list(keys)
    if not keys:
        return []
    wanted = ibis.memtable(pa.table({table.key: pa.array(keys, pa.string())}))
    stored = warehouse.table(table.name).semi_join(wanted, table.key)
    return stored.select(*table.column_names).to_pyarrow().to_pylist()


def _write(warehouse: BaseBackend, table: FactTable, rows: pa.Table) -> WriteCounts:
    return upsert(warehouse, table, ibis.memtable(rows)) if rows.num_rows else WriteCounts()


def _arrow(table: FactTable) -> pa.Schema:
    return table.schema.to_pyarrow()


def _added(a: WriteCounts, b: WriteCounts) -> WriteCounts:
    return WriteCounts(a.inserted + b.inserted, a.updated + b.updated, a.unchanged + b.unchanged)


def _text(value: Any) -> str | None:
    if value is None or value == "" or isinstance(value, bool | dict | list):
        return None
    return str(value)


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
