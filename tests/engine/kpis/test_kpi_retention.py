"""Revenue retention (GRR, NRR, logo churn, churn on renewal), worked out by hand."""

from __future__ import annotations

import datetime as dt

import ibis
import pytest
from ibis.backends import BaseBackend
from kpi_portfolios import JANUARY_2024, YEAR_2024, load_subscriptions

from tenure.engine.kpis import revenue_retention
from tenure.warehouse.schemas import SUBSCRIPTIONS

D, M = dt.datetime, dt.date


def test_monthly_retention_on_the_cohort_paying_at_the_start(backend: BaseBackend) -> None:
    subs = load_subscriptions(backend, JANUARY_2024)

    (jan,) = revenue_retention(subs, months=(M(2024, 1, 1), M(2024, 1, 1))).to_pyarrow().to_pylist()

    # Cohort: a1 100 + a2 200 + a3 100 = 400 (a4 new, a5 not paying at the start).
    assert jan["month"] == M(2024, 1, 1)
    assert jan["period_start"] == M(2023, 12, 1)
    assert (jan["accounts_at_start"], jan["accounts_lost"]) == (3, 1)
    assert (jan["start_mrr"], jan["expansion"], jan["contraction"]) == (400.0, 50.0, 50.0)
    assert (jan["churned_mrr"], jan["end_mrr"]) == (100.0, 300.0)
    assert jan["grr"] == pytest.approx(0.625)  # (400 − 50 − 100) / 400
    assert jan["nrr"] == pytest.approx(0.75)  # (400 + 50 − 50 − 100) / 400
    assert jan["logo_churn_rate"] == pytest.approx(1 / 3)  # a3 of 3
    # Up for renewal in January: s3 (200, renewed) and s5 (100, a3 has no MRR at the
    # end of January); s1 is open-ended. Churn on renewal = 100 / 300.
    assert (jan["renewal_mrr"], jan["churned_renewal_mrr"]) == (300.0, 100.0)
    assert jan["churn_on_renewal"] == pytest.approx(1 / 3)


def test_trailing_twelve_months_compare_start_and_end(backend: BaseBackend) -> None:
    subs = load_subscriptions(backend, YEAR_2024)

    (year,) = (
        revenue_retention(subs, months=(M(2024, 12, 1), M(2024, 12, 1)), window_months=12)
        .to_pyarrow()
        .to_pylist()
    )

    # Cohort at the end of 2023: b1 100 + b2 200 + b3 100 + b5 300 = 700.
    # End of 2024: b1 100, b2 260 (+60), b3 0 (−100 churned), b5 240 (−60) = 600.
    assert year["period_start"] == M(2023, 12, 1)
    assert (year["accounts_at_start"], year["accounts_lost"]) == (4, 1)  # b2 came back
    assert (year["start_mrr"], year["end_mrr"]) == (700.0, 600.0)
    assert (year["expansion"], year["contraction"], year["churned_mrr"]) == (60.0, 60.0, 100.0)
    assert year["grr"] == pytest.approx(540 / 700)  # (700 − 60 − 100) / 700
    assert year["nrr"] == pytest.approx(600 / 700)  # (700 + 60 − 60 − 100) / 700
    assert year["logo_churn_rate"] == pytest.approx(1 / 4)
    # Up for renewal: t2 (200; no MRR at the end of March: churned, although b2 came
    # back in June), t4 (100, churned), t6 (300, renewed). 300 / 600.
    assert (year["renewal_mrr"], year["churned_renewal_mrr"]) == (600.0, 300.0)
    assert year["churn_on_renewal"] == pytest.approx(0.5)


def test_grr_is_capped_while_nrr_counts_expansion(backend: BaseBackend) -> None:
    subs = load_subscriptions(backend, [
        {"subscription_id": "x1", "account_id": "c1", "mrr": 100.0, "started_at": D(2023, 1, 1)},
        {"subscription_id": "x2", "account_id": "c1", "mrr": 200.0, "started_at": D(2024, 1, 9)},
        {"subscription_id": "x3", "account_id": "c2", "mrr": 100.0, "started_at": D(2023, 1, 1)},
    ])  # fmt: skip

    (jan,) = revenue_retention(subs, months=(M(2024, 1, 1), M(2024, 1, 1))).to_pyarrow().to_pylist()

    # c1 100 → 300, c2 100 → 100: GRR = (200 − 0 − 0) / 200 = 100% (not 200%),
    # NRR = (200 + 200) / 200 = 200%.
    assert jan["grr"] == pytest.approx(1.0)
    assert jan["nrr"] == pytest.approx(2.0)


def test_a_month_without_a_cohort_has_a_row_of_zeros(backend: BaseBackend) -> None:
    subs = load_subscriptions(backend, YEAR_2024)

    got = revenue_retention(subs, months=(M(2022, 1, 1), M(2022, 2, 1))).to_pyarrow().to_pylist()

    assert [r["month"] for r in got] == [M(2022, 1, 1), M(2022, 2, 1)]
    assert all(r["start_mrr"] == 0.0 and r["accounts_at_start"] == 0 for r in got)
    assert all(r["grr"] is None and r["logo_churn_rate"] is None for r in got)


def test_the_window_must_be_a_month_or_more() -> None:
    subs = ibis.table(SUBSCRIPTIONS.schema, name="subscriptions")
    with pytest.raises(ValueError, match="window_months"):
        revenue_retention(subs, months=(M(2024, 1, 1), M(2024, 1, 1)), window_months=0)
