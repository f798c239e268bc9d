"""Lifecycle stage entries and the stage of each account on a day, on every backend."""

from __future__ import annotations

import datetime as dt

import ibis
from facts_fixtures import Row, event, load_sources
from ibis.backends import BaseBackend

from tenure.definitions import Definitions
from tenure.engine.lifecycle import lifecycle_stage, stage_entries

D, T = dt.date, dt.datetime

DEFINITIONS = Definitions.model_validate(
    {
        "lifecycle": [
            {"name": "acquisition"},
            {"name": "onboarding", "enters": {"subscription": "started"}},
            {"name": "adoption", "enters": {"event": "setup_completed"}},
            {"name": "expansion", "enters": {"products_owned": 2}},
        ]
    }
)


def test_stages_are_entered_in_order_and_read_as_of_a_day(backend: BaseBackend) -> None:
    accounts: list[Row] = [
        {"account_id": "A", "created_at": T(2024, 1, 10, 15)},
        {"account_id": "B", "created_at": T(2024, 1, 10)},
        {"account_id": "C"},  # no creation time: no stage
    ]
    subscriptions = [
        # A pays from the 20th and adds a second product on 1 March.
        {"account_id": "A", "product": "chat", "mrr": 10.0, "started_at": T(2024, 1, 20)},
        {"account_id": "A", "product": "crm", "mrr": 10.0, "started_at": T(2024, 3, 1)},
    ]
    events = [
        # A completes setup before paying: adoption cannot precede onboarding (the 20th).
        *event("A", "a1", "setup_completed", D(2024, 1, 15)),
        # B never pays but completes setup: it skips onboarding.
        *event("B", "b1", "setup_completed", D(2024, 2, 1)),
    ]
    sources = load_sources(backend, accounts=accounts, subscriptions=subscriptions, events=events)
    entries = stage_entries(DEFINITIONS, sources)
    stages = [
        lifecycle_stage(entries, as_of=day).mutate(as_of=ibis.literal(day))
        for day in (D(2024, 1, 9), D(2024, 1, 25), D(2024, 2, 15), D(2024, 3, 1))
    ]
    found_entries = sorted(
        (r["account_id"], r["position"], r["stage"], r["entered_on"])
        for r in entries.to_pyarrow().to_pylist()
    )
    assert found_entries == [
        ("A", 0, "acquisition", D(2024, 1, 10)),
        ("A", 1, "onboarding", D(2024, 1, 20)),
        ("A", 2, "adoption", D(2024, 1, 20)),
        ("A", 3, "expansion", D(2024, 3, 1)),
        ("B", 0, "acquisition", D(2024, 1, 10)),
        ("B", 2, "adoption", D(2024, 2, 1)),
    ]
    found = sorted(
        (r["as_of"], r["account_id"], r["stage"], r["entered_on"], r["days_in_stage"])
        for r in ibis.union(*stages).to_pyarrow().to_pylist()
    )
    assert found == [
        (D(2024, 1, 25), "A", "adoption", D(2024, 1, 20), 5),
        (D(2024, 1, 25), "B", "acquisition", D(2024, 1, 10), 15),
        (D(2024, 2, 15), "A", "adoption", D(2024, 1, 20), 26),
        (D(2024, 2, 15), "B", "adoption", D(2024, 2, 1), 14),
        (D(2024, 3, 1), "A", "expansion", D(2024, 3, 1), 0),
        (D(2024, 3, 1), "B", "adoption", D(2024, 2, 1), 29),
    ]


def test_no_stages_give_no_entries(backend: BaseBackend) -> None:
    sources = load_sources(backend, accounts=[{"account_id": "A", "created_at": T(2024, 1, 1)}])
    entries = stage_entries(Definitions(), sources)
    assert entries.to_pyarrow().num_rows == 0
    assert entries.columns == ("account_id", "stage", "position", "entered_on")
