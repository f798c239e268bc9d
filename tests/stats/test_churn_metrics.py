"""Churn metrics on hand-computed fixtures."""

from __future__ import annotations

import pytest

from tenure.stats.churn_metrics import (
    brier,
    calibration_table,
    lift,
    pr_auc,
    rates_by_group,
    roc_auc,
    wilson_interval,
)

# Churners score 0.35 and 0.8, stayers 0.1 and 0.4: of the 4 churner-stayer
# pairs, 3 are ranked right (0.35 < 0.4 is the wrong one): AUC = 3/4.
Y = [0, 0, 1, 1]
P = [0.1, 0.4, 0.35, 0.8]


def test_roc_auc_counts_correctly_ranked_pairs() -> None:
    assert roc_auc(Y, P) == pytest.approx(0.75)
    assert roc_auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == pytest.approx(0.5)  # ties: one half
    assert roc_auc([1, 1], [0.2, 0.3]) is None


def test_pr_auc_is_average_precision() -> None:
    # Ranked by score: 0.8 (churner, precision 1/1), 0.4 (stayer), 0.35 (churner, 2/3).
    # AP = 0.5 · 1 + 0.5 · 2/3.
    assert pr_auc(Y, P) == pytest.approx(0.5 + 1 / 3)


def test_brier_is_the_mean_squared_error() -> None:
    assert brier(Y, P) == pytest.approx((0.01 + 0.16 + 0.4225 + 0.04) / 4)


def test_calibration_table_by_predicted_decile() -> None:
    y = [0] * 8 + [1, 1] + [0] * 5 + [1] * 5
    p = [0.1] * 10 + [0.5] * 10
    rows = calibration_table(y, p, groups=2)
    assert [(r.decile, r.accounts) for r in rows] == [(1, 10), (2, 10)]
    assert [r.predicted for r in rows] == pytest.approx([0.1, 0.5])
    assert [r.observed for r in rows] == pytest.approx([0.2, 0.5])


def test_lift_and_cumulative_gains() -> None:
    # 20 accounts, 4 churners: the two top-scored are churners (top 10 % = 2 accounts).
    p = [k / 20 for k in range(20)]
    y = [0] * 20
    y[19] = y[18] = y[0] = y[5] = 1
    result = lift(y, p)
    assert result.base_rate == pytest.approx(0.2)
    assert result.top_decile_rate == pytest.approx(1.0)
    assert result.top_decile_lift == pytest.approx(5.0)
    assert result.cumulative_gains[0] == pytest.approx(0.5)
    assert result.cumulative_gains[-1] == pytest.approx(1.0)
    # accounts 5 (score 0.25) is in the 8th tenth from the top, account 0 in the last.
    assert result.cumulative_gains[6] == pytest.approx(0.5)
    assert result.cumulative_gains[7] == pytest.approx(0.75)


def test_wilson_interval_matches_the_published_formula() -> None:
    # Newcombe (1998), table I: 81 of 263 -> 0.2553 to 0.3662.
    low, high = wilson_interval(81, 263)
    assert (low, high) == pytest.approx((0.2553, 0.3662), abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_rates_by_group_in_the_given_order() -> None:
    rows = rates_by_group(
        [1, 0, 0, 1, 1],
        ["red", "green", "green", "red", "yellow"],
        order=["red", "yellow", "green", "grey"],
    )
    assert [(r.group, r.accounts, r.churned) for r in rows] == [
        ("red", 2, 2),
        ("yellow", 1, 1),
        ("green", 2, 0),
        ("grey", 0, 0),
    ]
