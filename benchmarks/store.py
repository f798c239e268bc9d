"""Benchmark of `tenure compute`'s store step: result tables into the app database.

`python -m benchmarks.store [--accounts N] [--days D]`. Synthetic results for
10,000 accounts, shaped like the standard workspace's, written as
`tenure.pipeline.compute._store` writes them, into a fresh app database:

- **backfill**: 365 days of ``account_days`` (3.65 M rows);
- **one day** (into the database holding the backfill): that day's 10,000
  ``account_days``, 60,000 health contributions, 150,000 milestone states,
  10,000 account profiles with their JSON document (≈ 3.5 KB each) and
  1,000 KPI values.

Each by the write path as it was (`Baseline`: the rows turned into Python
tuples for the driver's executemany, one transaction per table; kept here)
and as it is (`tenure.db.bulk`: ADBC, one transaction), each into its own
fresh database, in the same run: SQLite, and PostgreSQL when the server at
``TENURE_BENCH_POSTGRES_URL`` (default: the local one) answers. On a shared
machine wall-clock time depends on the other load, reported as
``load_average``. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pyarrow as pa
from psycopg import sql
from sqlalchemy import Engine, Table, delete
from sqlalchemy.engine import make_url

from tenure.db import (
    AccountDay,
    AccountProfile,
    HealthContribution,
    KpiValue,
    MilestoneState,
    create_engine_for,
    sqlite_url,
    upgrade,
)
from tenure.db.bulk import bulk_writes
from tenure.pipeline.results import replace_all, replace_days

POSTGRES = os.environ.get(
    "TENURE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
LAST_DAY = dt.date(2026, 10, 31)
MILESTONES = 15
MEASURES = 6
KPIS = 1_000
EPOCH = dt.date(1970, 1, 1)


# -- synthetic results, in the pipeline's Arrow types -------------------------------------


def account_days(accounts: int, days: int, rng: np.random.Generator) -> pa.Table:
    """`days` days up to LAST_DAY for each account, sorted by account and day (as stages_by_day)."""
    n = accounts * days
    first = (LAST_DAY - EPOCH).days - days + 1
    day = np.tile(np.arange(first, first + days, dtype=np.int32), accounts)
    score = rng.uniform(0, 100, n)
    unscored = rng.random(n) < 0.1
    band = np.where(score > 70, "green", np.where(score > 40, "yellow", "red"))
    return pa.table(
        {
            "account_id": pa.array(np.repeat(_ids(accounts), days), pa.string()),
            "day": pa.array(day, pa.date32()),
            "stage": pa.array(rng.choice(["onboarding", "adoption", "expansion"], n)),
            "stage_entered_on": pa.array(
                day - rng.integers(0, 400, n, dtype=np.int32), pa.date32()
            ),
            "health_score": pa.array(score, mask=unscored),
            "health_band": pa.array(band, pa.string(), mask=unscored),
            "coverage": pa.array(rng.random(n)),
            "capped": pa.array(rng.random(n) < 0.05),
            "change_7d": pa.array(rng.normal(0, 5, n), mask=unscored),
            "change_30d": pa.array(rng.normal(0, 10, n), mask=unscored),
            "engagement": pa.array(rng.uniform(0, 100, n)),
        }
    )


def one_day(accounts: int, rng: np.random.Generator) -> dict[str, pa.Table]:
    """The rest of a one-day compute's results (milestones in the engine's order: by milestone)."""
    ids = _ids(accounts)
    last = np.full(accounts, (LAST_DAY - EPOCH).days, np.int32)
    n = accounts * MILESTONES
    anchor = rng.integers(15_000, 20_000, n).astype(np.int32)
    achieved = rng.random(n) < 0.6
    milestones = pa.table(
        {
            "account_id": pa.array(np.tile(ids, MILESTONES), pa.string()),
            "milestone": pa.array(
                np.repeat([f"Milestone {m:02d}" for m in range(MILESTONES)], accounts)
            ),
            "stage": pa.array(rng.choice(["onboarding", "adoption", "expansion"], n)),
            "required": pa.array(rng.random(n) < 0.5),
            "is_value": pa.array(rng.random(n) < 0.2),
            "anchor_day": pa.array(anchor, pa.date32()),
            "due_day": pa.array(anchor + 30, pa.date32(), mask=rng.random(n) < 0.5),
            "achieved_on": pa.array(anchor + 10, pa.date32(), mask=~achieved),
            "status": pa.array(np.where(achieved, "achieved", "overdue")),
            "as_of": pa.array(np.resize(last, n), pa.date32()),
        }
    )
    m = accounts * MEASURES
    contributions = pa.table(
        {
            "account_id": pa.array(np.repeat(ids, MEASURES), pa.string()),
            "day": pa.array(np.resize(last, m), pa.date32()),
            "measure": pa.array(np.tile([f"Measure {i}" for i in range(MEASURES)], accounts)),
            "group": pa.nulls(m, pa.string()),
            "critical": pa.array(rng.random(m) < 0.2),
            "value": pa.array(rng.uniform(0, 30, m)),
            "points": pa.array(rng.choice([0.0, 50.0, 100.0], m)),
            "band": pa.array(rng.choice(["Red", "Yellow", "Green"], m)),
            "weight": pa.array(np.full(m, 15.0)),
            "effective_weight": pa.array(np.full(m, 17.6)),
            "contribution": pa.array(rng.uniform(0, 30, m)),
        }
    )
    return {
        "account_days": account_days(accounts, 1, rng),
        "contributions": contributions,
        "milestones": milestones,
        "profiles": profiles(ids, last, rng),
        "kpis": pa.table(
            {
                "as_of": pa.array(last[:1].repeat(KPIS), pa.date32()),
                "name": [f"completion: milestone {i // 40}" for i in range(KPIS)],
                "period": ["cohort"] * KPIS,
                "cohort": [f"{2020 + i % 40 // 12}-{1 + i % 12:02d}" for i in range(KPIS)],
                "value": pa.array(rng.random(KPIS)),
            }
        ),
    }


def profiles(ids: np.ndarray, last: np.ndarray, rng: np.random.Generator) -> pa.Table:
    n = len(ids)
    contact = '{{"name": "Contact {i}", "email": "contact{i}@{a}.example.com", "role": "user"}}'
    documents = [
        json.dumps({"weekly_usage": rng.integers(0, 500, 52).tolist(), "tickets": []})[:-1]
        + ', "contacts": ['
        + ", ".join(contact.format(i=i, a=account) for i in range(25))
        + "]}"
        for account in ids
    ]
    return pa.table(
        {
            "account_id": pa.array(ids, pa.string()),
            "name": pa.array([f"Account {a}" for a in ids]),
            "domain": pa.array([f"{a}.example.com" for a in ids]),
            "owner": pa.array(rng.choice(["Lea Dubois", "Sam Lopez", "Amara Smith"], n)),
            "plan": pa.array(rng.choice(["starter", "business", "enterprise"], n)),
            "industry": pa.array(rng.choice(["software", "retail", "health"], n)),
            "region": pa.array(rng.choice(["emea", "amer", "apac", "latam"], n)),
            "employees": pa.array(rng.integers(5, 5_000, n)),
            "created_on": pa.array(last - rng.integers(30, 1_500, n, dtype=np.int32), pa.date32()),
            "churned_on": pa.nulls(n, pa.date32()),
            "arr": pa.array(rng.uniform(1_000, 100_000, n)),
            "segment": pa.array(rng.choice(["Low touch", "High touch"], n)),
            "renewal_on": pa.array(last + rng.integers(1, 365, n, dtype=np.int32), pa.date32()),
            "as_of": pa.array(last, pa.date32()),
            "details": pa.array(documents),
            "stage": pa.array(rng.choice(["onboarding", "adoption", "expansion"], n)),
            "health_score": pa.array(rng.uniform(0, 100, n)),
            "health_band": pa.array(rng.choice(["red", "yellow", "green"], n)),
            "change_30d": pa.array(rng.normal(0, 10, n)),
            "engagement": pa.array(rng.uniform(0, 100, n)),
        }
    )


def _ids(accounts: int) -> np.ndarray:
    return np.array([f"acc_{i:06d}" for i in range(accounts)], dtype=object)


# -- the two write paths, as `_store` calls them ------------------------------------------

DAY = (LAST_DAY, LAST_DAY)


def store_bulk(engine: Engine, tables: dict[str, pa.Table], days: tuple[dt.date, dt.date]) -> None:
    with bulk_writes(engine) as writes:
        replace_days(writes, AccountDay, tables["account_days"], days=days)
        if "milestones" in tables:
            replace_days(writes, HealthContribution, tables["contributions"], days=DAY)
            replace_all(writes, MilestoneState, tables["milestones"])
            replace_all(writes, AccountProfile, tables["profiles"])
            replace_days(writes, KpiValue, tables["kpis"], days=DAY, column="as_of")


class Baseline:
    """The write path before ADBC (src/tenure/pipeline/results.py as it was), kept as is."""

    BATCH = 50_000

    @classmethod
    def store(
        cls, engine: Engine, tables: dict[str, pa.Table], days: tuple[dt.date, dt.date]
    ) -> None:
        cls.replace_days(engine, AccountDay, tables["account_days"], days=days)
        if "milestones" in tables:
            cls.replace_days(engine, HealthContribution, tables["contributions"], days=DAY)
            cls.replace_all(engine, MilestoneState, tables["milestones"])
            cls.replace_all(engine, AccountProfile, tables["profiles"])
            cls.replace_days(engine, KpiValue, tables["kpis"], days=DAY, column="as_of")

    @classmethod
    def replace_days(
        cls, engine: Engine, table: Any, rows: pa.Table, *, days: Any, column: str = "day"
    ) -> int:
        with engine.begin() as connection:
            connection.execute(delete(table).where(table.__table__.c[column].between(*days)))
            return cls.insert(connection, table, rows)

    @classmethod
    def replace_all(cls, engine: Engine, table: Any, rows: pa.Table) -> int:
        with engine.begin() as connection:
            connection.execute(delete(table))
            return cls.insert(connection, table, rows)

    @classmethod
    def insert(cls, connection: Any, table: Any, rows: pa.Table) -> int:
        core: Table = table.__table__
        compiled = core.insert().compile(dialect=connection.dialect)
        order = list(compiled.positiontup or [c.name for c in core.columns])
        as_text = connection.dialect.name == "sqlite"
        for batch in rows.select(order).to_batches(cls.BATCH):
            columns = [cls.plain(column, as_text) for column in batch.columns]
            values = list(zip(*columns, strict=True))
            if values and compiled.positiontup is None:
                values = [dict(zip(order, row, strict=True)) for row in values]  # type: ignore[misc]
            if values:
                connection.exec_driver_sql(str(compiled), values)
        return rows.num_rows

    @staticmethod
    def plain(column: pa.Array, dates_as_text: bool) -> list[Any]:
        if dates_as_text and pa.types.is_date(column.type):
            return column.cast(pa.string()).to_pylist()
        return column.to_pylist()


# -- databases and the run ----------------------------------------------------------------

Store = Callable[[Engine, dict[str, pa.Table], tuple[dt.date, dt.date]], None]


@contextmanager
def fresh_sqlite() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="tenure-bench-store-") as folder:
        yield sqlite_url(Path(folder) / "app.db")


@contextmanager
def fresh_postgres() -> Iterator[str]:
    name = f"tenure_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def postgres_answers() -> bool:
    try:
        psycopg.connect(POSTGRES, connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


def run(
    fresh: Callable[[], Any], store: Store, backfill: pa.Table, day: dict[str, pa.Table]
) -> dict[str, float]:
    """Seconds for the backfill, then for one day on top of it, in a fresh database."""
    first = backfill["day"][0].as_py()
    with fresh() as url:
        upgrade(url)
        engine = create_engine_for(url)
        try:
            began = time.perf_counter()
            store(engine, {"account_days": backfill}, (first, LAST_DAY))
            middle = time.perf_counter()
            store(engine, day, DAY)
            return {
                "backfill": round(middle - began, 2),
                "one_day": round(time.perf_counter() - middle, 2),
            }
        finally:
            engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    backfill, day = account_days(args.accounts, args.days, rng), one_day(args.accounts, rng)
    result: dict[str, Any] = {
        "benchmark": "store",
        "backfill_rows": backfill.num_rows,
        "one_day_rows": {name: table.num_rows for name, table in day.items()},
    }
    backends: list[tuple[str, Callable[[], Any]]] = [("sqlite", fresh_sqlite)]
    if postgres_answers():
        backends.append(("postgresql", fresh_postgres))
    for backend, fresh in backends:
        before = run(fresh, Baseline.store, backfill, day)
        after = run(fresh, store_bulk, backfill, day)
        result[backend] = {
            "backfill_seconds": {"executemany": before["backfill"], "adbc": after["backfill"]},
            "one_day_seconds": {"executemany": before["one_day"], "adbc": after["one_day"]},
            "backfill_rows_per_second": round(backfill.num_rows / after["backfill"]),
        }
    result["load_average"] = round(os.getloadavg()[0], 1)
    result["target_seconds"] = {"backfill": 10, "one_day": 0.5}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
