"""Benchmark: Segment batches into `/v1/batch`, durable, against the floor.

`python -m benchmarks.ingest [--batches N] [--connections C]`. A real uvicorn
server (a child process) on a fresh workspace with a SQLite app database; C
client threads, each on its own keep-alive connection, send N batches of 500
track events (about 330 bytes each). Every request must get its 200, and every
event must be in the inbox afterwards.

The floor, in the same run: the same JSON bodies parsed with orjson and the
same rows (message id, type, payload JSON, time received, key) committed with
one `executemany` and one commit per batch into an identical table, in the
same process, without HTTP, authentication or checks. The server's CPU time
is reported too (events per CPU-second: what one free core would sustain),
since on a shared machine the wall-clock rate depends on the other load,
reported as `load_average`. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx2
import orjson

from tenure.pipeline import create_workspace_write_key
from tenure.workspace import init_workspace

BATCH = 500
TARGET = 20_000  # events/s
SERVER = """
import sys, uvicorn
from tenure.config import load_settings
from tenure.web.ingest import ingest_app
uvicorn.run(ingest_app(load_settings(sys.argv[1])), host="127.0.0.1", port=int(sys.argv[2]),
            log_level="warning", ws="none", access_log=False)
"""


def bodies(batches: int) -> list[bytes]:
    """`batches` request bodies of 500 distinct track events, as a client would send them."""
    sent_at = datetime.now(UTC).isoformat()
    out = []
    for b in range(batches):
        batch = [
            {
                "type": "track",
                "messageId": f"bench-{b}-{i}",
                "userId": f"user-{(b * BATCH + i) % 9973}",
                "event": ("Report Built", "Message Sent", "Invoice Sent")[i % 3],
                "timestamp": sent_at,
                "properties": {"rows": i, "plan": "pro", "path": "/reports/weekly"},
                "context": {
                    "groupId": f"account-{(b * BATCH + i) % 997}",
                    "library": {"name": "analytics-python", "version": "2.4.0"},
                },
            }
            for i in range(BATCH)
        ]
        out.append(orjson.dumps({"batch": batch, "sentAt": sent_at}))
    return out


def floor(payloads: list[bytes], path: Path) -> float:
    """Parse the same bodies and commit the same rows, no HTTP: seconds."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute(
        "CREATE TABLE inbox (id INTEGER PRIMARY KEY, message_id VARCHAR(255) NOT NULL UNIQUE,"
        " type VARCHAR(16) NOT NULL, write_key_id INTEGER, received_at DATETIME NOT NULL,"
        " payload TEXT NOT NULL, processed_at DATETIME)"
    )
    connection.execute("CREATE INDEX ix_inbox_processed_at ON inbox (processed_at)")
    started = time.perf_counter()
    for payload in payloads:
        received = datetime.now(UTC).isoformat()
        rows = [
            (m["messageId"], m["type"], 1, received, orjson.dumps(m).decode())
            for m in orjson.loads(payload)["batch"]
        ]
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO inbox (message_id, type, write_key_id, received_at, payload)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING",
            rows,
        )
        connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    connection.close()
    return seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited")
        try:
            httpx2.post(f"{url}/v1/batch", content=b"{}", timeout=2)
            return
        except httpx2.TransportError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def send_all(
    url: str, key: str, payloads: list[bytes], connections: int
) -> tuple[float, list[int]]:
    """Send every body over `connections` threads; returns seconds and the status codes."""
    statuses: list[int] = []
    lock = threading.Lock()

    def worker(share: list[bytes]) -> None:
        with httpx2.Client(base_url=url, auth=(key, ""), timeout=60) as client:
            for payload in share:
                response = client.post(
                    "/v1/batch", content=payload, headers={"Content-Type": "application/json"}
                )
                with lock:
                    statuses.append(response.status_code)

    threads = [
        threading.Thread(target=worker, args=(payloads[n::connections],))
        for n in range(connections)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, statuses


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stored(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return int(connection.execute("SELECT count(*) FROM inbox").fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=400)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    payloads = bodies(args.batches)
    events = args.batches * BATCH
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        floor_seconds = floor(payloads, folder / "floor.db")
        settings = init_workspace(folder / "ws")
        key = create_workspace_write_key(settings, name="benchmark").key
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(settings.workspace), str(port)]
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_up(url, server)
            cpu_before = cpu_seconds(server.pid)
            seconds, statuses = send_all(url, key, payloads, args.connections)
            server_cpu = cpu_seconds(server.pid) - cpu_before
        finally:
            server.terminate()
            server.wait(30)
        in_inbox = stored(settings.workspace / "app.db")
    rate = events / seconds
    result = {
        "benchmark": "ingest",
        "events": events,
        "batch_size": BATCH,
        "request_bytes": round(sum(map(len, payloads)) / len(payloads)),
        "connections": args.connections,
        "all_200": statuses.count(200) == len(payloads),
        "stored": in_inbox,
        "seconds": round(seconds, 2),
        "events_per_s": round(rate),
        "server_cpu_seconds": round(server_cpu, 2),
        "events_per_server_cpu_s": round(events / server_cpu),
        "load_average": round(os.getloadavg()[0], 1),
        "floor_seconds": round(floor_seconds, 2),
        "floor_events_per_s": round(events / floor_seconds),
        "ratio_to_floor": round(seconds / floor_seconds, 2),
        "target_events_per_s": TARGET,
        "target_met": rate >= TARGET and in_inbox == events,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
