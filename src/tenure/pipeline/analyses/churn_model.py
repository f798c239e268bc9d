"""Churn prediction on a file or a workspace: evaluate, backtest, predict and store.

- `evaluate_file`: a CSV or Parquet table of one row per customer, scored by
  stratified K-fold cross-validation (`tenure.stats.churn_model.evaluate`).
- `churn_backtest`: a time-based split on the workspace. The test as-of day D
  is the latest day whose whole horizon has data (default: last day with
  events − horizon). The model trains on features as of D − H, D − H − 30,
  D − H − 60, … (`train_dates` of them, 6 by default, leaving out days whose
  60-day activity window starts before the history; each one's outcome window
  ends by D, so nothing about the test period leaks in) and predicts churn in (D, D + H].
  On generated data the oracle AUC is computed from the truth files.
- `predict_churn`: trains the same way on the latest days with a known outcome
  and writes every current customer's probability to the warehouse table
  `churn_predictions(account_id, as_of, churn_risk)` (rows of that as_of
  replaced), where the `churn_risk` measure reads it.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
from ibis.backends import BaseBackend

from tenure.config import Settings
from tenure.engine.features import churn_features, churn_outcomes
from tenure.pipeline.imports import open_warehouse
from tenure.pipeline.rollups import refresh_for
from tenure.stats.churn_metrics import roc_auc
from tenure.stats.churn_model import (
    ChurnDataError,
    ChurnEvaluation,
    ChurnModel,
    evaluate,
    feature_frame,
    scored,
)
from tenure.stats.churn_table import split_table

PREDICTIONS = "churn_predictions"


@dataclass
class FeatureSources:
    """The tables `churn_features` reads, from one warehouse."""

    accounts: ibis.Table
    subscriptions: ibis.Table
    contacts: ibis.Table
    tickets: ibis.Table
    survey_responses: ibis.Table
    touches: ibis.Table
    activity_daily: ibis.Table
    contact_daily: ibis.Table

    @classmethod
    def of(cls, warehouse: BaseBackend) -> FeatureSources:
        return cls(**{name: warehouse.table(name) for name in cls.__dataclass_fields__})


def read_churn_table(path: Path) -> tuple[pd.DataFrame, str]:
    """The table in a CSV or Parquet file, and how its rows are named (line or row)."""
    if not path.is_file():
        raise ChurnDataError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path), "row"
        if suffix in (".csv", ".txt", ".tsv"):
            return pd.read_csv(path, sep="\t" if suffix == ".tsv" else ","), "line"
    except (ValueError, OSError) as exc:
        raise ChurnDataError(f"{path}: cannot read it ({exc})") from None
    raise ChurnDataError(f"{path}: give a .csv or .parquet file, not {suffix or 'no suffix'}")


def evaluate_file(
    path: Path, *, label: str, id_column: str | None = None, folds: int = 5, seed: int = 0
) -> ChurnEvaluation:
    """Cross-validated churn model metrics of a one-row-per-customer file."""
    frame, unit = read_churn_table(path)
    if frame.empty:
        raise ChurnDataError(f"{path}: no rows")
    # CSV line numbers count the header (line 1); Parquet rows count from 1.
    offset = 2 if unit == "line" else 1

    def where(position: int) -> str:
        return f"{path} {unit} {position + offset}, column {label!r}"

    try:
        features, outcomes = split_table(frame, label=label, id_column=id_column, where=where)
    except ChurnDataError as exc:
        message = str(exc)
        shown = message if message.startswith(str(path)) else f"{path}: {message}"
        raise ChurnDataError(shown) from None
    return evaluate(features, outcomes, folds=folds, seed=seed)


def labelled_features(
    sources: FeatureSources, *, as_of: dt.date, horizon_days: int
) -> pd.DataFrame:
    """Features as of `as_of` with the outcome `churned` in the next `horizon_days`."""
    features = churn_features(sources, as_of=as_of)
    outcomes = churn_outcomes(sources.accounts, as_of=as_of, horizon_days=horizon_days)
    frame = features.join(outcomes, "account_id").to_pandas()
    return frame.set_index("account_id").sort_index()


def _split(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    return feature_frame(frame.drop(columns="churned")), frame.churned.to_numpy(np.int64)


def _training(
    sources: FeatureSources, *, last_known: dt.date, horizon_days: int, dates: int
) -> tuple[list[dt.date], pd.DataFrame]:
    """Stacked features as of last_known, last_known − 30, …: one row per account and day."""
    first = sources.activity_daily.day.min().to_pyarrow().as_py()
    days = [last_known - dt.timedelta(days=30 * k) for k in range(dates)]
    # Only days whose 60-day activity window lies inside the history (the first kept anyway).
    days = days[:1] + [d for d in days[1:] if d - dt.timedelta(days=59) >= first]
    frames = [labelled_features(sources, as_of=d, horizon_days=horizon_days) for d in days]
    return days, pd.concat(frames)


@dataclass
class ChurnBacktest:
    as_of: dt.date
    horizon_days: int
    train_days: list[dt.date]
    train_rows: int
    test: ChurnEvaluation
    oracle_roc_auc: float | None  # true hazards over the horizon (generated data only)
    latent_health_roc_auc: float | None  # 1 − latent health on the as-of month
    seconds: dict[str, float] = field(default_factory=dict)


def last_event_day(warehouse: BaseBackend) -> dt.date:
    day = warehouse.table("activity_daily").day.max().to_pyarrow().as_py()
    if not isinstance(day, dt.date):
        raise ChurnDataError("no events in the warehouse: import some first")
    return day


def churn_backtest(
    settings: Settings,
    *,
    as_of: dt.date | None = None,
    horizon_days: int = 90,
    train_dates: int = 6,
    seed: int = 0,
) -> ChurnBacktest:
    """Train on earlier as-of days, test on `as_of` (default: last day − horizon)."""
    started = time.perf_counter()
    warehouse = open_warehouse(settings)
    try:
        refresh_for(warehouse, settings.definitions)
        ready = time.perf_counter()
        last = last_event_day(warehouse)
        test_day = as_of or last - dt.timedelta(days=horizon_days)
        if test_day + dt.timedelta(days=horizon_days) > last:
            raise ChurnDataError(
                f"the outcome of {test_day} + {horizon_days} days is not known yet "
                f"(data ends {last}): give an earlier --as-of"
            )
        sources = FeatureSources.of(warehouse)
        train_last = test_day - dt.timedelta(days=horizon_days)
        days, train = _training(
            sources, last_known=train_last, horizon_days=horizon_days, dates=train_dates
        )
        test = labelled_features(sources, as_of=test_day, horizon_days=horizon_days)
    finally:
        warehouse.disconnect()
    features = time.perf_counter()
    X, y = _split(train)
    model = ChurnModel(seed=seed).fit(X, y)
    X_test, y_test = _split(test)
    predicted = model.predict_proba(X_test)
    done = time.perf_counter()
    oracle, latent = truth_aucs(settings, test, as_of=test_day, horizon_days=horizon_days)
    return ChurnBacktest(
        test_day,
        horizon_days,
        days,
        len(train),
        scored(y_test, predicted),
        oracle,
        latent,
        {
            "rollups": round(ready - started, 2),
            "features": round(features - ready, 2),
            "model": round(done - features, 2),
        },
    )


def truth_aucs(
    settings: Settings, test: pd.DataFrame, *, as_of: dt.date, horizon_days: int
) -> tuple[float | None, float | None]:
    """AUCs of the generator's truth for the test outcomes, when the truth file exists.

    Oracle: 1 − Π (1 − hazardₘ) over the truth months m that start in
    [month of as_of, as_of + horizon]; latent: 1 − latent_health of the month
    of as_of.
    """
    path = settings.generated_dir / "truth" / "account_months.parquet"
    if not path.is_file():
        return None, None
    truth = pd.read_parquet(path, columns=["account_id", "month", "latent_health", "churn_hazard"])
    truth["month"] = pd.to_datetime(truth["month"]).dt.date
    first = as_of.replace(day=1)
    end = as_of + dt.timedelta(days=horizon_days)
    window = truth[(truth.month >= first) & (truth.month <= end)]
    survive = (1 - window.churn_hazard).groupby(window.account_id).prod()
    oracle = 1 - survive.reindex(test.index)
    now = truth[truth.month == first].set_index("account_id").latent_health
    latent = 1 - now.reindex(test.index)
    y = test.churned.to_numpy(np.int64)
    known_o, known_l = oracle.notna().to_numpy(), latent.notna().to_numpy()
    return (
        roc_auc(y[known_o], oracle.to_numpy()[known_o]),
        roc_auc(y[known_l], latent.to_numpy()[known_l]),
    )


def predict_churn(
    settings: Settings, *, horizon_days: int = 90, train_dates: int = 6, seed: int = 0
) -> pa.Table:
    """Score every current customer and store `churn_predictions` for the last day."""
    warehouse = open_warehouse(settings)
    try:
        refresh_for(warehouse, settings.definitions)
        last = last_event_day(warehouse)
        sources = FeatureSources.of(warehouse)
        _, train = _training(
            sources,
            last_known=last - dt.timedelta(days=horizon_days),
            horizon_days=horizon_days,
            dates=train_dates,
        )
        X, y = _split(train)
        model = ChurnModel(seed=seed).fit(X, y)
        now = churn_features(sources, as_of=last).to_pandas().set_index("account_id")
        risk = model.predict_proba(feature_frame(now))
        rows = pa.table(
            {
                "account_id": pa.array(now.index.astype(str), pa.string()),
                "as_of": pa.array([last] * len(now), pa.date32()),
                "churn_risk": pa.array(risk, pa.float64()),
            }
        )
        store_predictions(warehouse, rows)
    finally:
        warehouse.disconnect()
    return rows


def store_predictions(warehouse: BaseBackend, rows: pa.Table) -> None:
    """Replace the rows of the as-of days in `rows` in `churn_predictions`."""
    if PREDICTIONS in warehouse.list_tables():
        days = list(set(rows.column("as_of").to_pylist()))
        kept = warehouse.table(PREDICTIONS)
        kept = kept.filter(~kept.as_of.isin(days)).to_pyarrow()
        rows = pa.concat_tables([kept.cast(rows.schema), rows])
    warehouse.create_table(PREDICTIONS, rows, overwrite=True)
