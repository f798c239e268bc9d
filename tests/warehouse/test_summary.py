"""`warehouse_summary` against numbers worked out by hand on a small data set."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from ibis.backends import BaseBackend

from tenure.warehouse.connect import ensure_fact_tables
from tenure.warehouse.schemas import FACT_TABLES
from tenure.warehouse.summary import TableSummary, warehouse_summary

from .samples import as_memtable

D = datetime

DATA: dict[str, list[dict[str, Any]]] = {
    "accounts": [
        {"account_id": "a1", "created_at": D(2024, 1, 1)},
        {"account_id": "a2", "created_at": D(2024, 1, 15), "churned_at": D(2024, 6, 30)},
        {"account_id": "a3", "created_at": D(2024, 3, 1, 12), "churned_at": D(2024, 5, 1)},
    ],
    "contacts": [
        {"contact_id": "c1", "account_id": "a1", "created_at": D(2024, 1, 2)},
        {"contact_id": "c2", "account_id": "a2", "created_at": None},
    ],
    "subscriptions": [
        {"subscription_id": "s1", "mrr": 100.0, "started_at": D(2024, 1, 1)},
        {
            "subscription_id": "s2",
            "mrr": 250.5,
            "started_at": D(2024, 1, 15),
            "ended_at": D(2024, 6, 30),
        },
        {
            "subscription_id": "s3",
            "mrr": 40.25,
            "started_at": D(2024, 3, 1),
            "ended_at": D(2024, 5, 1),
        },
        {"subscription_id": "s4", "mrr": 9.75, "started_at": D(2024, 5, 1)},
    ],
    "events": [
        {"message_id": f"e{i}", "event": event, "timestamp": D(2024, 2, 1 + i, 8, 30, 0, 5)}
        for i, event in enumerate(
            ["login", "message_sent", "login", "export", "message_sent", "login"]
        )
    ],
    "tickets": [{"ticket_id": "t1", "created_at": D(2024, 4, 2, 9, 15)}],
    "survey_responses": [
        {"response_id": "r1", "survey": "nps", "score": 9, "responded_at": D(2024, 3, 3)},
        {"response_id": "r2", "survey": "nps", "score": 4, "responded_at": D(2024, 3, 1)},
    ],
    "touches": [],
}


@pytest.fixture
def warehouse(backend: BaseBackend) -> BaseBackend:
    ensure_fact_tables(backend)
    for name, rows in DATA.items():
        if rows:
            table = FACT_TABLES[name]
            full = [{column: row.get(column) for column in table.column_names} for row in rows]
            backend.insert(name, as_memtable(table, full))
    return backend


def test_tables_are_counted_and_dated(warehouse: BaseBackend) -> None:
    summary = warehouse_summary(warehouse)

    assert summary.tables == [
        TableSummary("accounts", 3, D(2024, 1, 1), D(2024, 3, 1, 12)),
        TableSummary("contacts", 2, D(2024, 1, 2), D(2024, 1, 2)),  # NULL dates ignored
        TableSummary("subscriptions", 4, D(2024, 1, 1), D(2024, 5, 1)),
        TableSummary("events", 6, D(2024, 2, 1, 8, 30, 0, 5), D(2024, 2, 6, 8, 30, 0, 5)),
        TableSummary("tickets", 1, D(2024, 4, 2, 9, 15), D(2024, 4, 2, 9, 15)),
        TableSummary("survey_responses", 2, D(2024, 3, 1), D(2024, 3, 3)),
        TableSummary("touches", 0, None, None),
    ]
    assert summary.accounts_churned == 2
    assert summary.top_events == [("login", 3), ("message_sent", 2), ("export", 1)]


@pytest.mark.parametrize(
    ("as_of", "mrr"),
    [
        # Default, the latest start (May 1): s1 + s2 + s4; s3 ended that day.
        (None, 100.0 + 250.5 + 9.75),
        (D(2024, 4, 1), 100.0 + 250.5 + 40.25),  # s4 not started yet
        (D(2024, 7, 1), 100.0 + 9.75),  # s2 ended June 30
        (D(2023, 12, 31), 0.0),  # nothing started
    ],
)
def test_mrr_in_force(warehouse: BaseBackend, as_of: datetime | None, mrr: float) -> None:
    assert warehouse_summary(warehouse, as_of=as_of).current_mrr == mrr


def test_an_empty_warehouse_is_summarized_as_zeros(backend: BaseBackend) -> None:
    summary = warehouse_summary(backend)

    assert summary.tables == [TableSummary(name, 0, None, None) for name in FACT_TABLES]
    assert (summary.accounts_churned, summary.current_mrr, summary.top_events) == (0, 0.0, [])
