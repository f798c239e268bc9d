"""Churn by dimension over a period, and churn reasons over time (Ibis aggregations).

Churn rates. The period is [start, end] (days, inclusive). The accounts *at
risk* are the customers at its start: created before `start` (or without a
creation time) and not churned before it (``churned_at`` null or ≥ start).
An account at risk *churned* when its ``churned_at`` falls in the period.
Per group g of a dimension:

    churn_rate(g) = churned(g) / at_risk(g)

Dimensions (`DIMENSIONS`): account columns (`industry`, `owner`/`csm`,
`sales_rep`, `plan`, `region`), any `traits` key (e.g. `segment`), and
derived ones: `size` (employees: 1–49, 50–199, 200–999, 1000+),
`tenure` (months from ``created_at`` to the period's start: 0–5, 6–11,
12–23, 24+), `renewals` (renewals before the start, as in
`rules.subscription_moves`: 0, 1, 2, 3+) and `product` (products of the
subscriptions in force at the start; an account with two products counts in
both groups, so their sizes can add up to more than the accounts).

Churn reasons. ``churn_reasons`` holds ``;``-separated codes: the first is
the primary reason, the others are secondary. Per month of ``churned_at``
and reason: accounts and MRR lost, where an account's MRR lost is its MRR at
the end of the month before it churned (`kpis.mrr`). Each churned account
counts once under its primary reason; under secondary reasons it counts once
per secondary code, so secondary totals can exceed the churned accounts.
Accounts without a reason count under ``(none)`` as primary.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from tenure.engine.cohorts import NO_VALUE, account_attribute, month_index
from tenure.engine.kpis.calendar import Months, add_months, month_calendar, month_start
from tenure.engine.kpis.mrr import month_end_mrr
from tenure.engine.rules import subscription_moves

DERIVED = ("size", "tenure", "renewals", "product")
DIMENSIONS = ("industry", "size", "owner", "sales_rep", "plan", "product", "tenure", "renewals")
SIZE_BUCKETS = ((1000, "1000+"), (200, "200-999"), (50, "50-199"), (0, "1-49"))
TENURE_BUCKETS = ((24, "24+ months"), (12, "12-23 months"), (6, "6-11 months"), (0, "0-5 months"))


def _day(value: dt.date) -> ir.TimestampValue:
    return ibis.literal(dt.datetime.combine(value, dt.time()))


def at_risk_accounts(accounts: ir.Table, *, start: dt.date, end: dt.date) -> ir.Table:
    """The accounts at risk at `start` with ``churned`` (bool: churned in [start, end])."""
    if end < start:
        raise ValueError(f"empty period: {start} is after {end}")
    begin, after = _day(start), _day(end + dt.timedelta(days=1))
    risk = accounts.filter(
        accounts.created_at.isnull() | (accounts.created_at < begin),
        accounts.churned_at.isnull() | (accounts.churned_at >= begin),
    )
    return risk.mutate(churned=(risk.churned_at.notnull() & (risk.churned_at < after)))


def _buckets(value: ir.NumericValue, buckets: tuple[tuple[int, str], ...]) -> ir.StringValue:
    cases = [(value >= low, label) for low, label in buckets]
    return ibis.cases(*cases, else_=NO_VALUE)


def _grouped(risk: ir.Table, subscriptions: ir.Table, dimension: str, start: dt.date) -> ir.Table:
    """account_id, churned, group for one dimension."""
    base = risk.select("account_id", "churned")
    if dimension == "size":
        return risk.select("account_id", "churned", group=_buckets(risk.employees, SIZE_BUCKETS))
    if dimension == "tenure":
        months = month_index(ibis.literal(start)) - month_index(risk.created_at.date())
        months = months - ibis.ifelse(risk.created_at.day() > start.day, 1, 0)
        return risk.select("account_id", "churned", group=_buckets(months, TENURE_BUCKETS))
    if dimension == "renewals":
        moves = subscription_moves(subscriptions)
        moves = moves.filter(moves.renewal, moves.day < start)
        counts = moves.group_by("account_id").aggregate(renewals=moves.count())
        joined = base.left_join(counts, "account_id")
        n = joined.renewals.fill_null(0)
        label = ibis.ifelse(n >= 3, "3+", n.cast("string"))
        return joined.select(base.account_id, base.churned, group=label)
    if dimension == "product":
        subs = subscriptions
        subs = subs.filter(
            subs.started_at < _day(start), subs.ended_at.isnull() | (subs.ended_at >= _day(start))
        )
        products = subs.select("account_id", group=subs["product"].fill_null(NO_VALUE)).distinct()
        joined = base.left_join(products, "account_id")
        return joined.select(base.account_id, base.churned, group=joined.group.fill_null(NO_VALUE))
    return risk.select("account_id", "churned", group=account_attribute(risk, dimension))


def churn_by(
    accounts: ir.Table,
    subscriptions: ir.Table,
    *,
    dimension: str,
    start: dt.date,
    end: dt.date,
) -> ir.Table:
    """Churn per group of `dimension` over [start, end] (see the module).

    Columns: ``group``, ``at_risk``, ``churned``, ``churn_rate``.
    """
    risk = at_risk_accounts(accounts, start=start, end=end)
    rows = _grouped(risk, subscriptions, dimension, start)
    counts = rows.group_by("group").aggregate(
        at_risk=rows.count(), churned=rows.churned.ifelse(1, 0).sum()
    )
    return counts.mutate(
        churn_rate=counts.churned.cast("float64") / counts.at_risk.cast("float64")
    ).order_by("group")


def churn_reasons(accounts: ir.Table, subscriptions: ir.Table, *, months: Months) -> ir.Table:
    """Churned accounts and MRR lost per month, reason and role (primary / secondary).

    Columns: ``month`` (date), ``reason``, ``role``, ``accounts``, ``mrr_lost``.
    """
    first = month_start(months[0])
    after = add_months(month_start(months[1]), 1)
    churned = accounts.filter(accounts.churned_at >= _day(first), accounts.churned_at < _day(after))
    churned = churned.mutate(month=churned.churned_at.truncate("M").date())
    before = month_end_mrr(subscriptions, month_calendar(months, before=1))
    lost = churned.left_join(
        before,
        [
            churned.account_id == before.account_id,
            month_index(churned.month) == month_index(before.month) + 1,
        ],
    ).select(
        churned.account_id, churned.month, churned.churn_reasons, mrr=before.mrr.fill_null(0.0)
    )
    text = lost.churn_reasons.fill_null("")
    text = ibis.ifelse(text.replace(";", "").strip() == "", NO_VALUE, text)
    exploded = lost.mutate(codes=text.split(";")).unnest("codes", offset="position")
    exploded = exploded.mutate(reason=exploded.codes.strip().lower())
    exploded = exploded.filter(exploded.reason != "")
    # Ranks count the codes left after dropping empty ones: "; price" has primary price.
    order = ibis.window(group_by=["account_id", "month"], order_by="position")
    exploded = exploded.mutate(rank=ibis.row_number().over(order))
    rows = exploded.select(
        "account_id",
        "month",
        "mrr",
        reason=exploded.reason,
        role=ibis.ifelse(exploded["rank"] == 0, "primary", "secondary"),
    )
    rows = rows.distinct()
    counts = rows.group_by(["month", "reason", "role"]).aggregate(
        accounts=rows.count(), mrr_lost=rows.mrr.sum()
    )
    return counts.order_by(["month", "role", ibis.desc("accounts"), "reason"])
