"""How good is a churn score: discrimination, calibration and lift.

Every function takes the outcomes `y` (1 = churned, 0 = stayed) and a score
`p` (higher = more likely to churn; a probability where calibration matters).

- ROC AUC = P(score of a random churner > score of a random stayer), ties
  counting one half (the Mann–Whitney U statistic / (n₁ n₀)).
- PR AUC = average precision = Σₖ (Rₖ − Rₖ₋₁) Pₖ over the thresholds at each
  distinct score (scikit-learn's `average_precision_score`); a random score
  gets the base rate.
- Brier score = mean (p − y)²; 0 is perfect, base rate × (1 − base rate) is
  what always predicting the base rate gets.
- Calibration table: accounts sorted by p and cut into ten groups of (nearly)
  equal size (deciles); per group the mean predicted p and the observed churn
  rate. A calibrated model has them equal.
- Lift: the observed churn rate in the top 10 % by score / the overall rate.
  Cumulative gains: the share of all churners found in the top 10 %, 20 %, …
- Rates per group (e.g. health bands) with Wilson score 95 % intervals:
  (p̂ + z²/2n ± z √(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n), z = 1.96.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

Floats = npt.ArrayLike


@dataclass(frozen=True)
class CalibrationRow:
    decile: int  # 1 = lowest predicted risk
    accounts: int
    predicted: float  # mean predicted probability
    observed: float  # observed churn rate


@dataclass(frozen=True)
class Lift:
    top_decile_rate: float  # churn rate among the top 10 % by score
    base_rate: float
    top_decile_lift: float  # top_decile_rate / base_rate
    cumulative_gains: list[float]  # share of churners in the top 10 %, 20 %, ..., 100 %


@dataclass(frozen=True)
class GroupRate:
    group: str
    accounts: int
    churned: int
    rate: float
    low: float  # Wilson 95 % interval
    high: float


def _arrays(y: Floats, p: Floats) -> tuple[np.ndarray, np.ndarray]:
    outcomes = np.asarray(y, dtype=np.int64)
    scores = np.asarray(p, dtype=np.float64)
    if outcomes.shape != scores.shape or outcomes.ndim != 1:
        raise ValueError("outcomes and scores must be 1-d arrays of the same length")
    return outcomes, scores


def roc_auc(y: Floats, p: Floats) -> float | None:
    """ROC AUC; None when only one class is present (it is undefined)."""
    outcomes, scores = _arrays(y, p)
    if len(np.unique(outcomes)) < 2:
        return None
    return float(roc_auc_score(outcomes, scores))


def pr_auc(y: Floats, p: Floats) -> float | None:
    """Average precision; None without any churner."""
    outcomes, scores = _arrays(y, p)
    if outcomes.sum() == 0:
        return None
    return float(average_precision_score(outcomes, scores))


def brier(y: Floats, p: Floats) -> float:
    outcomes, scores = _arrays(y, p)
    return float(brier_score_loss(outcomes, scores))


def _ranked_groups(scores: np.ndarray, groups: int) -> list[np.ndarray]:
    """Indices cut into `groups` nearly equal parts, lowest scores first (stable on ties)."""
    order = np.argsort(scores, kind="stable")
    return [part for part in np.array_split(order, groups) if len(part)]


def calibration_table(y: Floats, p: Floats, *, groups: int = 10) -> list[CalibrationRow]:
    """Mean predicted probability and observed churn rate per decile of predicted risk."""
    outcomes, scores = _arrays(y, p)
    return [
        CalibrationRow(k + 1, len(part), float(scores[part].mean()), float(outcomes[part].mean()))
        for k, part in enumerate(_ranked_groups(scores, groups))
    ]


def lift(y: Floats, p: Floats) -> Lift:
    """Top-decile lift and cumulative gains (the highest scores first)."""
    outcomes, scores = _arrays(y, p)
    base = float(outcomes.mean()) if len(outcomes) else 0.0
    parts = _ranked_groups(-scores, 10)
    top = float(outcomes[parts[0]].mean()) if parts else 0.0
    total = outcomes.sum()
    found = np.cumsum([outcomes[part].sum() for part in parts])
    gains = [float(f / total) if total else 0.0 for f in found]
    return Lift(top, base, top / base if base else 0.0, gains)


def wilson_interval(successes: int, trials: int, *, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion (0, 1 when there are no trials)."""
    if trials == 0:
        return 0.0, 1.0
    rate = successes / trials
    centre = rate + z * z / (2 * trials)
    spread = z * math.sqrt(rate * (1 - rate) / trials + z * z / (4 * trials * trials))
    scale = 1 + z * z / trials
    return max(0.0, (centre - spread) / scale), min(1.0, (centre + spread) / scale)


def rates_by_group(y: Floats, groups: npt.ArrayLike, *, order: list[str]) -> list[GroupRate]:
    """Churn rate with its Wilson 95 % interval per group, in `order` (absent groups: 0 rows)."""
    outcomes = np.asarray(y, dtype=np.int64)
    labels = np.asarray(groups, dtype=object)
    rows = []
    for group in order:
        inside = outcomes[labels == group]
        churned, n = int(inside.sum()), len(inside)
        low, high = wilson_interval(churned, n)
        rows.append(GroupRate(group, n, churned, churned / n if n else 0.0, low, high))
    return rows
