"""Replacing results: only the days recomputed, all of a run's tables in one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pyarrow as pa
import pytest
from sqlalchemy import Engine, func, select

from tenure.db import AccountDay, KpiValue, MilestoneState, create_engine_for, sqlite_url, upgrade
from tenure.db.bulk import bulk_writes
from tenure.pipeline.results import replace_all, replace_days

FIRST = date(2026, 10, 1)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def app_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty app database, upgraded to head, on each backend."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path / "app.db")
    else:
        url = request.getfixturevalue("postgres_database")
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("DROP SCHEMA public CASCADE")
            connection.execute("CREATE SCHEMA public")
    upgrade(url)
    engine = create_engine_for(url)
    yield engine
    engine.dispose()


def days_of(accounts: list[str], first: date, days: int, *, score: float) -> pa.Table:
    rows = [
        {"account_id": a, "day": first + timedelta(days=d), "health_score": score, "capped": False}
        for a in accounts
        for d in range(days)
    ]
    table = pa.Table.from_pylist(rows)
    for name in ("stage", "health_band"):
        table = table.append_column(name, pa.nulls(len(rows), pa.string()))
    table = table.append_column("stage_entered_on", pa.nulls(len(rows), pa.date32()))
    for name in ("coverage", "change_7d", "change_30d", "engagement"):
        table = table.append_column(name, pa.nulls(len(rows), pa.float64()))
    return table


def milestones(accounts: list[str], status: str) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "account_id": a,
                "milestone": "Kickoff",
                "stage": "onboarding",
                "required": True,
                "is_value": False,
                "anchor_day": FIRST,
                "due_day": None,
                "achieved_on": None,
                "status": status,
                "as_of": FIRST,
            }
            for a in accounts
        ],
        schema=pa.schema(
            [
                ("account_id", pa.string()),
                ("milestone", pa.string()),
                ("stage", pa.string()),
                ("required", pa.bool_()),
                ("is_value", pa.bool_()),
                ("anchor_day", pa.date32()),
                ("due_day", pa.date32()),
                ("achieved_on", pa.date32()),
                ("status", pa.string()),
                ("as_of", pa.date32()),
            ]
        ),
    )


def scores_by_day(engine: Engine) -> dict[date, set[float]]:
    with engine.connect() as connection:
        rows = connection.execute(select(AccountDay.day, AccountDay.health_score)).all()
    found: dict[date, set[float]] = {}
    for day, score in rows:
        found.setdefault(day, set()).add(score)
    return found


def test_replace_days_replaces_only_the_days_asked_for(app_db: Engine) -> None:
    with bulk_writes(app_db) as writes:
        replace_days(
            writes,
            AccountDay,
            days_of(["a", "b"], FIRST, 10, score=1.0),
            days=(FIRST, FIRST + timedelta(days=9)),
        )
    recomputed = (FIRST + timedelta(days=3), FIRST + timedelta(days=5))
    with bulk_writes(app_db) as writes:
        written = replace_days(
            writes, AccountDay, days_of(["a"], recomputed[0], 3, score=2.0), days=recomputed
        )
    assert written == 3
    found = scores_by_day(app_db)
    assert {day: scores for day, scores in found.items() if scores != {1.0}} == {
        recomputed[0] + timedelta(days=d): {2.0} for d in range(3)
    }
    assert len(found) == 10


def test_replace_all_and_kpis_by_their_as_of_day(app_db: Engine) -> None:
    kpis = pa.Table.from_pylist(
        [
            {
                "as_of": FIRST + timedelta(days=d),
                "name": "nps",
                "period": "180d",
                "cohort": "",
                "value": float(d),
            }
            for d in range(3)
        ]
    )
    with bulk_writes(app_db) as writes:
        replace_all(writes, MilestoneState, milestones(["a", "b", "c"], "overdue"))
        replace_days(
            writes, KpiValue, kpis, days=(FIRST, FIRST + timedelta(days=2)), column="as_of"
        )
    with bulk_writes(app_db) as writes:
        replace_all(writes, MilestoneState, milestones(["b"], "achieved"))
        replace_days(
            writes,
            KpiValue,
            kpis.slice(1, 1).set_column(4, "value", pa.array([9.0])),
            days=(FIRST + timedelta(days=1),) * 2,
            column="as_of",
        )
    with app_db.connect() as connection:
        states = connection.execute(select(MilestoneState.account_id, MilestoneState.status)).all()
        values = connection.execute(select(KpiValue.value).order_by(KpiValue.as_of)).scalars().all()
    assert states == [("b", "achieved")]
    assert values == [0.0, 9.0, 2.0]


def test_a_failure_later_in_the_run_keeps_every_table_as_it_was(app_db: Engine) -> None:
    with bulk_writes(app_db) as writes:
        replace_days(
            writes,
            AccountDay,
            days_of(["a"], FIRST, 2, score=1.0),
            days=(FIRST, FIRST + timedelta(days=1)),
        )
        replace_all(writes, MilestoneState, milestones(["a"], "overdue"))
    broken = milestones(["a"], "achieved").set_column(3, "required", pa.array([None], pa.bool_()))

    def run_with_a_broken_table() -> None:
        with bulk_writes(app_db) as writes:
            replace_days(
                writes,
                AccountDay,
                days_of(["a"], FIRST, 2, score=5.0),
                days=(FIRST, FIRST + timedelta(days=1)),
            )
            replace_all(writes, MilestoneState, broken)  # NOT NULL

    with pytest.raises(Exception, match=r"(?i)not.null"):
        run_with_a_broken_table()
    assert scores_by_day(app_db) == {FIRST: {1.0}, FIRST + timedelta(days=1): {1.0}}
    with app_db.connect() as connection:
        assert connection.execute(select(func.count()).select_from(MilestoneState)).scalar() == 1
