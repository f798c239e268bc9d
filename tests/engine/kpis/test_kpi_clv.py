"""Simple subscription CLV = ARPA × gross margin / monthly logo churn rate, by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import ibis.expr.types as ir
import pytest
from ibis.backends import BaseBackend
from kpi_portfolios import YEAR_2024, load_subscriptions

from tenure.engine.kpis import subscription_clv
from tenure.warehouse.schemas import SUBSCRIPTIONS

D, M = dt.datetime, dt.date
DEC = (M(2024, 12, 1), M(2024, 12, 1))


@pytest.fixture
def subscriptions(backend: BaseBackend) -> ir.Table:
    # b1 stays, b2 is lost in March and back in June, b3 lost in August,
    # b4 new in February, b5 renewed lower in July.
    return load_subscriptions(backend, YEAR_2024)


def test_clv_from_arpa_margin_and_trailing_churn(subscriptions: ir.Table) -> None:
    (got,) = subscription_clv(subscriptions, months=DEC, gross_margin=0.8).to_pyarrow().to_pylist()

    # End of December: b1 100 + b2 260 + b4 50 + b5 240 = 650 over 4 accounts: ARPA 162.5.
    assert (got["month"], got["mrr"], got["paying_accounts"]) == (M(2024, 12, 1), 650.0, 4)
    assert got["arpa"] == pytest.approx(162.5)
    # Monthly logo churn, January–December 2024: March 1 of 5 (b2), August 1 of 5 (b3),
    # every other month 0: mean = (0.2 + 0.2) / 12 = 1/30.
    assert got["monthly_logo_churn_rate"] == pytest.approx(1 / 30)
    # CLV = 162.5 × 0.8 / (1/30) = 130 × 30 = 3900.
    assert got["clv"] == pytest.approx(3900.0)


def test_shorter_churn_windows_and_no_churn(subscriptions: ir.Table) -> None:
    got = subscription_clv(
        subscriptions, months=(M(2024, 8, 1), M(2024, 9, 1)), gross_margin=0.5, churn_months=2
    ).to_pyarrow().to_pylist()  # fmt: skip
    aug, sep = sorted(got, key=lambda r: r["month"])

    # August: July 0 of 5, August 1 of 5: mean 0.1. End of August: b1 100 + b2 260 +
    # b4 50 + b5 240 = 650 over 4. CLV = 162.5 × 0.5 / 0.1 = 812.5.
    assert aug["monthly_logo_churn_rate"] == pytest.approx(0.1)
    assert aug["clv"] == pytest.approx(812.5)
    # September: (0.2 + 0) / 2 = 0.1 again; with churn_months=1 it would be 0 and CLV null.
    assert sep["clv"] == pytest.approx(812.5)
    (sep_only,) = subscription_clv(
        subscriptions, months=(M(2024, 9, 1), M(2024, 9, 1)), gross_margin=0.5, churn_months=1
    ).to_pyarrow().to_pylist()  # fmt: skip
    assert sep_only["monthly_logo_churn_rate"] == 0.0
    assert sep_only["clv"] is None


@pytest.mark.parametrize(
    "options", [{"gross_margin": 1.5}, {"gross_margin": 0.8, "churn_months": 0}]
)
def test_options_are_checked(options: dict[str, Any]) -> None:
    subscriptions = ibis.table(SUBSCRIPTIONS.schema, name="subscriptions")
    with pytest.raises(ValueError, match="must be"):
        subscription_clv(subscriptions, months=DEC, **options)
