"""Engines are configured per backend: SQLite pragmas, psycopg 3 for PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tenure.db import AppDatabaseError, create_engine_for, session_factory, sqlite_url
from tenure.db.tables import ImportRun


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine_for(sqlite_url(tmp_path / "app.db"))
    yield engine
    engine.dispose()


def test_sqlite_url_is_a_file_url(tmp_path: Path) -> None:
    assert sqlite_url(tmp_path / "app.db") == f"sqlite:///{tmp_path}/app.db"


def test_sqlite_enforces_foreign_keys_and_uses_wal(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_sqlite_savepoint_rolls_back_only_its_part(sqlite_engine: Engine) -> None:
    """Needs the BEGIN emitted by the engine: the sqlite3 module's own breaks savepoints."""
    with sqlite_engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
        savepoint = connection.begin_nested()
        connection.execute(text("INSERT INTO t VALUES (2)"))
        savepoint.rollback()
    with sqlite_engine.connect() as connection:
        assert connection.execute(text("SELECT x FROM t")).scalars().all() == [1]


def _count_rows(engine: Engine) -> int | None:
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM t")).scalar()


def test_in_memory_sqlite_is_one_database_for_all_threads() -> None:
    engine = create_engine_for("sqlite://")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
        with ThreadPoolExecutor(max_workers=1) as pool:
            assert pool.submit(_count_rows, engine).result() == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize("url", ["postgresql://u@localhost/app", "postgres://u@localhost/app"])
def test_postgresql_urls_use_psycopg3(url: str) -> None:
    engine = create_engine_for(url)  # no connection is made until used
    try:
        assert engine.url.drivername == "postgresql+psycopg"
        assert engine.dialect.driver == "psycopg"
    finally:
        engine.dispose()


def test_unsupported_url_is_refused() -> None:
    with pytest.raises(AppDatabaseError, match="unsupported app database URL"):
        create_engine_for("mysql://u:secret@localhost/app")


def test_unsupported_url_error_hides_the_password() -> None:
    with pytest.raises(AppDatabaseError) as error:
        create_engine_for("mysql://u:secret@localhost/app")
    assert "secret" not in str(error.value)


def test_sessions_keep_objects_readable_after_commit(engine: Engine) -> None:
    make_session = session_factory(engine)
    with make_session() as session, session.begin():
        run = ImportRun(
            kind="accounts",
            source_file="a.csv",
            started_at=datetime(2024, 1, 1, tzinfo=UTC),
            status="succeeded",
        )
        session.add(run)
    assert run.id is not None
    assert run.kind == "accounts"
