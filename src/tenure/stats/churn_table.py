"""A user's churn table: one row per customer, attributes plus a yes/no label."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from tenure.stats.churn_model import ChurnDataError, feature_frame

CHURNED = {"1", "yes", "y", "true", "t", "churned"}
STAYED = {"0", "no", "n", "false", "f", "stayed"}


def parse_labels(
    column: pd.Series, *, where: Callable[[int], str] = lambda k: f"row {k + 1}"
) -> np.ndarray:
    """1 for yes/true/1 (and y, t, churned), 0 for no/false/0 (n, f, stayed); case-blind.

    Anything else (a missing value too) raises ChurnDataError naming the row
    (`where(position)`) and the value.
    """
    text = column.astype("string").str.strip().str.lower()
    numeric = pd.to_numeric(column, errors="coerce") if column.dtype != object else None
    values = np.zeros(len(column), dtype=np.int64)
    for position, value in enumerate(text):
        if numeric is not None and pd.notna(numeric.iloc[position]):
            value = {1.0: "1", 0.0: "0"}.get(float(numeric.iloc[position]), value)
        if value is pd.NA or value is None:
            raise ChurnDataError(f"{where(position)}: the label is empty (give yes/no, 1/0)")
        if value in CHURNED:
            values[position] = 1
        elif value not in STAYED:
            shown = str(column.iloc[position])
            raise ChurnDataError(
                f"{where(position)}: label {shown!r} is not yes/no, true/false or 1/0"
            )
    return values


def split_table(
    frame: pd.DataFrame,
    *,
    label: str,
    id_column: str | None = None,
    where: Callable[[int], str] = lambda k: f"row {k + 1}",
) -> tuple[pd.DataFrame, np.ndarray]:
    """Features (indexed by the id column, if given) and 0/1 outcomes of a churn table."""
    for name in [label, *([id_column] if id_column else [])]:
        if name not in frame.columns:
            raise ChurnDataError(
                f"no column {name!r} (columns: {', '.join(map(str, frame.columns))})"
            )
    outcomes = parse_labels(frame[label], where=where)
    features = frame.drop(columns=[label])
    if id_column:
        features = features.set_index(id_column)
    features = feature_frame(features)
    if features.shape[1] == 0:
        raise ChurnDataError("no feature columns besides the label and the id")
    return features, outcomes
