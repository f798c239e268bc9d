"""Proportions per group: confidence intervals and which groups differ from the rest.

For each group g with n_g trials (accounts at risk) and x_g successes
(accounts churned), p̂_g = x_g / n_g and

- a confidence interval at level 1 − α for p_g: **Wilson** score interval
  (default; `method="wilson"`),

      (p̂ + z²/2n ± z √(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n),  z = Φ⁻¹(1 − α/2),

  or the exact **Clopper–Pearson** interval (`method="beta"`):
  [B(α/2; x, n − x + 1), B(1 − α/2; x + 1, n − x)] with B the beta quantile;
  both from `statsmodels.stats.proportion.proportion_confint`;
- a test of g against the rest of the population (all other groups
  pooled): **Fisher's exact test**, two-sided, on the 2×2 table
  [[x_g, n_g − x_g], [x_rest, n_rest − x_rest]] (`scipy.stats.fisher_exact`);
- the p-values of all groups corrected for multiple comparisons with
  **Holm's step-down method** (controls the family-wise error rate at α):
  with the m p-values sorted, p₍ᵢ₎ becomes max over j ≤ i of min(1, (m − j + 1) p₍ⱼ₎)
  (`holm`; the same numbers as statsmodels' `multipletests(method="holm")`,
  which runs a full garbage collection on every call, 0.5 s or more); a group is
  flagged `significant` when its corrected p-value is below α, with
  `direction` "higher" or "lower" than the rest.

Groups that overlap (an account in two groups) make "the rest" include some
of the group's own trials; the test then is conservative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.stats import fisher_exact
from statsmodels.stats.proportion import proportion_confint

IntervalMethod = Literal["wilson", "beta"]
METHODS: tuple[IntervalMethod, ...] = ("wilson", "beta")


@dataclass(frozen=True)
class GroupProportion:
    """One group's proportion, its interval and its test against the rest."""

    group: str
    trials: int
    successes: int
    rate: float
    ci_low: float
    ci_high: float
    p_value: float  # Fisher's exact test against the rest, two-sided
    p_adjusted: float  # Holm-corrected over all groups
    significant: bool
    direction: str  # "higher", "lower" or "" (not significant)


def proportion_interval(
    successes: Sequence[int] | np.ndarray,
    trials: Sequence[int] | np.ndarray,
    *,
    alpha: float = 0.05,
    method: IntervalMethod = "wilson",
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of the 1 − α interval for each successes / trials."""
    if method not in METHODS:
        raise ValueError(f"interval method must be one of {', '.join(METHODS)}, not {method!r}")
    x, n = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    if np.any(n <= 0) or np.any(x < 0) or np.any(x > n):
        raise ValueError("every group needs 0 ≤ successes ≤ trials and trials > 0")
    low, high = proportion_confint(x, n, alpha=alpha, method=method)
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


def holm(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm-adjusted p-values: max over j ≤ i of min(1, (m − j + 1) p₍ⱼ₎), in the input order."""
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p, kind="stable")
    steps = (len(p) - np.arange(len(p))) * p[order]
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(np.maximum.accumulate(steps), 1.0)
    return adjusted


def compare_groups(
    groups: Sequence[str],
    successes: Sequence[int],
    trials: Sequence[int],
    *,
    alpha: float = 0.05,
    method: IntervalMethod = "wilson",
) -> list[GroupProportion]:
    """Each group's rate, interval and Holm-corrected Fisher test against the rest."""
    if not len(groups) == len(successes) == len(trials):
        raise ValueError("groups, successes and trials must have the same length")
    if not groups:
        return []
    x, n = np.asarray(successes, dtype=np.int64), np.asarray(trials, dtype=np.int64)
    low, high = proportion_interval(x, n, alpha=alpha, method=method)
    rest_x, rest_n = x.sum() - x, n.sum() - n
    p_values = np.array(
        [
            fisher_exact([[xi, ni - xi], [rx, rn - rx]]).pvalue if rn > 0 else 1.0
            for xi, ni, rx, rn in zip(x, n, rest_x, rest_n, strict=True)
        ],
        dtype=float,
    )
    adjusted = holm(p_values)
    reject = adjusted < alpha
    rates = x / n
    rest_rates = np.divide(rest_x, rest_n, out=np.zeros(len(x)), where=rest_n > 0)
    return [
        GroupProportion(
            group=str(g),
            trials=int(n[i]),
            successes=int(x[i]),
            rate=float(rates[i]),
            ci_low=float(low[i]),
            ci_high=float(high[i]),
            p_value=float(p_values[i]),
            p_adjusted=float(adjusted[i]),
            significant=bool(reject[i]),
            direction=("higher" if rates[i] > rest_rates[i] else "lower") if reject[i] else "",
        )
        for i, g in enumerate(groups)
    ]
