"""MRR per account per month and the MRR bridge, against numbers worked out by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import ibis.expr.types as ir
import pytest
from ibis.backends import BaseBackend
from kpi_portfolios import JANUARY_2024, load_subscriptions

from tenure.engine.kpis import account_mrr, first_paid_month, mrr_bridge, mrr_movements
from tenure.warehouse.schemas import SUBSCRIPTIONS

D, M = dt.datetime, dt.date

# The January 2024 portfolio (see kpi_portfolios), plus a free plan and a
# subscription in force at no month end.
SUBS: list[dict[str, Any]] = [
    *JANUARY_2024,
    # a6: a free plan (mrr 0) never pays.
    {"subscription_id": "s9", "account_id": "a6", "mrr": 0.0, "started_at": D(2023, 1, 1)},
    # a7: a blip within November (never in force at a month end), then new in February.
    {"subscription_id": "s10", "account_id": "a7", "mrr": 50.0,
     "started_at": D(2023, 11, 3), "ended_at": D(2023, 11, 20)},
    {"subscription_id": "s11", "account_id": "a7", "mrr": 40.0, "started_at": D(2024, 2, 10)},
]  # fmt: skip

MONTHS = (M(2024, 1, 1), M(2024, 2, 1))


@pytest.fixture
def subscriptions(backend: BaseBackend) -> ir.Table:
    return load_subscriptions(backend, SUBS)


def rows(expr: ir.Table, *keys: str) -> list[dict[str, Any]]:
    return sorted(expr.to_pyarrow().to_pylist(), key=lambda r: tuple(r[k] for k in keys))


def test_account_mrr_counts_subscriptions_in_force_at_month_end(subscriptions: ir.Table) -> None:
    got = rows(account_mrr(subscriptions, months=(M(2023, 12, 1), M(2024, 1, 31))), "month")
    by_month = {(r["month"], r["account_id"]): r["mrr"] for r in got}

    assert by_month == {
        # End of December: s3 ends exactly then (still in force), s4 starts then (not yet).
        (M(2023, 12, 1), "a1"): 100.0,
        (M(2023, 12, 1), "a2"): 200.0,
        (M(2023, 12, 1), "a3"): 100.0,
        # End of January: a1 = 100 + 50; a3 canceled; a4 and a5 paying; a6 free, a7 not yet.
        (M(2024, 1, 1), "a1"): 150.0,
        (M(2024, 1, 1), "a2"): 150.0,
        (M(2024, 1, 1), "a4"): 80.0,
        (M(2024, 1, 1), "a5"): 70.0,
    }


def test_first_paid_month_ignores_a_blip_within_a_month(subscriptions: ir.Table) -> None:
    got = {r["account_id"]: r["first_paid_month"] for r in rows(first_paid_month(subscriptions))}

    assert got == {
        "a1": M(2023, 6, 1),
        "a2": M(2023, 1, 1),
        "a3": M(2023, 3, 1),
        "a4": M(2024, 1, 1),
        "a5": M(2023, 6, 1),
        "a7": M(2024, 2, 1),  # the November subscription ended before November's end
    }


def test_movements_follow_consecutive_months(subscriptions: ir.Table) -> None:
    got = rows(mrr_movements(subscriptions, months=MONTHS), "month", "account_id")
    moves = {(r["month"].month, r["account_id"]): (r["movement"], r[r["movement"]]) for r in got
             if r["movement"] != "flat"}  # fmt: skip

    assert moves == {
        (1, "a1"): ("expansion", 50.0),  # 100 → 150
        (1, "a2"): ("contraction", 50.0),  # 200 → 150
        (1, "a3"): ("churn", 100.0),  # 100 → 0
        (1, "a4"): ("new", 80.0),  # 0 → 80, first time
        (1, "a5"): ("reactivation", 70.0),  # 0 → 70, paid in 2023
        (2, "a7"): ("new", 40.0),  # its November blip never counted
    }
    flat = {(r["month"].month, r["account_id"]) for r in got if r["movement"] == "flat"}
    assert flat == {(2, "a1"), (2, "a2"), (2, "a4"), (2, "a5")}  # a3 gone: no row
    for r in got:  # every amount but the row's own movement is 0
        others = [r[m] for m in ("new", "expansion", "contraction", "churn", "reactivation")]
        assert sorted(others)[:-1] == [0.0] * 4


def test_bridge_adds_up(subscriptions: ir.Table) -> None:
    jan, feb = rows(mrr_bridge(subscriptions, months=MONTHS), "month")

    # January: 400 + 80 new + 50 expansion + 70 reactivation − 50 − 100 = 450.
    assert jan == {"month": M(2024, 1, 1), "opening_mrr": 400.0, "new": 80.0,
                   "expansion": 50.0, "contraction": 50.0, "churn": 100.0,
                   "reactivation": 70.0, "closing_mrr": 450.0}  # fmt: skip
    # February: 450 + 40 new (a7) = 490.
    assert feb["opening_mrr"] == 450.0
    assert (feb["new"], feb["churn"], feb["closing_mrr"]) == (40.0, 0.0, 490.0)


def test_a_reversed_month_range_is_refused() -> None:
    subscriptions = ibis.table(SUBSCRIPTIONS.schema, name="subscriptions")
    with pytest.raises(ValueError, match="empty month range"):
        account_mrr(subscriptions, months=(M(2024, 2, 1), M(2024, 1, 1)))
