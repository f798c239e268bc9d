"""Measure values per account and day: the inputs of health and engagement scores.

`measure_values` computes every measured (non-subjective) measure of a
scorecard for every account that exists on a day, for every day asked for, in
one pass: no loop over days. It reads the daily rollups and the small fact
tables, never raw events.

How "the last N days" is computed
---------------------------------
Every metric is turned into *deltas*: rows (account_id, day, amount, count)
whose running total, day by day, is the metric. An active day u adds +1 on u
and −1 on u + N, so the running total on day d counts active days in
``[d − N + 1, d]`` (the window: N whole days ending with, and including, d;
an event exactly N − 1 days before d counts, one exactly N days before does
not). Deltas before the first day asked for are folded into it and deltas
between two days asked for into the later one, so the running total is one
cumulative-sum window over a grid of accounts × days asked for × measures.

Metrics (N = ``metric.days``)
-----------------------------
- ``active_days``: distinct days with any event (or ``metric.event``) in the
  window. No events: 0.
- ``share_of_contacts_active``: contacts with any event in the window /
  contacts existing on d (``created_at`` ≤ d; no ``created_at``: always),
  capped at 1 (events of contacts created later). No contacts: NULL.
- ``distinct_features``: distinct ``detail`` values of ``core_feature_used``
  (or ``metric.event``) in the window. No events: 0.
- ``event_count``: events of ``metric.event`` (any event without one) in the
  window. No events: 0.
- ``latest_nps``: score of the account's latest ``nps`` response (any contact;
  ties broken by the larger ``response_id``) responded in the window. No
  response in the window: NULL.
- ``open_tickets``: tickets with created day ≤ d < solved day (never solved:
  open). ``metric.days`` is not used. No tickets: 0.
- ``churn_risk``: the account's latest churn probability in percent (0–100)
  from the ``churn_predictions`` table (written by the churn model), predicted
  in the window. No prediction in the window: NULL.

Counts of activity are 0 without activity: an account that does not use the
product is not missing data, it is the worst case. Survey answers and shares
of an empty team are missing (NULL), never 0.

An account exists on d when its created day ≤ d (no ``created_at``: always)
and it did not churn before d (its churned day ≥ d, or never churned).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from tenure.definitions import Metric, Scorecard

# The days to compute: an inclusive range (start, end), or a list of days.
Days = tuple[dt.date, dt.date] | Sequence[dt.date]
COUNT_KINDS = ("active_days", "distinct_features", "event_count", "open_tickets")
DEFAULT_FEATURE_EVENT = "core_feature_used"
_EARLIEST = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class MeasureSources:
    """The tables measures read: rollups (see `tenure.engine.rollups`) and small facts."""

    accounts: ir.Table
    activity_daily: ir.Table
    contact_daily: ir.Table
    contacts: ir.Table | None = None
    tickets: ir.Table | None = None
    survey_responses: ir.Table | None = None
    churn_predictions: ir.Table | None = None  # account_id, as_of, churn_risk

    @classmethod
    def of(cls, sources: Any) -> MeasureSources:
        """The measure inputs of a wider bundle, such as `tenure.engine.rules.Sources`."""
        return cls(**{name: getattr(sources, name, None) for name in cls.__dataclass_fields__})


def recent(sources: MeasureSources, *, since: dt.date) -> MeasureSources:
    """`sources` with daily activity and survey answers from `since` on."""
    answers = sources.survey_responses
    if answers is not None:
        answers = answers.filter(answers.responded_at >= dt.datetime.combine(since, dt.time()))
    return replace(
        sources,
        activity_daily=sources.activity_daily.filter(sources.activity_daily.day >= since),
        contact_daily=sources.contact_daily.filter(sources.contact_daily.day >= since),
        survey_responses=answers,
    )


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
    metrics = {m.name: m.metric for m in scorecard.measures if m.metric is not None}
    first = day_list(days)[0]
    streams = {
        name: metric_deltas(sources, metric, first_day=first) for name, metric in metrics.items()
    }
    totals = running_totals(streams, sources.accounts, days=days)
    return totals.select("account_id", "day", "measure", value=finished_value(totals, metrics))


def finished_value(totals: ir.Table, metrics: Mapping[str, Metric]) -> ir.FloatingValue:
    """The metric's value from its running totals `amount` and `count`.

    share_of_contacts_active = least(amount / count, 1), NULL when count = 0;
    latest_nps, churn_risk = amount when count > 0 (one in the window), else NULL;
    every count = amount.
    """

    def named(kind: str) -> list[str]:
        return [name for name, metric in metrics.items() if metric.kind == kind]

    share = ibis.least(totals.amount / totals["count"], 1.0)
    return ibis.cases(
        (totals.measure.isin(named("share_of_contacts_active")) & (totals["count"] > 0), share),
        (
            totals.measure.isin(named("latest_nps") + named("churn_risk")) & (totals["count"] > 0),
            totals.amount,
        ),
        (
            totals.measure.isin([n for n, m in metrics.items() if m.kind in COUNT_KINDS]),
            totals.amount,
        ),
        else_=ibis.null("float64"),
    ).cast("float64")


def running_totals(streams: Mapping[str, ir.Table], accounts: ir.Table, *, days: Days) -> ir.Table:
    """Running totals of each stream of deltas, per existing account and day asked for.

    amount(d) = Σ amount of the stream's deltas on days ≤ d (count alike).
    Columns: ``account_id``, ``day``, ``measure`` (the stream's name),
    ``amount``, ``count`` (float64; 0 without deltas).
    """
    if not streams:
        raise ValueError("no measured measures: running totals need at least one stream")
    listed = day_list(days)
    deltas = _bucketed(streams, listed)
    grid = _grid(accounts, listed, list(streams))
    rows = grid.left_join(deltas, ["account_id", "day", "measure"]).select(
        "account_id",
        "day",
        "measure",
        "exists",
        amount=deltas.amount.fill_null(0.0),
        count=deltas["count"].fill_null(0.0),
    )
    running = ibis.window(group_by=["account_id", "measure"], order_by="day", following=0)
    totals = rows.mutate(
        amount=rows.amount.sum().over(running), count=rows["count"].sum().over(running)
    )
    return totals.filter(totals.exists).drop("exists")


def _bucketed(streams: Mapping[str, ir.Table], listed: list[dt.date]) -> ir.Table:
    """Deltas summed per account, stream and the first day asked for on or after their day."""
    parts = [
        s.select("account_id", "day", "amount", "count", measure=ibis.literal(name))
        for name, s in streams.items()
    ]
    deltas = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    deltas = deltas.mutate(date=ibis.greatest(deltas.day, ibis.literal(listed[0])))
    buckets = _buckets(listed)
    joined = deltas.join(buckets, "date").select(
        "account_id", "measure", "amount", "count", day=buckets.bucket
    )
    return joined.group_by(["account_id", "day", "measure"]).aggregate(
        amount=joined.amount.sum().cast("float64"), count=joined["count"].sum().cast("float64")
    )


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


def _grid(accounts: ir.Table, listed: list[dt.date], measures: list[str]) -> ir.Table:
    """Accounts existing at some day asked for × those days × measures, with `exists`."""
    first, last = ibis.literal(listed[0]), ibis.literal(listed[-1])
    created = accounts.created_at.date()
    churned = accounts.churned_at.date()
    alive = accounts.filter(
        created.isnull() | (created <= last), churned.isnull() | (churned >= first)
    ).select("account_id", created=created, churned=churned)
    calendar = ibis.memtable(pa.table({"day": pa.array(listed, pa.date32())}))
    names = ibis.memtable(pa.table({"measure": pa.array(measures, pa.string())}))
    grid = alive.cross_join(calendar).cross_join(names)
    exists = (grid.created.isnull() | (grid.created <= grid.day)) & (
        grid.churned.isnull() | (grid.churned >= grid.day)
    )
    return grid.select("account_id", "day", "measure", exists=exists)


def _plus_days(day: ir.DateValue, count: int) -> ir.DateValue:
    return (day + ibis.interval(days=count)).cast("date")


def windowed(rows: ir.Table, amount: ir.NumericValue | float, window: int) -> ir.Table:
    """Deltas of `amount` counted for `window` days from each row's day: +a on day, −a after."""
    on = rows.select("account_id", "day", amount=ibis.literal(0.0) + amount, count=0.0)
    off = on.select("account_id", day=_plus_days(on.day, window), amount=-on.amount, count=0.0)
    return on.union(off)


def distinct_windowed(rows: ir.Table, window: int) -> ir.Table:
    """Deltas counting distinct `key` values per account seen in the last `window` days.

    A key seen on days u₁ < u₂ < … covers each [u, u + window − 1]; a covered
    stretch adds +1 on its first day and −1 on the day after its last.
    """
    seen = rows.select("account_id", "key", "day").distinct()
    order = ibis.window(group_by=["account_id", "key"], order_by="day")
    seen = seen.mutate(prev=seen.day.lag().over(order), next=seen.day.lead().over(order))
    starts = seen.filter(seen.prev.isnull() | (_plus_days(seen.prev, window) <= seen.day))
    ends = seen.filter(seen.next.isnull() | (_plus_days(seen.day, window) <= seen.next))
    return starts.select("account_id", "day", amount=1.0, count=0.0).union(
        ends.select("account_id", day=_plus_days(ends.day, window), amount=-1.0, count=0.0)
    )


def _active_days(sources: MeasureSources, metric: Metric) -> ir.Table:
    rows = sources.activity_daily
    if metric.event is not None:
        rows = rows.filter(rows.event == metric.event)
    return windowed(rows.select("account_id", "day").distinct(), 1.0, metric.days)


def _event_count(sources: MeasureSources, metric: Metric) -> ir.Table:
    rows = sources.activity_daily
    if metric.event is not None:
        rows = rows.filter(rows.event == metric.event)
    daily = rows.group_by(["account_id", "day"]).aggregate(events=rows.events.sum())
    return windowed(daily, daily.events.cast("float64"), metric.days)


def _distinct_features(sources: MeasureSources, metric: Metric) -> ir.Table:
    rows = sources.activity_daily
    rows = rows.filter(rows.event == (metric.event or DEFAULT_FEATURE_EVENT), rows.detail.notnull())
    return distinct_windowed(rows.mutate(key=rows.detail), metric.days)


def _share_of_contacts_active(sources: MeasureSources, metric: Metric) -> ir.Table:
    if metric.event is not None:
        raise ValueError("share_of_contacts_active counts any event: contact_daily has no event")
    active = sources.contact_daily.mutate(key=sources.contact_daily.contact_id)
    deltas = distinct_windowed(active, metric.days)
    contacts = _required(sources.contacts, "contacts", metric)
    contacts = contacts.filter(contacts.account_id.notnull())
    joined = contacts.select(
        "account_id",
        day=contacts.created_at.date().fill_null(ibis.literal(_EARLIEST)),
        amount=0.0,
        count=1.0,
    )
    return deltas.union(joined)


def _latest_nps(sources: MeasureSources, metric: Metric) -> ir.Table:
    """+score (and +1) on the latest answer's day, − both when it ends or a newer one starts."""
    rows = _required(sources.survey_responses, "survey_responses", metric)
    rows = rows.filter(rows.survey.lower() == "nps", rows.account_id.notnull())
    rows = rows.mutate(day=rows.responded_at.date())
    newest = ibis.window(
        group_by=["account_id", "day"],
        order_by=[ibis.desc("responded_at"), ibis.desc("response_id")],
    )
    rows = rows.mutate(rank=ibis.row_number().over(newest))
    daily = rows.filter(rows.rank == 0).select("account_id", "day", "score")
    daily = daily.mutate(
        next=daily.day.lead().over(group_by="account_id", order_by="day"),
        expiry=_plus_days(daily.day, metric.days),
    )
    end = ibis.cases(
        (daily.next.isnull(), daily.expiry), else_=ibis.least(daily.next, daily.expiry)
    )
    score = daily.score.cast("float64")
    on = daily.select("account_id", "day", amount=score, count=1.0)
    off = daily.select("account_id", day=end.cast("date"), amount=-score, count=-1.0)
    return on.union(off)


def _churn_risk(sources: MeasureSources, metric: Metric) -> ir.Table:
    """+risk % (and +1) on a prediction's day, − both when it expires or a newer one comes."""
    rows = _required(sources.churn_predictions, "churn_predictions", metric)
    rows = rows.select("account_id", day=rows.as_of.cast("date"), risk=rows.churn_risk * 100.0)
    rows = rows.mutate(
        next=rows.day.lead().over(group_by="account_id", order_by="day"),
        expiry=_plus_days(rows.day, metric.days),
    )
    end = ibis.cases((rows.next.isnull(), rows.expiry), else_=ibis.least(rows.next, rows.expiry))
    on = rows.select("account_id", "day", amount=rows.risk, count=1.0)
    off = rows.select("account_id", day=end.cast("date"), amount=-rows.risk, count=-1.0)
    return on.union(off)


def _open_tickets(sources: MeasureSources, metric: Metric) -> ir.Table:
    rows = _required(sources.tickets, "tickets", metric)
    rows = rows.filter(rows.account_id.notnull())
    opened = rows.select("account_id", day=rows.created_at.date(), amount=1.0, count=0.0)
    solved = rows.filter(rows.solved_at.notnull())
    closed = solved.select("account_id", day=solved.solved_at.date(), amount=-1.0, count=0.0)
    return opened.union(closed)


def _required(table: ir.Table | None, name: str, metric: Metric) -> ir.Table:
    if table is None:
        raise ValueError(f"the {metric.kind} metric needs the {name} table")
    return table


KIND_DELTAS: dict[str, Callable[[MeasureSources, Metric], ir.Table]] = {
    "active_days": _active_days,
    "share_of_contacts_active": _share_of_contacts_active,
    "distinct_features": _distinct_features,
    "event_count": _event_count,
    "latest_nps": _latest_nps,
    "open_tickets": _open_tickets,
    "churn_risk": _churn_risk,
}


def metric_deltas(
    sources: MeasureSources, metric: Metric, *, first_day: dt.date | None = None
) -> ir.Table:
    """The metric's deltas: (account_id, day, amount, count), see the module docstring.

    With `first_day` (the first day asked for), activity and answers older than
    its window are left out: their +1 and −1 both fall before `first_day`, so
    they never change a total on or after it. Tickets stay whole (one opened
    long ago can still be open).
    """
    if first_day is not None:
        sources = recent(sources, since=first_day - dt.timedelta(days=metric.days))
    deltas = KIND_DELTAS[metric.kind](sources, metric)
    return deltas.select(
        "account_id",
        day=deltas.day.cast("date"),
        amount=deltas.amount.cast("float64"),
        count=deltas["count"].cast("float64"),
    )
