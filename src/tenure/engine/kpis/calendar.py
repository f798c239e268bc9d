"""Month calendars for the KPIs, built in Python as small in-memory tables.

A month is named by its first day (a date). Revenue is measured at a month's
*end*: the instant just before the next month starts, so "in force at the end
of month m" means ``started_at < next_month_start <= ended_at`` (or no end).
Building the calendar in Python keeps every KPI a plain join against the fact
tables, the same on DuckDB, PostgreSQL and Spark (no generated series).
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pyarrow as pa

# An inclusive range of months, (first, last); any day of a month names that month.
Months = tuple[dt.date, dt.date]


def month_start(day: dt.date) -> dt.date:
    """The first day of the month of `day`."""
    return dt.date(day.year, day.month, 1)


def add_months(month: dt.date, count: int) -> dt.date:
    """The first day of the month `count` months after (or before) `month`'s."""
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def month_list(months: Months, *, before: int = 0) -> list[dt.date]:
    """First days of the months in `months`, preceded by `before` earlier months.

    Raises ValueError when the range is reversed.
    """
    first, last = month_start(months[0]), month_start(months[1])
    if last < first:
        raise ValueError(f"empty month range: {first} is after {last}")
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [add_months(first, k) for k in range(-before, count)]


def month_calendar(months: Months, *, before: int = 0, window: int = 0) -> ir.Table:
    """One row per month in `months` (with `before` earlier months first).

    Columns:

    - ``month`` (date): the month's first day;
    - ``boundary`` (timestamp): the first instant of the next month, i.e. the
      end of ``month``;
    - ``period_start`` (date): month m − `window`, the month at whose end a
      `window`-month period ending with m starts (m itself when `window` is 0);
    - ``period_boundary`` (timestamp): the end of ``period_start``, i.e. the
      first instant of the period's first month.

    Something "falls in the period" ending with m when
    ``period_boundary <= t < boundary``.
    """
    days = month_list(months, before=before)
    starts = [add_months(m, -window) for m in days]
    table = pa.table(
        {
            "month": pa.array(days, pa.date32()),
            "boundary": pa.array([_instant(add_months(m, 1)) for m in days], pa.timestamp("us")),
            "period_start": pa.array(starts, pa.date32()),
            "period_boundary": pa.array(
                [_instant(add_months(m, 1)) for m in starts], pa.timestamp("us")
            ),
        }
    )
    return ibis.memtable(table)


def _instant(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)
