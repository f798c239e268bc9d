"""Draining the inbox into the warehouse facts: how each call maps, merges and links."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest
from ibis.backends import BaseBackend
from sqlalchemy import Engine, select

from tenure.db import InboxMessage, append_messages, create_engine_for, sqlite_url, upgrade
from tenure.pipeline.inbox import drain_inbox
from tenure.warehouse.connect import connect, ensure_fact_tables
from tenure.warehouse.schemas import CONTACTS
from tenure.warehouse.writes import upsert
from tenure.web.segment import Received, normalize

RECEIVED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def app_db(tmp_path: Path) -> Iterator[Engine]:
    url = sqlite_url(tmp_path / "app.db")
    upgrade(url)
    engine = create_engine_for(url)
    yield engine
    engine.dispose()


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[BaseBackend]:
    con = connect(f"duckdb:///{tmp_path / 'warehouse.duckdb'}")
    ensure_fact_tables(con)
    yield con
    con.disconnect()


def send(app_db: Engine, *messages: dict[str, Any]) -> None:
    rows = [normalize(m, Received(RECEIVED)) for m in messages]
    with app_db.begin() as connection:
        append_messages(connection, rows, received_at=RECEIVED, write_key_id=None)


def rows(warehouse: BaseBackend, table: str, key: str) -> dict[str, dict[str, Any]]:
    return {r[key]: r for r in warehouse.table(table).to_pyarrow().to_pylist()}


def at(hour: int) -> str:
    return f"2026-11-20T{hour:02d}:00:00Z"


def test_traits_merge_into_what_the_warehouse_holds(app_db: Engine, warehouse: BaseBackend) -> None:
    stored = {
        "contact_id": ["u1"],
        "account_id": ["acme"],
        "email": ["ann@acme.com"],
        "name": ["Ann"],
        "role": ["champion"],
        "created_at": [datetime(2025, 1, 1)],
        "traits": ['{"team": "ops"}'],
    }
    upsert(warehouse, CONTACTS, ibis.memtable(pa.table(stored)))
    send(
        app_db,
        # Out of arrival order on purpose: the later timestamp wins.
        {"type": "identify", "userId": "u1", "traits": {"plan": "pro"}, "timestamp": at(9)},
        {"type": "identify", "userId": "u1", "traits": {"plan": "free"}, "timestamp": at(8)},
        {
            "type": "identify",
            "userId": "u2",
            "context": {"traits": {"email": "old@b.io", "role": "admin"}},
            "traits": {"email": "bo@b.io", "firstName": "Bo", "lastName": "Li"},
            "timestamp": at(8),
        },
    )
    report = drain_inbox(app_db, warehouse)
    assert (report.messages, report.contacts.inserted, report.contacts.updated) == (3, 1, 1)
    contacts = rows(warehouse, "contacts", "contact_id")
    ann = contacts["u1"]
    assert (ann["email"], ann["name"], ann["role"], ann["account_id"]) == (
        "ann@acme.com",
        "Ann",
        "champion",
        "acme",
    )
    assert json.loads(ann["traits"]) == {"team": "ops", "plan": "pro"}
    bo = contacts["u2"]
    assert (bo["email"], bo["name"], bo["role"]) == ("bo@b.io", "Bo Li", "admin")
    assert json.loads(bo["traits"]) == {"firstName": "Bo", "lastName": "Li"}


def test_group_traits_fill_account_columns(app_db: Engine, warehouse: BaseBackend) -> None:
    traits = {
        "name": "Acme",
        "employees": "50",
        "website": "acme.com",
        "createdAt": "2025-03-01T08:30:00+02:00",
        "plan": "enterprise",
        "tier": "gold",
    }
    send(
        app_db,
        {"type": "group", "userId": "u1", "groupId": "acme", "traits": traits},
        {"type": "group", "anonymousId": "a", "groupId": "beta", "traits": {"employees": -3}},
    )
    drain_inbox(app_db, warehouse)
    accounts = rows(warehouse, "accounts", "account_id")
    acme = accounts["acme"]
    assert (acme["name"], acme["employees"], acme["domain"], acme["plan"]) == (
        "Acme",
        50,
        "acme.com",
        "enterprise",
    )
    assert acme["created_at"] == datetime(2025, 3, 1, 6, 30)  # naive UTC
    assert json.loads(acme["traits"]) == {"tier": "gold"}
    assert accounts["beta"]["employees"] is None  # below the column's minimum: kept as a trait
    assert json.loads(accounts["beta"]["traits"]) == {"employees": -3}
    assert rows(warehouse, "contacts", "contact_id")["u1"]["account_id"] == "acme"


def test_an_event_finds_its_account(app_db: Engine, warehouse: BaseBackend) -> None:
    send(app_db, {"type": "group", "userId": "linked-before", "groupId": "old"})
    drain_inbox(app_db, warehouse)
    send(
        app_db,
        {"type": "track", "userId": "u1", "event": "e", "context": {"groupId": "ctx"}},
        {"type": "track", "userId": "u1", "event": "e", "properties": {"groupId": "prop"}},
        {"type": "track", "userId": "linked-now", "event": "e", "messageId": "now"},
        {"type": "group", "userId": "linked-now", "groupId": "new"},
        {"type": "track", "userId": "linked-before", "event": "e", "messageId": "before"},
        {"type": "track", "anonymousId": "anon", "event": "e", "messageId": "anon"},
    )
    report = drain_inbox(app_db, warehouse)
    assert report.events.inserted == 5
    events = warehouse.table("events").to_pyarrow().to_pylist()
    by_account = sorted(
        (e["account_id"] or "-", e["contact_id"] or e["anonymous_id"]) for e in events
    )
    assert by_account == [
        ("-", "anon"),
        ("ctx", "u1"),
        ("new", "linked-now"),
        ("old", "linked-before"),
        ("prop", "u1"),
    ]


def test_pages_become_events_and_the_rest_is_ignored(
    app_db: Engine, warehouse: BaseBackend
) -> None:
    send(
        app_db,
        {"type": "page", "userId": "u1", "name": "Pricing", "properties": {"path": "/pricing"}},
        {"type": "screen", "userId": "u1", "name": "Home", "messageId": "s"},
        {"type": "identify", "anonymousId": "a1", "traits": {"email": "x@y.z"}},
        {"type": "alias", "userId": "u1", "previousId": "a1"},
    )
    report = drain_inbox(app_db, warehouse)
    assert (report.messages, report.events.inserted, report.ignored) == (4, 2, 2)
    events = {e["event"]: e for e in warehouse.table("events").to_pyarrow().to_pylist()}
    assert json.loads(events["Page Viewed"]["properties"]) == {
        "path": "/pricing",
        "name": "Pricing",
    }
    assert json.loads(events["Screen Viewed"]["properties"]) == {"name": "Home"}
    assert warehouse.table("contacts").count().execute() == 0


def test_drained_messages_are_marked_and_not_drained_again(
    app_db: Engine, warehouse: BaseBackend
) -> None:
    send(app_db, {"type": "track", "userId": "u1", "event": "e", "timestamp": at(10)})
    first = drain_inbox(app_db, warehouse, chunk=1)
    assert (first.messages, first.events.inserted) == (1, 1)
    assert first.earliest_day == datetime(2026, 11, 20).date()
    with app_db.connect() as connection:
        marks = connection.execute(select(InboxMessage.processed_at)).scalars().all()
    assert len(marks) == 1
    assert marks[0] is not None
    again = drain_inbox(app_db, warehouse)
    assert (again.messages, again.earliest_day) == (0, None)
    event = warehouse.table("events").to_pyarrow().to_pylist()[0]
    assert event["timestamp"] == datetime(2026, 11, 20, 10, 0)
