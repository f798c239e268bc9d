"""`json_text`: JSON written by Arrow, compared byte for byte with `json.dumps(default=str)`."""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from tenure.pipeline.json_text import json_arrays, json_documents, json_objects, json_values

STRINGS = ["plain", 'say "hi"', "back\\slash", "tab\tnew\nline", "\x00\x1f\x7f", "Zoë",
           "Ça va ✓", "emoji 😀", "", None]  # fmt: skip
FLOATS = [0.0, -0.0, 1.0, 99.5, 0.1, 1e16, 1.5e-7, 123456789.125, math.nan, math.inf,
          -math.inf, None]  # fmt: skip
TIMES = [dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 1, 9, 30, 5, 250000),
         dt.datetime(2026, 1, 1, 0, 0, 0, 1), dt.datetime(999, 12, 31, 23, 59), None]  # fmt: skip


def dumped(values: list[Any]) -> list[str]:
    return [json.dumps(v, default=str) for v in values]


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (STRINGS, pa.string()),
        (STRINGS, pa.large_string()),
        (FLOATS, pa.float64()),
        ([1.5, None], pa.float32()),
        ([0, -7, 2**62, None], pa.int64()),
        ([1, None], pa.int16()),
        ([True, False, None], pa.bool_()),
        ([dt.date(2026, 10, 26), dt.date(5, 1, 1), None], pa.date32()),
        (TIMES, pa.timestamp("us")),
        ([dt.datetime(2026, 1, 1, 0, 0, 1), None], pa.timestamp("s")),
        ([dt.datetime(2026, 1, 1, 0, 0, 1, 5000), None], pa.timestamp("ms")),
        ([dt.datetime(2026, 1, 1, 8, tzinfo=dt.UTC), None], pa.timestamp("us", tz="UTC")),
        ([Decimal("12.50"), None], pa.decimal128(5, 2)),
        ([None, None], pa.string()),
        ([], pa.string()),
    ],
)
def test_values_are_written_as_json_dumps_writes_them(values: list[Any], kind: pa.DataType) -> None:
    array = pa.array(values, kind)
    assert json_values(array).to_pylist() == dumped(array.to_pylist())


def test_nanoseconds_are_written_as_python_writes_them() -> None:
    array = pa.array([1_767_225_600_000_000_001, None], pa.timestamp("ns"))
    assert json_values(array).to_pylist() == dumped(array.to_pylist())


def test_chunked_columns_become_objects_in_column_order() -> None:
    table = pa.table({"name": pa.chunked_array([["Ann"], ["Bo", None]]), "score": [9, None, 3]})
    rows = table.to_pylist()
    assert json_objects(table).to_pylist() == [json.dumps(r) for r in rows]


def test_runs_of_keys_become_arrays_in_row_order_without_null_keys() -> None:
    keys = pa.chunked_array([["a", "a", None], ["b", "c", "c", "c"]])
    items = pa.array(["1", "2", "9", "3", "4", "5", "6"])
    found, arrays = json_arrays(keys, items)
    assert found.to_pylist() == ["a", "b", "c"]
    assert arrays.to_pylist() == ["[1, 2]", "[3]", "[4, 5, 6]"]
    assert [len(x) for x in json_arrays(pa.array([], pa.string()), pa.array([], pa.string()))] == [
        0,
        0,
    ]


def test_documents_leave_out_null_members_even_when_every_member_is_null() -> None:
    members = {
        "contacts": pa.array(["[1]", None, None, None]),
        "usage": pa.array([None, "[2]", None, "[3]"]),
        "nps": pa.array(['["x"]', None, None, "[]"]),
    }
    expected = [
        {"contacts": [1], "nps": ["x"]},
        {"usage": [2]},
        {},
        {"usage": [3], "nps": []},
    ]
    assert json_documents(members).to_pylist() == [json.dumps(d) for d in expected]
