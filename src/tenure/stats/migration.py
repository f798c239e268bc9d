"""Did touched accounts migrate better? A stratified comparison with matched controls.

Accounts are matched exactly on strata (e.g. starting segment and value tier):
only strata with both touched and untouched accounts count. For each outcome
(upgrade, downgrade, churned), with w_s = n_t,s / Σ n_t the share of touched
accounts in stratum s and p_t,s, p_c,s the outcome shares of touched and
untouched accounts there:

    treated share = Σ w_s p_t,s        control share = Σ w_s p_c,s
    difference    = treated − control  (the effect on the touched)
    Var           = Σ w_s² (p_t,s (1 − p_t,s) / n_t,s + p_c,s (1 − p_c,s) / n_c,s)
    CI            = difference ± z_(1+level)/2 × √Var   (normal approximation)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

OUTCOMES = ("upgrade", "downgrade", "churned")


@dataclass(frozen=True)
class OutcomeComparison:
    outcome: str
    treated_accounts: int  # touched accounts in matched strata
    control_accounts: int  # untouched accounts in those strata
    treated_share: float | None
    control_share: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None


def compare_migration(
    outcomes: pd.DataFrame,
    *,
    strata: Sequence[str],
    treated: str = "treated",
    outcome: str = "outcome",
    kinds: Sequence[str] = OUTCOMES,
    level: float = 0.95,
) -> list[OutcomeComparison]:
    """Outcome shares of touched vs matched untouched accounts, with the difference's CI."""
    missing = [c for c in (*strata, treated, outcome) if c not in outcomes.columns]
    if missing:
        raise ValueError(f"outcomes: no column {', '.join(map(repr, missing))}")
    frame = outcomes.assign(_t=outcomes[treated].astype(bool))
    key = list(strata) if strata else None
    groups = frame.groupby(key, dropna=False) if key else [((), frame)]
    cells = []
    for _, group in groups:
        t, c = group[group._t], group[~group._t]
        if len(t) and len(c):
            cells.append((t[outcome].to_numpy(), c[outcome].to_numpy()))
    n_t = np.array([len(t) for t, _ in cells], dtype=float)
    n_c = np.array([len(c) for _, c in cells], dtype=float)
    z = NormalDist().inv_cdf((1 + level) / 2)
    found = []
    for kind in kinds:
        if not cells:
            found.append(OutcomeComparison(kind, 0, 0, None, None, None, None, None))
            continue
        w = n_t / n_t.sum()
        p_t = np.array([(t == kind).mean() for t, _ in cells])
        p_c = np.array([(c == kind).mean() for _, c in cells])
        diff = float(w @ p_t - w @ p_c)
        se = float(np.sqrt(np.sum(w**2 * (p_t * (1 - p_t) / n_t + p_c * (1 - p_c) / n_c))))
        found.append(
            OutcomeComparison(
                kind, int(n_t.sum()), int(n_c.sum()), float(w @ p_t), float(w @ p_c),
                diff, diff - z * se, diff + z * se,
            )
        )  # fmt: skip
    return found
