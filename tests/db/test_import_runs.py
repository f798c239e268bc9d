"""The import log: write a run, read it back, newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError, StatementError

from tenure.db import ImportRun, ImportStatus, recent_imports, record_import, session_factory

START = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)


def _record(engine: Engine, kind: str, minutes: int) -> ImportRun:
    return record_import(
        engine, kind=kind, source_file=f"{kind}.csv", started_at=START + timedelta(minutes=minutes)
    )


def test_record_and_read_back(engine: Engine, tmp_path: Path) -> None:
    quarantine = tmp_path / "quarantine" / "events.csv"
    run = record_import(
        engine,
        kind="events",
        source_file=tmp_path / "events.jsonl",
        preset="segment",
        started_at=START,
        finished_at=START + timedelta(seconds=42),
        status=ImportStatus.SUCCEEDED,
        inserted=1000,
        updated=20,
        unchanged=5,
        rejected=3,
        warnings=1,
        quarantine_file=quarantine,
    )
    [stored] = recent_imports(engine)
    assert stored.id == run.id
    assert (stored.kind, stored.source_file, stored.preset) == (
        "events",
        str(tmp_path / "events.jsonl"),
        "segment",
    )
    assert (stored.inserted, stored.updated, stored.unchanged, stored.rejected) == (1000, 20, 5, 3)
    assert stored.warnings == 1
    assert stored.quarantine_file == str(quarantine)
    assert stored.status == "succeeded"
    assert stored.started_at == START
    assert stored.finished_at == START + timedelta(seconds=42)


def test_timestamps_read_back_in_utc(engine: Engine) -> None:
    paris = timezone(timedelta(hours=1))
    record_import(engine, kind="accounts", source_file="a.csv", started_at=START.astimezone(paris))
    [stored] = recent_imports(engine)
    assert stored.started_at == START
    assert stored.started_at.tzinfo == UTC


def test_counts_default_to_zero(engine: Engine) -> None:
    record_import(engine, kind="accounts", source_file="a.csv", started_at=START, status="failed")
    [stored] = recent_imports(engine)
    assert (stored.inserted, stored.rejected, stored.warnings) == (0, 0, 0)
    assert stored.finished_at is None
    assert stored.preset is None
    assert stored.status == ImportStatus.FAILED


def test_recent_imports_newest_first_limited_and_by_kind(engine: Engine) -> None:
    for minutes, kind in enumerate(["accounts", "events", "accounts", "tickets"]):
        _record(engine, kind, minutes)
    assert [run.kind for run in recent_imports(engine, 3)] == ["tickets", "accounts", "events"]
    accounts = recent_imports(engine, kind="accounts")
    assert [run.started_at for run in accounts] == [START + timedelta(minutes=2), START]


def test_record_in_a_session_joins_its_transaction(engine: Engine) -> None:
    make_session = session_factory(engine)
    with make_session() as session:
        run = record_import(session, kind="accounts", source_file="a.csv", started_at=START)
        assert run.id is not None  # flushed
        assert recent_imports(session) == [run]
        session.rollback()
    assert recent_imports(engine) == []


def test_unknown_status_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="'done' is not a valid ImportStatus"):
        record_import(engine, kind="accounts", source_file="a.csv", started_at=START, status="done")


def test_naive_timestamps_are_refused(engine: Engine) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        record_import(engine, kind="accounts", source_file="a.csv", started_at=datetime(2024, 1, 1))


def test_database_refuses_negative_counts(engine: Engine) -> None:
    with pytest.raises(IntegrityError, match="counts_not_negative"):
        record_import(engine, kind="events", source_file="e.csv", started_at=START, rejected=-1)
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(ImportRun)) == 0
