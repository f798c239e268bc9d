"""Account lifetimes for survival analysis: when each account started and ended."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from tenure.engine.rollups import json_text

DEFAULT_ATTRIBUTES = ("industry", "employees", "region", "owner", "plan", "segment")


def account_lifetimes(
    accounts: ir.Table,
    subscriptions: ir.Table,
    *,
    as_of: dt.date,
    attributes: Sequence[str] = DEFAULT_ATTRIBUTES,
    observed_from: dt.date | None = None,
) -> ir.Table:
    """One row per account that started on or before ``as_of``.

    - ``started_on`` = the day of ``created_at``, else of the first
      subscription's ``started_at``;
    - ``churned`` = ``churned_at`` is on or before ``as_of``;
    - ``ended_on`` = the churn day when churned, else ``as_of`` (censored);
    - ``entered_on`` = the later of ``started_on`` and ``observed_from``: the
      first day the data could have seen the account churn (accounts that
      churned before ``observed_from`` are left out). Without
      ``observed_from`` it is ``started_on``.
    - ``mrr`` = the MRR of the subscriptions in force on ``as_of``
      (``started_at`` ≤ as_of < ``ended_at`` or open-ended), 0 when none;
    - then the ``attributes``: columns of ``accounts``, else keys of its
      ``traits`` JSON (as text).
    """
    day = ibis.literal(as_of, type="date")
    subs = subscriptions
    in_force = (subs.started_at.date() <= day) & (
        subs.ended_at.isnull() | (subs.ended_at.date() > day)
    )
    per_account = subs.group_by("account_id").aggregate(
        first_start=subs.started_at.min().date(),
        mrr_now=subs.mrr.sum(where=in_force),
    )
    joined = accounts.left_join(per_account, "account_id").drop("account_id_right")
    churned_on = joined.churned_at.date()
    churned = churned_on.notnull() & (churned_on <= day)
    values = {a: _attribute(joined, a) for a in attributes}
    rows = joined.select(
        "account_id",
        started_on=ibis.coalesce(joined.created_at.date(), joined.first_start),
        ended_on=ibis.ifelse(churned, churned_on, day),
        churned=churned,
        mrr=joined.mrr_now.fill_null(0.0),
        **values,
    )
    rows = rows.filter(rows.started_on.notnull() & (rows.started_on <= day))
    if observed_from is None:
        return rows.mutate(entered_on=rows.started_on).relocate("entered_on", after="ended_on")
    since = ibis.literal(observed_from, type="date")
    rows = rows.filter(rows.ended_on >= since)
    entered = ibis.greatest(rows.started_on, since)
    return rows.mutate(entered_on=entered).relocate("entered_on", after="ended_on")


def _attribute(table: ir.Table, name: str) -> ir.Value:
    if name in table.columns:
        return table[name]
    return json_text(table, "traits", name)
