"""Engagement scores on every backend: the four measures by hand, weights, missing team."""

from __future__ import annotations

from datetime import date, datetime

import pyarrow as pa
import pytest

from tenure.engine.engagement import engagement_scores
from tenure.engine.measures import MeasureSources
from tenure.engine.rollups import activity_daily, contact_daily
from tenure.warehouse.schemas import ACCOUNTS, CONTACTS, EVENTS, TICKETS

DAY = date(2024, 3, 10)  # window of 28 days: 12 Feb … 10 Mar


def facts(table, rows: list[dict]) -> pa.Table:
    schema = table.schema.to_pyarrow()
    return pa.table({c: [r.get(c) for r in rows] for c in schema.names}, schema=schema)


def event(account: str, contact: str, name: str, day: int, feature: str | None = None) -> dict:
    return {
        "message_id": f"{account}{contact}{name}{day}{feature}",
        "account_id": account,
        "contact_id": contact,
        "event": name,
        "timestamp": datetime(2024, 3, day, 9),
        "properties": f'{{"feature": "{feature}"}}' if feature else None,
    }


EVENT_ROWS = [
    event("A", "c1", "core_feature_used", 1, "inbox"),
    event("A", "c2", "core_feature_used", 1, "reports"),
    event("A", "c1", "community_post", 5),
    event("A", "c2", "login", 10),
    event("B", "c9", "core_feature_used", 10, "search"),
    event("B", "c9", "core_feature_used", 10, "export"),
]


@pytest.fixture
def sources(backend) -> MeasureSources:
    events = backend.create_table("events", facts(EVENTS, EVENT_ROWS))
    accounts = [{"account_id": a, "created_at": datetime(2024, 1, 1)} for a in "AB"]
    contacts = [
        {"contact_id": c, "account_id": "A", "created_at": datetime(2024, 1, 1)}
        for c in ("c1", "c2", "c3")
    ]
    tickets = [{"ticket_id": "t1", "account_id": "A", "created_at": datetime(2024, 3, 8)}]
    return MeasureSources(
        accounts=backend.create_table("accounts", facts(ACCOUNTS, accounts)),
        activity_daily=activity_daily(events),
        contact_daily=contact_daily(events),
        contacts=backend.create_table("contacts", facts(CONTACTS, contacts)),
        tickets=backend.create_table("tickets", facts(TICKETS, tickets)),
    )


def engagement_on(table) -> dict[str, tuple[float, float]]:
    return {
        r["account_id"]: (r["engagement"], r["coverage"])
        for r in table.to_pyarrow().to_pylist()
        if r["day"] == DAY
    }


def test_engagement_by_hand(sources) -> None:
    found = engagement_on(engagement_scores(sources, days=[date(2024, 3, 9), DAY]))
    # A: usage 3 active days (1, 5, 10 Mar) -> 100·3/20 = 15; team 2 of 3 contacts -> 66.67;
    # features 2 of the 4 ever used (inbox, reports, search, export) -> 50;
    # participation 1 post + 1 ticket = 2 -> 100·2/4 = 50.
    # (40·15 + 20·66.67 + 20·50 + 20·50) / 100 = 39.33
    assert found["A"][0] == pytest.approx((600 + 20 * 200 / 3 + 1000 + 1000) / 100)
    assert found["A"][1] == 1
    # B: no contacts, so team is missing: (40·5 + 20·50 + 20·0) / 80 = 15, coverage 0.8.
    assert found["B"] == (pytest.approx(15.0), pytest.approx(0.8))


def test_weights_and_core_features_are_options(sources) -> None:
    table = engagement_scores(
        sources, days=[DAY], usage=10, team=10, features=10, participation=70, core_features=8
    )
    # A: features 2/8 -> 25 points: (10·15 + 10·66.67 + 10·25 + 70·50) / 100 = 45.67
    assert engagement_on(table)["A"][0] == pytest.approx((150 + 2000 / 3 + 250 + 3500) / 100)
