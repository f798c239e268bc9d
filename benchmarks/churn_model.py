"""Benchmark of the churn backtest and the health backtest on the standard workspace.

`python -m benchmarks.churn_model [WORKSPACE]` (default: benchmarks/out/workspace,
10,000 accounts x 12 months, generated on the first run). The rollups are
brought up to date first and timed apart; the analyses are timed on their own.
The health backtest needs stored snapshots (`tenure compute --from --to`); it is
skipped (null) when there are none old enough. Prints one JSON line: model AUC,
oracle AUC (true hazards) and latent-health AUC, seconds.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from benchmarks.compute import WORKSPACE, ensure_workspace
from tenure.config import load_settings
from tenure.pipeline.analyses.churn_model import churn_backtest
from tenure.pipeline.analyses.health_backtest import health_backtest
from tenure.stats.churn_model import ChurnDataError


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else WORKSPACE
    if folder == WORKSPACE:
        ensure_workspace()
    settings = load_settings(folder)
    began = time.perf_counter()
    result = churn_backtest(settings)
    churn_seconds = time.perf_counter() - began
    health: dict[str, object] | None = None
    try:
        began = time.perf_counter()
        backtest = health_backtest(settings, with_model=False)
        health = {
            "roc_auc": backtest.pooled.roc_auc,
            "snapshots": backtest.pooled.snapshots,
            "seconds": round(time.perf_counter() - began, 2),
        }
    except ChurnDataError:
        health = None
    print(
        json.dumps(
            {
                "benchmark": "churn_model",
                "as_of": result.as_of.isoformat(),
                "test_accounts": result.test.accounts,
                "churned": result.test.churned,
                "model_roc_auc": result.test.roc_auc,
                "oracle_roc_auc": result.oracle_roc_auc,
                "latent_health_roc_auc": result.latent_health_roc_auc,
                "pr_auc": result.test.pr_auc,
                "seconds": result.seconds,
                "churn_backtest_seconds": round(churn_seconds, 2),
                "health_backtest": health,
            }
        )
    )


if __name__ == "__main__":
    main()
