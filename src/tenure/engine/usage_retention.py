"""User (contact) retention cohorts from the daily rollups.

A *unit* is a contact entering a cohort on a start day s:

- ``first_ever`` (default): s = the contact's first-ever day with the start
  event; only contacts whose s falls in the range;
- ``first_matching``: s = the contact's first day with the start event
  inside the range (earlier occurrences are ignored);
- ``recurring``: every calendar interval (day, ISO week, month) of the range
  in which the contact did the start event is a unit, s = the first such day
  in it.

Without a start event, any event counts (`contact_daily`). The cohort is the
calendar interval containing s. Periods are rolling windows from each unit's
own s: for a day d ≥ s, period n = d − s (day), ⌊(d − s) / 7⌋ (week), or the
whole months from s to d (month: m(d) − m(s), less 1 when day-of-month(d) <
day-of-month(s)).

A unit is *retained* in period n when it did the return event (any event by
default) on a day of period n (``on``), or on a day of period n or later
(``on_or_after``), up to `as_of`. A cell (cohort, n) counts only units whose
period n has fully passed by `as_of` (period(s, as_of + 1 day) > n):

    retention(cohort, n) = retained units / units whose period n has passed.

Period 0 contains s, so with the same start and return event it is 100%.
The rollups have no per-contact event days, so a named start or return
event reads those days from the `events` fact table (one filtered scan);
everything else reads `contact_daily`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import ibis
import ibis.expr.types as ir

Interval = Literal["day", "week", "month"]
StartMode = Literal["first_ever", "first_matching", "recurring"]
ReturnMode = Literal["on", "on_or_after"]
INTERVALS: tuple[Interval, ...] = ("day", "week", "month")
START_MODES: tuple[StartMode, ...] = ("first_ever", "first_matching", "recurring")
RETURN_MODES: tuple[ReturnMode, ...] = ("on", "on_or_after")
UNIT = ["account_id", "contact_id", "start_day"]
_TRUNCATE = {"day": "D", "week": "W", "month": "M"}
EARLIEST = dt.date(1900, 1, 1)  # "ever": from the start of any data


def interval_start(day: ir.DateValue, interval: Interval) -> ir.DateValue:
    """The first day of the calendar interval containing `day` (weeks start on Monday)."""
    if interval == "day":
        return day
    return day.truncate(_TRUNCATE[interval])


def periods_between(start: ir.DateValue, day: ir.DateValue, interval: Interval) -> ir.IntegerValue:
    """Whole rolling periods from `start` to `day` (see the module docstring)."""
    days = day.epoch_days() - start.epoch_days()
    if interval == "day":
        return days
    if interval == "week":
        return (days / 7).floor().cast("int64")
    months = day.year() * 12 + day.month() - start.year() * 12 - start.month()
    return months - ibis.ifelse(day.day() < start.day(), 1, 0)


def active_days(
    contact_daily: ir.Table,
    events: ir.Table | None,
    event: str | None,
    *,
    first: dt.date,
    last: dt.date,
) -> ir.Table:
    """Distinct (account_id, contact_id, day) in [first, last] with `event` (None: any)."""
    if event is None:
        rows = contact_daily.filter(contact_daily.day.between(first, last))
        return rows.select("account_id", "contact_id", "day")
    if events is None:
        raise ValueError(f"event {event!r}: per-contact days of one event need the events table")
    rows = events.filter(
        events.event == event,
        events.account_id.notnull(),
        events.contact_id.notnull(),
        events.timestamp >= ibis.literal(dt.datetime.combine(first, dt.time())),
        events.timestamp
        < ibis.literal(dt.datetime.combine(last + dt.timedelta(days=1), dt.time())),
    )
    rows = rows.select("account_id", "contact_id", day=rows.timestamp.date())
    return rows.distinct()


def retention_units(
    contact_daily: ir.Table,
    *,
    start: dt.date,
    end: dt.date,
    interval: Interval = "week",
    start_event: str | None = None,
    start_mode: StartMode = "first_ever",
    events: ir.Table | None = None,
) -> ir.Table:
    """Units starting in [start, end]: ``account_id``, ``contact_id``, ``start_day``."""
    if start_mode == "first_ever":
        ever = active_days(contact_daily, events, start_event, first=EARLIEST, last=end)
        units = ever.group_by(["account_id", "contact_id"]).aggregate(start_day=ever.day.min())
        return units.filter(units.start_day >= start)
    days = active_days(contact_daily, events, start_event, first=start, last=end)
    if start_mode == "first_matching":
        return days.group_by(["account_id", "contact_id"]).aggregate(start_day=days.day.min())
    if start_mode == "recurring":
        days = days.mutate(cohort=interval_start(days.day, interval))
        units = days.group_by(["account_id", "contact_id", "cohort"]).aggregate(
            start_day=days.day.min()
        )
        return units.select(*UNIT)
    raise ValueError(f"start mode must be one of {', '.join(START_MODES)}, not {start_mode!r}")


def user_retention(
    contact_daily: ir.Table,
    *,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    interval: Interval = "week",
    periods: int = 8,
    start_event: str | None = None,
    return_event: str | None = None,
    start_mode: StartMode = "first_ever",
    mode: ReturnMode = "on",
    events: ir.Table | None = None,
) -> ir.Table:
    """Retention of the contacts starting in [start, end], for periods 0..`periods` (module doc).

    Columns: ``cohort`` (date: first day of the start interval), ``period``
    (n), ``units`` (units whose period n has passed by `as_of`), ``retained``,
    ``retention`` (retained / units). Cells without any such unit are left out.
    """
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {', '.join(INTERVALS)}, not {interval!r}")
    if mode not in RETURN_MODES:
        raise ValueError(f"mode must be one of {', '.join(RETURN_MODES)}, not {mode!r}")
    if periods < 0 or end < start or as_of < start:
        raise ValueError("need periods ≥ 0 and start ≤ end, start ≤ as_of")
    units = retention_units(
        contact_daily,
        start=start,
        end=end,
        interval=interval,
        start_event=start_event,
        start_mode=start_mode,
        events=events,
    )
    after = ibis.literal(as_of + dt.timedelta(days=1), type="date")
    units = units.mutate(
        cohort=interval_start(units.start_day, interval),
        passed=periods_between(units.start_day, after, interval),
    )
    grid = units.cross_join(ibis.memtable({"period": list(range(periods + 1))}))
    grid = grid.filter(grid.period < grid.passed)
    returns = active_days(contact_daily, events, return_event, first=start, last=as_of)
    hits = units.join(returns, ["account_id", "contact_id"])
    hits = hits.filter(hits.day >= hits.start_day)
    hits = hits.mutate(period=periods_between(hits.start_day, hits.day, interval))
    if mode == "on":
        hits = hits.select(*UNIT, "period").distinct()
        joined = grid.left_join(hits, [*UNIT, "period"])
        grid = joined.select(grid.cohort, grid.period, retained=hits.period.notnull())
    else:
        reach = hits.group_by(UNIT).aggregate(last_period=hits.period.max())
        joined = grid.left_join(reach, UNIT)
        grid = joined.select(
            grid.cohort,
            grid.period,
            retained=reach.last_period.notnull() & (reach.last_period >= grid.period),
        )
    cells = grid.group_by(["cohort", "period"]).aggregate(
        units=grid.count(), retained=grid.retained.ifelse(1, 0).sum()
    )
    cells = cells.mutate(
        retention=cells.retained.cast("float64") / cells.units.cast("float64"),
    )
    return cells.order_by(["cohort", "period"])
