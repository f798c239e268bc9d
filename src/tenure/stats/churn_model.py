"""Churn prediction: gradient-boosted trees with calibrated probabilities and drivers.

`ChurnModel` fits LightGBM (Ke et al. 2017) on one row per account: numeric
attributes as they are, text attributes as categorical features (LightGBM's
native many-vs-many categorical splits, no one-hot encoding; a category
unseen in training goes with the missing values). The trees' score is the log-odds
f(x); its sigmoid is not a calibrated probability (boosting with shrinkage and
early stopping by tree count over- or under-shoots), so:

Calibration (cross-fitted)
--------------------------
The rows are split into K stratified folds; for each fold a booster trained on
the other K − 1 predicts the fold's f(x), giving an out-of-fold score for every
row that no model saw in training. A monotone map g is fitted from those
out-of-fold scores to the outcomes, and the final booster, trained on every
row, predicts g(f(x)). This is scikit-learn's
`CalibratedClassifierCV(ensemble=False)` done by hand, so the final model
stays one LightGBM booster (categorical features, `pred_contrib`) instead of a
wrapped estimator. g is isotonic regression (a non-decreasing step function,
Zadrozny & Elkan 2002) when both classes have at least `isotonic_min` rows
(it needs data: with fewer it overfits), else Platt scaling: a logistic
regression of y on f(x) (Platt 1999).

Drivers
-------
LightGBM's `pred_contrib=True` gives the exact tree SHAP values (Lundberg et
al. 2020): f(x) = φ₀ + Σⱼ φⱼ(x) on the log-odds scale. An account's top
drivers of risk are its features with the largest positive φⱼ.

Evaluation
----------
`evaluate` runs stratified K-fold cross-validation: each fold's accounts are
predicted by a model (calibration included) fitted on the other folds, and the
out-of-fold probabilities are scored with `tenure.stats.churn_metrics`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from tenure.stats.churn_metrics import (
    CalibrationRow,
    Lift,
    brier,
    calibration_table,
    lift,
    pr_auc,
    roc_auc,
)
from tenure.stats.errors import ChurnDataError

DEFAULT_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_child_samples": 20,
    "min_data_per_group": 20,
    "cat_smooth": 10.0,
    "feature_fraction": 0.9,
    "lambda_l2": 1.0,
    "verbose": -1,
    "deterministic": True,
    "force_row_wise": True,
    # One thread: the frames are small, and OpenMP threads that spin while the
    # cores are busy with other work slow training down by orders of magnitude.
    "num_threads": 1,
}


def feature_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Model-ready features: numbers as float, booleans as 0/1, text as categories.

    Date and time columns are dropped (use derived ages such as tenure instead).
    """
    columns = {}
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            columns[name] = column.astype("float64")
        elif pd.api.types.is_datetime64_any_dtype(column):
            continue
        else:
            text = column.astype("string").astype(object).where(column.notna(), None)
            columns[name] = pd.Categorical(text)
    return pd.DataFrame(columns, index=frame.index)


@dataclass
class ChurnModel:
    """Calibrated gradient-boosted churn model (see the module docstring).

    `fit(X, y)` returns self; fitted values end in `_`.
    """

    rounds: int = 200
    calibration_folds: int = 3
    isotonic_min: int = 100
    seed: int = 0
    params: dict[str, Any] = field(default_factory=dict)

    booster_: lgb.Booster | None = field(default=None, init=False, repr=False)
    calibrator_: IsotonicRegression | LogisticRegression | None = field(
        default=None, init=False, repr=False
    )
    features_: list[str] = field(default_factory=list, init=False)
    categories_: dict[str, list[object]] = field(default_factory=dict, init=False)

    def _train(self, X: pd.DataFrame, y: np.ndarray) -> lgb.Booster:
        params = {**DEFAULT_PARAMS, "seed": self.seed, **self.params}
        data = lgb.Dataset(X, label=y, categorical_feature="auto", free_raw_data=True)
        return lgb.train(params, data, num_boost_round=self.rounds)

    def _aligned(self, X: pd.DataFrame) -> pd.DataFrame:
        missing = [name for name in self.features_ if name not in X.columns]
        if missing:
            raise ValueError(f"features missing: {', '.join(missing)}")
        frame = X[self.features_].copy()
        for name, categories in self.categories_.items():
            frame[name] = pd.Categorical(frame[name].astype(object), categories=categories)
        return frame

    def fit(self, X: pd.DataFrame, y: np.ndarray | pd.Series) -> ChurnModel:
        outcomes = np.asarray(y, dtype=np.int64)
        if len(np.unique(outcomes)) < 2:
            raise ChurnDataError("the label has one value only: a model needs churners and stayers")
        self.features_ = list(X.columns)
        self.categories_ = {
            name: list(X[name].cat.categories)
            for name in X.columns
            if isinstance(X[name].dtype, pd.CategoricalDtype)
        }
        frame = self._aligned(X)
        oof = np.zeros(len(frame))
        folds = min(self.calibration_folds, int(np.bincount(outcomes).min()))
        if folds < 2:
            raise ChurnDataError("too few churners or stayers to calibrate (need 2 of each)")
        splitter = StratifiedKFold(folds, shuffle=True, random_state=self.seed)
        for train, held in splitter.split(frame, outcomes):
            booster = self._train(frame.iloc[train], outcomes[train])
            oof[held] = booster.predict(frame.iloc[held], raw_score=True)
        self.calibrator_ = self._calibrator(oof, outcomes)
        self.booster_ = self._train(frame, outcomes)
        return self

    def _calibrator(
        self, scores: np.ndarray, outcomes: np.ndarray
    ) -> IsotonicRegression | LogisticRegression:
        if np.bincount(outcomes).min() >= self.isotonic_min:
            iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
            return iso.fit(scores, outcomes)
        return LogisticRegression(C=1e6).fit(scores.reshape(-1, 1), outcomes)

    def _booster(self) -> lgb.Booster:
        if self.booster_ is None:
            raise ValueError("fit the model first")
        return self.booster_

    def predict_score(self, X: pd.DataFrame) -> np.ndarray:
        """The trees' log-odds f(x), before calibration."""
        return np.asarray(self._booster().predict(self._aligned(X), raw_score=True))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated churn probability g(f(x)) per row."""
        scores = self.predict_score(X)
        if isinstance(self.calibrator_, IsotonicRegression):
            return np.asarray(self.calibrator_.predict(scores), dtype=np.float64)
        assert self.calibrator_ is not None
        return np.asarray(self.calibrator_.predict_proba(scores.reshape(-1, 1))[:, 1])

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """Tree SHAP values φⱼ(x) per row and feature (log-odds), plus `bias` φ₀."""
        values = np.asarray(self._booster().predict(self._aligned(X), pred_contrib=True))
        return pd.DataFrame(values, index=X.index, columns=[*self.features_, "bias"])

    def drivers(self, X: pd.DataFrame, *, top: int = 3) -> pd.DataFrame:
        """Each row's `top` features pushing its risk up most (largest positive φⱼ).

        Columns: the index of X (as ``row``), ``rank`` (1 = strongest),
        ``feature``, ``value`` (the row's value, as text), ``contribution``.
        """
        phi = self.contributions(X).drop(columns="bias")
        long = phi.reset_index(names="row").melt(
            id_vars="row", var_name="feature", value_name="contribution"
        )
        long = long[long.contribution > 0].sort_values(
            ["row", "contribution"], ascending=[True, False], kind="stable"
        )
        long["rank"] = long.groupby("row").cumcount() + 1
        long = long[long["rank"] <= top].reset_index(drop=True)
        values = X.reset_index(names="row").set_index("row")
        long["value"] = [str(values.at[r, f]) for r, f in zip(long.row, long.feature, strict=True)]
        return long[["row", "rank", "feature", "value", "contribution"]]


@dataclass(frozen=True)
class ChurnEvaluation:
    accounts: int
    churned: int
    folds: int
    roc_auc: float | None
    pr_auc: float | None
    brier: float
    calibration: list[CalibrationRow]
    lift: Lift


def scored(y: np.ndarray, p: np.ndarray, *, folds: int = 0) -> ChurnEvaluation:
    """Every metric of `tenure.stats.churn_metrics` for outcomes y and probabilities p."""
    return ChurnEvaluation(
        len(y),
        int(np.sum(y)),
        folds,
        roc_auc(y, p),
        pr_auc(y, p),
        brier(y, p),
        calibration_table(y, p),
        lift(y, p),
    )


def cross_validated(
    X: pd.DataFrame, y: np.ndarray | pd.Series, *, folds: int = 5, seed: int = 0
) -> np.ndarray:
    """Out-of-fold calibrated probabilities from stratified K-fold cross-validation."""
    outcomes = np.asarray(y, dtype=np.int64)
    counts = np.bincount(outcomes, minlength=2)
    if folds < 2:
        raise ChurnDataError(f"--folds must be at least 2, not {folds}")
    if counts.min() < folds:
        raise ChurnDataError(
            f"{folds} folds need at least {folds} churners and {folds} stayers "
            f"(the label has {counts[1]} churners, {counts[0]} stayers)"
        )
    predicted = np.zeros(len(outcomes))
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for train, held in splitter.split(X, outcomes):
        model = ChurnModel(seed=seed).fit(X.iloc[train], outcomes[train])
        predicted[held] = model.predict_proba(X.iloc[held])
    return predicted


def evaluate(
    X: pd.DataFrame, y: np.ndarray | pd.Series, *, folds: int = 5, seed: int = 0
) -> ChurnEvaluation:
    """Cross-validated ROC AUC, PR AUC, Brier score, calibration deciles and lift."""
    outcomes = np.asarray(y, dtype=np.int64)
    predicted = cross_validated(X, outcomes, folds=folds, seed=seed)
    return scored(outcomes, predicted, folds=folds)
