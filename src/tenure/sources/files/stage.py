"""Stage a read file in DuckDB: typed columns, every bad value found, valid rows.

All of it is vectorized (Ibis expressions run by DuckDB), so a file of ten
million rows is checked in seconds. The staged table keeps each parsed
column's source text beside its typed value, so a rejection can show what the
file said.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from tenure.sources.files.columns import ColumnMap
from tenure.sources.files.parse import EARLIEST, LATEST, as_text, parse
from tenure.sources.files.read import LINE
from tenure.sources.files.report import Rejection
from tenure.warehouse.schemas import Column, FactTable

SOURCE = "_src_"  # prefix of a parsed column's source text
FIRST = "_first"  # the first line with the same key
UNPARSABLE = {
    "timestamp": "not a date or time",
    "float64": "not a number",
    "int64": "not a whole number",
}
# Pairs (earlier, later) that must be in order when both are present.
ORDERED = {
    "subscriptions": ("started_at", "ended_at"),
    "tickets": ("created_at", "solved_at"),
    "accounts": ("created_at", "churned_at"),
}


@ibis.udf.scalar.builtin
def json_valid(text: str) -> bool:  # type: ignore[empty-body]
    """DuckDB's json_valid."""


@ibis.udf.scalar.builtin
def json_type(text: str) -> str:  # type: ignore[empty-body]
    """DuckDB's json_type: OBJECT, ARRAY, VARCHAR, ..."""


@ibis.udf.scalar.builtin
def to_json(value: str) -> str:  # type: ignore[empty-body]
    """DuckDB's to_json: a string as a quoted, escaped JSON string."""


@ibis.udf.scalar.builtin
def json_merge_patch(base: str, patch: str) -> dt.JSON:
    """DuckDB's json_merge_patch (RFC 7396)."""


@dataclass
class Staged:
    con: BaseBackend
    table: FactTable
    rows: ir.Table  # _line, typed columns, source texts
    temporary: bool = True  # a table of our own, to drop when done

    def drop(self) -> None:
        if self.temporary:
            self.con.drop_table(self.rows.get_name(), force=True)


def stage(con: BaseBackend, source: ir.Table, table: FactTable, columns: ColumnMap) -> Staged:
    """`source` (a table in `con`, a DuckDB connection) with typed columns.

    Materialized once as a temporary table: every check then scans decoded,
    typed columns instead of parsing or decompressing the source again.
    """
    values: dict[str, ir.Value] = {LINE: source[LINE]}
    for column in table.columns:
        if column.name == table.extras:
            continue
        given = _given(source, columns, column)
        typed = parse(given, column.dtype)
        if column.choices:
            typed = typed.lower()
        values[column.name] = typed
        if _parsed_from_text(given, column):
            values[SOURCE + column.name] = as_text(given)
    values[table.extras] = _extras(source, columns, table)
    if table.name == "events" and columns.source_of("message_id") is None:
        values["message_id"] = _event_id(values)
    elif table.name == "events":
        given = values["message_id"]  # CASE, unlike COALESCE, hashes only the missing ones
        values["message_id"] = ibis.ifelse(given.isnull(), _event_id(values), given)
    name = f"_tenure_stage_{uuid.uuid4().hex[:12]}"
    return Staged(con, table, con.create_table(name, source.select(**values), temp=True))


def _parsed_from_text(given: ir.Value, column: Column) -> bool:
    """Whether the typed value came from parsing text (so parsing can fail)."""
    return given.type().is_string() and column.dtype != "string"


def source_text(rows: ir.Table, column: str) -> ir.Value:
    """What the file said for `column`: the text that was parsed, or the value."""
    name = SOURCE + column
    return rows[name] if name in rows.columns else rows[column]


def _given(source: ir.Table, columns: ColumnMap, column: Column) -> ir.Value:
    name = columns.source_of(column.name)
    if name is not None:
        return source[name]
    default = columns.defaults.get(column.name)
    return ibis.literal(default, "string") if default is not None else ibis.null("string")


def _extras(source: ir.Table, columns: ColumnMap, table: FactTable) -> ir.Value:
    """The extras column: a given JSON object, patched with the unmatched columns."""
    given = columns.source_of(table.extras)
    base = as_text(source[given]) if given is not None else ibis.null("string")
    if not columns.extras:
        return base
    # '{"name": value, ...}' without the empty ones; concat_ws skips NULL parts.
    parts = [
        ibis.literal(json.dumps(name) + ":") + to_json(as_text(source[name])).cast("string")
        for name in columns.extras
    ]
    built = ("{" + ibis.literal(",").join(parts) + "}").nullif("{}")
    return ibis.ifelse(base.isnull(), built, json_merge_patch(base, built).cast("string"))


def _event_id(values: dict[str, ir.Value]) -> ir.Value:
    """Events without an id get one derived from their content: re-imports match."""
    parts = ["account_id", "contact_id", "anonymous_id", "event", "timestamp", "properties"]
    content = ibis.literal("\x1f").join([values[p].cast("string").fill_null("") for p in parts])
    return "auto-" + content.hexdigest("md5")


def field_rejections(staged: Staged) -> list[Rejection]:
    """Every value that breaks a rule of its column, as (line, column, value, reason)."""
    rows, table = staged.rows, staged.table
    checks = [check for column in table.columns for check in _column_checks(rows, table, column)]
    checks += _order_checks(rows, table)
    if not checks:
        return []
    found = ibis.union(*checks).order_by([LINE, "column"]).to_pyarrow().to_pylist()
    return [Rejection(r[LINE], r["column"], r["value"], r["reason"]) for r in found]


def _column_checks(rows: ir.Table, table: FactTable, column: Column) -> list[ir.Table]:
    if column.name == table.extras:
        return _extras_checks(rows, column)
    value, text = rows[column.name], source_text(rows, column.name)
    rules: list[tuple[ir.BooleanValue, str]] = []
    if column.required:
        missing = text.isnull() & value.isnull()
        rules.append((missing, "a value is required"))
    if SOURCE + column.name in rows.columns:
        rules.append((text.notnull() & value.isnull(), UNPARSABLE[column.dtype]))
    if column.minimum is not None:
        word = "must not be negative" if column.minimum == 0 else f"must be ≥ {column.minimum}"
        rules.append((value < column.minimum, word))
    if column.maximum is not None:
        rules.append((value > column.maximum, f"must be ≤ {column.maximum}"))
    if column.choices:
        rules.append((~value.isin(column.choices), f"must be one of {', '.join(column.choices)}"))
    if column.dtype == "timestamp":
        out_of_range = (value < EARLIEST) | (value >= LATEST)
        rules.append((out_of_range, "date out of range (1970 to 2099)"))
    return [_reject(rows, column.name, text, when, reason) for when, reason in rules]


def _extras_checks(rows: ir.Table, column: Column) -> list[ir.Table]:
    text = rows[column.name]
    # CASE, so that json_type never sees text that is not JSON.
    is_object = ibis.ifelse(json_valid(text), json_type(text) == "OBJECT", False)
    not_object = text.notnull() & ~is_object
    return [_reject(rows, column.name, text, not_object, "not a JSON object")]


def _order_checks(rows: ir.Table, table: FactTable) -> list[ir.Table]:
    if table.name not in ORDERED:
        return []
    earlier, later = ORDERED[table.name]
    wrong = rows[later] < rows[earlier]
    return [_reject(rows, later, source_text(rows, later), wrong, f"is before {earlier}")]


def _reject(
    rows: ir.Table, column: str, text: ir.Value, when: ir.BooleanValue, reason: str
) -> ir.Table:
    return rows.filter(when.fill_null(False)).select(
        rows[LINE],
        column=ibis.literal(column),
        value=text.cast("string"),
        reason=ibis.literal(reason),
    )


def deduplicated(
    staged: Staged, rejected_lines: set[int], *, unit: str = "line"
) -> tuple[Staged, list[Rejection]]:
    """Drop rejected lines, then keep the first row of each key; later ones are rejected."""
    rows, key = staged.rows, staged.table.key
    if rejected_lines:
        bad = ibis.memtable(pa.table({LINE: pa.array(sorted(rejected_lines), pa.int64())}))
        rows = rows.anti_join(bad, LINE)
    if int(rows[key].nunique().execute()) == int(rows.count().execute()):
        return Staged(staged.con, staged.table, rows, temporary=False), []
    rows = rows.mutate(**{FIRST: rows[LINE].min().over(group_by=rows[key])})
    name = f"_tenure_valid_{uuid.uuid4().hex[:12]}"
    kept = Staged(staged.con, staged.table, staged.con.create_table(name, rows, temp=True))
    later = kept.rows.filter(kept.rows[LINE] != kept.rows[FIRST])
    found = later.select(LINE, key, FIRST).order_by(LINE).to_pyarrow().to_pylist()
    duplicates = [
        Rejection(r[LINE], key, r[key], f"duplicate {key} (first on {unit} {r[FIRST]})")
        for r in found
    ]
    return kept, duplicates


def loadable(staged: Staged) -> ir.Table:
    """The valid rows with exactly the fact table's columns and types."""
    rows = staged.rows
    if FIRST in rows.columns:
        rows = rows.filter(rows[LINE] == rows[FIRST])
    return rows.select(**{c.name: rows[c.name].cast(c.dtype) for c in staged.table.columns})
