"""`tenure.pipeline.analyses.store` on the shared web workspace (60 accounts, 3 months).

Lives here, not in tests/pipeline, to reuse the computed session workspace the
analysis pages read.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tenure.cli import app
from tenure.config import Settings, load_settings
from tenure.db import AnalysisResult, create_engine_for, session_factory
from tenure.pipeline.analyses import store
from tenure.pipeline.analyses.common import AnalysisError
from tenure.pipeline.analyses.store import ANALYSES, RefreshReport, refresh_analyses

from .conftest import END


def stored(settings: Settings) -> dict[str, AnalysisResult]:
    engine = create_engine_for(settings.resolved_app_db_url)
    with session_factory(engine)() as db:
        rows = {r.name: r for r in db.scalars(select(AnalysisResult))}
    engine.dispose()
    return rows


def cli_json(*args: str) -> object:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_every_analysis_is_stored_for_the_latest_day(
    settings: Settings, analyses: RefreshReport
) -> None:
    assert analyses.as_of == END
    assert [a.name for a in analyses.analyses] == list(ANALYSES)
    assert analyses.failed == []
    rows = stored(settings)
    assert set(rows) == set(ANALYSES)
    for row in rows.values():
        assert row.as_of == END
        assert row.computed_at.tzinfo is not None
        assert row.seconds >= 0
        assert "error" not in json.loads(row.payload)


def test_payload_is_what_the_command_prints(settings: Settings, analyses: RefreshReport) -> None:
    """The stored JSON is the command's --json output (timings aside)."""
    rows = stored(settings)
    ws = str(settings.workspace)
    pairs = {
        "churn.plan": ["churn", "rates", "--by", "plan", "--to", str(END), "-w", ws],
        "segments.pyramid": ["segments", "pyramid", "--as-of", str(END), "-w", ws],
        "survival.plan": ["survival", "--by", "plan", "--as-of", str(END), "-w", ws],
    }
    for name, args in pairs.items():
        expected = cli_json(*args)
        payload = json.loads(rows[name].payload)
        assert isinstance(expected, dict)
        expected.pop("seconds", None)
        payload.pop("seconds", None)
        assert payload == expected, name


def test_payload_shapes_the_pages_read(settings: Settings, analyses: RefreshReport) -> None:
    rows = {name: json.loads(r.payload) for name, r in stored(settings).items()}
    churn = rows["churn.plan"]
    assert churn["at_risk"] == sum(g["trials"] for g in churn["groups"])
    assert churn["churned"] == sum(g["successes"] for g in churn["groups"])
    cohorts = rows["cohorts.accounts"]["rows"]
    assert all(r["logo_retention"] == 1.0 for r in cohorts if r["months_since_start"] == 0)
    curves = rows["survival.plan"]["curves"]
    assert {c["group"] for c in curves} == {v["group"] for v in rows["survival.plan"]["values"]}
    assert rows["survival.plan"]["drivers"] is None  # no Cox model: it is slow
    migration = rows["segments.migration"]
    assert (migration["start"], migration["end"]) == ("2026-08-02", str(END))


@pytest.fixture
def copy(workspace: Path, tmp_path: Path) -> Settings:
    shutil.copytree(workspace, tmp_path / "ws")
    return load_settings(tmp_path / "ws")


def test_an_analysis_without_data_stores_its_error_and_the_others_run(copy: Settings) -> None:
    report = refresh_analyses(copy, date(2020, 1, 1))
    failed = {a.name: a.error for a in report.failed}
    assert failed == {"survival.plan": "no accounts started on or before 2020-01-01"}
    rows = stored(copy)
    assert set(rows) == set(ANALYSES)
    assert json.loads(rows["survival.plan"].payload) == {"error": failed["survival.plan"]}
    assert rows["churn.plan"].as_of == date(2020, 1, 1)


def test_a_bug_in_one_analysis_is_stored_and_logged(
    copy: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(settings: Settings, day: date) -> object:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(store.ANALYSES, "churn.plan", broken)
    report = refresh_analyses(copy, names=["churn.plan", "churn.owner"])
    assert [(a.name, a.error) for a in report.analyses] == [
        ("churn.plan", "ZeroDivisionError: division by zero (see the log)"),
        ("churn.owner", None),
    ]
    assert "analysis churn.plan failed" in caplog.text
    with pytest.raises(AnalysisError, match="unknown analyses nope"):
        refresh_analyses(copy, names=["nope"])


def test_cli_refresh(copy: Settings) -> None:
    runner = CliRunner()
    ws = str(copy.workspace)
    result = runner.invoke(app, ["analyses", "refresh", "-w", ws, "--as-of", "2026-10-30"])
    assert result.exit_code == 0, result.output
    assert "analyses as of 2026-10-30: 13 stored" in result.output
    assert "churn.plan" in result.output
    report = cli_json("analyses", "refresh", "-w", ws)
    assert isinstance(report, dict)
    assert report["as_of"] == str(END)
    assert [a["name"] for a in report["analyses"]] == list(ANALYSES)
    missing = runner.invoke(app, ["analyses", "refresh", "-w", ws + "-nope"])
    assert missing.exit_code == 2
    assert "no such workspace folder" in missing.output


def test_the_scheduler_refreshes_after_a_compute_that_added_days(
    copy: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenure.pipeline.compute import NothingToCompute
    from tenure.workflows import scheduler

    def nothing(settings: Settings) -> object:
        raise NothingToCompute("up to date")

    engine = create_engine_for(copy.resolved_app_db_url)
    with engine.begin() as connection:
        connection.execute(AnalysisResult.__table__.delete())
    engine.dispose()
    monkeypatch.setattr(scheduler, "compute", nothing)
    assert scheduler.run_once(copy).analyses is None
    assert stored(copy) == {}

    class Added:
        first_day = last_day = END

    monkeypatch.setattr(scheduler, "compute", lambda settings: Added())
    report = scheduler.run_once(copy)
    assert report.analyses is not None
    assert report.analyses.as_of == END
    assert set(stored(copy)) == set(ANALYSES)
