"""Metrics as deltas: the streams whose running totals are measure values.

Every metric is turned into *deltas*: rows (account_id, day, amount, count)
whose running total, day by day, is the metric (`tenure.engine.measures`
sums them). An active day u adds +1 on u and −1 on u + N, so the running
total on day d counts active days in ``[d − N + 1, d]`` (the window: N whole
days ending with, and including, d; an event exactly N − 1 days before d
counts, one exactly N days before does not).

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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import ibis
import ibis.expr.types as ir

from tenure.definitions import Metric

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


def _plus_days(day: ir.DateValue, count: int) -> ir.DateValue:
    # date + interval is a timestamp in DuckDB and PostgreSQL: cast back (Ibis would
    # drop a plain date-to-date cast), so that unions and joins compare dates.
    return (day + ibis.interval(days=count)).cast("timestamp").cast("date")


def windowed(rows: ir.Table, amount: ir.NumericValue | float, window: int) -> ir.Table:
    """Deltas of `amount` counted for `window` days from each row's day: +a on day, −a after."""
    on = rows.select("account_id", "day", amount=ibis.literal(0.0) + amount, count=0.0)
    off = on.select("account_id", day=_plus_days(on.day, window), amount=-on.amount, count=0.0)
    return on.union(off)


def distinct_windowed(rows: ir.Table, window: int) -> ir.Table:
    """Deltas counting distinct `key` values per account seen in the last `window` days.

    A key seen on days u₁ < u₂ < … covers each [u, u + window − 1]; a covered
    stretch adds +1 on its first day and −1 on the day after its last. `rows`
    holds each (account_id, key, day) once, as the rollups do (`contact_daily`
    per contact, `activity_daily` per detail of one event): no distinct pass.
    """
    seen = rows.select("account_id", "key", "day")
    order = ibis.window(group_by=["account_id", "key"], order_by="day")
    seen = seen.mutate(prev=seen.day.lag().over(order), next=seen.day.lead().over(order))
    starts = seen.filter(seen.prev.isnull() | (seen.day.delta(seen.prev, unit="day") >= window))
    ends = seen.filter(seen.next.isnull() | (seen.next.delta(seen.day, unit="day") >= window))
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
