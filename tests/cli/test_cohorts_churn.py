"""`tenure cohorts` and `tenure churn rates|reasons` as a user meets them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tenure.cli import app


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize("kind", ["accounts", "revenue", "users", "lifecycle", "stickiness"])
def test_cohorts_print_a_table(runner: CliRunner, generated_workspace: Path, kind: str) -> None:
    result = runner.invoke(app, ["cohorts", "--kind", kind, "-w", str(generated_workspace)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{kind} cohorts, ")


def test_cohorts_json_by_an_attribute(runner: CliRunner, generated_workspace: Path) -> None:
    args = [
        "cohorts",
        "--kind",
        "revenue",
        "--by",
        "plan",
        "--json",
        "-w",
        str(generated_workspace),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["options"]["by"] == "plan"
    assert {"group", "cohort", "revenue_retention"} <= set(data["rows"][0])


def test_churn_rates_and_reasons(runner: CliRunner, generated_workspace: Path) -> None:
    ws = ["-w", str(generated_workspace)]
    rates = runner.invoke(app, ["churn", "rates", "--by", "size", "--json", *ws])
    assert rates.exit_code == 0, rates.output
    groups = json.loads(rates.output)["groups"]
    assert {g["group"] for g in groups} <= {"1-49", "50-199", "200-999", "1000+", "(none)"}
    reasons = runner.invoke(app, ["churn", "reasons", *ws])
    assert reasons.exit_code == 0, reasons.output
    assert "mrr_lost" in reasons.output


@pytest.mark.parametrize(
    "args",
    [
        ["cohorts", "--kind", "funnels"],
        ["cohorts", "--kind", "users", "--start-mode", "sometimes"],
        ["churn", "rates", "--by", "plan", "--method", "normal"],
    ],
)
def test_wrong_options_exit_2_without_a_traceback(
    runner: CliRunner, generated_workspace: Path, args: list[str]
) -> None:
    result = runner.invoke(app, [*args, "-w", str(generated_workspace)])
    assert result.exit_code == 2
    assert result.output.startswith("error: ")
    assert "Traceback" not in result.output


def test_missing_rollups_are_explained(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(folder)]).exit_code == 0
    result = runner.invoke(app, ["cohorts", "--kind", "users", "-w", str(folder)])
    assert result.exit_code == 2
    assert "tenure compute" in result.output or "no data" in result.output
