"""Write engine results into the app database, replacing what a run recomputed."""

from __future__ import annotations

from datetime import date
from typing import Any

import pyarrow as pa
from sqlalchemy import Engine, delete, insert
from sqlalchemy.orm import DeclarativeBase

from tenure.db import KpiValue

BATCH = 50_000


def replace_days(
    engine: Engine, table: type[DeclarativeBase], rows: pa.Table, *, days: tuple[date, date]
) -> int:
    """Replace `table`'s rows for the days in `days` (inclusive) with `rows`."""
    column = table.__table__.c.day
    with engine.begin() as connection:
        connection.execute(delete(table).where(column.between(*days)))
        return _insert(connection, table, rows)


def replace_all(engine: Engine, table: type[DeclarativeBase], rows: pa.Table) -> int:
    """Replace every row of `table` (results that only keep the latest state)."""
    with engine.begin() as connection:
        connection.execute(delete(table))
        return _insert(connection, table, rows)


def replace_kpis(engine: Engine, rows: pa.Table, *, days: tuple[date, date]) -> int:
    column = KpiValue.__table__.c.as_of
    with engine.begin() as connection:
        connection.execute(delete(KpiValue).where(column.between(*days)))
        return _insert(connection, KpiValue, rows)


def _insert(connection: Any, table: type[DeclarativeBase], rows: pa.Table) -> int:
    names = [c.name for c in table.__table__.columns]
    statement = insert(table)
    for batch in rows.select(names).to_batches(BATCH):
        if batch.num_rows:
            connection.execute(statement, batch.to_pylist())
    return rows.num_rows
