"""The command line as a user meets it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tenure.cli import app
from tenure.config import load_settings
from tenure.db import create_engine_for, recent_imports


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def workspace(tmp_path: Path, runner: CliRunner) -> Path:
    folder = tmp_path / "ws"
    result = runner.invoke(app, ["init", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def test_import_prints_a_summary_and_logs_the_run(runner, workspace, tmp_path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("account_id,name\nA1,Acme\nA2,Globex\n")
    result = runner.invoke(app, ["import", "accounts", str(path), "--workspace", str(workspace)])
    assert result.exit_code == 0, result.output
    assert "2 inserted, 0 updated, 0 unchanged, 0 rejected" in result.output
    engine = create_engine_for(load_settings(workspace).resolved_app_db_url)
    runs = recent_imports(engine)
    engine.dispose()
    assert [(r.kind, r.inserted) for r in runs] == [("accounts", 2)]


def test_rejected_rows_exit_1_and_name_their_lines(runner, workspace, tmp_path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("account_id,employees\nA1,5\nA2,five\n")
    result = runner.invoke(app, ["import", "accounts", str(path), "-w", str(workspace)])
    assert result.exit_code == 1
    assert "rejected line 3: column 'employees': not a whole number ('five')" in result.output
    assert "rejected rows saved to" in result.output
    assert list((workspace / "data" / "quarantine").glob("accounts-accounts-*.csv"))


def test_json_output(runner, workspace, tmp_path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("account_id,employees\nA1,5\nA2,five\n")
    result = runner.invoke(app, ["import", "accounts", str(path), "-w", str(workspace), "--json"])
    report = json.loads(result.stdout)
    assert (report["inserted"], report["rejected"]) == (1, 1)
    assert report["rejections"][0]["line"] == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "deals", "x.csv"], "unknown kind 'deals'"),
        (["import", "accounts", "missing.csv"], "no such file"),
    ],
)
def test_user_mistakes_exit_2_with_one_line_and_no_traceback(
    runner, workspace, args, message
) -> None:
    result = runner.invoke(app, [*args, "-w", str(workspace)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_a_missing_workspace_is_explained(runner, tmp_path) -> None:
    result = runner.invoke(app, ["summary", "-w", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "tenure init" in result.stderr


def test_the_workspace_comes_from_the_environment(runner, workspace, monkeypatch) -> None:
    monkeypatch.setenv("TENURE_WORKSPACE", str(workspace))
    result = runner.invoke(app, ["summary"])
    assert result.exit_code == 0, result.output
    assert "accounts" in result.output


def test_db_upgrade_reports_the_revision(runner, workspace) -> None:
    result = runner.invoke(app, ["db", "upgrade", "-w", str(workspace)])
    assert result.exit_code == 0, result.output
    assert "app database at revision" in result.output


def test_generate_imports_everything_and_summary_shows_it(runner, workspace) -> None:
    args = ["generate", "--accounts", "30", "--months", "2", "--seed", "3", "-w", str(workspace)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "0 rejected" in result.output
    summary = runner.invoke(app, ["summary", "-w", str(workspace), "--json"])
    tables = {t["name"]: t["rows"] for t in json.loads(summary.stdout)["tables"]}
    assert tables["accounts"] == 30
    assert tables["events"] > 1000
    again = runner.invoke(app, args)
    assert "inserted" in again.output
    assert all(
        " 0 inserted, 0 updated" in line for line in again.output.splitlines() if "parquet:" in line
    )
