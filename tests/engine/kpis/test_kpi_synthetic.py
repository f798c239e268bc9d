"""The KPIs on a generated history agree with the truth the generator kept.

`truth/account_months.parquet` has, per account and customer month, the MRR at
the month's end and whether the account churned that month. The subscriptions
fact table is derived from the same process, so MRR per account-month, the
churn movements and the monthly logo churn counts must match exactly.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import ibis.expr.types as ir
import pyarrow.parquet as pq
import pytest
from ibis.backends import BaseBackend

from tenure.engine.kpis import account_mrr, mrr_movements, revenue_retention
from tenure.sources.synthetic import generate

pytestmark = pytest.mark.slow

MONTHS = (dt.date(2025, 11, 1), dt.date(2026, 10, 1))  # the 12 months ending 2026-10-31


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthetic")
    summary = generate(out, accounts=200, months=12, seed=1)
    assert (summary.start_date, summary.end_date) == (MONTHS[0], dt.date(2026, 10, 31))
    return out


@pytest.fixture
def subscriptions(backend: BaseBackend, history: Path) -> ir.Table:
    return backend.create_table("subscriptions", pq.read_table(history / "subscriptions.parquet"))


def test_kpis_agree_with_the_generators_truth(subscriptions: ir.Table, history: Path) -> None:
    truth = pq.read_table(history / "truth" / "account_months.parquet").to_pylist()
    paying = {(r["account_id"], r["month"]): r["mrr"] for r in truth if r["mrr"] > 0}
    churned = {(r["account_id"], r["month"]) for r in truth if r["churned"]}

    mrr = account_mrr(subscriptions, months=MONTHS).to_pyarrow().to_pylist()
    assert {(r["account_id"], r["month"]): r["mrr"] for r in mrr} == paying

    moves = mrr_movements(subscriptions, months=MONTHS).to_pyarrow().to_pylist()
    assert {(r["account_id"], r["month"]) for r in moves if r["movement"] == "churn"} == churned

    # Monthly logo churn: accounts lost in m / accounts paying at the end of m − 1.
    retention = revenue_retention(subscriptions, months=(MONTHS[0].replace(month=12), MONTHS[1]))
    lost = Counter(month for _, month in churned)
    at_start = Counter(month for _, month in paying)
    for row in retention.to_pyarrow().to_pylist():
        previous = row["period_start"]
        assert row["accounts_lost"] == lost[row["month"]], row["month"]
        assert row["accounts_at_start"] == at_start[previous], row["month"]
        expected_rate = lost[row["month"]] / at_start[previous]
        assert row["logo_churn_rate"] == pytest.approx(expected_rate)
    assert sum(lost.values()) > 30  # the check is not vacuous
