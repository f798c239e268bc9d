"""`account_profiles`: hand-written facts, hand-computed ARR, renewal, segment and details."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from tenure.definitions import Definitions, ValueSegment
from tenure.engine.rollups import activity_daily
from tenure.pipeline.profiles import RECENT, account_profiles
from tenure.warehouse.connect import connect, ensure_fact_tables
from tenure.warehouse.schemas import FACT_TABLES

AS_OF = dt.date(2026, 10, 31)


def fact(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    schema = FACT_TABLES[name].schema.to_pyarrow()
    return pa.Table.from_pylist([{c: r.get(c) for c in schema.names} for r in rows], schema=schema)


def logins(day: dt.date, count: int) -> list[dict[str, Any]]:
    at = dt.datetime.combine(day, dt.time(12))
    return [{"account_id": "a", "contact_id": "c1", "event": "login", "timestamp": at,
             "message_id": f"{day}-{i}"} for i in range(count)]  # fmt: skip


def ts(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day)


def test_profiles_from_hand_written_facts(tmp_path: Path) -> None:
    con = connect(f"duckdb:///{tmp_path / 'w.duckdb'}")
    ensure_fact_tables(con)
    accounts = [
        {"account_id": "a", "name": "Acme", "owner": "Ana", "plan": "pro",
         "created_at": ts("2025-01-10")},
        {"account_id": "b", "name": "Bolt", "owner": "Ben", "created_at": ts("2025-03-01"),
         "churned_at": ts("2026-06-30")},
    ]  # fmt: skip
    subscriptions = [
        # a: two lines in force on AS_OF (100 + 50 MRR), renewing on 2026-12-01 and 2027-02-01.
        {"subscription_id": "s1", "account_id": "a", "mrr": 100.0, "started_at": ts("2025-12-01"),
         "ended_at": ts("2026-12-01")},
        {"subscription_id": "s2", "account_id": "a", "mrr": 50.0, "started_at": ts("2026-02-01"),
         "ended_at": ts("2027-02-01")},
        {"subscription_id": "s0", "account_id": "a", "mrr": 80.0, "started_at": ts("2024-12-01"),
         "ended_at": ts("2025-12-01")},  # ended before: not in ARR
        {"subscription_id": "s3", "account_id": "b", "mrr": 70.0, "started_at": ts("2025-03-01"),
         "ended_at": ts("2026-06-30")},
    ]  # fmt: skip
    tickets = [
        {"ticket_id": f"t{i}", "account_id": "a",
         "created_at": ts("2026-10-01") + dt.timedelta(days=i)}
        for i in range(RECENT + 3)
    ]  # fmt: skip
    touches = [{"touch_id": "x", "account_id": "a", "kind": "call", "at": ts("2026-11-05")}]
    contacts = [
        {"contact_id": "c1", "account_id": "a", "name": "Uma", "role": "user",
         "created_at": ts("2026-01-01")},
        {"contact_id": "c2", "account_id": "a", "name": "Cy", "role": "champion",
         "created_at": ts("2025-01-01")},
    ]  # fmt: skip
    events = logins(dt.date(2026, 10, 27), 3) + logins(dt.date(2026, 10, 29), 1)
    for name, rows in [("accounts", accounts), ("subscriptions", subscriptions),
                       ("tickets", tickets), ("touches", touches), ("contacts", contacts),
                       ("events", events)]:  # fmt: skip
        con.insert(name, fact(name, rows))
    con.create_table("activity_daily", activity_daily(con.table("events"), details={}))
    definitions = Definitions(
        value_segments=[
            ValueSegment(name="Big", min_arr=1500, accounts_per_csm=50),
            ValueSegment(name="Small", min_arr=0, accounts_per_csm=0),
        ]
    )
    rows = {r["account_id"]: r for r in account_profiles(con, definitions, as_of=AS_OF).to_pylist()}
    a, b = rows["a"], rows["b"]
    assert (a["arr"], a["segment"], a["renewal_on"]) == (1800.0, "Big", dt.date(2026, 12, 1))
    assert (b["arr"], b["segment"], b["renewal_on"]) == (0.0, "Small", None)
    assert b["churned_on"] == dt.date(2026, 6, 30)
    assert (a["name"], a["owner"], a["plan"], a["as_of"]) == ("Acme", "Ana", "pro", AS_OF)
    details = json.loads(a["details"])
    assert [t["ticket_id"] for t in details["tickets"]] == [f"t{i}" for i in range(12, 2, -1)]
    assert "touches" not in details  # the only touch is after AS_OF
    assert [c["name"] for c in details["contacts"]] == ["Cy", "Uma"]  # champion first
    assert [s["mrr"] for s in details["subscriptions"]] == [80.0, 100.0, 50.0]
    assert details["usage"] == [{"week": "2026-10-26", "events": 4, "days": 2}]
    assert json.loads(b["details"]) == {
        "subscriptions": [json.loads(b["details"])["subscriptions"][0]]
    }
    con.disconnect()
