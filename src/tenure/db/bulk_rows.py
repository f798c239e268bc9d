"""Arrow rows in the form the app database stores them, for the bulk writes (`tenure.db.bulk`).

Values are handed to the drivers as SQLAlchemy itself stores them, so they read
back through the ORM exactly as if the ORM had written them (`STORED_AS`).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Boolean, Date, Float, Integer, String, Table
from sqlalchemy.types import BigInteger, SmallInteger, TypeEngine

# The Arrow type each driver is handed for a column type, by dialect: what
# SQLAlchemy stores for it there (SQLite: dates as ISO text 'YYYY-MM-DD',
# booleans as 0/1; PostgreSQL: binary COPY needs the column's exact width).
# A column type missing here is refused rather than written in a form the ORM
# might read differently (DateTime: SQLite's text format has no Arrow cast).
STORED_AS: dict[str, dict[type[TypeEngine[Any]], pa.DataType]] = {
    "sqlite": {
        Date: pa.string(),  # the cast writes ISO 8601, as SQLAlchemy's SQLite DATE does
        Boolean: pa.int64(),
        SmallInteger: pa.int64(),
        BigInteger: pa.int64(),
        Integer: pa.int64(),
        Float: pa.float64(),
        String: pa.string(),  # Text too
    },
    "postgresql": {
        Date: pa.date32(),
        Boolean: pa.bool_(),
        SmallInteger: pa.int16(),
        BigInteger: pa.int64(),
        Integer: pa.int32(),
        Float: pa.float64(),
        String: pa.string(),
    },
}


def prepared(table: Table, rows: pa.Table, *, dialect: str) -> pa.Table:
    """`rows` ready for the driver: in `table`'s key order, in the stored form.

    In key order, the key's B-tree grows at its end instead of splitting pages
    all over (150,000 milestone states into SQLite: a third less time).
    """
    keys = [column.name for column in table.primary_key.columns]
    if keys and not in_order(rows, keys):
        rows = rows.sort_by([(key, "ascending") for key in keys])
    return stored_form(table, rows, dialect=dialect)


def stored_form(table: Table, rows: pa.Table, *, dialect: str) -> pa.Table:
    """`rows` with `table`'s columns, each cast to what the dialect stores (`STORED_AS`)."""
    types = STORED_AS[dialect]
    columns = {}
    for column in table.columns:
        stored = next((types[t] for t in type(column.type).__mro__ if t in types), None)
        if stored is None:
            raise TypeError(f"no bulk write for {table.name}.{column.name} ({column.type})")
        columns[column.name] = rows[column.name].cast(stored)
    return pa.table(columns)


def in_order(rows: pa.Table, keys: list[str]) -> bool:
    """Whether `rows` are sorted by `keys` (no nulls in them): a tenth of a sort's time."""
    if rows.num_rows < 2:
        return True
    head, tail = rows.slice(0, rows.num_rows - 1), rows.slice(1)
    first, *others = keys
    before, tied = pc.less(head[first], tail[first]), pc.equal(head[first], tail[first])
    for key in others:  # each row precedes the next, or is tied with it so far
        before = pc.or_(before, pc.and_(tied, pc.less(head[key], tail[key])))
        tied = pc.and_(tied, pc.equal(head[key], tail[key]))
    return bool(pc.all(pc.or_(before, tied)).as_py())
