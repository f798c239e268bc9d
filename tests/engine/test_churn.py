"""Churn by dimension and churn reasons over time, worked out by hand."""

from __future__ import annotations

import datetime as dt

from facts_fixtures import load_sources
from ibis.backends import BaseBackend

from tenure.engine.churn import churn_by, churn_reasons

D, M = dt.datetime, dt.date
START, END = M(2024, 1, 1), M(2024, 3, 31)

# At risk on Jan 1 2024: c1, c2, c3, c6, c7, c8 (c4 churned before, c5 joined after).
# Churned in Q1: c1 (Feb), c3 (Mar), c7 (Jan), c8 (Mar).
ACCOUNTS = [
    {"account_id": "c1", "created_at": D(2023, 1, 1), "churned_at": D(2024, 2, 10),
     "industry": "retail", "employees": 30, "churn_reasons": "price;support"},
    {"account_id": "c2", "created_at": D(2023, 6, 1), "industry": "retail", "employees": 300},
    {"account_id": "c3", "created_at": D(2022, 1, 1), "churned_at": D(2024, 3, 5),
     "industry": "tech", "employees": 60, "churn_reasons": "competitor"},
    {"account_id": "c4", "created_at": D(2023, 2, 1), "churned_at": D(2023, 12, 1),
     "industry": "tech", "churn_reasons": "price"},
    {"account_id": "c5", "created_at": D(2024, 2, 1), "industry": "tech"},
    {"account_id": "c6", "created_at": D(2023, 12, 15), "industry": "tech"},
    {"account_id": "c7", "created_at": D(2023, 3, 1), "churned_at": D(2024, 1, 20)},
    {"account_id": "c8", "created_at": D(2023, 1, 1), "churned_at": D(2024, 3, 20),
     "industry": "retail", "employees": 2000, "churn_reasons": " ;Price; support;support"},
]  # fmt: skip
SUBSCRIPTIONS = [
    # c1: annual term renewed on Jan 1 2024 (not before the period), 100 at the end of January.
    {"account_id": "c1", "product": "core", "mrr": 90.0,
     "started_at": D(2023, 1, 1), "ended_at": D(2024, 1, 1)},
    {"account_id": "c1", "product": "core", "mrr": 100.0,
     "started_at": D(2024, 1, 1), "ended_at": D(2024, 2, 10)},
    # c3: renewed once before the period (Jan 1 2023); core 80 + addon 20 at the end of February.
    {"account_id": "c3", "product": "core", "mrr": 80.0,
     "started_at": D(2022, 1, 1), "ended_at": D(2023, 1, 1)},
    {"account_id": "c3", "product": "core", "mrr": 80.0,
     "started_at": D(2023, 1, 1), "ended_at": D(2024, 3, 5)},
    {"account_id": "c3", "product": "addon", "mrr": 20.0,
     "started_at": D(2023, 6, 1), "ended_at": D(2024, 3, 5)},
    {"account_id": "c8", "product": "core", "mrr": 300.0, "started_at": D(2023, 1, 1)},
]  # fmt: skip


def rates(backend: BaseBackend, dimension: str) -> dict[str, tuple[int, int]]:
    src = load_sources(backend, accounts=ACCOUNTS, subscriptions=SUBSCRIPTIONS)
    table = churn_by(src.accounts, src.subscriptions, dimension=dimension, start=START, end=END)
    rows = table.to_pyarrow().to_pylist()
    for r in rows:
        assert r["churn_rate"] == r["churned"] / r["at_risk"]
    return {r["group"]: (r["churned"], r["at_risk"]) for r in rows}


def test_churn_by_a_column(backend: BaseBackend) -> None:
    assert rates(backend, "industry") == {"retail": (2, 3), "tech": (1, 2), "(none)": (1, 1)}


def test_churn_by_size_bucket(backend: BaseBackend) -> None:
    assert rates(backend, "size") == {
        "1-49": (1, 1), "200-999": (0, 1), "50-199": (1, 1), "1000+": (1, 1), "(none)": (1, 2),
    }  # fmt: skip


def test_churn_by_tenure_at_the_period_start(backend: BaseBackend) -> None:
    # Months as customers on Jan 1 2024: c1 12, c2 7, c3 24, c6 0 (Dec 15), c7 10, c8 12.
    assert rates(backend, "tenure") == {
        "0-5 months": (0, 1), "6-11 months": (1, 2), "12-23 months": (2, 2), "24+ months": (1, 1),
    }  # fmt: skip


def test_churn_by_renewals_before_the_period(backend: BaseBackend) -> None:
    assert rates(backend, "renewals") == {"0": (3, 5), "1": (1, 1)}


def test_churn_by_product_in_force_at_the_start(backend: BaseBackend) -> None:
    # c3 owns two products and counts in both; c2, c6, c7 have no subscription.
    assert rates(backend, "product") == {"core": (3, 3), "addon": (1, 1), "(none)": (1, 3)}


def test_churn_reasons_by_month_with_mrr_lost(backend: BaseBackend) -> None:
    src = load_sources(backend, accounts=ACCOUNTS, subscriptions=SUBSCRIPTIONS)

    table = churn_reasons(src.accounts, src.subscriptions, months=(START, END))

    got = {(r["month"], r["reason"], r["role"]): (r["accounts"], r["mrr_lost"])
           for r in table.to_pyarrow().to_pylist()}  # fmt: skip
    # c7 gave no reason; c1 lost 100 (end of January); c3 100 and c8 300 (end of February).
    # c8's " ;Price; support;support": primary price, secondary support (once).
    assert got == {
        (M(2024, 1, 1), "(none)", "primary"): (1, 0.0),
        (M(2024, 2, 1), "price", "primary"): (1, 100.0),
        (M(2024, 2, 1), "support", "secondary"): (1, 100.0),
        (M(2024, 3, 1), "competitor", "primary"): (1, 100.0),
        (M(2024, 3, 1), "price", "primary"): (1, 300.0),
        (M(2024, 3, 1), "support", "secondary"): (1, 300.0),
    }
