"""Events: ids derived from content, unknown accounts kept, every format read."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

from tenure.sources.files import import_file

BERLIN = ZoneInfo("Europe/Berlin")
EVENTS = """account_id,contact_id,event,timestamp,plan
A1,C1,login,2024-03-01T10:00:00Z,pro
A1,C1,message_sent,2024-03-01T10:05:00Z,pro
A9,C7,login,2024-03-02T08:00:00Z,
"""


def test_events_without_ids_get_the_same_ids_on_every_import(warehouse, write) -> None:
    path = write("e.csv", EVENTS)
    first = import_file(path, "events", warehouse)
    ids = sorted(warehouse.table("events").message_id.to_pyarrow().to_pylist())
    again = import_file(path, "events", warehouse)
    assert (first.inserted, again.inserted, again.unchanged) == (3, 0, 3)
    assert sorted(warehouse.table("events").message_id.to_pyarrow().to_pylist()) == ids
    assert all(i.startswith("auto-") for i in ids)
    assert len(set(ids)) == 3


def test_events_for_unknown_accounts_are_kept_and_reported(warehouse, write) -> None:
    import_file(write("a.csv", "account_id\nA1\n"), "accounts", warehouse)
    report = import_file(write("e.csv", EVENTS), "events", warehouse)
    assert report.inserted == 3
    assert report.unknown_accounts is not None
    assert report.unknown_accounts.rows == 1
    assert report.unknown_accounts.accounts == ["A9"]
    assert report.unknown_accounts.first_lines == [4]


def test_extra_event_columns_become_properties(warehouse, write) -> None:
    import_file(write("e.csv", EVENTS), "events", warehouse)
    table = warehouse.table("events")
    rows = table.filter(table.event == "message_sent").to_pyarrow().to_pylist()
    assert json.loads(rows[0]["properties"]) == {"plan": "pro"}
    assert rows[0]["timestamp"] == datetime(2024, 3, 1, 10, 5)


def test_json_lines_keep_nested_properties_and_reject_bad_lines(warehouse, write) -> None:
    lines = [
        json.dumps(
            {
                "messageId": "m1",
                "userId": "C1",
                "groupId": "A1",
                "event": "login",
                "timestamp": "2024-03-01T10:00:00Z",
                "properties": {"os": "mac", "n": 2},
            }
        ),
        "{not json",
        json.dumps(["an", "array"]),
        json.dumps({"messageId": "m2", "event": "login", "timestamp": "yesterday"}),
        "",
        json.dumps({"messageId": "m3", "event": "logout", "timestamp": 1709287200}),
    ]
    report = import_file(write("e.jsonl", "\n".join(lines) + "\n"), "events", warehouse)
    assert [(r.line, r.column) for r in report.rejections] == [
        (2, None),
        (3, None),
        (4, "timestamp"),
    ]
    rows = {r["message_id"]: r for r in warehouse.table("events").to_pyarrow().to_pylist()}
    assert set(rows) == {"m1", "m3"}
    assert json.loads(rows["m1"]["properties"]) == {"n": 2, "os": "mac"}
    assert rows["m1"]["contact_id"] == "C1"
    assert rows["m1"]["account_id"] == "A1"
    assert rows["m3"]["timestamp"] == datetime(2024, 3, 1, 10, 0)  # Unix seconds


def test_typed_parquet_loads_without_parsing_and_rows_are_numbered(warehouse, tmp_path) -> None:
    table = pa.table(
        {
            "message_id": ["m1", "m2", "m1"],
            "account_id": ["A1", "A1", "A1"],
            "event": ["login", None, "login"],
            "timestamp": pa.array(
                [datetime(2024, 1, day, tzinfo=BERLIN) for day in (1, 2, 3)],
                pa.timestamp("us", tz="Europe/Berlin"),
            ),
        }
    )
    path = tmp_path / "events.parquet"
    pq.write_table(table, path)
    report = import_file(path, "events", warehouse)
    assert report.unit == "row"
    assert [(r.line, r.column, r.reason) for r in report.rejections] == [
        (2, "event", "a value is required"),
        (3, "message_id", "duplicate message_id (first on row 1)"),
    ]
    stored = warehouse.table("events").to_pyarrow().to_pylist()
    assert [r["timestamp"] for r in stored] == [datetime(2023, 12, 31, 23, 0)]  # Berlin -> UTC


def test_a_properties_column_that_is_not_a_json_object_is_rejected(warehouse, write) -> None:
    text = (
        'message_id,event,timestamp,properties\nm1,a,2024-01-01,"{""k"": 1}"\nm2,a,2024-01-01,[1]\n'
    )
    report = import_file(write("e.csv", text), "events", warehouse)
    assert [(r.line, r.reason) for r in report.rejections] == [(3, "not a JSON object")]
