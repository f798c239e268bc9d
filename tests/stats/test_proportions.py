"""Intervals against published values; the significance flag on simulations with known truth."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from tenure.stats.proportions import compare_groups, holm, proportion_interval

# Newcombe (1998), "Two-sided confidence intervals for the single proportion",
# Statistics in Medicine 17:857–872, Table I: x/n, Wilson score, Clopper–Pearson.
NEWCOMBE = [
    (81, 263, (0.2553, 0.3662), (0.2527, 0.3676)),
    (15, 148, (0.0624, 0.1605), (0.0578, 0.1617)),
    (0, 20, (0.0000, 0.1611), (0.0000, 0.1684)),
    (1, 29, (0.0061, 0.1718), (0.0009, 0.1776)),
]


@pytest.mark.parametrize(("x", "n", "wilson", "exact"), NEWCOMBE)
def test_intervals_match_newcombe(
    x: int, n: int, wilson: tuple[float, float], exact: tuple[float, float]
) -> None:
    low, high = proportion_interval([x], [n])
    assert (low[0], high[0]) == pytest.approx(wilson, abs=6e-5)
    low, high = proportion_interval([x], [n], method="beta")
    assert (low[0], high[0]) == pytest.approx(exact, abs=6e-5)


def test_a_planted_difference_is_flagged() -> None:
    rng = np.random.default_rng(7)
    n = np.full(5, 800)
    truth = np.array([0.10, 0.10, 0.20, 0.10, 0.10])
    flagged = 0
    for _ in range(100):
        x = rng.binomial(n, truth)
        found = compare_groups(list("abcde"), x.tolist(), n.tolist())
        flagged += found[2].significant and found[2].direction == "higher"
    assert flagged >= 95  # the power of this test is above 99%


def test_no_difference_rarely_flags_anything() -> None:
    rng = np.random.default_rng(11)
    n = np.full(6, 400)
    any_flag = 0
    runs = 200
    for _ in range(runs):
        x = rng.binomial(n, 0.1)
        any_flag += any(
            g.significant for g in compare_groups(list("abcdef"), x.tolist(), n.tolist())
        )
    # Holm keeps the family-wise error at or below 5% (Fisher is conservative):
    # binomial(200, 0.05) exceeds 18 with probability < 1%.
    assert any_flag <= 18


def test_the_flag_follows_holm_on_the_fisher_p_values() -> None:
    found = compare_groups(["a", "b", "c"], [10, 30, 12], [100, 100, 100])
    p = sorted(g.p_value for g in found)
    # Holm: the smallest p times 3, then max(previous, next p times 2), ...
    assert min(g.p_adjusted for g in found) == pytest.approx(min(1.0, 3 * p[0]))
    b = next(g for g in found if g.group == "b")
    assert b.significant
    assert b.direction == "higher"
    assert b.ci_low < b.rate < b.ci_high


def test_bad_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="successes"):
        compare_groups(["a"], [5], [3])
    with pytest.raises(ValueError, match="interval method"):
        proportion_interval([1], [2], method="normal")  # type: ignore[arg-type]


def test_holm_matches_statsmodels() -> None:
    p = np.random.default_rng(3).uniform(0, 0.2, size=9)
    p[4] = p[2]  # a tie
    assert holm(p) == pytest.approx(multipletests(p, method="holm")[1])
