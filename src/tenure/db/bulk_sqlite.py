"""SQLite bulk writes: Arrow rows staged by ADBC in a private file, copied over in SQL.

ADBC's SQLite driver carries its own copy of the SQLite library. Two copies in
one process keep separate lock tables, so each takes the other's file locks
for its own: both could write the app database at once, and closing one's
file handle drops the other's locks (sqlite.org/howtocorrupt.html, 2.2.1).
The web server runs `compute` in its scheduler thread next to its own
connections, so ADBC never opens the app database. It writes the rows into a
scratch SQLite file (no journal, no fsync: nothing to protect there); then one
connection of the engine, the library everyone else uses, attaches that file
and runs the deletes and ``INSERT ... SELECT`` copies in one transaction::

    with staged_writes(engine) as writes:
        writes.execute(delete(AccountDay).where(AccountDay.day == day))  # recorded
        writes.append(AccountDay.__table__, rows)  # staged now, copied at the end

The app database's write lock is held only for the copy, not while Arrow
values are bound, so the web server's inbox writes wait less.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import adbc_driver_sqlite.dbapi
import pyarrow as pa
from sqlalchemy import ClauseElement, Engine, Table
from sqlalchemy.dialects import sqlite

from tenure.db.bulk_rows import prepared

# A copy of at least this many rows, and of more rows than the table keeps,
# rebuilds the table's secondary indexes once instead of updating them row by
# row (see `_copy`).
REBUILD_INDEXES_FROM_ROWS = 100_000

_SQL = sqlite.dialect()
_quote = _SQL.identifier_preparer.quote


@dataclass(frozen=True)
class _Copy:
    table: Table
    staged: str  # the staging table holding its rows
    rows: int


class StagedWrites:
    """Deletes recorded and rows staged, to be applied in order in one transaction."""

    def __init__(self, stage: Any) -> None:
        self._stage = stage
        self.steps: list[str | _Copy] = []

    def execute(self, statement: ClauseElement) -> None:
        compiled = statement.compile(dialect=_SQL, compile_kwargs={"literal_binds": True})
        self.steps.append(str(compiled))

    def append(self, table: Table, rows: pa.Table) -> int:
        if rows.num_rows:
            staged = f"stage_{len(self.steps)}"
            self._stage.adbc_ingest(staged, prepared(table, rows, dialect="sqlite"), mode="create")
            self.steps.append(_Copy(table, staged, rows.num_rows))
        return rows.num_rows


@contextmanager
def staged_writes(engine: Engine) -> Iterator[StagedWrites]:
    """Stage the block's writes, then apply them all in one transaction of the engine."""
    with tempfile.TemporaryDirectory(prefix="tenure-bulk-") as folder:
        path = Path(folder) / "staged.db"
        stage = adbc_driver_sqlite.dbapi.connect(str(path), autocommit=True)
        try:
            cursor = stage.cursor()
            cursor.execute("PRAGMA journal_mode = OFF")  # a scratch file: nothing to recover
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("BEGIN")
            writes = StagedWrites(cursor)
            yield writes
            cursor.execute("COMMIT")
        finally:
            stage.close()  # ADBC's SQLite lets go of the file before the engine's opens it
        _apply(engine, path, writes.steps)


def _apply(engine: Engine, staged: Path, steps: list[str | _Copy]) -> None:
    connection = engine.raw_connection()  # the engine's pragmas and busy timeout
    try:
        cursor = connection.cursor()
        cursor.execute("ATTACH DATABASE ? AS staged", (str(staged),))  # not inside a transaction
        try:
            # The write lock from the start: a read lock upgraded later can fail
            # at once (SQLITE_BUSY_SNAPSHOT) instead of waiting for the web server.
            cursor.execute("BEGIN IMMEDIATE")
            try:
                for step in steps:
                    if isinstance(step, str):
                        cursor.execute(step)
                    else:
                        _copy(cursor, step)
                cursor.execute("COMMIT")
            except BaseException:
                connection.rollback()
                raise
        finally:
            cursor.execute("DETACH DATABASE staged")
    finally:
        connection.close()  # back to the pool


def _copy(cursor: Any, step: _Copy) -> None:
    """Copy a staging table into its app table, rebuilding indexes for a large copy.

    Rows arrive in key order, which appends to the key's B-tree, but an index
    on another column (``account_days.day``) takes them at hundreds of places
    at once, and SQLite then splits pages in the middle of the tree: that was
    most of a 3.65 M-row insert. Building the index afterwards sorts it once.
    Inside the transaction, so readers (WAL) keep the old table and indexes.
    """
    table = step.table.name
    indexes: list[tuple[str, str]] = []
    if step.rows >= REBUILD_INDEXES_FROM_ROWS:
        (kept,) = cursor.execute(f"SELECT count(*) FROM main.{_quote(table)}").fetchone()
        if step.rows > kept:
            indexes = cursor.execute(
                "SELECT name, sql FROM main.sqlite_master"
                " WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",  # not the key's
                (table,),
            ).fetchall()
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX main.{_quote(name)}")
    columns = ", ".join(_quote(column.name) for column in step.table.columns)
    cursor.execute(
        f"INSERT INTO main.{_quote(table)} ({columns})"
        f" SELECT {columns} FROM staged.{_quote(step.staged)}"  # in key order: staged so
    )
    for _, sql in indexes:
        cursor.execute(sql)
