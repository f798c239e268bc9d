"""Subscription customer lifetime value, the simple formula.

CLV = ARPA × gross margin / monthly logo churn rate: the margin an average
paying account brings per month times its expected lifetime in months
(1 / churn rate, for a constant churn rate).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from tenure.engine.kpis.calendar import Months, add_months, month_calendar, month_start
from tenure.engine.kpis.mrr import month_end_mrr
from tenure.engine.kpis.retention import cohort_totals

DEFAULT_CHURN_MONTHS = 12


def subscription_clv(
    subscriptions: ir.Table,
    *,
    months: Months,
    gross_margin: float,
    churn_months: int = DEFAULT_CHURN_MONTHS,
) -> ir.Table:
    """Simple subscription CLV as of the end of each month in `months`.

    For month m:

    - mrr = Σ MRR at the end of m; paying_accounts = accounts with MRR > 0;
    - arpa = mrr / paying_accounts;
    - monthly_logo_churn_rate = the mean of the monthly logo churn rates
      (accounts lost in month k / accounts paying at the end of k − 1, as in
      `revenue_retention`) over the `churn_months` months k = m − churn_months
      + 1 … m; months without paying accounts at their start are left out;
    - clv = arpa × gross_margin / monthly_logo_churn_rate; null when the
      rate is 0 or unknown.

    `gross_margin` is a fraction in [0, 1] (0.8 = 80%).

    Columns: ``month``, ``mrr``, ``paying_accounts``,
    ``monthly_logo_churn_rate``, ``arpa``, ``clv``.
    """
    if not 0 <= gross_margin <= 1:
        raise ValueError(f"gross_margin must be a fraction in [0, 1], not {gross_margin}")
    if churn_months < 1:
        raise ValueError(f"churn_months must be at least 1, not {churn_months}")
    calendar = month_calendar(months)
    rates = _mean_logo_churn(subscriptions, months, churn_months)
    paying = _paying(subscriptions, calendar)
    rows = (
        calendar.left_join(paying, calendar.month == paying.month)
        .left_join(rates, calendar.month == rates.month)
        .select(
            calendar.month,
            mrr=paying.mrr.fill_null(0.0),
            paying_accounts=paying.paying_accounts.fill_null(0),
            monthly_logo_churn_rate=rates.monthly_logo_churn_rate,
        )
    )
    rows = rows.mutate(arpa=rows.mrr / rows.paying_accounts.nullif(0))
    # gross_margin multiplies a float64 column: alone, a float literal is NUMERIC on PostgreSQL.
    return rows.mutate(
        clv=rows.arpa * float(gross_margin) / rows.monthly_logo_churn_rate.nullif(0.0)
    ).order_by("month")


def _paying(subscriptions: ir.Table, calendar: ir.Table) -> ir.Table:
    mrr = month_end_mrr(subscriptions, calendar)
    return mrr.group_by("month").aggregate(
        mrr=mrr.mrr.sum(), paying_accounts=mrr.account_id.count()
    )


def _mean_logo_churn(subscriptions: ir.Table, months: Months, churn_months: int) -> ir.Table:
    """month, monthly_logo_churn_rate: the trailing mean of monthly logo churn rates."""
    first = month_start(months[0])
    extended = (add_months(first, 1 - churn_months), months[1])
    calendar = month_calendar(extended, window=1)
    mrr = month_end_mrr(subscriptions, month_calendar(extended, before=1))
    totals = cohort_totals(mrr, calendar)
    monthly = calendar.left_join(totals, calendar.month == totals.month).select(
        calendar.month,
        rate=totals.accounts_lost.cast("float64") / totals.accounts_at_start.nullif(0),
    )
    trailing = ibis.window(order_by=monthly.month, preceding=churn_months - 1, following=0)
    rates = monthly.mutate(monthly_logo_churn_rate=monthly.rate.mean().over(trailing))
    return rates.filter(rates.month >= first).select("month", "monthly_logo_churn_rate")
