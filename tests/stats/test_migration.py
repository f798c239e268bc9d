"""The stratified touched-vs-untouched comparison against simulations with a known effect."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tenure.stats.migration import compare_migration


def simulate(rng: np.random.Generator, effect: float) -> pd.DataFrame:
    """Two strata with different base upgrade rates; touched accounts more often in the
    better one (confounding), upgrade probability + effect when touched."""
    n = 2000
    stratum = rng.integers(0, 2, n)
    treated = rng.random(n) < np.where(stratum == 1, 0.7, 0.2)
    p = np.where(stratum == 1, 0.3, 0.05) + effect * treated
    outcome = np.where(rng.random(n) < p, "upgrade", "same")
    return pd.DataFrame({"from_segment": stratum, "treated": treated, "outcome": outcome})


def test_the_stratified_difference_recovers_the_effect_and_its_ci_covers() -> None:
    rng = np.random.default_rng(7)
    covered, estimates = 0, []
    for _ in range(200):
        up = compare_migration(simulate(rng, 0.1), strata=["from_segment"])[0]
        assert up.outcome == "upgrade"
        assert up.difference is not None
        estimates.append(up.difference)
        covered += up.ci_low <= 0.1 <= up.ci_high  # type: ignore[operator]
    assert abs(np.mean(estimates) - 0.1) < 0.01
    assert 0.90 <= covered / 200 <= 0.99


def test_without_strata_confounding_biases_the_naive_difference() -> None:
    data = simulate(np.random.default_rng(8), 0.0)
    naive = compare_migration(data, strata=[])[0].difference
    matched = compare_migration(data, strata=["from_segment"])[0].difference
    assert naive is not None
    assert matched is not None
    assert naive > 0.08
    assert abs(matched) < 0.04


def test_strata_without_controls_are_left_out() -> None:
    data = pd.DataFrame(
        {"s": ["a", "a", "a", "b"], "treated": [True, False, False, True],
         "outcome": ["upgrade", "same", "upgrade", "churned"]}
    )  # fmt: skip
    up, _, churned = compare_migration(data, strata=["s"])
    assert (up.treated_accounts, up.control_accounts) == (1, 2)
    assert (up.treated_share, up.control_share) == (1.0, 0.5)
    assert churned.treated_share == 0.0
