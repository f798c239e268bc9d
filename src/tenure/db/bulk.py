"""Bulk writes of Arrow tables into the app database, in C and in one transaction.

`tenure compute` replaces up to millions of result rows at once (a 365-day
backfill writes 3.65 M ``account_days`` rows). The driver's executemany needs
every value as a Python object first; Apache Arrow's ADBC drivers take the
Arrow columns as they are::

    with bulk_writes(engine) as writes:  # one transaction
        writes.execute(delete(AccountDay).where(AccountDay.day == day))
        writes.append(AccountDay.__table__, rows)

PostgreSQL: an ADBC connection deletes and sends the rows by binary COPY.
SQLite: ADBC carries its own copy of the SQLite library, and two copies in one
process do not see each other's file locks (the web server runs `compute` in
its scheduler thread next to its own connections), so ADBC never opens the app
database: it writes the rows into a private staging file, and the engine's own
connection copies them over in SQL (`tenure.db.bulk_sqlite`).

Values are handed over in the form SQLAlchemy itself stores them
(`tenure.db.bulk_rows`), so they read back through the ORM unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import adbc_driver_postgresql.dbapi
import pyarrow as pa
from sqlalchemy import ClauseElement, Engine, Table
from sqlalchemy.dialects import postgresql

from tenure.db.bulk_rows import prepared
from tenure.db.bulk_sqlite import staged_writes
from tenure.db.engine import AppDatabaseError


class BulkWrites(Protocol):
    """Deletes and appends of one transaction (`bulk_writes`)."""

    def execute(self, statement: ClauseElement) -> None:
        """Run a SQLAlchemy statement (a delete)."""

    def append(self, table: Table, rows: pa.Table) -> int:
        """Insert `rows`: a column for each of `table`'s columns (others are ignored)."""


@contextmanager
def bulk_writes(engine: Engine) -> Iterator[BulkWrites]:
    """One transaction on the engine's database: committed at the end, rolled back on error."""
    dialect = engine.dialect.name
    if dialect == "sqlite":
        with staged_writes(engine) as writes:
            yield writes
    elif dialect == "postgresql":
        with _postgres_writes(engine) as postgres:
            yield postgres
    else:
        raise AppDatabaseError(f"no bulk writes for {dialect} databases")


# Compiled for ADBC, which runs SQL as written: no "%%" as for pyformat drivers.
_POSTGRES_SQL = postgresql.dialect(paramstyle="numeric_dollar")


class _PostgresWrites:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def execute(self, statement: ClauseElement) -> None:
        compiled = statement.compile(dialect=_POSTGRES_SQL, compile_kwargs={"literal_binds": True})
        self._cursor.execute(str(compiled))

    def append(self, table: Table, rows: pa.Table) -> int:
        if rows.num_rows:
            stored = prepared(table, rows, dialect="postgresql")
            self._cursor.adbc_ingest(table.name, stored, mode="append")  # binary COPY
        return rows.num_rows


@contextmanager
def _postgres_writes(engine: Engine) -> Iterator[_PostgresWrites]:
    # libpq reads the engine's URL without SQLAlchemy's "+psycopg".
    uri = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = adbc_driver_postgresql.dbapi.connect(uri)
    try:
        yield _PostgresWrites(connection.cursor())
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.close()  # and its cursor
