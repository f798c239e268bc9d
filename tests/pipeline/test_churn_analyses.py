"""Churn backtest, predictions and the health backtest on a small generated workspace."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tenure.cli import app
from tenure.config import load_settings
from tenure.pipeline.analyses.churn_model import churn_backtest, predict_churn
from tenure.pipeline.analyses.health_backtest import health_backtest
from tenure.pipeline.compute import compute
from tenure.pipeline.generate import generate_into_workspace
from tenure.warehouse.connect import connect
from tenure.workspace import init_workspace

END = date(2026, 10, 31)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ws")
    settings = init_workspace(folder)
    generate_into_workspace(settings, accounts=300, months=10, seed=8, end_date=END)
    compute(settings, start=date(2026, 6, 1), end=date(2026, 8, 2))
    return folder


def churned_within(folder: Path, day: date, horizon: int) -> tuple[int, int]:
    """Customers on `day` and those churned in (day, day + horizon], straight from the file."""
    accounts = pd.read_parquet(folder / "data" / "generated" / "accounts.parquet")
    created = pd.to_datetime(accounts.created_at).dt.date
    churned = pd.to_datetime(accounts.churned_at).dt.date
    alive = (created <= day) & (churned.isna() | (churned > day))
    later = alive & churned.notna() & (churned <= day + timedelta(days=horizon))
    return int(alive.sum()), int(later.sum())


def test_churn_backtest_against_the_truth(workspace: Path) -> None:
    result = churn_backtest(load_settings(workspace), horizon_days=90)
    assert result.as_of == END - timedelta(days=90)
    assert (result.test.accounts, result.test.churned) == churned_within(
        workspace, result.as_of, 90
    )
    assert all(d + timedelta(days=90) <= result.as_of for d in result.train_days)
    assert result.oracle_roc_auc is not None
    assert result.test.roc_auc is not None
    assert result.test.roc_auc > 0.6


def test_predictions_are_stored_for_every_customer(workspace: Path) -> None:
    settings = load_settings(workspace)
    rows = predict_churn(settings)
    con = connect(settings.resolved_warehouse_url)
    stored = con.table("churn_predictions").to_pandas()
    con.disconnect()
    assert len(stored) == rows.num_rows == churned_within(workspace, END, 90)[0]
    assert stored.churn_risk.between(0, 1).all()
    predict_churn(settings)  # again: the day's rows are replaced, not added
    con = connect(settings.resolved_warehouse_url)
    assert con.table("churn_predictions").count().to_pyarrow().as_py() == rows.num_rows
    con.disconnect()


def test_health_backtest(workspace: Path) -> None:
    result = health_backtest(load_settings(workspace), horizon_days=90)
    assert result.days == [date(2026, 8, 2), date(2026, 7, 3), date(2026, 6, 3)]
    expected = sum(churned_within(workspace, d, 90)[1] for d in result.days)
    assert result.pooled.churned == expected
    assert sum(b.accounts for b in result.pooled.bands) == result.pooled.snapshots
    assert result.pooled.roc_auc is not None
    assert result.model_roc_auc_latest is not None
    assert {m.measure for m in result.pooled.measures}  # the explained last day


def test_health_backtest_cli(workspace: Path) -> None:
    result = CliRunner().invoke(app, ["health", "backtest", "-w", str(workspace)])
    assert result.exit_code == 0, result.output
    assert "health roc_auc" in result.output
    assert "red" in result.output


def test_health_backtest_without_old_snapshots(tmp_path: Path, workspace: Path) -> None:
    result = CliRunner().invoke(
        app, ["health", "backtest", "-w", str(workspace), "--horizon-days", "400"]
    )
    assert result.exit_code == 2
    assert "tenure compute --from" in result.output
