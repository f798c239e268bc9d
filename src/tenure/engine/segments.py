"""Value segments: the tier of each account by contract value (ARR)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from tenure.definitions import ValueSegment


def account_arr(subscriptions: ir.Table, *, as_of: dt.date) -> ir.Table:
    """ARR in force on `as_of`: 12 × Σ mrr of subscriptions started on or before it and
    not ended by it. Columns: ``account_id``, ``arr`` (accounts paying nothing: no row).
    """
    day = ibis.literal(dt.datetime.combine(as_of, dt.time.max))
    live = subscriptions.filter(
        (subscriptions.started_at <= day)
        & (subscriptions.ended_at.isnull() | (subscriptions.ended_at > day))
    )
    arr = live.group_by("account_id").aggregate(arr=live.mrr.sum() * 12)
    return arr.filter(arr.arr > 0)


def value_segment(
    accounts: ir.Table, subscriptions: ir.Table, segments: Sequence[ValueSegment], *, as_of: dt.date
) -> ir.Table:
    """Each account's value tier: the segment with the highest ``min_arr`` ≤ its ARR.

    Accounts paying nothing on `as_of` have ARR 0. Columns: ``account_id``,
    ``arr``, ``segment`` (NULL when no segment starts at or below the ARR).
    """
    arr = accounts.select("account_id").left_join(
        account_arr(subscriptions, as_of=as_of), "account_id"
    )
    value = arr.arr.fill_null(0.0)
    tiers = sorted(segments, key=lambda s: s.min_arr, reverse=True)
    cases = [(value >= tier.min_arr, tier.name) for tier in tiers]
    segment = ibis.cases(*cases, else_=ibis.null("string")) if cases else ibis.null("string")
    return arr.select("account_id", arr=value, segment=segment)
