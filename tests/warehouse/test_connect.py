"""`connect` and `ensure_fact_tables` on every backend: tables, types, round trips."""

from __future__ import annotations

from pathlib import Path

import ibis
import ibis.expr.datatypes as dt
import pyarrow.parquet as pq
import pytest
from ibis.backends import BaseBackend

from tenure.warehouse.connect import WarehouseError, connect, ensure_fact_tables
from tenure.warehouse.schemas import FACT_TABLES
from tenure.warehouse.writes import upsert

from .samples import as_arrow, as_memtable, sample_rows, stored

# How a backend reports a declared type it stores differently (same values).
STORED_TYPES: dict[str, dict[dt.DataType, dt.DataType]] = {
    "duckdb": {dt.timestamp: dt.Timestamp(scale=6)},
    "postgres": {dt.timestamp: dt.Timestamp(scale=6)},
    "pyspark": {},
}


def test_ensure_fact_tables_creates_all_seven_with_their_columns(backend: BaseBackend) -> None:
    ensure_fact_tables(backend)

    assert set(FACT_TABLES) <= set(backend.list_tables())
    differences = STORED_TYPES[backend.name]
    for table in FACT_TABLES.values():
        expected = {
            name: differences.get(dtype.copy(nullable=True), dtype)
            for name, dtype in table.schema.items()
        }
        schema = backend.table(table.name).schema()
        assert schema.names == table.column_names, table.name
        assert {name: dtype.copy(nullable=True) for name, dtype in schema.items()} == expected


def test_ensure_fact_tables_keeps_existing_tables_and_rows(backend: BaseBackend) -> None:
    accounts = FACT_TABLES["accounts"]
    ensure_fact_tables(backend)
    backend.insert("accounts", as_memtable(accounts, sample_rows(accounts, 2)))

    ensure_fact_tables(backend)

    assert stored(backend, accounts) == sample_rows(accounts, 2)


def test_every_type_round_trips_with_nulls(backend: BaseBackend) -> None:
    """Unicode JSON text, int64, float64, naive UTC timestamps in µs, NULLs."""
    ensure_fact_tables(backend)
    for table in FACT_TABLES.values():
        backend.insert(table.name, as_memtable(table, sample_rows(table)))

    for table in FACT_TABLES.values():
        assert stored(backend, table) == sample_rows(table), table.name


def test_int64_beyond_float_precision_round_trips_next_to_nulls(backend: BaseBackend) -> None:
    """2**53 + 1 is not a float64: a lossy cast on the way in or out would show."""
    accounts = FACT_TABLES["accounts"]
    rows = [
        {"account_id": "big", "employees": 2**53 + 1},
        {"account_id": "none", "employees": None},
    ]
    ensure_fact_tables(backend)
    backend.insert("accounts", as_memtable(accounts, rows))

    employees = {row["account_id"]: row["employees"] for row in stored(backend, accounts)}
    assert employees == {"big": 2**53 + 1, "none": None}


def test_the_same_parquet_files_load_into_every_backend(
    backend: BaseBackend, tmp_path: Path
) -> None:
    """A Parquet file written with a fact table's schema loads unchanged."""
    for table in FACT_TABLES.values():
        pq.write_table(as_arrow(table, sample_rows(table)), tmp_path / f"{table.name}.parquet")

    for table in FACT_TABLES.values():
        rows = pq.read_table(tmp_path / f"{table.name}.parquet")
        counts = upsert(backend, table, ibis.memtable(rows))
        assert (counts.inserted, counts.updated, counts.unchanged) == (3, 0, 0)
        assert stored(backend, table) == sample_rows(table), table.name


def test_a_duckdb_file_keeps_its_tables(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    con = connect(url)
    ensure_fact_tables(con)
    con.disconnect()

    again = connect(url)
    try:
        assert set(FACT_TABLES) <= set(again.list_tables())
    finally:
        again.disconnect()


@pytest.mark.parametrize(
    "url",
    ["sqlite:///warehouse.db", "mysql://root@localhost/tenure", "warehouse.duckdb", ""],
)
def test_an_unsupported_url_is_refused_with_the_forms_that_work(url: str) -> None:
    with pytest.raises(WarehouseError) as error:
        connect(url)

    message = str(error.value)
    assert repr(url) in message
    for form in ("duckdb:///", "postgresql://", "spark://"):
        assert form in message
