"""Idempotent writes: upsert rows into a fact table on its external id.

New keys are inserted; existing keys whose values differ are updated; rows
identical to what is stored are left alone, so re-importing a file changes
nothing. How each backend updates in place is declared as data below.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import reduce

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from tenure.warehouse.connect import ensure_fact_tables
from tenure.warehouse.schemas import FactTable

# Backends with SQL MERGE (used by Ibis' upsert); the others rewrite the table.
MERGES_IN_PLACE = {"duckdb": True, "postgres": True, "pyspark": False}
# Backends whose create_table supports temp=True (Ibis' pyspark raises NotImplementedError).
TEMP_TABLES = {"duckdb": True, "postgres": True, "pyspark": False}


@dataclass(frozen=True)
class WriteCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def upsert(con: BaseBackend, table: FactTable, rows: ir.Table) -> WriteCounts:
    """Write `rows` (with exactly `table`'s columns) into `con`, keyed on `table.key`.

    `rows` may be an expression on `con` or an in-memory table (`ibis.memtable`).
    Keys must be unique within `rows`.
    """
    ensure_fact_tables(con)
    target = con.table(table.name)
    rows = rows.select(*table.column_names)
    changed = _materialized(con, _changed(rows, target, table))
    try:
        updated = _count(changed)
        before = _count(target)
        con.insert(table.name, rows.anti_join(target, table.key) if before else rows)
        inserted = _count(con.table(table.name)) - before
        if updated:
            _update(con, table, changed)
    finally:
        _drop(con, changed)
    return WriteCounts(inserted, updated, _count(rows) - inserted - updated)


def _materialized(con: BaseBackend, rows: ir.Table) -> ir.Table:
    name = f"_tenure_changed_{uuid.uuid4().hex[:12]}"
    return con.create_table(name, rows, temp=TEMP_TABLES.get(con.name, False))


def _drop(con: BaseBackend, rows: ir.Table) -> None:
    # Temp tables live in their own namespace (DuckDB: temp.main) and get_name() is
    # qualified with it, so drop by bare name in that namespace.
    op = rows.op()
    where = op.namespace
    database = (where.catalog, where.database) if where.catalog else where.database
    con.drop_table(op.name, database=database, force=True)


def _count(rows: ir.Table) -> int:
    return int(rows.count().execute())


def _changed(rows: ir.Table, target: ir.Table, table: FactTable) -> ir.Table:
    """Rows whose key is stored with at least one different value."""
    stored = target.select(*table.column_names).rename(lambda name: f"old_{name}")
    joined = rows.inner_join(stored, rows[table.key] == stored[f"old_{table.key}"])
    same = [joined[c].identical_to(joined[f"old_{c}"]) for c in table.column_names]
    return joined.filter(~reduce(lambda a, b: a & b, same)).select(*table.column_names)


def _update(con: BaseBackend, table: FactTable, changed: ir.Table) -> None:
    if MERGES_IN_PLACE.get(con.name, False):
        con.upsert(table.name, changed, on=table.key)
        return
    # No MERGE (Spark on plain Parquet tables): rewrite the table from a snapshot.
    updates = changed.to_pyarrow()
    kept = con.table(table.name).anti_join(ibis.memtable(updates), table.key).to_pyarrow()
    con.create_table(table.name, pa.concat_tables([kept, updates]), overwrite=True)
