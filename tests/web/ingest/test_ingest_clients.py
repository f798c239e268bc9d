"""The real Segment and RudderStack Python clients against a running uvicorn server.

The clients send identify, group and track calls to a server on a free local
port, on a real SQLite app database; the messages land in the inbox, and the
next compute puts them in the warehouse facts.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from rudderstack.analytics import Client as RudderClient
from segment.analytics import Client as SegmentClient
from sqlalchemy import select

from tenure.config import Settings
from tenure.db import InboxMessage, create_engine_for
from tenure.pipeline import open_warehouse
from tenure.pipeline.compute import compute
from tenure.web.ingest import ingest_app


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    """The ingestion app served by uvicorn in a thread; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(ingest_app(settings), log_level="warning", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(20)
    sock.close()


def inbox(settings: Settings) -> list[dict[str, Any]]:
    engine = create_engine_for(settings.resolved_app_db_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(InboxMessage).order_by(InboxMessage.id)).all()
    finally:
        engine.dispose()
    return [{**row._mapping, "payload": json.loads(row.payload)} for row in rows]


def send_with_segment(server: str, write_key: str, errors: list[Exception]) -> None:
    """Segment's default mode: a background thread batches, gzip on."""
    client = SegmentClient(
        write_key, host=server, gzip=True, max_retries=0, on_error=lambda e, _: errors.append(e)
    )
    client.identify("ann", {"email": "ann@acme.com", "name": "Ann", "role": "champion"})
    client.group("ann", "acme", {"name": "Acme", "employees": 120, "plan": "pro"})
    for n in range(3):
        client.track("ann", "Report Built", {"rows": n})
    client.flush()
    client.shutdown()


def send_with_rudder(server: str, write_key: str) -> None:
    """RudderStack's client, one request per call (sync mode); errors raise."""
    client = RudderClient(write_key, host=server, sync_mode=True, max_retries=0)
    client.identify("bo", {"email": "bo@beta.io"})
    client.group("bo", "beta", {"name": "Beta", "industry": "retail"})
    client.track("bo", "Invoice Sent", {"amount": 12.5})
    client.track(anonymous_id="visitor-1", event="Signup Started")


def test_segment_and_rudder_clients_reach_the_warehouse(
    server: str, settings: Settings, write_key: str
) -> None:
    errors: list[Exception] = []
    send_with_segment(server, write_key, errors)
    send_with_rudder(server, write_key)
    assert errors == []

    rows = inbox(settings)
    kinds = [(r["type"], r["payload"]["userId"] or r["payload"]["anonymousId"]) for r in rows]
    assert sorted(kinds) == sorted(
        [("identify", "ann"), ("group", "ann")]
        + [("track", "ann")] * 3
        + [("identify", "bo"), ("group", "bo"), ("track", "bo"), ("track", "visitor-1")]
    )
    assert len({r["message_id"] for r in rows}) == len(rows) == 9
    assert all(r["processed_at"] is None for r in rows)

    result = compute(settings)
    assert (result.inbox.messages, result.inbox.events.inserted) == (9, 5)
    warehouse = open_warehouse(settings)
    try:
        events = warehouse.table("events").to_pyarrow().to_pylist()
        contacts = warehouse.table("contacts").to_pyarrow().to_pylist()
        accounts = warehouse.table("accounts").to_pyarrow().to_pylist()
    finally:
        warehouse.disconnect()
    per_account = sorted((e["account_id"], e["event"]) for e in events if e["account_id"])
    assert per_account == [("acme", "Report Built")] * 3 + [("beta", "Invoice Sent")]
    assert [e["anonymous_id"] for e in events if e["account_id"] is None] == ["visitor-1"]
    assert sorted((c["contact_id"], c["account_id"], c["email"]) for c in contacts) == [
        ("ann", "acme", "ann@acme.com"),
        ("bo", "beta", "bo@beta.io"),
    ]
    assert sorted((a["account_id"], a["name"], a["employees"]) for a in accounts) == [
        ("acme", "Acme", 120),
        ("beta", "Beta", None),
    ]
    assert all(r["processed_at"] is not None for r in inbox(settings))
