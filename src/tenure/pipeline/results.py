"""Write engine results into the app database, replacing what a run recomputed.

The Arrow tables go to the database through ADBC (`tenure.db.bulk`): a
3.65 M-row backfill of ``account_days`` no longer becomes Python objects.
Everything a run replaces is written in one transaction (one `bulk_writes`
block): readers, the web server included, see either the previous results or
all of the new ones, never days deleted and not yet written again.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
from sqlalchemy import Table, delete
from sqlalchemy.orm import DeclarativeBase

from tenure.db.bulk import BulkWrites


def replace_days(
    writes: BulkWrites,
    table: type[DeclarativeBase],
    rows: pa.Table,
    *,
    days: tuple[date, date],
    column: str = "day",
) -> int:
    """Replace `table`'s rows whose `column` falls in `days` (inclusive) with `rows`."""
    core = _core(table)
    writes.execute(delete(core).where(core.c[column].between(*days)))
    return writes.append(core, rows)


def replace_all(writes: BulkWrites, table: type[DeclarativeBase], rows: pa.Table) -> int:
    """Replace every row of `table` (results that only keep the latest state)."""
    core = _core(table)
    writes.execute(delete(core))
    return writes.append(core, rows)


def _core(table: type[DeclarativeBase]) -> Table:
    return table.__table__  # type: ignore[return-value]
