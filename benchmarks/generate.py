"""Benchmark of the synthetic generator: `python -m benchmarks.generate [--accounts N] ...`.

Generation runs in a fresh child process so that the peak RSS reported
(`ru_maxrss` of the children) is the generator's own, not this script's.
Prints one JSON line: seconds, events, events per second, peak RSS in MB.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import time
from pathlib import Path


def _run(out: str, accounts: int, months: int, seed: int) -> None:
    from tenure.sources.synthetic import generate

    generate(Path(out), accounts=accounts, months=months, seed=seed)


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description="Benchmark the synthetic generator.")
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="benchmarks/out/generated")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    child = multiprocessing.get_context("spawn").Process(
        target=_run, args=(args.out, args.accounts, args.months, args.seed)
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        sys.exit(f"generation failed with exit code {child.exitcode}")
    seconds = time.perf_counter() - began
    summary = json.loads((Path(args.out) / "generation.json").read_text())
    result = {
        "benchmark": "generate",
        "accounts": args.accounts,
        "months": args.months,
        "seconds": round(seconds, 2),
        "generate_seconds": summary["seconds"],
        "events": summary["events"],
        "events_per_second": round(summary["events"] / seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "rows": summary["rows"],
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
