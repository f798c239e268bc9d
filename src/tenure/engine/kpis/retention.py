"""Revenue retention over a period, on the cohort of accounts paying at its start.

A period of w months ends with month m and starts at the end of month m − w
(w = 1: monthly; w = 12: trailing twelve months, T12M). Its cohort is the
accounts paying at the end of m − w; new logos of the period are excluded.
Each cohort account's MRR at the end of m (e ≥ 0) is compared with its MRR at
the start (s > 0), end to end: an account that leaves and comes back within
the period counts at its MRR at the end of m.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from tenure.engine.kpis.calendar import Months, month_calendar
from tenure.engine.kpis.mrr import month_end_mrr

TOTALS = (
    "accounts_at_start",
    "accounts_lost",
    "start_mrr",
    "expansion",
    "contraction",
    "churned_mrr",
    "end_mrr",
)


def revenue_retention(
    subscriptions: ir.Table, *, months: Months, window_months: int = 1
) -> ir.Table:
    """Revenue retention per period of `window_months` months ending in each month of `months`.

    For the period ending with month m (cohort: accounts paying at the end of
    m − w, with MRR s at the start and e at the end of m):

    - start_mrr = Σ s;  end_mrr = Σ e (the cohort's MRR at the end);
    - expansion = Σ (e − s) over accounts with e > s;
    - contraction = Σ (s − e) over accounts with 0 < e < s;
    - churned_mrr = Σ s over accounts with e = 0 (accounts_lost of them);
    - GRR = (start_mrr − contraction − churned_mrr) / start_mrr
      = Σ min(s, e) / Σ s, never above 100% (1.0);
    - NRR = (start_mrr + expansion − contraction − churned_mrr) / start_mrr
      = end_mrr / start_mrr;
    - logo_churn_rate = accounts_lost / accounts_at_start;
    - churn_on_renewal = churned_renewal_mrr / renewal_mrr, where renewal_mrr
      is the MRR of the subscriptions (mrr > 0) in force at the period's start
      whose ``ended_at`` falls in the period (from the start of month m − w + 1
      to the end of m), and churned_renewal_mrr the part of it whose account
      has no MRR at the end of the month in which the subscription ended.

    Rates are fractions (0.95 = 95%), null when their denominator is 0.
    `window_months` = 1 gives monthly figures, 12 the trailing twelve months
    (T12M: the cohort paying at the end of m − 12, compared with the end of m;
    rates over the year, not annualized).

    Columns: ``month`` (the period's last month), ``period_start`` (m − w,
    the month at whose end the cohort is taken), the Σ columns above
    (``accounts_at_start``, ``accounts_lost``, ``start_mrr``, ``expansion``,
    ``contraction``, ``churned_mrr``, ``end_mrr``, ``renewal_mrr``,
    ``churned_renewal_mrr``) and ``grr``, ``nrr``, ``logo_churn_rate``,
    ``churn_on_renewal``.
    """
    if window_months < 1:
        raise ValueError(f"window_months must be at least 1, not {window_months}")
    calendar = month_calendar(months, window=window_months)
    mrr = month_end_mrr(subscriptions, month_calendar(months, before=window_months))
    totals = cohort_totals(mrr, calendar)
    renewals = _renewal_totals(subscriptions, mrr, calendar)
    joined = calendar.left_join(totals, calendar.month == totals.month).left_join(
        renewals, calendar.month == renewals.month
    )
    sums = {name: totals[name].fill_null(0) for name in TOTALS}
    sums |= {name: renewals[name].fill_null(0.0) for name in ("renewal_mrr", "churned_renewal_mrr")}
    rows = joined.select(calendar.month, calendar.period_start, **sums)
    start = rows.start_mrr.nullif(0.0)
    # Cast before dividing: Ibis 12 on PostgreSQL can compile int / int to integer division.
    return rows.mutate(
        grr=(rows.start_mrr - rows.contraction - rows.churned_mrr) / start,
        nrr=(rows.start_mrr + rows.expansion - rows.contraction - rows.churned_mrr) / start,
        logo_churn_rate=rows.accounts_lost.cast("float64") / rows.accounts_at_start.nullif(0),
        churn_on_renewal=rows.churned_renewal_mrr / rows.renewal_mrr.nullif(0.0),
    ).order_by("month")


def cohort_totals(mrr: ir.Table, calendar: ir.Table) -> ir.Table:
    """Per period (a `month_calendar` row), the cohort's Σ columns of `revenue_retention`.

    `mrr` is `month_end_mrr` over the calendar's months and period starts.
    Periods whose cohort is empty get no row.
    """
    start = mrr.join(calendar, mrr.month == calendar.period_start).select(
        mrr.account_id, calendar.month, start_mrr=mrr.mrr
    )
    end = mrr.view()
    pairs = start.left_join(
        end, (start.account_id == end.account_id) & (start.month == end.month)
    ).select(start.account_id, start.month, start.start_mrr, end_mrr=end.mrr.fill_null(0.0))
    s, e = pairs.start_mrr, pairs.end_mrr
    lost = e <= 0
    return pairs.group_by("month").aggregate(
        accounts_at_start=pairs.account_id.count(),
        accounts_lost=ibis.ifelse(lost, 1, 0).sum(),
        start_mrr=s.sum(),
        expansion=ibis.ifelse(e > s, e - s, 0.0).sum(),
        contraction=ibis.ifelse(~lost & (e < s), s - e, 0.0).sum(),
        churned_mrr=ibis.ifelse(lost, s, 0.0).sum(),
        end_mrr=e.sum(),
    )


def _renewal_totals(subscriptions: ir.Table, mrr: ir.Table, calendar: ir.Table) -> ir.Table:
    """Per period: renewal_mrr and churned_renewal_mrr (see `revenue_retention`)."""
    subs = subscriptions.filter((subscriptions.mrr > 0) & subscriptions.ended_at.notnull())
    subs = subs.mutate(ended_month=subs.ended_at.truncate("M").date())
    due = (
        (subs.started_at < calendar.period_boundary)
        & (subs.ended_at >= calendar.period_boundary)
        & (subs.ended_at < calendar.boundary)
    )
    ending = subs.join(calendar, due).select(
        subs.account_id,
        calendar.month,
        subs.ended_month,
        renewal_mrr=subs.mrr,
    )
    after = mrr.view()
    outcome = ending.left_join(
        after, (ending.account_id == after.account_id) & (ending.ended_month == after.month)
    ).select(ending.month, ending.renewal_mrr, churned=after.mrr.isnull())
    return outcome.group_by("month").aggregate(
        renewal_mrr=outcome.renewal_mrr.sum(),
        churned_renewal_mrr=ibis.ifelse(outcome.churned, outcome.renewal_mrr, 0.0).sum(),
    )
