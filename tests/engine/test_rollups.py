"""Daily rollups on every backend: counts, details, contact days, firsts."""

from __future__ import annotations

from datetime import date, datetime

import pyarrow as pa

from tenure.engine.rollups import activity_daily, contact_daily, contact_event_first

EVENTS = pa.table(
    {
        "message_id": ["m1", "m2", "m3", "m4", "m5", "m6"],
        "account_id": ["A", "A", "A", "A", "B", None],
        "contact_id": ["c1", "c2", "c1", "c1", None, "c9"],
        "anonymous_id": [None, None, None, None, "anon", None],
        "event": ["core_feature_used", "core_feature_used", "login", "login", "login", "login"],
        "timestamp": [
            datetime(2024, 3, 1, 9),
            datetime(2024, 3, 1, 23, 59),
            datetime(2024, 3, 1, 10),
            datetime(2024, 3, 2, 0, 0),
            datetime(2024, 3, 2, 8),
            datetime(2024, 3, 2, 8),
        ],
        "properties": ['{"feature": "inbox"}', '{"feature": "inbox"}', None, "{}", None, None],
    }
)


def rows(table, *keys):  # type: ignore[no-untyped-def]
    return sorted(table.to_pyarrow().to_pylist(), key=lambda r: tuple(str(r[k]) for k in keys))


def test_activity_daily_counts_events_per_day_event_and_detail(backend) -> None:
    events = backend.create_table("events", EVENTS)
    found = rows(activity_daily(events), "account_id", "day", "event")
    assert found == [
        # two uses of "inbox" on 1 March; A logged in on both days; B anonymously
        {
            "account_id": "A",
            "day": date(2024, 3, 1),
            "event": "core_feature_used",
            "detail": "inbox",
            "events": 2,
        },
        {
            "account_id": "A",
            "day": date(2024, 3, 1),
            "event": "login",
            "detail": None,
            "events": 1,
        },
        {
            "account_id": "A",
            "day": date(2024, 3, 2),
            "event": "login",
            "detail": None,
            "events": 1,
        },
        {
            "account_id": "B",
            "day": date(2024, 3, 2),
            "event": "login",
            "detail": None,
            "events": 1,
        },
    ]


def test_rolling_up_from_a_day_covers_only_the_later_events(backend) -> None:
    events = backend.create_table("events", EVENTS)
    found = rows(activity_daily(events, since=datetime(2024, 3, 2)), "account_id")
    assert [(r["account_id"], r["day"], r["events"]) for r in found] == [
        ("A", date(2024, 3, 2), 1),
        ("B", date(2024, 3, 2), 1),
    ]


def test_contact_daily_and_firsts_skip_anonymous_and_unattributed_events(backend) -> None:
    events = backend.create_table("events", EVENTS)
    daily = rows(contact_daily(events), "contact_id", "day")
    assert [(r["contact_id"], r["day"], r["events"]) for r in daily] == [
        ("c1", date(2024, 3, 1), 2),
        ("c1", date(2024, 3, 2), 1),
        ("c2", date(2024, 3, 1), 1),
    ]
    firsts = rows(contact_event_first(events), "contact_id", "event")
    assert [(r["contact_id"], r["event"], r["first_day"]) for r in firsts] == [
        ("c1", "core_feature_used", date(2024, 3, 1)),
        ("c1", "login", date(2024, 3, 1)),
        ("c2", "core_feature_used", date(2024, 3, 1)),
    ]
