"""Account cohorts: logo and revenue (MRR) retention by start month, as a triangle.

An account's *start month* (its cohort) is its first paid month
(`kpis.first_paid_month`: the first month at whose end it had MRR > 0).
Months since start k = 0, 1, … count calendar months from the cohort month.
For cohort c and k, over the accounts of c (optionally split by an account
attribute):

- cohort_accounts = |c|; accounts = those paying (MRR > 0) at the end of c + k;
- logo_retention = accounts / cohort_accounts;
- cohort_mrr = Σ MRR at the end of c (k = 0); mrr = Σ MRR at the end of
  c + k over the cohort (expansion included, so it can pass 100%);
- revenue_retention = mrr / cohort_mrr.

Revenue is measured at month ends as in `kpis.mrr`. An account that leaves
and comes back counts again in the months it pays. A cell exists only for
months that have ended by the last month asked for (c + k ≤ last month).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from tenure.engine.kpis.calendar import Months, month_calendar, month_list, month_start
from tenure.engine.kpis.mrr import first_paid_month, month_end_mrr
from tenure.engine.rollups import json_text

NO_VALUE = "(none)"
# Friendly names for account columns.
ATTRIBUTE_ALIASES = {"csm": "owner"}


def account_attribute(accounts: ir.Table, name: str) -> ir.StringValue:
    """An account attribute as text: a column of `accounts`, else a key of its `traits` JSON.

    `csm` names the `owner` column. Missing values read as ``(none)``.
    """
    column = ATTRIBUTE_ALIASES.get(name, name)
    if column in accounts.columns and column != "traits":
        value = accounts[column].cast("string")
    else:
        value = json_text(accounts, "traits", column)
    return value.fill_null(NO_VALUE)


def month_index(month: ir.DateValue) -> ir.IntegerValue:
    """Months since year 0: consecutive months differ by one."""
    return month.year() * 12 + month.month() - 1


def account_retention(
    subscriptions: ir.Table,
    *,
    months: Months,
    accounts: ir.Table | None = None,
    by: str | None = None,
) -> ir.Table:
    """Logo and revenue retention of the start-month cohorts in `months` (see the module).

    Cohorts are the accounts whose first paid month falls in `months`; they
    are followed to the end of the last month of `months`. With `by`, each
    cohort is split by that account attribute (`account_attribute`; needs
    `accounts`) and the rows carry it as ``group``.

    Columns: [``group``,] ``cohort`` (date, first day of the start month),
    ``months_since_start``, ``cohort_accounts``, ``accounts``,
    ``logo_retention``, ``cohort_mrr``, ``mrr``, ``revenue_retention``. Every
    cell of the triangle has a row (0 accounts when none is left).
    """
    if by is not None and accounts is None:
        raise ValueError("splitting cohorts by an attribute needs the accounts table")
    first, last = month_start(months[0]), month_start(months[1])
    mrr = month_end_mrr(subscriptions, month_calendar(months))
    firsts = first_paid_month(subscriptions)
    firsts = firsts.filter(firsts.first_paid_month.between(first, last))
    keys = ["cohort"]
    if by is not None and accounts is not None:
        firsts = firsts.join(accounts, "account_id").select(
            firsts.account_id, firsts.first_paid_month, group=account_attribute(accounts, by)
        )
        keys = ["group", "cohort"]
    rows = mrr.join(firsts, "account_id")
    rows = rows.mutate(
        cohort=rows.first_paid_month,
        months_since_start=month_index(rows.month) - month_index(rows.first_paid_month),
    )
    rows = rows.filter(rows.months_since_start >= 0)
    cells = rows.group_by([*keys, "months_since_start"]).aggregate(
        accounts=rows.count(), mrr=rows.mrr.sum()
    )
    starts = cells.filter(cells.months_since_start == 0).select(
        *keys, cohort_accounts=cells.accounts, cohort_mrr=cells.mrr
    )
    ages = ibis.memtable({"age": list(range(len(month_list(months))))})
    last_index = last.year * 12 + last.month - 1
    grid = starts.cross_join(ages)
    grid = grid.filter(grid.age <= last_index - month_index(grid.cohort))
    joined = grid.left_join(
        cells,
        [*(grid[k] == cells[k] for k in keys), grid.age == cells.months_since_start],
    )
    out = joined.select(
        *(grid[k] for k in keys),
        months_since_start=grid.age,
        cohort_accounts=grid.cohort_accounts,
        accounts=cells.accounts.fill_null(0),
        cohort_mrr=grid.cohort_mrr,
        mrr=cells.mrr.fill_null(0.0),
    )
    out = out.mutate(
        logo_retention=out.accounts.cast("float64") / out.cohort_accounts.cast("float64"),
        revenue_retention=out.mrr / out.cohort_mrr.nullif(0.0),
    )
    columns = [*keys, "months_since_start", "cohort_accounts", "accounts", "logo_retention"]
    return out.select(*columns, "cohort_mrr", "mrr", "revenue_retention").order_by(
        [*keys, "months_since_start"]
    )
