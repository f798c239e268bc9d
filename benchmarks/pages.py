"""Page latency under load: the accounts list and the account 360 on the 10,000-account workspace.

`python -m benchmarks.pages` (needs the `bench` extra: locust):
1. copies the standard workspace (`--source`, default /work/main/benchmarks/out/workspace,
   else benchmarks/out/workspace) to a scratch folder, never writing into it; when
   there is none, generates 10,000 accounts × `--months` months there instead;
2. computes its results for the last `--days` days if the copy has no account
   profiles yet (the web app reads only results);
3. starts `tenure serve` on it, creates a bench user, and runs locust headless
   with `--users` concurrent users (think time 0.5–2 s) for `--seconds`;
4. prints one JSON line with p50/p95/p99 and requests per second per page.

Target: p95 < 150 ms for both pages with 20 users.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

SOURCES = [Path("/work/main/benchmarks/out/workspace"), Path("benchmarks/out/workspace")]
PASSWORD = "bench-password-123"
EMAIL = "bench@example.com"


def copy_workspace(source: Path, target: Path, *, months: int) -> None:
    if (target / "tenure.yaml").exists():
        return
    if not (source / "warehouse.duckdb").exists():
        tenure("init", str(target))
        tenure("generate", "--accounts", "10000", "--months", str(months), "--seed", "1",
               "-w", str(target))  # fmt: skip
        return
    target.mkdir(parents=True, exist_ok=True)
    for name in ("tenure.yaml", "warehouse.duckdb", "app.db"):
        if (source / name).exists():
            shutil.copy2(source / name, target / name)


def has_profiles(workspace: Path) -> bool:
    db = workspace / "app.db"
    if not db.exists():
        return False
    with sqlite3.connect(db) as connection:
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
        return "account_profiles" in tables and bool(
            connection.execute("SELECT count(*) FROM account_profiles").fetchone()[0]
        )


def tenure(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    binary = str(Path(sys.executable).with_name("tenure"))
    return subprocess.run(
        [binary, *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )


def compute_results(workspace: Path, days: int) -> float:
    import duckdb

    with duckdb.connect(str(workspace / "warehouse.duckdb"), read_only=True) as con:
        last = con.execute("SELECT max(timestamp)::DATE FROM events").fetchone()[0]  # type: ignore[index]
    first = last - dt.timedelta(days=days - 1)
    began = time.perf_counter()
    tenure("compute", "--from", first.isoformat(), "--to", last.isoformat(), "-w", str(workspace))
    return round(time.perf_counter() - began, 1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def percentiles(stats_csv: Path) -> dict[str, dict[str, float]]:
    found = {}
    with stats_csv.open() as f:
        for row in csv.DictReader(f):
            if row["Name"] in ("accounts list", "account 360"):
                found[row["Name"]] = {
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "p50_ms": float(row["50%"]),
                    "p95_ms": float(row["95%"]),
                    "p99_ms": float(row["99%"]),
                    "rps": round(float(row["Requests/s"]), 1),
                }
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source", type=Path, default=next((s for s in SOURCES if s.exists()), SOURCES[-1])
    )
    parser.add_argument("--workspace", type=Path, default=Path("/tmp/tenure-pages-bench"))
    parser.add_argument("--days", type=int, default=30, help="days of results to compute")
    parser.add_argument("--months", type=int, default=12, help="history to generate, if needed")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    copy_workspace(args.source, args.workspace, months=args.months)
    compute_seconds = (
        None if has_profiles(args.workspace) else compute_results(args.workspace, args.days)
    )
    with sqlite3.connect(args.workspace / "app.db") as connection:
        accounts = [r[0] for r in connection.execute("SELECT account_id FROM account_profiles")]
        known = connection.execute("SELECT 1 FROM users WHERE email = ?", (EMAIL,)).fetchone()
    if not known:
        tenure(
            "users",
            "create",
            "--email",
            EMAIL,
            "--role",
            "manager",
            "-w",
            str(args.workspace),
            env={"TENURE_PASSWORD": PASSWORD},
        )
    ids = args.workspace / "bench-accounts.txt"
    ids.write_text("\n".join(accounts))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    binary = str(Path(sys.executable).with_name("tenure"))
    server = subprocess.Popen(
        [binary, "serve", "-w", str(args.workspace), "--port", str(port), "--no-schedule"]
    )
    try:
        wait_until_up(url)
        out = args.workspace / "locust"
        locust = str(Path(sys.executable).with_name("locust"))
        subprocess.run(
            [
                locust,
                "-f",
                str(Path(__file__).with_name("locust_pages.py")),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.users),
                "--run-time",
                f"{args.seconds}s",
                "--host",
                url,
                "--csv",
                str(out),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            check=False,
            env={
                **os.environ,
                "BENCH_EMAIL": EMAIL,
                "BENCH_PASSWORD": PASSWORD,
                "BENCH_ACCOUNTS": str(ids),
            },
            stdout=subprocess.DEVNULL,
        )
        pages = percentiles(Path(f"{out}_stats.csv"))
    finally:
        server.terminate()
        server.wait(30)
    print(
        json.dumps(
            {
                "date": dt.date.today().isoformat(),
                "accounts": len(accounts),
                "users": args.users,
                "seconds": args.seconds,
                "compute_seconds": compute_seconds,
                "pages": pages,
                "target_p95_ms": 150,
            }
        )
    )


if __name__ == "__main__":
    main()
