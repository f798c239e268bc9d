"""`account_profiles` on every backend: hand-written facts, hand-computed ARR, renewal,
segment, and the details document written out in full."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pyarrow as pa
from ibis.backends import BaseBackend

from tenure.definitions import Definitions, ValueSegment
from tenure.engine.rollups import activity_daily
from tenure.pipeline.profiles import RECENT, account_profiles
from tenure.warehouse.connect import ensure_fact_tables
from tenure.warehouse.schemas import FACT_TABLES

AS_OF = dt.date(2026, 10, 31)  # a Saturday: its ISO week began on Monday 26 October
DEFINITIONS = Definitions(
    value_segments=[
        ValueSegment(name="Big", min_arr=1500, accounts_per_csm=50),
        ValueSegment(name="Small", min_arr=0, accounts_per_csm=0),
    ]
)


def fact(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    schema = FACT_TABLES[name].schema.to_pyarrow()
    return pa.Table.from_pylist([{c: r.get(c) for c in schema.names} for r in rows], schema=schema)


def events(account: str, day: dt.date, count: int, event: str = "login") -> list[dict[str, Any]]:
    at = dt.datetime.combine(day, dt.time(12))
    return [{"account_id": account, "contact_id": "c1", "event": event, "timestamp": at,
             "message_id": f"{account}-{day}-{event}-{i}"} for i in range(count)]  # fmt: skip


def ts(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day)


def load(con: BaseBackend, facts: dict[str, list[dict[str, Any]]]) -> None:
    """The fact tables with these rows, and `activity_daily` over the events."""
    ensure_fact_tables(con)
    for name, rows in facts.items():
        con.insert(name, fact(name, rows))
    con.create_table("activity_daily", activity_daily(con.table("events"), details={}))


def test_profiles_from_hand_written_facts(backend: BaseBackend) -> None:
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
    logins = events("a", dt.date(2026, 10, 27), 3) + events("a", dt.date(2026, 10, 29), 1)
    load(backend, {"accounts": accounts, "subscriptions": subscriptions, "tickets": tickets,
                   "touches": touches, "contacts": contacts, "events": logins})  # fmt: skip
    profiles = account_profiles(backend, DEFINITIONS, as_of=AS_OF)
    rows = {r["account_id"]: r for r in profiles.to_pylist()}
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


def test_details_are_written_as_json_dumps_writes_them(backend: BaseBackend) -> None:
    """The whole document, byte for byte: key and item order, datetimes as str() writes
    them (microseconds only when not zero), None as null, floats, escapes, non-ASCII."""
    monday = dt.date(2026, 10, 19)
    accounts = [{"account_id": "a", "name": "Åsa AB"}, {"account_id": "quiet"}]
    contacts = [
        {"contact_id": "c1", "account_id": "a", "name": 'Zoë "Z" Ng', "role": "Admin",
         "email": "z@a.se", "created_at": ts("2026-03-01 08:00")},
        {"contact_id": "c2", "account_id": "a"},  # no role, no creation time: still kept
        {"contact_id": "c3", "account_id": "a", "name": "Later", "role": "champion",
         "created_at": ts("2026-11-02")},  # after AS_OF: left out
    ]  # fmt: skip
    subscriptions = [
        # The same start: the subscription id orders them.
        {"subscription_id": "s2", "account_id": "a", "product": "core", "mrr": 99.5,
         "started_at": ts("2026-01-01"), "status": "active"},
        {"subscription_id": "s1", "account_id": "a", "product": "add-on", "mrr": 10.0,
         "started_at": ts("2026-01-01"), "ended_at": ts("2026-12-31 23:59:59"),
         "billing_period": "annual"},
    ]  # fmt: skip
    surveys = [
        {"response_id": "r1", "account_id": "a", "survey": "NPS", "score": 9,
         "comment": "line one\nline two \\ done", "responded_at": ts("2026-10-30 10:00")},
        {"response_id": "r2", "account_id": "a", "survey": "csat", "score": 2,
         "responded_at": ts("2026-10-30 11:00")},  # not NPS
    ]  # fmt: skip
    touches = [
        {"touch_id": "t1", "account_id": "a", "kind": "call", "author": "Ana",
         "at": ts("2026-10-30 09:00:00.250000"), "notes": "Ça va ✓"},
    ]  # fmt: skip
    activity = [
        *events("a", monday - dt.timedelta(weeks=30), 5),  # before the 26 weeks: left out
        *events("a", monday, 2),
        *events("a", monday, 1, "report_viewed"),  # the same day, another event: one day
        *events("a", monday + dt.timedelta(days=6), 1),  # Sunday, the same week
        *events("a", AS_OF, 4),  # the next week
        *events("a", AS_OF + dt.timedelta(days=1), 7),  # after AS_OF: left out
    ]
    facts = {"accounts": accounts, "contacts": contacts, "subscriptions": subscriptions,
             "survey_responses": surveys, "touches": touches, "events": activity}  # fmt: skip
    load(backend, facts)
    expected = {
        "contacts": [
            {"name": 'Zoë "Z" Ng', "email": "z@a.se", "role": "Admin"},
            {"name": None, "email": None, "role": None},
        ],
        "subscriptions": [
            {"product": "add-on", "plan": None, "mrr": 10.0, "started_at": dt.datetime(2026, 1, 1),
             "ended_at": dt.datetime(2026, 12, 31, 23, 59, 59), "billing_period": "annual",
             "status": None},
            {"product": "core", "plan": None, "mrr": 99.5, "started_at": dt.datetime(2026, 1, 1),
             "ended_at": None, "billing_period": None, "status": "active"},
        ],
        "nps": [{"score": 9, "comment": "line one\nline two \\ done",
                 "responded_at": dt.datetime(2026, 10, 30, 10)}],
        "touches": [{"kind": "call", "at": dt.datetime(2026, 10, 30, 9, 0, 0, 250000),
                     "author": "Ana", "notes": "Ça va ✓"}],
        "usage": [
            {"week": dt.date(2026, 10, 19), "events": 4, "days": 2},
            {"week": dt.date(2026, 10, 26), "events": 4, "days": 1},
        ],
    }  # fmt: skip
    profiles = account_profiles(backend, DEFINITIONS, as_of=AS_OF).to_pydict()
    documents = dict(zip(profiles["account_id"], profiles["details"], strict=True))
    assert documents == {"a": json.dumps(expected, default=str), "quiet": "{}"}
