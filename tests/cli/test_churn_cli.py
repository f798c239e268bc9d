"""`tenure churn evaluate` on a simulated customer table with known truth, and on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tenure.cli import app
from tenure.datasets.churn_simulation import simulated_customers
from tenure.stats.churn_metrics import roc_auc


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    frame, truth = simulated_customers(3000, seed=4)
    path = tmp_path_factory.mktemp("churn") / "customers.csv"
    frame.to_csv(path, index=False)
    oracle = roc_auc((frame.churned == "yes").to_numpy(np.int64), truth)
    assert oracle is not None
    return path, oracle


def test_evaluate_json_approaches_the_oracle(table: tuple[Path, float]) -> None:
    path, oracle = table
    args = ["churn", "evaluate", str(path), "--label", "churned", "--id", "customer_id"]
    result = CliRunner().invoke(app, [*args, "--folds", "3", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert {"roc_auc", "pr_auc", "calibration", "lift"} <= set(report)
    assert report["roc_auc"] > oracle - 0.03
    assert len(report["calibration"]) == 10
    assert report["lift"]["top_decile_lift"] > 2


def test_evaluate_text(table: tuple[Path, float]) -> None:
    path, _ = table
    args = ["churn", "evaluate", str(path), "--label", "churned", "--folds", "2"]
    result = CliRunner().invoke(app, [*args, "--id", "customer_id"])
    assert result.exit_code == 0, result.output
    assert "roc_auc" in result.output
    assert "calibration" in result.output


def test_a_bad_label_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,usage,churned\na,1.0,yes\nb,2.0,perhaps\n")
    result = CliRunner().invoke(app, ["churn", "evaluate", str(path), "--label", "churned"])
    assert result.exit_code == 2
    assert "line 3" in result.output
    assert "'perhaps'" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("id,churned\na,yes\n", ["--label", "gone"], "no column 'gone'"),
        ("id,churned\na,yes\nb,no\n", ["--label", "churned", "--id", "id"], "no feature"),
        ("x,churned\n1,yes\n2,no\n3,no\n", ["--label", "churned"], "3 churners"),
    ],
)
def test_unusable_tables_are_clear_errors(
    tmp_path: Path, content: str, args: list[str], message: str
) -> None:
    path = tmp_path / "t.csv"
    path.write_text(content)
    result = CliRunner().invoke(app, ["churn", "evaluate", str(path), *args, "--folds", "3"])
    assert result.exit_code == 2
    assert message in result.output


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["churn", "evaluate", str(tmp_path / "x.csv"), "--label", "y"])
    assert result.exit_code == 2
    assert "no such file" in result.output
