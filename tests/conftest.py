"""Fixtures shared by every test package: a PostgreSQL database and the warehouse backends.

PostgreSQL tests need the server at 127.0.0.1:5432 (user ``postgres``, trust
auth; override with ``TENURE_TEST_POSTGRES_URL``). The session makes one
uniquely named database and drops it at the end.

The ``backend`` fixture runs a test on every warehouse engine: a DuckDB file,
PostgreSQL (marked ``postgres``) and a local Spark session (marked ``spark``;
one session for the whole run, a fresh Spark database per test). Deselect with
``-m "not spark"``. Tests known to fail on a backend are listed in
``KNOWN_GAPS`` and run as strict xfails there, never skipped.
"""

from __future__ import annotations

import gc
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from ibis.backends import BaseBackend
from psycopg import sql
from sqlalchemy.engine import make_url

from tenure.warehouse.connect import connect

SERVER_URL = os.environ.get(
    "TENURE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)

# Tests known to fail on a backend: backend name -> {"test_module.py::test_name": why}.
# Each runs there as xfail(strict=True): when a gap closes, the run fails until the
# entry is removed. An entry naming a test its (collected) module lacks is a usage error.
KNOWN_GAPS: dict[str, dict[str, str]] = {
    "duckdb": {},
    "postgres": {},
    "pyspark": {
        "test_connect.py::test_int64_beyond_float_precision_round_trips_next_to_nulls": (
            "Ibis' pyspark backend loads in-memory tables through pandas, which turns an"
            " int64 column with NULLs into float64 (2**53 + 1 comes back as 2**53)"
        ),
    },
}

# Spark settings for a small, quiet local session (static ones, so set at JVM start).
SPARK_TEST_CONF = {
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
SPARK_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""
# PySpark reads query results from a local socket it leaves to the garbage
# collector ("closed when garbage-collected", pyspark/util.py), so CPython warns
# about the unclosed socket. Nothing of ours leaks; ignored on Spark tests only.
SPARK_SOCKET_WARNING = r"ignore:unclosed <socket\.socket .*raddr=\('127\.0\.0\.1':ResourceWarning"


def _admin() -> psycopg.Connection:
    return psycopg.connect(SERVER_URL, autocommit=True)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """URL of a database created for this test session, dropped when it ends."""
    name = f"tenure_test_{uuid.uuid4().hex[:12]}"
    with _admin() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with _admin() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session")
def spark_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BaseBackend]:
    """One local Spark session for the run (via ``connect``), stopped when it ends.

    Tables live under a temporary directory, never in the working directory.
    """
    root = tmp_path_factory.mktemp("spark")
    log4j = root / "log4j2.properties"
    log4j.write_text(SPARK_LOG4J)
    settings = {
        **SPARK_TEST_CONF,
        "spark.sql.warehouse.dir": str(root / "warehouse"),
        "spark.driver.extraJavaOptions": (
            f"-Dlog4j2.configurationFile=file:{log4j} -Dderby.system.home={root}"
            " -Duser.timezone=UTC -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
        ),
    }
    submit_args = [arg for k, v in settings.items() for arg in ("--conf", f"{k}={v}")]
    with pytest.MonkeyPatch.context() as patch:
        # Read by pyspark when it launches the JVM (shlex-split).
        patch.setenv("PYSPARK_SUBMIT_ARGS", " ".join(map(_quoted, submit_args)) + " pyspark-shell")
        con = connect("spark://local[2]")
    try:
        yield con
    finally:
        con.disconnect()  # stops the SparkSession (and its JVM's context)


def _quoted(arg: str) -> str:
    return "'" + arg.replace("'", "'\"'\"'") + "'"


def _empty_postgres_schema(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


def _duckdb(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BaseBackend]:
    con = connect(f"duckdb:///{tmp_path / 'warehouse.duckdb'}")
    yield con
    con.disconnect()


def _postgres(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BaseBackend]:
    url = request.getfixturevalue("postgres_database")
    _empty_postgres_schema(url)
    con = connect(url)
    yield con
    con.disconnect()


def _pyspark(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BaseBackend]:
    con = request.getfixturevalue("spark_warehouse")
    database = f"test_{uuid.uuid4().hex[:12]}"
    con.create_database(database)
    con.raw_sql(f"USE {database}")
    yield con
    con.raw_sql("USE default")
    con.raw_sql(f"DROP DATABASE {database} CASCADE")
    gc.collect()  # close PySpark's result sockets while this test's warning filter holds


BACKENDS = {"duckdb": _duckdb, "postgres": _postgres, "pyspark": _pyspark}


@pytest.fixture(
    params=[
        "duckdb",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param(
            "pyspark",
            marks=[pytest.mark.spark, pytest.mark.filterwarnings(SPARK_SOCKET_WARNING)],
        ),
    ]
)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BaseBackend]:
    """An Ibis connection from ``tenure.warehouse.connect.connect`` to an empty warehouse.

    Parametrized over ``duckdb`` (a file in ``tmp_path``), ``postgres`` (the
    session database, emptied) and ``pyspark`` (a fresh Spark database in the
    session's local Spark). ``backend.name`` is the Ibis backend name used in
    ``KNOWN_GAPS``.
    """
    yield from BACKENDS[request.param](request, tmp_path)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests listed in KNOWN_GAPS as strict xfails on their backend."""
    modules = {}
    for item in items:
        callspec = getattr(item, "callspec", None)
        if not isinstance(item, pytest.Function) or "backend" not in getattr(
            callspec, "params", {}
        ):
            continue
        modules[item.path.name] = item.module
        name = item.callspec.params["backend"]
        reason = KNOWN_GAPS.get(name, {}).get(f"{item.path.name}::{item.originalname}")
        if reason is not None:
            item.add_marker(pytest.mark.xfail(reason=f"{name}: {reason}", strict=True))
    stale = [
        test
        for gaps in KNOWN_GAPS.values()
        for test in gaps
        if (module := modules.get(test.split("::")[0])) and not hasattr(module, test.split("::")[1])
    ]
    if stale:
        raise pytest.UsageError(f"KNOWN_GAPS names tests that do not exist: {stale}")


@pytest.fixture(scope="session")
def generated_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated workspace (150 accounts, 6 months) with its rollups; read only."""
    folder = tmp_path_factory.mktemp("analyses") / "ws"
    from typer.testing import CliRunner

    from tenure.cli import app
    from tenure.config import load_settings
    from tenure.pipeline.imports import open_warehouse
    from tenure.pipeline.rollups import refresh_for

    runner = CliRunner()
    assert runner.invoke(app, ["init", str(folder)]).exit_code == 0
    args = ["generate", "--accounts", "150", "--months", "6", "--seed", "5", "-w", str(folder)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    warehouse = open_warehouse(load_settings(folder))
    refresh_for(warehouse, load_settings(folder).definitions)
    warehouse.disconnect()
    return folder
