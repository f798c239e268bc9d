"""Weekly usage per account for the account 360: events and active days by ISO week.

Read from `activity_daily` (one row per account, day, event and detail) in one
group-by, by account and week: the days a week's rows fall on are gathered as
a 7-bit mask (bit i: weekday i, by the bitwise OR) and counted afterwards. The
plain way, a group-by per account and day and then per week, builds a hash
table five times as large first: on the benchmark workspace (6.1 M rows in 26
weeks, 860 k account-days, 170 k account-weeks) it took 1.5 times as long on
DuckDB. (Grouping by account only, with a filtered sum and OR per week, is
far slower there: 54 filtered aggregates cost more than the larger table.)
"""

from __future__ import annotations

import datetime as dt
import functools
import operator

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend


# DuckDB, PostgreSQL and Spark all have this aggregate; Ibis maps it for the first two only.
@ibis.udf.agg.builtin(name="bit_or")
def _bit_or(value: int) -> int:  # type: ignore[empty-body]
    """The bitwise OR of the values."""


def weekly_usage(warehouse: BaseBackend, *, as_of: dt.date, weeks: int) -> ir.Table:
    """Per account and ISO week from `as_of` − `weeks` weeks to `as_of`: `week` (its
    Monday), `events` = Σ events, `days` = days with any activity. Weeks without
    activity have no row. Sorted by account, then week."""
    daily = warehouse.table("activity_daily")
    daily = daily.filter(daily.day.between(as_of - dt.timedelta(weeks=weeks), as_of))
    weekday = ibis.literal(1, "int32") << daily.day.day_of_week.index().cast("int32")
    weekly = daily.group_by("account_id", week=daily.day.truncate("W")).aggregate(
        events=daily.events.sum(), weekdays=_bit_or(weekday)
    )
    days = functools.reduce(operator.add, [(weekly.weekdays >> i) & 1 for i in range(7)])
    weekly = weekly.select("account_id", "week", "events", days=days.cast("int64"))
    return weekly.order_by("account_id", "week")
