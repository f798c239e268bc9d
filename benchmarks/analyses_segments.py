"""Benchmark of the segment analyses on the standard workspace (10,000 accounts x 12 months).

`python -m benchmarks.analyses_segments [WORKSPACE]` (default: benchmarks/out/workspace,
built by `python -m benchmarks.compute`). The workspace's tenure.yaml, DuckDB warehouse
and app database are copied to a temporary folder first (DuckDB locks its file).
Prints one JSON line: seconds per analysis (target: each under 5 s).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tenure.config import load_settings
from tenure.pipeline.analyses import segments

WORKSPACE = Path("benchmarks/out/workspace")


def timed(action) -> float:  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    action()
    return round(time.perf_counter() - began, 2)


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else WORKSPACE
    if not (source / "warehouse.duckdb").exists():
        sys.exit(f"{source}: no warehouse.duckdb (run python -m benchmarks.compute first)")
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder)
        for name in ("tenure.yaml", "warehouse.duckdb", "app.db"):
            if (source / name).exists():
                shutil.copy(source / name, copy / name)
        settings = load_settings(copy)
        report = segments.pyramid(settings)
        end = report.as_of
        start = end - dt.timedelta(days=182)
        figures = {
            "accounts": sum(t["accounts"] for t in report.tiers),
            "as_of": end.isoformat(),
            "pyramid": timed(lambda: segments.pyramid(settings, as_of=end)),
            "headcount": timed(lambda: segments.headcount(settings, as_of=end)),
            "behaviour": timed(lambda: segments.behaviour(settings, as_of=end)),
            "migration_value": timed(
                lambda: segments.migration(settings, kind="value", start=start, end=end)
            ),
            "migration_behaviour": timed(
                lambda: segments.migration(
                    settings, kind="behaviour", start=start, end=end, touch_kinds=["qbr"]
                )
            ),
        }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
