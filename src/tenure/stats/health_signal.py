"""Does a health score predict churn? Discrimination, band calibration, per-measure signal.

Input: plain frames of health snapshots with the outcome `churned` (1 when the
account churned within the horizon after the snapshot's day, else 0).

- Score AUC = ROC AUC of (100 − health_score) for churn: the chance that a
  churner had a lower score than a stayer (0.5 = no signal).
- Band calibration: churn rate per band with Wilson 95 % intervals; a useful
  score has red > yellow > green.
- Per-measure AUC: ROC AUC of (100 − points) per measure, over the snapshots
  where the measure had data; above 0.5 the measure carries signal, near 0.5
  it is noise in the score, below 0.5 it points the wrong way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tenure.stats.churn_metrics import GroupRate, rates_by_group, roc_auc

BANDS = ["red", "yellow", "green"]


@dataclass(frozen=True)
class MeasureSignal:
    measure: str
    snapshots: int  # with data
    roc_auc: float | None


@dataclass(frozen=True)
class HealthSignal:
    snapshots: int
    churned: int
    roc_auc: float | None
    bands: list[GroupRate]
    measures: list[MeasureSignal]


def health_signal(scores: pd.DataFrame, contributions: pd.DataFrame | None = None) -> HealthSignal:
    """`scores`: health_score, health_band, churned; `contributions`: measure, points, churned."""
    scored = scores[scores.health_score.notna()]
    y = scored.churned.to_numpy(np.int64)
    measures = []
    if contributions is not None and not contributions.empty:
        for name, rows in contributions.groupby("measure", sort=True):
            known = rows[rows.points.notna()]
            measures.append(
                MeasureSignal(
                    str(name),
                    len(known),
                    roc_auc(known.churned.to_numpy(np.int64), 100 - known.points.to_numpy()),
                )
            )
    return HealthSignal(
        len(scored),
        int(y.sum()),
        roc_auc(y, 100 - scored.health_score.to_numpy(np.float64)),
        rates_by_group(y, scored.health_band.astype(str).str.lower().to_numpy(), order=BANDS),
        measures,
    )
