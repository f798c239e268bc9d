"""JSON text from Arrow columns, written in bulk as `json.dumps(value, default=str)` would.

`account_profiles` turns some 400 k list items into 10,000 JSON documents at
every compute; Python row dicts and one `json.dumps` per document took seconds.
Here Arrow compute writes each column as JSON text, joins the columns of a row
into an object and runs of rows into arrays. Values Arrow would write
differently from Python go through `json.dumps` one by one: floats (Python's
shortest repr, `NaN`), strings that need escaping or hold non-ASCII characters
(`ensure_ascii`), nanoseconds, time zones, decimals and any other type. So the
text is the same as `json.dumps` gives, byte for byte, separators included.
"""

from __future__ import annotations

import json
import math

import pyarrow as pa
import pyarrow.compute as pc

# Any character a JSON string cannot hold as it is (json.dumps escapes it): not
# printable ASCII, or a quote or backslash. RE2 syntax.
ESCAPED = r"[^ !#-\[\]-~]"

_ENCODER = json.JSONEncoder(default=str)  # json.dumps(value, default=str), made once


def json_values(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Each value as JSON text, nulls as `null`."""
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = _strings(values.cast(pa.string()))
    elif pa.types.is_integer(kind) or pa.types.is_boolean(kind):
        text = values.cast(pa.string())
    elif pa.types.is_date(kind):
        text = _quoted(values.cast(pa.string()))
    elif pa.types.is_timestamp(kind) and kind.tz is None and kind.unit != "ns":
        # "2026-01-01 00:00:00.000000": str(datetime) writes microseconds only when not zero.
        written = values.cast(pa.timestamp("us")).cast(pa.string())
        whole = pc.ends_with(written, ".000000")
        text = _quoted(pc.if_else(whole, pc.utf8_slice_codeunits(written, 0, -7), written))
    elif pa.types.is_floating(kind):
        text = pa.array([_float(v) for v in values.to_pylist()], pa.string())
    else:
        text = _one_by_one(values)
    return pc.fill_null(text, "null")


def json_objects(columns: pa.Table) -> pa.Array:
    """Each row as a JSON object of its columns, in column order: `{"a": 1, "b": null}`."""
    parts: list[str | pa.Array] = []
    for i, name in enumerate(columns.column_names):
        parts += [("{" if i == 0 else ", ") + json.dumps(name) + ": ", json_values(columns[name])]
    return pc.binary_join_element_wise(*parts, "}", "")


def json_arrays(keys: pa.Array | pa.ChunkedArray, items: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Rows grouped by key (each key's rows next to each other) -> each key once and the
    JSON array of its `items`, in row order. Rows with a null key are left out."""
    keys = keys.combine_chunks() if isinstance(keys, pa.ChunkedArray) else keys
    known = keys.is_valid()
    keys, items = keys.filter(known), items.filter(known)
    runs = pc.run_end_encode(keys, run_end_type=pa.int32())
    offsets = pa.concat_arrays([pa.array([0], pa.int32()), runs.run_ends])
    lists = pa.ListArray.from_arrays(offsets, items)
    return runs.values, pc.binary_join_element_wise("[", pc.binary_join(lists, ", "), "]", "")


def json_documents(members: dict[str, pa.Array]) -> pa.Array:
    """JSON objects `{"name": value, ...}` from equally long arrays of JSON text (at least
    one), one per member; a member whose value is null is left out of that object."""
    parts: list[str | pa.Array] = ["{"]
    earlier = None  # per row: has an earlier member been written (then a ", " goes first)
    for name, text in members.items():
        written = text.is_valid()
        if earlier is not None:
            parts.append(pc.if_else(pc.and_(written, earlier), ", ", ""))
        parts.append(
            pc.fill_null(pc.binary_join_element_wise(json.dumps(name) + ": ", text, ""), "")
        )
        earlier = written if earlier is None else pc.or_(earlier, written)
    # One join, so the documents are copied once. (Not null_handling="skip": pyarrow then
    # drops the rows where every input is null.)
    return pc.binary_join_element_wise(*parts, "}", "")


def _strings(values: pa.Array) -> pa.Array:
    text = _quoted(values)
    escaped = pc.fill_null(pc.match_substring_regex(values, ESCAPED), False)
    if pc.any(escaped).as_py():
        written = [json.dumps(v) for v in values.filter(escaped).to_pylist()]
        text = pc.replace_with_mask(text, escaped, pa.array(written, pa.string()))
    return text


def _quoted(text: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise('"', text, '"', "")


def _float(value: float | None) -> str | None:
    """As json.dumps writes a float (`NaN` and `Infinity` are not JSON, but Python's)."""
    if value is None:
        return None
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def _one_by_one(values: pa.Array) -> pa.Array:
    written = [None if v is None else _ENCODER.encode(v) for v in values.to_pylist()]
    return pa.array(written, pa.string())
