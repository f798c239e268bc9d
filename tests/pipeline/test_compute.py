"""`tenure compute` end to end on a small generated workspace."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tenure.cli import app
from tenure.config import load_settings
from tenure.db import (
    AccountDay,
    ComputeRun,
    HealthContribution,
    SubjectiveScore,
    create_engine_for,
)
from tenure.pipeline.compute import compute
from tenure.pipeline.generate import generate_into_workspace
from tenure.workspace import init_workspace

END = date(2026, 10, 31)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ws")
    settings = init_workspace(folder)
    generate_into_workspace(settings, accounts=60, months=3, seed=5, end_date=END)
    return folder


def account_days(folder: Path, day: date) -> dict[str, tuple[object, ...]]:
    engine = create_engine_for(load_settings(folder).resolved_app_db_url)
    with engine.connect() as connection:
        rows = connection.execute(select(AccountDay).where(AccountDay.day == day)).all()
    engine.dispose()
    # Rounded: a range sums the same numbers in another order (last-digit noise).
    return {
        r.account_id: (r.stage, _round(r.health_score), r.health_band, _round(r.engagement))
        for r in rows
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 9)


def test_a_range_in_one_pass_equals_each_day_on_its_own(workspace: Path) -> None:
    settings = load_settings(workspace)
    compute(settings, start=date(2026, 10, 1), end=date(2026, 10, 20))
    in_range = account_days(workspace, date(2026, 10, 12))
    compute(settings, as_of=date(2026, 10, 12))
    alone = account_days(workspace, date(2026, 10, 12))
    assert in_range == alone
    assert len(alone) > 30


def test_plain_compute_continues_from_the_last_computed_day(workspace: Path) -> None:
    settings = load_settings(workspace)
    compute(settings, start=date(2026, 10, 1), end=date(2026, 10, 25))
    result = compute(settings)
    assert (result.first_day, result.last_day) == (date(2026, 10, 26), END)
    engine = create_engine_for(settings.resolved_app_db_url)
    with engine.connect() as connection:
        runs = connection.execute(select(ComputeRun.first_day, ComputeRun.last_day)).all()
        explained = connection.execute(select(HealthContribution.day).distinct()).scalars().all()
    engine.dispose()
    assert runs[-1] == (date(2026, 10, 26), END)
    assert END in explained


def test_the_json_contract(workspace: Path) -> None:
    result = CliRunner().invoke(
        app, ["compute", "--as-of", "2026-10-31", "-w", str(workspace), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) >= {"accounts", "kpis"}
    account = report["accounts"][0]
    assert set(account) >= {"account_id", "stage", "milestones", "health"}
    assert set(account["milestones"][0]) == {"name", "status", "achieved_at", "due_at"}
    health = account["health"]
    assert health["band"] in {"red", "yellow", "green"}
    assert 0 <= health["score"] <= 100
    parts = health["contributions"]
    assert {"measure", "value", "points", "weight", "contribution"} <= set(parts[0])
    # The contributions add up to the score.
    assert sum(p["contribution"] or 0 for p in parts) == pytest.approx(health["score"])
    assert -100 <= report["kpis"]["nps"]["180d"] <= 100
    assert 0 <= report["kpis"]["grr"]["month"] <= 1


def test_bad_dates_are_a_user_error(workspace: Path) -> None:
    runner = CliRunner()
    both = runner.invoke(
        app, ["compute", "--as-of", "2026-10-01", "--from", "2026-09-01", "-w", str(workspace)]
    )
    assert both.exit_code == 2
    backwards = runner.invoke(
        app, ["compute", "--from", "2026-10-05", "--to", "2026-10-01", "-w", str(workspace)]
    )
    assert backwards.exit_code == 2
    assert "nothing to compute" in backwards.stderr


def test_a_recorded_csm_pulse_feeds_the_score_until_it_expires(workspace: Path) -> None:
    settings = load_settings(workspace)
    compute(settings, as_of=END)
    account = next(iter(account_days(workspace, END)))
    engine = create_engine_for(settings.resolved_app_db_url)
    query = select(AccountDay.coverage).where(
        AccountDay.account_id == account, AccountDay.day == END
    )
    with engine.connect() as connection:
        coverage_before = connection.execute(query).scalar_one()
    with engine.begin() as connection:
        connection.execute(
            SubjectiveScore.__table__.insert(),  # type: ignore[attr-defined]
            [
                {
                    "account_id": account,
                    "measure": "CSM pulse",
                    "value_points": 0.0,
                    "recorded_at": datetime(2026, 10, 30, tzinfo=UTC),
                    "author": "csm@example.com",
                }
            ],
        )
    compute(settings, as_of=END)
    with engine.connect() as connection:
        coverage = connection.execute(
            select(AccountDay.coverage).where(
                AccountDay.account_id == account, AccountDay.day == END
            )
        ).scalar_one()
        pulse = connection.execute(
            select(HealthContribution.points).where(
                HealthContribution.account_id == account,
                HealthContribution.day == END,
                HealthContribution.measure == "CSM pulse",
            )
        ).scalar_one()
    engine.dispose()
    assert pulse == 0.0
    # The pulse carries 15 of the template's 100 weight points.
    assert coverage == pytest.approx(coverage_before + 0.15)
    # 45 days later the pulse has expired: its weight is shared out again.
    late = compute(settings, as_of=date(2026, 12, 20))
    parts = [r for r in late.contributions.to_pylist() if r["account_id"] == account]
    assert all(r["points"] is None for r in parts if r["measure"] == "CSM pulse")
