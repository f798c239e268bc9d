"""Behavioural (RFM) segments over active days: purchases or product usage.

The input is a table of active days: one row per unit (``account_id``) and
``day`` with activity, and the day's ``value`` (events, or money spent). Only
days on or before the as-of day count. Per unit:

- periods = active days ever (F), last_day (R), total value (M);
- R and F scores 1–5: ⌈5 × cume_dist⌉ of last_day and of periods over all units
  (ties share the higher score);
- recent rate = Σ value over the last `recent_days` / `recent_days`; earlier
  rate = Σ value before that / the days from the first active day to then;
- season share = max over windows of `season_months` consecutive calendar
  months of the window's share of the value of the last 365 days, or, for
  units active ≥ 730 days, the smaller of that share in each of the last two
  365-day years (the same season must recur); units active < 365 days: NULL.

The segment is the first that applies, in this order: ``one_time`` (1 period),
``two_time`` (2), ``seasonal`` (season share ≥ `seasonal_share`; before
inactive, as a seasonal unit rests off season), ``inactive`` (no activity in
the last `inactive_days`), ``underperformer`` (earlier
history ≥ `min_history_days` and recent rate < `underperformer_ratio` × earlier
rate), ``loyalist`` (R and F scores ≥ `loyal_score`), else ``regular``.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from tenure.definitions import Behaviour

SEGMENTS = (
    "loyalist",
    "regular",
    "seasonal",
    "underperformer",
    "two_time",
    "one_time",
    "inactive",
)  # best first: the order migration calls an upgrade or a downgrade


def usage_days(activity_daily: ir.Table) -> ir.Table:
    """Active days from the `activity_daily` rollup: ``account_id``, ``day``, ``value`` = events."""
    return activity_daily.group_by(["account_id", "day"]).aggregate(
        value=activity_daily.events.sum().cast("float64")
    )


def _score(column: ir.Column) -> ir.IntegerValue:
    return (ibis.cume_dist().over(order_by=column) * 5).ceil().cast("int64")


def behaviour_scores(days: ir.Table, *, as_of: dt.date, rules: Behaviour) -> ir.Table:
    """Per unit: ``periods``, ``first_day``, ``last_day``, ``total``, ``recent_rate``,
    ``earlier_rate``, ``earlier_days``, ``season_share``, ``r_score``, ``f_score``."""
    rows = days.filter(days.day <= as_of)
    day = rows.day
    recent_start = as_of - dt.timedelta(days=rules.recent_days - 1)
    year_start = as_of - dt.timedelta(days=364)
    before_start = as_of - dt.timedelta(days=729)
    years = {"y0": day >= year_start, "y1": (day >= before_start) & (day < year_start)}
    months = {
        f"{y}m{m}": rows.value.sum(where=in_y & (day.month() == m)).fill_null(0.0)
        for y, in_y in years.items()
        for m in range(1, 13)
    }
    per = rows.group_by("account_id").aggregate(
        periods=rows.count(),
        first_day=day.min(),
        last_day=day.max(),
        total=rows.value.sum(),
        recent=rows.value.sum(where=day >= recent_start).fill_null(0.0),
        earlier=rows.value.sum(where=day < recent_start).fill_null(0.0),
        **months,
        **{y: rows.value.sum(where=in_y).fill_null(0.0) for y, in_y in years.items()},
    )
    k = rules.season_months

    def share(year: str, start: int) -> ir.FloatingValue:
        cols = [per[f"{year}m{(start + j) % 12 + 1}"] for j in range(k)]
        return (sum(cols[1:], cols[0]) / per[year].nullif(0)).fill_null(0.0)

    two_years = per.first_day <= before_start
    season = ibis.greatest(
        *[
            ibis.ifelse(two_years, ibis.least(share("y0", s), share("y1", s)), share("y0", s))
            for s in range(12)
        ]
    )
    earlier_days = (ibis.literal(recent_start) - per.first_day).cast("int64")
    return per.select(
        "account_id",
        "periods",
        "first_day",
        "last_day",
        "total",
        recent_rate=per.recent / rules.recent_days,
        earlier_rate=per.earlier / earlier_days.nullif(0).cast("float64"),
        earlier_days=earlier_days.clip(lower=0),
        season_share=ibis.ifelse(per.first_day <= year_start, season, ibis.null("float64")),
        r_score=_score(per.last_day),
        f_score=_score(per.periods),
    )


def behaviour_segments(days: ir.Table, *, as_of: dt.date, rules: Behaviour) -> ir.Table:
    """Each unit's behavioural segment on `as_of` (see the module docstring).

    Columns: those of `behaviour_scores` and ``segment``.
    """
    s = behaviour_scores(days, as_of=as_of, rules=rules)
    inactive_since = as_of - dt.timedelta(days=rules.inactive_days - 1)
    underperforming = (s.earlier_days >= rules.min_history_days) & (
        s.recent_rate < s.earlier_rate * rules.underperformer_ratio
    )
    segment = ibis.cases(
        (s.periods == 1, "one_time"),
        (s.periods == 2, "two_time"),
        (s.season_share >= rules.seasonal_share, "seasonal"),
        (s.last_day < inactive_since, "inactive"),
        (underperforming, "underperformer"),
        ((s.r_score >= rules.loyal_score) & (s.f_score >= rules.loyal_score), "loyalist"),
        else_="regular",
    )
    return s.mutate(segment=segment)
