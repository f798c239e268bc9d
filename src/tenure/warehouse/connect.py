"""Open a warehouse: any engine Ibis speaks, named by a URL.

- ``duckdb:///path/to/warehouse.duckdb`` (the default, a file in the workspace)
  or ``duckdb://`` for an in-memory database;
- ``postgresql://user@host:port/database``;
- ``spark://local[2]`` for a local Spark session (any Spark master URL after
  ``spark://``; needs the ``spark`` extra and Java).
"""

from __future__ import annotations

import ibis
from ibis.backends import BaseBackend

from tenure.warehouse.schemas import FACT_TABLES


class WarehouseError(ValueError):
    """The warehouse URL cannot be used."""


def connect(url: str) -> BaseBackend:
    """Connect to the warehouse at `url` (see the module docstring for the forms)."""
    scheme = url.split(":", 1)[0].lower()
    if scheme == "duckdb":
        con = ibis.connect(url)
        con.raw_sql("SET TimeZone = 'UTC'")
        con.raw_sql("SET enable_progress_bar = false")
        return con
    if scheme in ("postgres", "postgresql"):
        return ibis.connect(url.replace("postgresql://", "postgres://", 1))
    if scheme == "spark":
        return _spark(url.split("://", 1)[1] or "local[2]")
    raise WarehouseError(
        f"unsupported warehouse URL {url!r}: use duckdb:///FILE, postgresql://... or spark://MASTER"
    )


def _spark(master: str) -> BaseBackend:
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise WarehouseError("a spark:// warehouse needs: pip install 'tenure[spark]'") from exc
    session = (
        SparkSession.builder.master(master)
        .appName("tenure")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    return ibis.pyspark.connect(session)


def ensure_fact_tables(con: BaseBackend) -> None:
    """Create the fact tables that do not exist yet (never touches existing ones)."""
    existing = set(con.list_tables())
    for table in FACT_TABLES.values():
        if table.name not in existing:
            con.create_table(table.name, schema=table.schema)
