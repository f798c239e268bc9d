"""Subscriptions: the contract lines that revenue movements are later derived from.

One row per term. Annual contracts get a new row at each renewal; any plan or
seat change ends the current row and starts another; churn cancels the open
row. Monthly plans are open-ended rows (no `ended_at`) until they change or
churn. Some accounts also hold an add-on product on its own monthly row.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from tenure.sources.synthetic import catalog
from tenure.sources.synthetic.lifecycle import ADDON_CANCEL, ADDON_START, Lifecycle
from tenure.sources.synthetic.population import Population
from tenure.sources.synthetic.tables import fact_table, fixed_width_ids, lookup, timestamps
from tenure.sources.synthetic.timeline import Timeline, add_months, date_us

CHANGES = ("new", "renewal", "upgrade", "seat_expansion", "downgrade", "seat_reduction")
STATUSES = ("active", "ended", "canceled")
_NONE = -1
# One subscription row: account, product (0 main, 1 add-on), plan, mrr, start, end, annual,
# status, change.
Row = tuple[int, int, int, float, int, int, bool, int, int]


def anniversary_us(created_us: int, months_after: int) -> int:
    """Midnight of the account's renewal day `months_after` months after its creation."""
    created = dt.date(1970, 1, 1) + dt.timedelta(microseconds=created_us)
    first = add_months(created, months_after)
    last_day = (add_months(first, 1) - dt.timedelta(days=1)).day
    return date_us(first.replace(day=min(created.day, last_day)))


def _term_end_us(created_us: int, created_month: int, start_us: int, tl: Timeline) -> int:
    """End of the annual term running at `start_us`: the next anniversary after it."""
    start_month = int(np.datetime64(start_us, "us").astype("datetime64[M]").astype(np.int64))
    months = start_month - int(np.datetime64(tl.first_month, "M").astype(np.int64))
    k = (months - created_month) // 12 + 1
    end = anniversary_us(created_us, 12 * k)
    return end if end > start_us else anniversary_us(created_us, 12 * (k + 1))


def _main_rows(a: int, pop: Population, life: Lifecycle, tl: Timeline) -> list[Row]:
    """Rows of the main product of account `a`, walking its months."""
    annual, cm, created = bool(pop.annual[a]), int(pop.created_month[a]), int(pop.created_us[a])
    start, change = created, 0
    if annual and cm < 0:
        start = anniversary_us(created, 12 * ((-1 - cm) // 12))
        change = 0 if start == created else 1
    plan, mrr, rows = int(pop.plan[a]), float(pop.mrr[a]), []
    for t in np.flatnonzero(life.alive[a]).tolist():
        if life.churned[a, t]:
            rows.append((a, 0, plan, mrr, start, int(life.churn_us[a]), annual, 2, change))
            return rows
        kind = int(life.main_change[a, t])
        if life.renewal[a, t] or kind:
            at = int(life.change_us[a, t])
            rows.append((a, 0, plan, mrr, start, at, annual, 1, change))
            start, change = at, kind + 1 if kind else 1
            plan, mrr = int(life.plan[a, t]), float(life.mrr[a, t])
    end = _term_end_us(created, cm, start, tl) if annual else _NONE
    rows.append((a, 0, plan, mrr, start, end, annual, 0, change))
    return rows


def _addon_rows(a: int, life: Lifecycle) -> list[Row]:
    """Rows of the add-on product of account `a` (monthly, open-ended)."""
    rows: list[Row] = []
    since, mrr = int(life.addon_since_us[a]), float(life.initial_addon_mrr[a])
    for t in np.flatnonzero(life.alive[a]).tolist():
        change = int(life.addon_change[a, t])
        if change == ADDON_START:
            since, mrr = int(life.addon_us[a, t]), float(life.addon_mrr[a, t])
        elif since >= 0 and (change == ADDON_CANCEL or life.churned[a, t]):
            end = int(life.churn_us[a]) if life.churned[a, t] else int(life.addon_us[a, t])
            rows.append((a, 1, 0, mrr, since, end, False, 2, 0))
            since = _NONE
    if since >= 0:
        rows.append((a, 1, 0, mrr, since, _NONE, False, 0, 0))
    return rows


def subscription_table(
    pop: Population, life: Lifecycle, account_ids: pa.Array, tl: Timeline
) -> pa.Table:
    """The `subscriptions` fact table, ordered by account then start."""
    rows: list[Row] = []
    for a in range(pop.size):
        rows += sorted(_main_rows(a, pop, life, tl) + _addon_rows(a, life), key=lambda r: r[4])
    cols = [np.array(c) for c in zip(*rows, strict=True)]
    account, product, plan, mrr, start, end, annual, status, change = cols
    n = account.size
    props = [f'{{"change":"{c}"}}' for c in CHANGES]
    return fact_table("subscriptions", {
        "subscription_id": fixed_width_ids("sub_", np.arange(n), 7),
        "account_id": account_ids.take(pa.array(account)),
        "product": lookup([catalog.MAIN_PRODUCT, catalog.ADDON_PRODUCT], product),
        "plan": lookup([*catalog.PLANS, "analytics"], np.where(product == 1, 4, plan)),
        "mrr": pa.array(mrr.astype(np.float64)),
        "currency": pa.array(["USD"] * n, pa.string()),
        "started_at": timestamps(start),
        "ended_at": timestamps(np.maximum(end, 0), null=end == _NONE),
        "billing_period": lookup(["monthly", "annual"], annual.astype(np.int64)),
        "status": lookup(STATUSES, status),
        "properties": lookup(props, change),
    })  # fmt: skip
