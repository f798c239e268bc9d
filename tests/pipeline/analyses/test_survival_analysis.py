"""`survival_analysis` and `tenure survival` on a small generated workspace."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from tenure.cli import app
from tenure.config import load_settings
from tenure.pipeline.analyses.survival import survival_analysis
from tenure.pipeline.generate import generate_into_workspace
from tenure.workspace import init_workspace

END = date(2026, 10, 31)
AS_OF = date(2026, 9, 30)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ws")
    settings = init_workspace(folder)
    generate_into_workspace(settings, accounts=150, months=6, seed=2, end_date=END)
    return folder


def warehouse_counts(folder: Path, since: date) -> tuple[int, int, date]:
    """Accounts in the risk sets and churns by AS_OF, and the first event day, in plain SQL."""
    with duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True) as con:
        first = con.sql("SELECT min(timestamp)::DATE FROM events").fetchone()[0]  # type: ignore[index]
        accounts, churned = con.sql(
            f"""
            WITH a AS (
              SELECT coalesce(created_at::DATE, first::DATE) AS start, churned_at::DATE AS churn
              FROM accounts LEFT JOIN (SELECT account_id, min(started_at) AS first
                                       FROM subscriptions GROUP BY 1) USING (account_id))
            SELECT count(*), count(*) FILTER (WHERE churn <= DATE '{AS_OF}')
            FROM a WHERE start <= DATE '{AS_OF}'
              AND (churn IS NULL OR churn > DATE '{AS_OF}' OR churn >= DATE '{since}')
            """
        ).fetchone()  # type: ignore[misc]
    return accounts, churned, first


def test_survival_analysis_by_plan(workspace: Path) -> None:
    settings = load_settings(workspace)
    report = survival_analysis(settings, by="plan", as_of=AS_OF, drivers=["plan", "region"])
    accounts, churned, first = warehouse_counts(workspace, report.observed_from or AS_OF)
    assert report.observed_from == first
    assert (report.accounts, report.churned) == (accounts, churned)
    assert sum(c.accounts for c in report.curves) == accounts
    assert sorted(c.group for c in report.curves) == [c.group for c in report.curves]
    assert report.log_rank is not None
    assert report.log_rank.groups == [c.group for c in report.curves]
    assert report.drivers is not None
    assert {r.covariate.split("=")[0] for r in report.drivers.ratios} == {"plan", "region"}
    for curve, value in zip(report.curves, report.values, strict=True):
        assert value.group == curve.group
        assert 0 < value.expected_lifetime_months <= 60
        assert value.clv == pytest.approx(
            value.arpa * settings.gross_margin * value.expected_lifetime_months
        )


def test_complete_history_needs_no_late_entry(workspace: Path) -> None:
    report = survival_analysis(load_settings(workspace), as_of=AS_OF, observed_from=None)
    (curve,) = report.curves
    assert report.observed_from is None
    assert curve.accounts == report.accounts


def test_cli_survival_json_and_errors(workspace: Path) -> None:
    runner = CliRunner()
    args = ["survival", "-w", str(workspace), "--as-of", str(AS_OF)]
    result = runner.invoke(app, [*args, "--by", "region", "--drivers", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["as_of"] == str(AS_OF)
    assert {c["group"] for c in data["curves"]} >= {"emea"}
    assert data["drivers"]["ratios"]
    text = runner.invoke(app, [*args, "--by", "plan"])
    assert text.exit_code == 0, text.output
    assert "median lifetime" in text.output
    bad = runner.invoke(app, [*args, "--by", "colour"])
    assert bad.exit_code == 2
    assert "unknown attribute 'colour'" in bad.output
    assert "Traceback" not in bad.output
