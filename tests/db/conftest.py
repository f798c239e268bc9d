"""App database fixtures: one test suite, run on a SQLite file and on PostgreSQL.

PostgreSQL tests need the server at 127.0.0.1:5432 (user ``postgres``, trust
auth; override with ``TENURE_TEST_POSTGRES_URL``). The session makes one
uniquely named database and drops it at the end; every test gets it empty.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from tenure.db import create_engine_for, sqlite_url, upgrade

SERVER_URL = os.environ.get(
    "TENURE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _admin() -> psycopg.Connection:
    return psycopg.connect(SERVER_URL, autocommit=True)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """URL of a database created for this test session, dropped when it ends."""
    name = f"tenure_test_{uuid.uuid4().hex[:12]}"
    with _admin() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with _admin() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


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
