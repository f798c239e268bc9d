"""Measure values on every backend: each metric by hand, window edges, existence, NULLs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pyarrow as pa
import pytest

from tenure.definitions import Measure, Metric, Scheme, Scorecard
from tenure.engine.measures import MeasureSources, day_list, measure_values
from tenure.engine.rollups import activity_daily, contact_daily
from tenure.warehouse.schemas import ACCOUNTS, CONTACTS, EVENTS, SURVEY_RESPONSES, TICKETS


def facts(table, rows: list[dict]) -> pa.Table:
    """A fact table from rows that give only some columns (the rest NULL)."""
    schema = table.schema.to_pyarrow()
    return pa.table({c: [r.get(c) for r in rows] for c in schema.names}, schema=schema)


def event(account: str, contact: str, name: str, at: datetime, feature: str | None = None):
    props = f'{{"feature": "{feature}"}}' if feature else None
    return {
        "message_id": f"{account}{contact}{name}{at}{feature}",
        "account_id": account,
        "contact_id": contact,
        "event": name,
        "timestamp": at,
        "properties": props,
    }


# A: customer since January. B: created 10 March, no activity. C: churned 5 March.
ACCOUNT_ROWS = [
    {"account_id": "A", "created_at": datetime(2024, 1, 1)},
    {"account_id": "B", "created_at": datetime(2024, 3, 10, 15)},
    {"account_id": "C", "created_at": datetime(2023, 6, 1), "churned_at": datetime(2024, 3, 5, 9)},
]
EVENT_ROWS = [
    event("A", "c1", "login", datetime(2024, 2, 3, 8)),  # exactly 28 days before 2 March
    event("A", "c1", "core_feature_used", datetime(2024, 3, 1, 9), "inbox"),
    event("A", "c2", "core_feature_used", datetime(2024, 3, 1, 23, 59), "reports"),
    event("A", "c1", "core_feature_used", datetime(2024, 3, 10, 9), "inbox"),
    event("A", "c2", "login", datetime(2024, 3, 10, 10)),
]
CONTACT_ROWS = [
    {"contact_id": "c1", "account_id": "A", "created_at": datetime(2024, 1, 1)},
    {"contact_id": "c2", "account_id": "A", "created_at": datetime(2024, 1, 1)},
    {"contact_id": "c3", "account_id": "A", "created_at": datetime(2024, 3, 15, 12)},
]
TICKET_ROWS = [
    {
        "ticket_id": "t1",
        "account_id": "A",
        "created_at": datetime(2024, 2, 20),
        "solved_at": datetime(2024, 3, 10, 8),
    },
    {"ticket_id": "t2", "account_id": "A", "created_at": datetime(2024, 3, 5, 12)},
]
SURVEY_ROWS = [
    {
        "response_id": "r1",
        "account_id": "A",
        "contact_id": "c1",
        "survey": "nps",
        "score": 6,
        "responded_at": datetime(2024, 1, 15),
    },
    {
        "response_id": "r2",
        "account_id": "A",
        "contact_id": "c2",
        "survey": "NPS",
        "score": 9,
        "responded_at": datetime(2024, 3, 5, 16),
    },
    {
        "response_id": "r3",
        "account_id": "A",
        "contact_id": "c2",
        "survey": "csat",
        "score": 2,
        "responded_at": datetime(2024, 3, 6),
    },
]


def measure(name: str, kind: Any, days: int = 28, event: str | None = None) -> Measure:
    return Measure(
        name=name,
        weight=1,
        metric=Metric(kind=kind, days=days, event=event),
        scheme=Scheme(linear=(0, 1)),
    )


SCORECARD = Scorecard(
    name="test",
    measures=[
        measure("active", "active_days"),
        measure("team", "share_of_contacts_active"),
        measure("features", "distinct_features"),
        measure("logins", "event_count", event="login"),
        measure("nps", "latest_nps", days=180),
        measure("nps30", "latest_nps", days=30),
        measure("tickets", "open_tickets"),
        measure("subjective", "active_days").model_copy(
            update={"metric": None, "subjective": True}
        ),
    ],
)
DAYS = [date(2024, 3, d) for d in (1, 2, 5, 9, 10, 15, 28, 29)]


@pytest.fixture
def sources(backend) -> MeasureSources:
    events = backend.create_table("events", facts(EVENTS, EVENT_ROWS))
    return MeasureSources(
        accounts=backend.create_table("accounts", facts(ACCOUNTS, ACCOUNT_ROWS)),
        activity_daily=activity_daily(events),
        contact_daily=contact_daily(events),
        contacts=backend.create_table("contacts", facts(CONTACTS, CONTACT_ROWS)),
        tickets=backend.create_table("tickets", facts(TICKETS, TICKET_ROWS)),
        survey_responses=backend.create_table(
            "survey_responses", facts(SURVEY_RESPONSES, SURVEY_ROWS)
        ),
    )


def by_key(table) -> dict[tuple[str, date, str], float | None]:
    return {
        (r["account_id"], r["day"], r["measure"]): r["value"]
        for r in table.to_pyarrow().to_pylist()
    }


def column(found: dict, account: str, name: str) -> list[float | None]:
    return [found.get((account, day, name), "absent") for day in DAYS]


def test_each_metric_of_an_active_account_by_hand(sources) -> None:
    found = by_key(measure_values(sources, SCORECARD, days=DAYS))
    #                    1 Mar 2 Mar 5 Mar 9 Mar 10 Mar 15 Mar 28 Mar 29 Mar
    # active days in the 28 days ending with the day: 3 Feb counts on 1 Mar
    # (window 3 Feb–1 Mar) but not on 2 Mar (window 4 Feb–2 Mar).
    assert column(found, "A", "active") == [2, 1, 1, 1, 2, 2, 2, 1]
    # contacts active / contacts existing: c1, c2 of 2 until c3 joins on 15 Mar (2/3);
    # on 29 Mar only c1 and c2 on 10 Mar remain active (window 2–29 Mar).
    assert column(found, "A", "team") == [1, 1, 1, 1, 1, 2 / 3, 2 / 3, 2 / 3]
    # distinct features: inbox + reports on 1 Mar; reports drops out on 29 Mar.
    assert column(found, "A", "features") == [2, 2, 2, 2, 2, 2, 2, 1]
    # logins: 3 Feb (only on 1 Mar), 10 Mar.
    assert column(found, "A", "logins") == [1, 0, 0, 0, 1, 1, 1, 1]
    # latest nps in 180 days: 6 (15 Jan) until the 9 of 5 Mar; the csat answer is ignored.
    assert column(found, "A", "nps") == [6, 6, 9, 9, 9, 9, 9, 9]
    # in 30 days: 15 Jan is 46 days before 1 Mar -> missing until 5 Mar.
    assert column(found, "A", "nps30") == [None, None, 9, 9, 9, 9, 9, 9]
    # open tickets: t1 (20 Feb, solved 10 Mar) and t2 (5 Mar, never solved).
    assert column(found, "A", "tickets") == [1, 1, 2, 2, 1, 1, 1, 1]
    assert not any(key[2] == "subjective" for key in found)  # from the app database


def test_existence_and_missing_data(sources) -> None:
    found = by_key(measure_values(sources, SCORECARD, days=DAYS))
    # B exists from its created day (10 Mar, any hour); no usage is 0, no team or
    # survey is missing (NULL).
    assert column(found, "B", "active") == ["absent"] * 4 + [0] * 4
    assert column(found, "B", "team") == ["absent"] * 4 + [None] * 4
    assert column(found, "B", "nps") == ["absent"] * 4 + [None] * 4
    assert column(found, "B", "tickets") == ["absent"] * 4 + [0] * 4
    # C exists through its churn day (5 Mar).
    assert column(found, "C", "active") == [0, 0, 0] + ["absent"] * 5


def test_a_range_and_a_list_of_days_agree(sources) -> None:
    listed = by_key(measure_values(sources, SCORECARD, days=DAYS))
    ranged = by_key(measure_values(sources, SCORECARD, days=(date(2024, 3, 1), date(2024, 3, 31))))
    assert len(ranged) == (31 + 22 + 5) * 7  # A every day, B from the 10th, C to the 5th
    assert {k: v for k, v in ranged.items() if k[1] in DAYS} == listed


def test_day_list() -> None:
    assert day_list((date(2024, 2, 28), date(2024, 3, 1))) == [
        date(2024, 2, 28),
        date(2024, 2, 29),
        date(2024, 3, 1),
    ]
    assert day_list([date(2024, 3, 2), date(2024, 3, 1), date(2024, 3, 2)]) == [
        date(2024, 3, 1),
        date(2024, 3, 2),
    ]
    with pytest.raises(ValueError, match="empty day range"):
        day_list((date(2024, 3, 2), date(2024, 3, 1)))
