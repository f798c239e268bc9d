"""The segment analyses and `tenure segments` on a generated workspace with known truth."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import ibis
import pandas as pd
import pytest
from typer.testing import CliRunner

from tenure.cli import app
from tenure.config import load_settings
from tenure.engine.segments import account_arr
from tenure.pipeline.analyses import segments
from tenure.pipeline.compute import compute
from tenure.pipeline.generate import generate_into_workspace
from tenure.workspace import init_workspace

END = dt.date(2026, 10, 31)
START = dt.date(2026, 7, 31)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ws")
    settings = init_workspace(folder)
    generate_into_workspace(settings, accounts=300, months=14, seed=3, end_date=END)
    compute(settings, as_of=START)
    compute(settings, as_of=END)
    return folder


def test_generated_seasonal_accounts_are_found(workspace: Path) -> None:
    """Precision and recall of `seasonal` among paying accounts with a year of usage."""
    report = segments.behaviour(load_settings(workspace), as_of=END, per_account=True)
    found = pd.DataFrame(report.accounts)
    truth = pd.read_parquet(workspace / "data/generated/truth/accounts.parquet")
    con = ibis.duckdb.connect(workspace / "warehouse.duckdb", read_only=True)
    paying = account_arr(con.table("subscriptions"), as_of=END).account_id.to_pyarrow().to_pylist()
    con.disconnect()
    rows = found.merge(truth, on="account_id")
    rows = rows[rows.account_id.isin(paying) & (rows.first_day <= END - dt.timedelta(days=364))]
    hit = rows.segment == "seasonal"
    assert rows.seasonal.sum() >= 8
    precision = (hit & rows.seasonal).sum() / hit.sum()
    recall = (hit & rows.seasonal).sum() / rows.seasonal.sum()
    assert precision >= 0.9, (precision, recall)
    assert recall >= 0.9, (precision, recall)


def test_every_command_prints_json(workspace: Path) -> None:
    runner = CliRunner()
    w = ["-w", str(workspace), "--json"]
    pyramid = json.loads(runner.invoke(app, ["segments", "pyramid", *w]).output)
    head = json.loads(runner.invoke(app, ["segments", "headcount", *w]).output)
    behaviour = json.loads(runner.invoke(app, ["segments", "behaviour", *w]).output)
    paying = sum(t["accounts"] for t in pyramid["tiers"])
    assert paying == sum(s["accounts"] for s in behaviour["segments"]) > 100
    assert sum(c["accounts"] for c in head["csms"]) == paying
    result = runner.invoke(
        app, ["segments", "migration", "--from", "2026-04-30", "--touch", "qbr", *w]
    )
    assert result.exit_code == 0, result.output
    moved = json.loads(result.output)
    assert sum(c["accounts"] for c in moved["matrix"] if c["to_segment"] != "(churned)") == paying
    assert [c["outcome"] for c in moved["comparison"]] == ["upgrade", "downgrade", "churned"]


def test_health_migration_reads_the_stored_bands(workspace: Path) -> None:
    report = segments.migration(load_settings(workspace), kind="health", start=START, end=END)
    cells = {(c["from_segment"], c["to_segment"]): c["accounts"] for c in report.matrix}
    assert {f for f, _ in cells} <= {"green", "yellow", "red", "(none)", "(new)"}
    assert {t for _, t in cells} <= {"green", "yellow", "red", "(none)", "(churned)"}
    assert sum(n for (f, t), n in cells.items() if f == t) > 0.5 * sum(cells.values())
    shares = {}
    for c in report.matrix:
        shares[c["from_segment"]] = shares.get(c["from_segment"], 0.0) + c["row_share"]
    assert all(abs(total - 1.0) < 1e-9 for total in shares.values())


def test_user_errors_exit_2_without_a_traceback(workspace: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["segments", "migration", "--from", "2026-04-30", "--kind", "health", "-w", str(workspace)],
    )
    assert result.exit_code == 2
    assert "no health results for 2026-04-30" in result.output
    late = runner.invoke(
        app, ["segments", "migration", "--from", "2027-01-01", "-w", str(workspace)]
    )
    assert late.exit_code == 2
    assert "must be before" in late.output
