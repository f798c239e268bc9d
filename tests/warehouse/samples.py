"""Rows for the fact tables with every column type filled, and a way to read them back."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from tenure.warehouse.schemas import FactTable

Row = dict[str, Any]

# Naive UTC with microseconds, on a leap day: what every backend must keep exactly.
BASE_TIME = datetime(2024, 2, 29, 23, 59, 59, 123456)


def _value(table: FactTable, column: str, dtype: str, i: int) -> Any:
    if column == table.key:
        return f"{table.name}-{i}"
    if column == table.extras:
        return json.dumps({"note": f"Grüße {i} — 東京 🚀", "n": i}, ensure_ascii=False)
    return {
        "string": f"{column} {i} · café",
        "int64": 2**40 + i,  # beyond int32
        "float64": 1234.5678 + i / 3,
        "timestamp": BASE_TIME + timedelta(days=i, microseconds=i),
    }[dtype]


def sample_rows(table: FactTable, count: int = 3) -> list[Row]:
    """`count` rows keyed `<table>-0`, `<table>-1`, ...; the last is NULL but for its key."""
    rows = [
        {c.name: _value(table, c.name, c.dtype, i) for c in table.columns} for i in range(count)
    ]
    rows[-1] = {name: (value if name == table.key else None) for name, value in rows[-1].items()}
    return rows


def as_arrow(table: FactTable, rows: list[Row]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=table.schema.to_pyarrow())


def as_memtable(table: FactTable, rows: list[Row]) -> ir.Table:
    return ibis.memtable(as_arrow(table, rows))


def stored(con: BaseBackend, table: FactTable) -> list[Row]:
    """The rows of `table` in `con`, ordered by key."""
    rows = con.table(table.name).to_pyarrow().to_pylist()
    return sorted(rows, key=lambda row: row[table.key])
