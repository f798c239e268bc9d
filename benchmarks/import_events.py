"""Benchmark: import a 10-million-row events Parquet file into the DuckDB warehouse.

`python -m benchmarks.import_events [--rows N]`. The floor is DuckDB's own bare
`INSERT INTO events SELECT * FROM read_parquet(...)` of the same file into the
same table, measured in the same run. Each measurement runs in a fresh child
process on a fresh database file. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import time
from pathlib import Path

import pyarrow.parquet as pq

OUT = Path("benchmarks/out")


def events_file(rows: int) -> Path:
    """The first `rows` events of a generated history, in one Parquet file."""
    target = OUT / f"events-{rows}.parquet"
    if target.exists():
        return target
    from tenure.sources.synthetic import generate

    folder = OUT / "events-source"
    generate(folder, accounts=10_000, months=max(1, -(-rows // 4_000_000)), seed=1)
    parts = sorted((folder / "events").glob("*.parquet"))
    with pq.ParquetWriter(target, pq.read_schema(parts[0])) as writer:
        left = rows
        for part in parts:
            table = pq.read_table(part).slice(0, left)
            writer.write_table(table)
            left -= table.num_rows
            if not left:
                break
    if left:
        raise SystemExit(f"generated only {rows - left} events; asked for {rows}")
    return target


def bare_insert(path: str, db: str) -> None:
    import duckdb

    from tenure.warehouse.schemas import EVENTS

    con = duckdb.connect(db)
    columns = ", ".join(f'"{c.name}" {_sql_type(c.dtype)}' for c in EVENTS.columns)
    con.execute(f"CREATE TABLE events ({columns})")  # as the warehouse: no index
    con.execute(f"INSERT INTO events SELECT * FROM read_parquet('{path}')")
    con.close()


def _sql_type(dtype: str) -> str:
    return {"string": "VARCHAR", "timestamp": "TIMESTAMP", "int64": "BIGINT"}[dtype]


def tenure_import(path: str, db: str, times: int) -> None:
    from tenure.sources.files import import_file
    from tenure.warehouse.connect import connect

    con = connect(f"duckdb:///{db}")
    for _ in range(times):
        report = import_file(Path(path), "events", con)
        assert report.rejected == 0, report.summary()
    con.disconnect()


def timed(target: object, *args: object) -> dict[str, float]:
    began = time.perf_counter()
    child = multiprocessing.get_context("spawn").Process(target=target, args=args)
    child.start()
    child.join()
    if child.exitcode:
        raise SystemExit(f"{getattr(target, '__name__', target)} failed ({child.exitcode})")
    return {"seconds": round(time.perf_counter() - began, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    path = events_file(args.rows)
    dbs = [OUT.resolve() / f"import-{name}.duckdb" for name in ("floor", "first", "again")]
    for db in dbs:
        db.unlink(missing_ok=True)
    floor = timed(bare_insert, str(path), str(dbs[0]))
    first = timed(tenure_import, str(path), str(dbs[1]), 1)
    twice = timed(tenure_import, str(path), str(dbs[2]), 2)
    again = round(twice["seconds"] - first["seconds"], 2)
    result = {
        "benchmark": "import_events",
        "rows": args.rows,
        "floor_seconds": floor["seconds"],
        "tenure_seconds": first["seconds"],
        "ratio_to_floor": round(first["seconds"] / floor["seconds"], 2),
        "rows_per_second": round(args.rows / first["seconds"]),
        "reimport_unchanged_seconds": again,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
