"""Write engine results into the app database, replacing what a run recomputed."""

from __future__ import annotations

from datetime import date
from typing import Any

import pyarrow as pa
from sqlalchemy import Engine, Table, delete
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
    """Bulk insert through the driver's executemany: no ORM, no per-row objects.

    SQLite stores dates as ISO text (as SQLAlchemy's Date type does), so they
    are passed as text there; other drivers take date objects.
    """
    core: Table = table.__table__  # type: ignore[assignment]
    compiled = core.insert().compile(dialect=connection.dialect)
    order = list(compiled.positiontup or [c.name for c in core.columns])
    as_text = connection.dialect.name == "sqlite"
    for batch in rows.select(order).to_batches(BATCH):
        columns = [_plain(column, as_text) for column in batch.columns]
        values = list(zip(*columns, strict=True))
        if values and compiled.positiontup is None:
            values = [dict(zip(order, row, strict=True)) for row in values]  # type: ignore[misc]
        if values:
            connection.exec_driver_sql(str(compiled), values)
    return rows.num_rows


def _plain(column: pa.Array, dates_as_text: bool) -> list[Any]:
    if dates_as_text and pa.types.is_date(column.type):
        return column.cast(pa.string()).to_pylist()
    return column.to_pylist()
