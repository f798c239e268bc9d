"""The churn model on simulated customers whose true churn probability is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tenure.datasets.churn_simulation import simulated_customers
from tenure.stats.churn_metrics import roc_auc
from tenure.stats.churn_model import ChurnDataError, ChurnEvaluation, ChurnModel, evaluate
from tenure.stats.churn_table import parse_labels, split_table


@pytest.fixture(scope="module")
def customers() -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    frame, truth = simulated_customers(6000, seed=11)
    X, y = split_table(frame, label="churned", id_column="customer_id")
    return X, y, truth, frame


@pytest.fixture(scope="module")
def evaluation(customers) -> ChurnEvaluation:  # type: ignore[no-untyped-def]
    X, y, _, _ = customers
    return evaluate(X, y, folds=4, seed=0)


def test_cross_validated_auc_approaches_the_oracle(customers, evaluation) -> None:  # type: ignore[no-untyped-def]
    _X, y, truth, _ = customers
    oracle = roc_auc(y, truth)
    result = evaluation
    assert result.roc_auc is not None
    assert oracle is not None
    assert result.roc_auc > oracle - 0.03
    assert result.roc_auc < oracle + 0.02  # out-of-fold: not fitted to the noise
    assert result.accounts == 6000
    assert result.churned == int(y.sum())


def test_probabilities_are_calibrated(evaluation: ChurnEvaluation) -> None:
    result = evaluation
    gaps = [abs(row.predicted - row.observed) for row in result.calibration]
    assert len(result.calibration) == 10
    assert max(gaps) < 0.06
    assert np.mean(gaps) < 0.03
    # The top decile is far riskier than the base rate, and the deciles rise.
    assert result.lift.top_decile_lift > 2.0
    observed = [row.observed for row in result.calibration]
    assert observed[-1] > observed[4] > observed[0]


@pytest.fixture(scope="module")
def model(customers) -> ChurnModel:  # type: ignore[no-untyped-def]
    X, y, _, _ = customers
    return ChurnModel().fit(X, y)


def test_the_category_is_used(customers, model: ChurnModel) -> None:  # type: ignore[no-untyped-def]
    X, _, _, _ = customers
    risk = pd.Series(model.predict_proba(X), index=X.index)
    by_plan = risk.groupby(X.plan.astype(str)).mean()
    assert by_plan["starter"] > by_plan["growth"] > by_plan["pro"] > by_plan["enterprise"]


def test_drivers_name_the_features_that_raise_risk(customers, model: ChurnModel) -> None:  # type: ignore[no-untyped-def]
    X, _, _, _ = customers
    phi = model.contributions(X)
    # SHAP values add up to the log-odds.
    assert np.allclose(phi.sum(axis=1), model.predict_score(X), atol=1e-6)
    # Low usage on a starter plan: usage and plan drive the risk, noise does not.
    risky = X[(X.usage < -1.5) & (X.plan == "starter")].head(20)
    drivers = model.drivers(risky, top=2)
    assert set(drivers.feature) <= {"usage", "plan", "tickets"}
    assert (drivers[drivers["rank"] == 1].feature == "usage").mean() > 0.5


def test_unseen_categories_are_predicted() -> None:
    frame, _ = simulated_customers(800, seed=2)
    X, y = split_table(frame, label="churned", id_column="customer_id")
    model = ChurnModel(rounds=50).fit(X, y)
    other = X.head(3).copy()
    other["plan"] = pd.Categorical(["free", "free", "free"])
    assert np.all((model.predict_proba(other) >= 0) & (model.predict_proba(other) <= 1))


def test_labels_yes_no_true_false_one_zero() -> None:
    column = pd.Series(["Yes", "no", "TRUE", "false", "1", "0", " y "])
    assert parse_labels(column).tolist() == [1, 0, 1, 0, 1, 0, 1]
    assert parse_labels(pd.Series([1, 0, 1])).tolist() == [1, 0, 1]
    assert parse_labels(pd.Series([True, False])).tolist() == [1, 0]


def test_a_bad_label_names_its_row_and_value() -> None:
    with pytest.raises(ChurnDataError, match=r"line 4: label 'maybe' is not yes/no"):
        parse_labels(pd.Series(["yes", "no", "maybe"]), where=lambda k: f"line {k + 2}")
    with pytest.raises(ChurnDataError, match="row 2: the label is empty"):
        parse_labels(pd.Series(["yes", None]))
    with pytest.raises(ChurnDataError, match=r"row 3: label '2' is not"):
        parse_labels(pd.Series([0, 1, 2]))


def test_one_class_only_is_refused() -> None:
    frame, _ = simulated_customers(50, seed=1)
    frame["churned"] = "no"
    X, y = split_table(frame, label="churned")
    with pytest.raises(ChurnDataError, match="churners"):
        evaluate(X, y, folds=3)
