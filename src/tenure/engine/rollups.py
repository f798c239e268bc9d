"""Daily rollups: the one pass over raw events that everything downstream reads.

Three small tables, each a pure Ibis expression over the `events` fact table:

- `activity_daily`: per account, day, event and detail (the value of the
  event's tracked property, e.g. the `feature` of `core_feature_used`): the
  number of events. (Distinct contacts come from `contact_daily`: counting
  them here too would double the cost of the rollup.)
- `contact_daily`: per account, contact and day with any event: the number of
  events. Active contacts and active days over any window derive from it.
- `contact_event_first`: per account, contact and event: the first day the
  contact did it, for the events rules ask about (`share_of_contacts`; all
  events when none are named). Shares of contacts who did something derive
  from it. Keeping only those events makes it 7 times cheaper to build.

Days are UTC calendar days. Events without an account are not rolled up.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import ibis
import ibis.expr.types as ir

# Properties worth a column in the rollup, by event: milestones and measures can
# filter on them or count their distinct values without touching raw events.
DEFAULT_DETAILS: dict[str, str] = {
    "core_feature_used": "feature",
    "integration_added": "integration",
}

ROLLUPS = ("activity_daily", "contact_daily", "contact_event_first")


def _attributed(events: ir.Table, since: ibis.Value | None = None) -> ir.Table:
    rows = events.filter(events.account_id.notnull())
    if since is not None:
        rows = rows.filter(rows.timestamp >= since)
    return rows.mutate(day=rows.timestamp.date())


@ibis.udf.scalar.builtin(name="json_extract_string")
def _duckdb_json_text(document: str, path: str) -> str:  # type: ignore[empty-body]
    """DuckDB: the text at a JSON path, without validating the whole document."""


@ibis.udf.scalar.builtin(name="get_json_object")
def _spark_json_text(document: str, path: str) -> str:  # type: ignore[empty-body]
    """Spark: the text at a JSON path."""


# Native JSON look-ups per backend: several times faster than Ibis' portable
# form, which casts every document to JSON first. Others use the portable form.
JSON_TEXT = {"duckdb": _duckdb_json_text, "pyspark": _spark_json_text}


def json_text(table: ir.Table, column: str, key: str) -> ir.StringValue:
    """The text of `key` in the JSON object in `column` (NULL when absent)."""
    native = JSON_TEXT.get(ibis.get_backend(table).name)
    if native is not None:
        return native(table[column], f"$.{key}")
    return table[column].cast("json")[key].str


def detail_of(events: ir.Table, details: Mapping[str, str]) -> ir.StringValue:
    """The tracked property's value of each event, NULL for untracked events."""
    if not details:
        return ibis.null("string")
    cases = [
        (events.event == event, json_text(events, "properties", prop))
        for event, prop in sorted(details.items())
    ]
    return ibis.cases(*cases, else_=ibis.null("string"))


def activity_daily(
    events: ir.Table, *, details: Mapping[str, str] = DEFAULT_DETAILS, since: object = None
) -> ir.Table:
    """Events per (account_id, day, event, detail): events = count(*)."""
    rows = _attributed(events, ibis.literal(since) if since is not None else None)
    rows = rows.mutate(detail=detail_of(rows, details))
    return rows.group_by(["account_id", "day", "event", "detail"]).aggregate(events=rows.count())


def contact_daily(events: ir.Table, *, since: object = None) -> ir.Table:
    """Events per (account_id, contact_id, day) for known contacts."""
    rows = _attributed(events, ibis.literal(since) if since is not None else None)
    rows = rows.filter(rows.contact_id.notnull())
    return rows.group_by(["account_id", "contact_id", "day"]).aggregate(events=rows.count())


def contact_event_first(
    events: ir.Table, *, since: object = None, only: Collection[str] | None = None
) -> ir.Table:
    """First day per (account_id, contact_id, event) for known contacts.

    `only`: the events to keep (None: every event).
    """
    rows = _attributed(events, ibis.literal(since) if since is not None else None)
    rows = rows.filter(rows.contact_id.notnull())
    if only is not None:
        rows = rows.filter(rows.event.isin(sorted(only)))
    return rows.group_by(["account_id", "contact_id", "event"]).aggregate(first_day=rows.day.min())
