"""Engines and sessions for the app database: a SQLite file or PostgreSQL.

Nothing here runs at import time: callers build an engine from the workspace's
URL (``TENURE_APP_DB_URL``) when they need one, and dispose of it when done.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

SQLITE_BUSY_TIMEOUT_SECONDS = 30


class AppDatabaseError(ValueError):
    """The app database URL cannot be used."""


def sqlite_url(path: Path) -> str:
    """The URL of a SQLite file, e.g. the workspace's ``app.db``."""
    return URL.create("sqlite", database=str(path)).render_as_string()


# The web app runs each request in one of anyio's 40 worker threads, holding a
# session for the whole request (a login included, argon2 and all): with
# SQLAlchemy's default pool of 5 + 10, 20 simultaneous logins waited 30 s for a
# connection and failed. Up to 40 connections, 10 kept open.
POOL: dict[str, Any] = {"pool_size": 10, "max_overflow": 30}


def create_engine_for(url: str) -> Engine:
    """An engine for ``sqlite:///FILE``, ``sqlite://`` (in memory) or ``postgresql://...``.

    A plain ``postgresql://`` or ``postgres://`` URL uses psycopg 3, the
    driver Tenure installs (SQLAlchemy would otherwise pick psycopg2).
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    factory = _FACTORIES.get(backend)
    if factory is None:
        raise AppDatabaseError(
            f"unsupported app database URL {parsed!r}: use sqlite:///FILE or postgresql://..."
        )
    return factory(parsed)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit.

    ``expire_on_commit=False``: results are committed and then handed to
    templates and API responses; expiring them would make every attribute
    access after the commit a new query (or an error once the session closed).
    """
    return sessionmaker(engine, expire_on_commit=False)


def _sqlite(url: URL) -> Engine:
    in_memory = url.database in (None, "", ":memory:")
    options: dict[str, Any] = {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}}
    if in_memory:
        # One connection shared by all threads, or every checkout sees a new, empty database.
        options["connect_args"]["check_same_thread"] = False
        options["poolclass"] = StaticPool
    else:
        options |= POOL
    engine = create_engine(url, **options)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on, WAL journal (readers never block the writer), own transactions.

    The sqlite3 module opens transactions lazily, on the first write, which
    breaks SAVEPOINTs and lets reads escape the transaction; turning that off
    and emitting BEGIN ourselves (``_sqlite_on_begin``) is SQLAlchemy's
    documented remedy.
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")  # an in-memory database stays "memory"
        cursor.execute("PRAGMA synchronous = NORMAL")  # durable enough with WAL, much faster
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def _postgresql(url: URL) -> Engine:
    if "+" not in url.drivername:
        url = url.set(drivername="postgresql+psycopg")
    return create_engine(
        url,
        pool_size=5,  # few kept open: the server's connections are shared with others
        max_overflow=35,  # up to 40 under load, as for SQLite (see POOL)
        pool_pre_ping=True,  # survive server restarts and idle-connection reaping
        pool_recycle=1800,
        connect_args={"application_name": "tenure"},
    )


_FACTORIES: dict[str, Callable[[URL], Engine]] = {
    "sqlite": _sqlite,
    "postgresql": _postgresql,
    "postgres": _postgresql,
}
