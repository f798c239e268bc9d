"""The same import lands the same rows in every warehouse (staged in DuckDB)."""

from __future__ import annotations

from datetime import datetime

from tenure.sources.files import import_file

SUBSCRIPTIONS = (
    "subscription_id,account_id,mrr,started_at,ended_at,seats\n"
    "S1,A1,100,2024-01-01,2025-01-01,5\n"
    "S2,A1,-1,2024-01-01,,1\n"
    "S3,A2,250.5,2024-02-01T12:00:00Z,,9\n"
)


def test_import_then_reimport_then_change(backend, write) -> None:
    path = write("s.csv", SUBSCRIPTIONS)
    first = import_file(path, "subscriptions", backend)
    assert (first.inserted, first.rejected) == (2, 1)
    again = import_file(path, "subscriptions", backend)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    changed = import_file(
        write("s2.csv", SUBSCRIPTIONS.replace("250.5", "300")), "subscriptions", backend
    )
    assert (changed.inserted, changed.updated, changed.unchanged) == (0, 1, 1)
    rows = backend.table("subscriptions").order_by("subscription_id").to_pyarrow().to_pylist()
    assert [(r["subscription_id"], r["mrr"]) for r in rows] == [("S1", 100.0), ("S3", 300.0)]
    assert rows[1]["started_at"] == datetime(2024, 2, 1, 12, 0)
    assert rows[0]["properties"] == '{"seats":"5"}'
