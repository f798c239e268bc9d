"""Contact lifecycle per interval and stickiness, from `contact_daily`.

Lifecycle, per calendar interval t (day, ISO week from Monday, month) of a
range; a contact is *active* in t when it has a day with any event in t:

- new: active in t, and t contains its first-ever active day;
- returning: active in t and in t − 1;
- resurrecting: active in t, not in t − 1, not new;
- dormant: active in t − 1, not in t (reported as a negative count);
- pulse = (new + resurrecting) / |dormant| (null without dormant contacts).

Stickiness, per calendar interval (week or month): the distribution of the
contacts active in it by their number of distinct active days d:
contacts(d), share(d) = contacts(d) / active contacts, and
share_at_least(d) = share of active contacts with ≥ d active days ("3 times
a week" = share_at_least(3) of a week). DAU/MAU per month = mean over the
month's days of the daily active contacts / contacts active in the month.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from tenure.engine.kpis.calendar import add_months
from tenure.engine.usage_retention import Interval, interval_start

STICKY_INTERVALS = ("week", "month")


def _start_of(day: dt.date, interval: Interval) -> dt.date:
    if interval == "week":
        return day - dt.timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def _next(day: dt.date, interval: Interval) -> dt.date:
    if interval == "month":
        return add_months(day, 1)
    return day + dt.timedelta(days=7 if interval == "week" else 1)


def interval_calendar(start: dt.date, end: dt.date, interval: Interval) -> list[dt.date]:
    """First days of the calendar intervals overlapping [start, end]."""
    periods, day = [], _start_of(start, interval)
    while day <= end:
        periods.append(day)
        day = _next(day, interval)
    return periods


def _indexed(periods: list[dt.date]) -> ir.Table:
    return ibis.memtable(
        pa.table({"period": pa.array(periods, pa.date32()), "index": list(range(len(periods)))})
    )


def contact_lifecycle(
    contact_daily: ir.Table, *, start: dt.date, end: dt.date, interval: Interval = "week"
) -> ir.Table:
    """Lifecycle counts per interval overlapping [start, end] (see the module).

    Columns: ``period`` (date: the interval's first day), ``new``,
    ``returning``, ``resurrecting``, ``dormant`` (≤ 0), ``pulse``.
    """
    periods = interval_calendar(start, end, interval)
    before = _start_of(periods[0] - dt.timedelta(days=1), interval)
    calendar = _indexed([before, *periods])
    firsts = contact_daily.group_by(["account_id", "contact_id"]).aggregate(
        first_day=contact_daily.day.min()
    )
    rows = contact_daily.filter(contact_daily.day.between(before, _next(periods[-1], interval)))
    rows = rows.filter(rows.day < _next(periods[-1], interval))
    active = rows.select(
        "account_id", "contact_id", period=interval_start(rows.day, interval)
    ).distinct()
    active = active.join(calendar, "period").join(firsts, ["account_id", "contact_id"])
    window = ibis.window(group_by=["account_id", "contact_id"], order_by="index")
    active = active.mutate(
        previous=active["index"].lag().over(window), following=active["index"].lead().over(window)
    )
    is_new = interval_start(active.first_day, interval) == active.period
    status = ibis.cases(
        (is_new, "new"),
        (active.previous == active["index"] - 1, "returning"),
        else_="resurrecting",
    )
    present = active.select(active["index"], status=status)
    gone = active.filter(active.following.isnull() | (active.following > active["index"] + 1))
    gone = gone.select(index=gone["index"] + 1, status=ibis.literal("dormant"))
    both = present.union(gone)
    statuses = ("new", "returning", "resurrecting", "dormant")
    wide = both.group_by("index").aggregate(
        **{name: (both.status == name).ifelse(1, 0).sum() for name in statuses}
    )
    joined = calendar.filter(calendar["index"] > 0).left_join(wide, "index")
    out = joined.select(
        "period",
        **{
            name: joined[name].fill_null(0).cast("int64")
            for name in ("new", "returning", "resurrecting")
        },
        dormant=-joined.dormant.fill_null(0).cast("int64"),
    )
    pulse = (out.new + out.resurrecting).cast("float64") / (-out.dormant).cast("float64").nullif(
        0.0
    )
    return out.mutate(pulse=pulse).order_by("period")


def stickiness(
    contact_daily: ir.Table, *, start: dt.date, end: dt.date, interval: Interval = "week"
) -> ir.Table:
    """Active-day distribution per calendar interval overlapping [start, end] (see the module).

    Columns: ``period``, ``active_days`` (d ≥ 1), ``contacts``,
    ``active_contacts``, ``share``, ``share_at_least``.
    """
    if interval not in STICKY_INTERVALS:
        raise ValueError(f"stickiness interval must be week or month, not {interval!r}")
    periods = interval_calendar(start, end, interval)
    rows = contact_daily.filter(
        contact_daily.day >= periods[0], contact_daily.day < _next(periods[-1], interval)
    )
    rows = rows.mutate(period=interval_start(rows.day, interval))
    per_contact = rows.group_by(["period", "account_id", "contact_id"]).aggregate(
        active_days=rows.day.nunique()
    )
    dist = per_contact.group_by(["period", "active_days"]).aggregate(contacts=per_contact.count())
    total = ibis.window(group_by="period")
    at_least = ibis.cumulative_window(group_by="period", order_by=ibis.desc("active_days"))
    dist = dist.mutate(
        active_contacts=dist.contacts.sum().over(total),
        reaching=dist.contacts.sum().over(at_least),
    )
    dist = dist.mutate(
        share=dist.contacts.cast("float64") / dist.active_contacts.cast("float64"),
        share_at_least=dist.reaching.cast("float64") / dist.active_contacts.cast("float64"),
    )
    return dist.drop("reaching").order_by(["period", "active_days"])


def dau_mau(contact_daily: ir.Table, *, start: dt.date, end: dt.date) -> ir.Table:
    """DAU/MAU per calendar month overlapping [start, end].

    dau = Σ over the month's days of distinct active contacts / days in the
    month; mau = distinct contacts active in the month; ratio = dau / mau.
    Columns: ``period``, ``dau``, ``mau``, ``dau_mau``.
    """
    periods = interval_calendar(start, end, "month")
    days = {p: (_next(p, "month") - p).days for p in periods}
    calendar = ibis.memtable(
        pa.table({"period": pa.array(periods, pa.date32()), "days": list(days.values())})
    )
    rows = contact_daily.filter(
        contact_daily.day >= periods[0], contact_daily.day < _next(periods[-1], "month")
    )
    rows = rows.mutate(period=interval_start(rows.day, "month"))
    daily = rows.group_by(["period", "day"]).aggregate(active=rows.count())
    monthly_dau = daily.group_by("period").aggregate(active_days=daily.active.sum())
    mau = rows.select("period", "account_id", "contact_id").distinct()
    mau = mau.group_by("period").aggregate(mau=mau.count())
    joined = calendar.left_join(monthly_dau, "period").left_join(mau, "period")
    out = joined.select(
        calendar.period,
        dau=joined.active_days.fill_null(0).cast("float64") / joined.days.cast("float64"),
        mau=joined.mau.fill_null(0),
    )
    return out.mutate(dau_mau=out.dau / out.mau.cast("float64").nullif(0.0)).order_by("period")
