"""Benchmark of the cohort and churn analyses on the standard workspace (10,000 accounts).

`python -m benchmarks.analyses_cohorts_churn [WORKSPACE]`. The warehouse file of
the workspace (default: benchmarks/out/workspace, built by
`python -m benchmarks.compute`; it needs its rollups) is copied to a temporary
workspace first, since DuckDB locks the file it opens. Each analysis runs once,
as the CLI runs it (open the warehouse, query, fetch the rows). Prints one JSON
line: seconds per analysis.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tenure.config import load_settings
from tenure.pipeline.analyses.churn import churn_rates, churn_reasons_by_month
from tenure.pipeline.analyses.cohorts import cohort_analysis

WORKSPACE = Path("benchmarks/out/workspace")


def copy_workspace(source: Path, target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copy(source / "tenure.yaml", target / "tenure.yaml")
    shutil.copy(source / "warehouse.duckdb", target / "warehouse.duckdb")
    return target


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else WORKSPACE
    if not (source / "warehouse.duckdb").exists():
        raise SystemExit(f"{source}: no warehouse (run: python -m benchmarks.compute)")
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(copy_workspace(source, Path(tmp) / "workspace"))
        runs: dict[str, Callable[[], object]] = {
            "accounts": lambda: cohort_analysis(settings, kind="accounts"),
            "revenue_by_segment": lambda: cohort_analysis(settings, kind="revenue", by="segment"),
            "users_weekly": lambda: cohort_analysis(settings, kind="users", interval="week"),
            "users_recurring_on_or_after": lambda: cohort_analysis(
                settings, kind="users", start_mode="recurring", mode="on_or_after"
            ),
            "users_return_event": lambda: cohort_analysis(
                settings, kind="users", return_event="report_viewed"
            ),
            "lifecycle_weekly": lambda: cohort_analysis(settings, kind="lifecycle"),
            "stickiness_monthly": lambda: cohort_analysis(
                settings, kind="stickiness", interval="month", periods=3
            ),
            "churn_rates_plan": lambda: churn_rates(settings, by="plan"),
            "churn_rates_product": lambda: churn_rates(settings, by="product"),
            "churn_rates_renewals": lambda: churn_rates(settings, by="renewals"),
            "churn_reasons": lambda: churn_reasons_by_month(settings),
        }
        seconds = {}
        for name, run in runs.items():
            began = time.perf_counter()
            run()
            seconds[name] = round(time.perf_counter() - began, 2)
    print(json.dumps({"benchmark": "analyses_cohorts_churn", "seconds": seconds}))


if __name__ == "__main__":
    main()
