"""Measure values per account and day: the inputs of health and engagement scores.

`measure_columns` computes metrics for every account that exists on a day, for
every day asked for, in one pass: no loop over days. It reads the daily
rollups and the small fact tables, never raw events. Its table has one row
per account and day and a column per metric; `measure_values` gives the same
values as one row per measure.

Running totals
--------------
Every metric is a stream of *deltas* (see `tenure.engine.metrics` for each
metric's formula) whose running total, day by day, is the metric. Deltas
before the first day asked for are folded into it and deltas between two days
asked for into the later one. The grid is accounts × days asked for, with
each stream's deltas as columns, and every running total is one
cumulative-sum window over an account's days (all streams in the same
window, so one sort serves them all).

An account exists on d when its created day ≤ d (no ``created_at``: always)
and it did not churn before d (its churned day ≥ d, or never churned).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping, Sequence

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from tenure.definitions import Metric, Scorecard
from tenure.engine.metrics import (
    COUNT_KINDS,
    DEFAULT_FEATURE_EVENT,
    MeasureSources,
    metric_deltas,
    recent,
)

__all__ = [
    "DEFAULT_FEATURE_EVENT",
    "KEYS",
    "Days",
    "MeasureSources",
    "day_list",
    "measure_columns",
    "measure_values",
    "metric_value",
    "recent",
    "running_totals",
    "unpivoted",
]

# The days to compute: an inclusive range (start, end), or a list of days.
Days = tuple[dt.date, dt.date] | Sequence[dt.date]
KEYS = ["account_id", "day"]
# Metrics whose value needs the running count of answers besides their amount.
COUNTED_KINDS = ("share_of_contacts_active", "latest_nps", "churn_risk")


def day_list(days: Days) -> list[dt.date]:
    """The sorted distinct days of `days`: a tuple (start, end) is an inclusive range.

    Raises ValueError for a reversed range or no days.
    """
    if isinstance(days, tuple) and len(days) == 2:
        start, end = days
        if end < start:
            raise ValueError(f"empty day range: {start} is after {end}")
        return [start + dt.timedelta(k) for k in range((end - start).days + 1)]
    listed = sorted(set(days))
    if not listed:
        raise ValueError("no days to compute")
    return listed


def measure_values(sources: MeasureSources, scorecard: Scorecard, *, days: Days) -> ir.Table:
    """Each measured measure's value per existing account and day (see the module docstring).

    Subjective measures are skipped (they come from the app database; see
    `tenure.engine.health`). Columns: ``account_id``, ``day`` (date),
    ``measure``, ``value`` (float64, NULL when there is no data).
    """
    measured = [m for m in scorecard.measures if m.metric is not None]
    metrics = {f"value_{k}": m.metric for k, m in enumerate(measured) if m.metric is not None}
    table = measure_columns(sources, metrics, days=days)
    return unpivoted(table, {f"value_{k}": m.name for k, m in enumerate(measured)})


def measure_columns(
    sources: MeasureSources,
    metrics: Mapping[str, Metric],
    *,
    days: Days,
    deltas: Mapping[str, ir.Table] | None = None,
) -> ir.Table:
    """Each metric's value per existing account and day, as a column per metric.

    Columns: ``account_id``, ``day`` (date), and one float64 column per key of
    `metrics` (named by it; NULL when there is no data). Equal metrics share
    one stream of deltas. `deltas` replaces the deltas of some keys (the
    value is then finished as its metric's kind), e.g. engagement's
    participation, which adds tickets opened to community posts.
    """
    if not metrics:
        raise ValueError("no measured measures: measure columns need at least one metric")
    first = day_list(days)[0]
    replaced = deltas or {}
    streams: dict[str, ir.Table] = {}
    named: dict[Hashable, str] = {}
    stream_of: dict[str, str] = {}
    for column, metric in metrics.items():
        key: Hashable = ("replaced", column) if column in replaced else metric
        if key not in named:
            named[key] = f"s{len(named)}"
            found = replaced.get(column)
            streams[named[key]] = (
                metric_deltas(sources, metric, first_day=first) if found is None else found
            )
        stream_of[column] = named[key]
    counted = {stream_of[c] for c, m in metrics.items() if m.kind in COUNTED_KINDS}
    totals = running_totals(streams, sources.accounts, days=days, counted=counted)
    return totals.select(
        *KEYS,
        **{c: metric_value(totals, stream_of[c], metric) for c, metric in metrics.items()},
    )


def metric_value(totals: ir.Table, stream: str, metric: Metric) -> ir.FloatingValue:
    """The metric's value from the running totals of its stream (`running_totals`).

    share_of_contacts_active = least(amount / count, 1), NULL when count = 0;
    latest_nps, churn_risk = amount when count > 0 (one in the window), else NULL;
    every count = amount.
    """
    amount = totals[f"{stream}_amount"]
    if metric.kind in COUNT_KINDS:
        return amount.cast("float64")
    count = totals[f"{stream}_count"]
    if metric.kind == "share_of_contacts_active":
        value = ibis.least(amount / count, 1.0)
    elif metric.kind in ("latest_nps", "churn_risk"):
        value = amount
    else:
        raise ValueError(f"unknown metric kind {metric.kind!r}")
    return ibis.cases((count > 0, value), else_=ibis.null("float64")).cast("float64")


def running_totals(
    streams: Mapping[str, ir.Table],
    accounts: ir.Table,
    *,
    days: Days,
    counted: set[str] | None = None,
) -> ir.Table:
    """Running totals of each stream of deltas, per existing account and day asked for.

    amount(d) = Σ amount of the stream's deltas on days ≤ d (count alike).
    Columns: ``account_id``, ``day``, and per stream S (its key in `streams`,
    a column-name prefix) ``S_amount`` and, when S is in `counted` (default:
    every stream), ``S_count`` (float64; 0 without deltas).
    """
    if not streams:
        raise ValueError("no measured measures: running totals need at least one stream")
    counted = set(streams) if counted is None else counted
    sums = {
        f"{name}_{part}": (name, part)
        for name in streams
        for part in ("amount", "count")
        if part == "amount" or name in counted
    }
    listed = day_list(days)
    alive = _alive(accounts, listed)
    deltas = _bucketed(streams, sums, alive, listed)
    grid = _grid(alive, listed)
    rows = grid.left_join(deltas, KEYS).select(*KEYS, *sums)
    running = ibis.window(group_by="account_id", order_by="day", following=0)
    return rows.select(
        *KEYS, **{column: rows[column].sum().over(running).fill_null(0.0) for column in sums}
    )


def unpivoted(table: ir.Table, columns: Mapping[str, str]) -> ir.Table:
    """One row per (account_id, day) of `table` and column: (account_id, day, measure, value).

    `columns` maps a column of `table` to its measure's name.
    """
    parts = [
        table.select(*KEYS, measure=ibis.literal(name, "string"), value=table[column])
        for column, name in columns.items()
    ]
    return ibis.union(*parts) if len(parts) > 1 else parts[0]


def _bucketed(
    streams: Mapping[str, ir.Table],
    sums: Mapping[str, tuple[str, str]],
    alive: ir.Table,
    listed: list[dt.date],
) -> ir.Table:
    """Deltas summed per account and the first day asked for on or after their day on
    which the account exists (so deltas before its creation count from then on).

    One column per stream and part (amount, count), as `sums` names them: each
    stream fills its own columns and leaves the others NULL (cheaper to sum
    than a filter per column).
    """
    parts = []
    for name, stream in streams.items():
        values = {
            column: (stream[part] if owner == name else ibis.null()).cast("float64")
            for column, (owner, part) in sums.items()
        }
        parts.append(stream.select("account_id", "day", **values))
    deltas = ibis.union(*parts) if len(parts) > 1 else parts[0]
    deltas = deltas.join(alive, "account_id")
    deltas = deltas.mutate(date=ibis.greatest(deltas.day, deltas.since))
    if _contiguous(listed):
        joined = deltas.filter(deltas.date <= listed[-1]).mutate(bucket=deltas.date)
    else:
        buckets = _buckets(listed)
        joined = deltas.join(buckets, "date")
    return joined.group_by("account_id", day=joined.bucket).aggregate(
        **{column: joined[column].sum() for column in sums}
    )


def _contiguous(listed: list[dt.date]) -> bool:
    """Whether `listed` is every day from its first to its last."""
    return (listed[-1] - listed[0]).days == len(listed) - 1


def _buckets(listed: list[dt.date]) -> ir.Table:
    """Every date from the first to the last day asked for, with the day it counts on."""
    dates, bucket = [], []
    for before, day in zip([listed[0] - dt.timedelta(1), *listed], listed, strict=False):
        span = [before + dt.timedelta(k) for k in range(1, (day - before).days + 1)]
        dates += span
        bucket += [day] * len(span)
    return ibis.memtable(
        pa.table({"date": pa.array(dates, pa.date32()), "bucket": pa.array(bucket, pa.date32())})
    )


def _alive(accounts: ir.Table, listed: list[dt.date]) -> ir.Table:
    """Accounts existing on some day asked for: account_id, since, churned.

    since = the later of the first day asked for and the created day.
    """
    first, last = listed[0], listed[-1]
    created = accounts.created_at.date()
    churned = accounts.churned_at.date()
    alive = accounts.filter(
        created.isnull() | (created <= last), churned.isnull() | (churned >= first)
    )
    since = ibis.greatest(alive.created_at.date().fill_null(first), ibis.literal(first))
    return alive.select("account_id", since=since, churned=alive.churned_at.date())


def _grid(alive: ir.Table, listed: list[dt.date]) -> ir.Table:
    """Each account of `alive` × the days asked for on which it exists."""
    calendar = ibis.memtable(pa.table({"day": pa.array(listed, pa.date32())}))
    grid = alive.cross_join(calendar)
    grid = grid.filter(grid.since <= grid.day, grid.churned.isnull() | (grid.churned >= grid.day))
    return grid.select("account_id", "day")
