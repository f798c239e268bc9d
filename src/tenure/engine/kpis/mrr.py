"""MRR per account per month, and the revenue movements between months.

Revenue is measured at each month's end (see `calendar`): a subscription
contributes its ``mrr`` to month m when it is in force at the end of m,

    started_at < start of month m+1  and  (ended_at is null or ended_at >= start of month m+1)

and an account's MRR in month m is the sum over its subscriptions in force
then. An account is *paying* in month m when that sum is above 0. Movements are
derived from consecutive months (the classic MRR bridge), never typed in.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from tenure.engine.kpis.calendar import Months, month_calendar

MOVEMENTS = ("new", "expansion", "contraction", "churn", "reactivation")


def account_mrr(subscriptions: ir.Table, *, months: Months) -> ir.Table:
    """MRR per paying account at the end of each month in `months`.

    MRR(a, m) = Σ mrr of account a's subscriptions in force at the end of m
    (``started_at`` < start of m+1 ≤ ``ended_at``, or no ``ended_at``).
    Only paying accounts (MRR(a, m) > 0) get a row.

    Columns: ``account_id``, ``month`` (date, the month's first day), ``mrr``.
    """
    return month_end_mrr(subscriptions, month_calendar(months))


def month_end_mrr(subscriptions: ir.Table, calendar: ir.Table) -> ir.Table:
    """`account_mrr` over the months of a `month_calendar` table."""
    subs = subscriptions.filter(subscriptions.mrr > 0)
    in_force = (subs.started_at < calendar.boundary) & (
        subs.ended_at.isnull() | (subs.ended_at >= calendar.boundary)
    )
    rows = subs.join(calendar, in_force).select(subs.account_id, calendar.month, subs.mrr)
    return rows.group_by(["account_id", "month"]).aggregate(mrr=rows.mrr.sum())


def first_paid_month(subscriptions: ir.Table) -> ir.Table:
    """The first month at whose end each account paid, over its whole history.

    A subscription with mrr > 0 is first in force at the end of the month it
    starts in, unless it ends within that same month (then it never is):
    first_paid_month(a) = min over such subscriptions of month(started_at),
    where month(t) is the first day of t's month.

    Columns: ``account_id``, ``first_paid_month`` (date).
    """
    subs = subscriptions.filter(subscriptions.mrr > 0)
    subs = subs.mutate(
        start_month=subs.started_at.truncate("M"), end_month=subs.ended_at.truncate("M")
    )
    reaching = subs.filter(subs.end_month.isnull() | (subs.end_month > subs.start_month))
    return reaching.group_by("account_id").aggregate(
        first_paid_month=reaching.start_month.min().date()
    )


def mrr_movements(subscriptions: ir.Table, *, months: Months) -> ir.Table:
    """Revenue movements per account and month in `months` (the MRR bridge).

    With p = MRR(a, m−1) and c = MRR(a, m), each account paying in m or m−1
    gets one row whose ``movement`` is

    - ``new``: p = 0 < c and m is the account's first paid month ever;
    - ``reactivation``: p = 0 < c and the account paid at an earlier month end;
    - ``churn``: p > 0 = c;
    - ``expansion`` / ``contraction``: p > 0, c > 0 and c > p / c < p;
    - ``flat``: p = c > 0.

    Columns: ``account_id``, ``month``, ``previous_mrr`` (p), ``mrr`` (c),
    ``movement``, and one amount per movement, each ≥ 0 and 0 unless it is the
    row's movement: ``new`` = c, ``expansion`` = c − p, ``contraction`` = p − c,
    ``churn`` = p, ``reactivation`` = c. Hence c − p = new + expansion +
    reactivation − contraction − churn.
    """
    pairs = _consecutive_mrr(subscriptions, months)
    firsts = first_paid_month(subscriptions)
    rows = pairs.left_join(firsts, pairs.account_id == firsts.account_id).select(
        pairs.account_id, pairs.month, pairs.previous_mrr, pairs.mrr, firsts.first_paid_month
    )
    p, c = rows.previous_mrr, rows.mrr
    movement = (
        ibis.cases(
            ((p <= 0) & (rows.first_paid_month >= rows.month), "new"),
            (p <= 0, "reactivation"),
            (c <= 0, "churn"),
            (c > p, "expansion"),
            (c < p, "contraction"),
            else_="flat",
        )
    ).name("movement")
    amounts = {
        "new": c,
        "expansion": c - p,
        "contraction": p - c,
        "churn": p,
        "reactivation": c,
    }
    return rows.select(
        "account_id",
        "month",
        "previous_mrr",
        "mrr",
        movement,
        **{name: ibis.ifelse(movement == name, value, 0.0) for name, value in amounts.items()},
    )


def _consecutive_mrr(subscriptions: ir.Table, months: Months) -> ir.Table:
    """account_id, month, previous_mrr, mrr for accounts paying in m or m−1 (0 when not)."""
    mrr = month_end_mrr(subscriptions, month_calendar(months, before=1))
    calendar = month_calendar(months, window=1)
    now = mrr.join(calendar, mrr.month == calendar.month).select(
        mrr.account_id, calendar.month, previous_mrr=ibis.literal(0.0), mrr=mrr.mrr
    )
    before = mrr.join(calendar, mrr.month == calendar.period_start).select(
        mrr.account_id, calendar.month, previous_mrr=mrr.mrr, mrr=ibis.literal(0.0)
    )
    both = now.union(before)
    return both.group_by(["account_id", "month"]).aggregate(
        previous_mrr=both.previous_mrr.sum(), mrr=both.mrr.sum()
    )


def mrr_bridge(subscriptions: ir.Table, *, months: Months) -> ir.Table:
    """The portfolio's MRR bridge: one row per month in `months`.

    opening_mrr (Σ MRR at the end of m−1) + new + expansion + reactivation
    − contraction − churn = closing_mrr (Σ MRR at the end of m), each movement
    summed over accounts as in `mrr_movements`.

    Columns: ``month``, ``opening_mrr``, ``new``, ``expansion``,
    ``contraction``, ``churn``, ``reactivation``, ``closing_mrr``.
    """
    rows = mrr_movements(subscriptions, months=months)
    sums = rows.group_by("month").aggregate(
        opening_mrr=rows.previous_mrr.sum(),
        **{name: rows[name].sum() for name in MOVEMENTS},
        closing_mrr=rows.mrr.sum(),
    )
    calendar = month_calendar(months)
    joined = calendar.left_join(sums, calendar.month == sums.month)
    columns = ("opening_mrr", *MOVEMENTS, "closing_mrr")
    return joined.select(
        calendar.month, **{name: sums[name].fill_null(0.0) for name in columns}
    ).order_by("month")
