"""Account cohorts: logo and revenue retention triangles, worked out by hand."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from facts_fixtures import load_sources
from ibis.backends import BaseBackend

from tenure.engine.cohorts import account_retention

D, M = dt.datetime, dt.date
Q1 = (M(2024, 1, 1), M(2024, 3, 1))

ACCOUNTS = [
    {"account_id": "a1", "plan": "pro", "traits": json.dumps({"segment": "smb"})},
    {"account_id": "a2", "plan": "basic", "traits": json.dumps({"segment": "ent"})},
    {"account_id": "a3", "plan": "pro", "traits": json.dumps({"segment": "smb"})},
    {"account_id": "a4", "plan": "pro"},
    {"account_id": "a5", "plan": "pro"},
]
SUBSCRIPTIONS = [
    # a1: January cohort, 100 throughout.
    {"account_id": "a1", "mrr": 100.0, "started_at": D(2024, 1, 10)},
    # a2: January cohort, 200, gone before the end of February.
    {"account_id": "a2", "mrr": 200.0, "started_at": D(2024, 1, 5), "ended_at": D(2024, 2, 15)},
    # a3: February cohort at 50, expands to 100 in March.
    {"account_id": "a3", "mrr": 50.0, "started_at": D(2024, 2, 1)},
    {"account_id": "a3", "mrr": 50.0, "started_at": D(2024, 3, 1)},
    # a4 started in December (another cohort); a5 never paid at a month end.
    {"account_id": "a4", "mrr": 70.0, "started_at": D(2023, 12, 1)},
    {"account_id": "a5", "mrr": 90.0, "started_at": D(2024, 1, 20), "ended_at": D(2024, 1, 25)},
]  # fmt: skip


def cells(rows: list[dict], *keys: str) -> dict[tuple, dict]:
    return {tuple(r[k] for k in keys): r for r in rows}


def test_logo_and_revenue_retention_triangle(backend: BaseBackend) -> None:
    src = load_sources(backend, accounts=ACCOUNTS, subscriptions=SUBSCRIPTIONS)

    rows = account_retention(src.subscriptions, months=Q1).to_pyarrow().to_pylist()

    got = cells(rows, "cohort", "months_since_start")
    # January: a1 + a2 (300); February: a3 (50); nobody starts in March.
    assert sorted(got) == [(M(2024, 1, 1), 0), (M(2024, 1, 1), 1), (M(2024, 1, 1), 2),
                           (M(2024, 2, 1), 0), (M(2024, 2, 1), 1)]  # fmt: skip
    jan1, jan2, feb1 = got[M(2024, 1, 1), 1], got[M(2024, 1, 1), 2], got[M(2024, 2, 1), 1]
    assert (jan1["cohort_accounts"], jan1["accounts"], jan1["cohort_mrr"]) == (2, 1, 300.0)
    assert jan1["logo_retention"] == pytest.approx(0.5)
    assert jan1["revenue_retention"] == pytest.approx(100 / 300)
    assert (jan2["accounts"], jan2["mrr"]) == (1, 100.0)
    # Expansion shows as revenue retention above 100%.
    assert (feb1["accounts"], feb1["mrr"], feb1["revenue_retention"]) == (1, 100.0, 2.0)


def test_a_cohort_split_by_a_trait_keeps_empty_cells(backend: BaseBackend) -> None:
    src = load_sources(backend, accounts=ACCOUNTS, subscriptions=SUBSCRIPTIONS)

    rows = (
        account_retention(src.subscriptions, months=Q1, accounts=src.accounts, by="segment")
        .to_pyarrow()
        .to_pylist()
    )

    got = cells(rows, "group", "cohort", "months_since_start")
    # a2 (ent) is gone after January: its cells stay, with 0 accounts.
    assert got["ent", M(2024, 1, 1), 0]["accounts"] == 1
    assert got["ent", M(2024, 1, 1), 2]["accounts"] == 0
    assert got["ent", M(2024, 1, 1), 2]["logo_retention"] == 0.0
    assert got["smb", M(2024, 1, 1), 2]["logo_retention"] == 1.0
    assert got["smb", M(2024, 2, 1), 1]["mrr"] == 100.0
    assert len(rows) == 8  # ent Jan 0..2, smb Jan 0..2, smb Feb 0..1


def test_splitting_needs_the_accounts(backend: BaseBackend) -> None:
    src = load_sources(backend, subscriptions=SUBSCRIPTIONS)
    with pytest.raises(ValueError, match="accounts table"):
        account_retention(src.subscriptions, months=Q1, by="plan")
