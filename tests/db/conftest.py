"""App database fixtures: one test suite, run on a SQLite file and on PostgreSQL.

PostgreSQL tests use the session database of ``postgres_database`` (in
tests/conftest.py); every test gets it empty.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine

from tenure.db import create_engine_for, sqlite_url, upgrade


def _empty_postgres(url: str) -> str:
    """Drop whatever an earlier test left in the session's database."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")
    return url


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of an empty app database on each backend."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path_factory.mktemp("app") / "app.db")
    return _empty_postgres(request.getfixturevalue("postgres_database"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a database upgraded to head, disposed after the test."""
    upgrade(db_url)
    engine = create_engine_for(db_url)
    try:
        yield engine
    finally:
        engine.dispose()
