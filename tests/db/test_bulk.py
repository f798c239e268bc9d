"""Bulk writes through ADBC store exactly what SQLAlchemy stores, in one transaction."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    Table,
    delete,
    insert,
    inspect,
    select,
)

from tenure.db import (
    AccountDay,
    AccountProfile,
    Base,
    HealthContribution,
    KpiValue,
    MilestoneState,
    bulk_sqlite,
    create_engine_for,
    sqlite_url,
    upgrade,
)
from tenure.db.bulk import bulk_writes
from tenure.db.bulk_rows import in_order, stored_form

TEXTS = ["", "plain", 'it\'s "quoted", with commas', "ünïcode → 😀", "two\nlines", "50% off\\"]
FLOATS = [0.1 + 0.2, -0.0, 1e-300, 5e-324, 1.7976931348623157e308, math.inf, math.nan, None]
DATES = [date(1, 1, 1), date(1970, 1, 1), date(2026, 10, 31), date(9999, 12, 31), None]
DOCUMENT = json.dumps(
    {"contacts": [{"name": 'Zoë "Z" O\'Neil', "note": "a\nb"}], "usage": [1.5] * 600}
)


def _cycle(values: list[Any], n: int) -> list[Any]:
    return [values[i % len(values)] for i in range(n)]


def _rows(n: int) -> dict[type, pa.Table]:
    """Rows of each result table, as the pipeline hands them over, with awkward values."""
    ids = [f"acc-{i:03d}" for i in range(n)]
    texts, floats = _cycle(TEXTS, n), pa.array(_cycle(FLOATS, n), pa.float64())
    dates = pa.array(_cycle(DATES, n), pa.date32())
    days = pa.array([date(2026, 10, 1 + i % 30) for i in range(n)], pa.date32())
    flags = pa.array([i % 3 == 0 for i in range(n)])
    return {
        AccountDay: pa.table(
            {
                "account_id": ids,
                "day": days,
                "stage": texts,
                "stage_entered_on": dates,
                "health_score": floats,
                "health_band": _cycle(["red", "", None], n),
                "coverage": floats,
                "capped": flags,
                "change_7d": floats,
                "change_30d": floats,
                "engagement": floats,
            }
        ),
        MilestoneState: pa.table(
            {
                "account_id": ids,
                "milestone": texts,
                "stage": texts,
                "required": flags,
                "is_value": pa.array([i % 2 == 0 for i in range(n)]),
                "anchor_day": days,
                "due_day": dates,
                "halfway_day": dates,  # computed by the engine, not stored: ignored
                "achieved_on": dates,
                "status": _cycle(["achieved", "overdue"], n),
                "as_of": days,
            }
        ),
        HealthContribution: pa.table(
            {
                "account_id": ids,
                "day": days,
                "measure": texts,
                "group": _cycle(["usage", None], n),
                "critical": flags,
                "value": floats,
                "points": floats,
                "weight": pa.array([0.25] * n),
                "effective_weight": floats,
                "band": _cycle(["green", None], n),
                "contribution": floats,
            }
        ),
        AccountProfile: pa.table(
            {
                "account_id": ids,
                "name": texts,
                "domain": _cycle(["example.com", None], n),
                "owner": texts,
                "plan": texts,
                "industry": texts,
                "region": texts,
                "employees": pa.array(_cycle([0, -5, 2**31 - 1, None], n), pa.int64()),
                "segment": texts,
                "arr": pa.array(_cycle([0.0, 1234.5, 1e12], n)),
                "renewal_on": dates,
                "created_on": dates,
                "churned_on": dates,
                "as_of": days,
                "stage": texts,
                "health_score": floats,
                "health_band": _cycle(["red", None], n),
                "change_30d": floats,
                "engagement": floats,
                "details": _cycle([DOCUMENT, "{}", "[]"], n),
            }
        ),
        KpiValue: pa.table(
            {
                "as_of": days,
                "name": [f"kpi {i}" for i in range(n)],
                "period": _cycle(["month", "t12m"], n),
                "cohort": texts,
                "value": floats,
            }
        ),
    }


def _read(engine: Engine, table: Table) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """What the ORM reads back, and what the database holds (the driver's raw values)."""
    keys = list(table.primary_key.columns)
    names = ", ".join(f'"{c.name}"' for c in keys)
    with engine.connect() as connection:
        typed = connection.execute(select(table).order_by(*keys)).all()
        raw = connection.exec_driver_sql(f"SELECT * FROM {table.name} ORDER BY {names}").all()
    return _comparable(typed), _comparable(raw)


def _comparable(rows: Any) -> list[tuple[Any, ...]]:
    """Each value with its Python type (1, 1.0 and True are equal, as stored they differ),
    NaN made equal to itself."""
    return [
        tuple(
            (type(v).__name__, "NaN" if isinstance(v, float) and math.isnan(v) else v) for v in row
        )
        for row in rows
    ]


@pytest.mark.parametrize(
    "model", [AccountDay, MilestoneState, HealthContribution, AccountProfile, KpiValue]
)
def test_bulk_writes_store_what_sqlalchemy_stores(engine: Engine, model: type) -> None:
    table: Table = model.__table__
    rows = _rows(60)[model]
    with engine.begin() as connection:
        values = rows.select([c.name for c in table.columns]).to_pylist()
        connection.execute(insert(table), values)
    expected = _read(engine, table)
    with engine.begin() as connection:
        connection.execute(delete(table))
    with bulk_writes(engine) as writes:
        assert writes.append(table, rows) == 60
    assert _read(engine, table) == expected
    assert len(expected[0]) == 60


def test_a_failed_write_keeps_the_rows_it_would_have_replaced(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    table: Table = AccountDay.__table__  # type: ignore[assignment]
    rows = _rows(30)[AccountDay]
    with bulk_writes(engine) as writes:
        writes.append(table, rows)
    before = _read(engine, table)
    monkeypatch.setattr(bulk_sqlite, "REBUILD_INDEXES_FROM_ROWS", 1)  # the SQLite index rebuild too
    broken = rows.set_column(7, "capped", pa.array([None] * 30, pa.bool_()))  # NOT NULL

    def replace_with_broken_rows() -> None:
        with bulk_writes(engine) as writes:
            writes.execute(delete(table))
            writes.append(table, broken)

    with pytest.raises(Exception, match=r"(?i)not.null"):
        replace_with_broken_rows()
    assert _read(engine, table) == before
    assert _index_names(engine, "account_days") >= {"ix_account_days_day"}


def _index_names(engine: Engine, table: str) -> set[str]:
    return {index["name"] for index in inspect(engine).get_indexes(table)}  # type: ignore[misc]


def test_readers_see_the_previous_rows_until_the_commit(engine: Engine) -> None:
    table: Table = KpiValue.__table__  # type: ignore[assignment]
    rows = _rows(20)[KpiValue]
    with bulk_writes(engine) as writes:
        writes.append(table, rows.slice(0, 10))
    with bulk_writes(engine) as writes:
        writes.execute(delete(table))
        writes.append(table, rows.slice(10))
        with engine.connect() as connection:  # as the web server would, meanwhile
            seen = connection.execute(select(table.c.name)).scalars().all()
        assert sorted(seen) == sorted(rows["name"].to_pylist()[:10])
    with engine.connect() as connection:
        seen = connection.execute(select(table.c.name)).scalars().all()
    assert sorted(seen) == sorted(rows["name"].to_pylist()[10:])


def test_rows_out_of_key_order_are_written(engine: Engine) -> None:
    table: Table = AccountDay.__table__  # type: ignore[assignment]
    rows = _rows(40)[AccountDay]
    backwards = rows.take(list(range(39, -1, -1)))
    assert in_order(rows, ["account_id", "day"])
    assert not in_order(backwards, ["account_id", "day"])
    with bulk_writes(engine) as writes:
        writes.append(table, backwards)
    with engine.connect() as connection:
        written = connection.execute(select(table.c.account_id)).scalars().all()
    assert sorted(written) == rows["account_id"].to_pylist()


def test_in_order_compares_later_keys_only_on_ties() -> None:
    rows = pa.table({"a": ["x", "x", "y", "y"], "b": [2, 3, 1, 1]})
    assert in_order(rows, ["a", "b"])
    assert not in_order(rows, ["b"])
    assert in_order(rows.slice(0, 1), ["a", "b"])


@pytest.fixture
def sqlite_app_db(tmp_path: Path) -> Iterator[Engine]:
    url = sqlite_url(tmp_path / "app.db")
    upgrade(url)
    engine = create_engine_for(url)
    yield engine
    engine.dispose()


def test_a_large_sqlite_write_rebuilds_the_indexes_it_dropped(
    sqlite_app_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_sqlite, "REBUILD_INDEXES_FROM_ROWS", 10)
    indexes = _index_names(sqlite_app_db, "account_days")
    with bulk_writes(sqlite_app_db) as writes:
        writes.append(AccountDay.__table__, _rows(60)[AccountDay])  # type: ignore[arg-type]
    assert _index_names(sqlite_app_db, "account_days") == indexes
    with sqlite_app_db.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        plan = connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT * FROM account_days WHERE day = '2026-10-02'"
        ).all()
    assert "ix_account_days_day" in str(plan)


def test_a_sqlite_write_waits_for_the_web_servers_write(sqlite_app_db: Engine) -> None:
    """The web server's connection in this process holds the write lock: the bulk write waits.

    ADBC's own SQLite would not see that lock (two library copies, one process).
    """
    holding, released = threading.Event(), []
    pending = {"as_of": date(2020, 1, 1), "name": "x", "period": "day", "cohort": "", "value": 1.0}

    def web_server_write() -> None:
        with sqlite_app_db.begin() as connection:
            connection.execute(insert(KpiValue.__table__), [pending])
            holding.set()
            time.sleep(0.5)
            released.append(time.perf_counter())

    writer = threading.Thread(target=web_server_write)
    writer.start()
    holding.wait()
    with bulk_writes(sqlite_app_db) as writes:
        writes.append(KpiValue.__table__, _rows(5)[KpiValue])  # type: ignore[arg-type]
    committed = time.perf_counter()
    writer.join()
    assert committed >= released[0]
    with sqlite_app_db.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM kpi_values").scalar() == 6


def test_an_in_memory_sqlite_database_is_written_too() -> None:
    engine = create_engine_for("sqlite://")
    try:
        Base.metadata.create_all(engine, tables=[KpiValue.__table__])  # type: ignore[list-item]
        with bulk_writes(engine) as writes:
            writes.append(KpiValue.__table__, _rows(7)[KpiValue])  # type: ignore[arg-type]
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM kpi_values").scalar() == 7
    finally:
        engine.dispose()


def test_a_column_type_without_a_stored_form_is_refused() -> None:
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("at", DateTime))
    with pytest.raises(TypeError, match=r"t\.at"):
        stored_form(table, pa.table({"id": [1], "at": [None]}), dialect="sqlite")
