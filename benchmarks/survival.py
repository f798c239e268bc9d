"""Benchmark of `tenure survival` on the standard workspace (10,000 accounts x 12 months).

`python -m benchmarks.survival [WORKSPACE]`. Times the whole analysis as the
command runs it (lifetimes from the warehouse, Kaplan–Meier by plan, the test
between plans, subscription CLV, and a Cox model on industry, region, plan and
segment), after one warm-up run. Prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from tenure.config import load_settings
from tenure.pipeline.analyses.survival import survival_analysis

WORKSPACE = Path("benchmarks/out/workspace")
DRIVERS = ["industry", "region", "plan", "segment"]


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else WORKSPACE
    if folder == WORKSPACE:
        from benchmarks.compute import ensure_workspace

        ensure_workspace()
    settings = load_settings(folder)
    survival_analysis(settings, by="plan")  # warm-up: imports, DuckDB caches
    began = time.perf_counter()
    report = survival_analysis(settings, by="plan", drivers=DRIVERS)
    seconds = time.perf_counter() - began
    result = {
        "benchmark": "survival",
        "accounts": report.accounts,
        "churned": report.churned,
        "groups": len(report.curves),
        "covariates": len(report.drivers.ratios) if report.drivers else 0,
        "seconds": round(seconds, 2),
        "target_seconds": 5,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
