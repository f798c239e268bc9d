"""Segment migration: each account's segment at two dates, as a transition matrix.

The population on a date is the accounts paying then (ARR > 0), each with its
MRR and a segment (value tier, behavioural segment or health band). Accounts
paying only at the end enter from ``(new)``; accounts paying only at the start
leave to ``(churned)``; a paying account without a segment is ``(none)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from tenure.engine.segments import account_arr

NEW, CHURNED, NONE = "(new)", "(churned)", "(none)"


def segment_snapshot(
    subscriptions: ir.Table, segments: ir.Table, *, as_of: dt.date, missing: str = NONE
) -> ir.Table:
    """Paying accounts on `as_of` with ``mrr`` = ARR / 12 and ``segment`` from `segments`
    (a table of ``account_id``, ``segment``; `missing` where it has none)."""
    arr = account_arr(subscriptions, as_of=as_of)
    rows = arr.left_join(segments.select("account_id", "segment"), "account_id")
    return rows.select("account_id", mrr=rows.arr / 12, segment=rows.segment.fill_null(missing))


def _pairs(start: ir.Table, end: ir.Table) -> ir.Table:
    s = start.select(sid="account_id", from_segment="segment", mrr_start="mrr")
    e = end.select(eid="account_id", to_segment="segment", mrr_end="mrr")
    j = s.outer_join(e, s.sid == e.eid)
    return j.select(
        account_id=j.sid.coalesce(j.eid),
        from_segment=ibis.ifelse(j.sid.isnull(), NEW, j.from_segment),
        to_segment=ibis.ifelse(j.eid.isnull(), CHURNED, j.to_segment),
        mrr_start=j.mrr_start.fill_null(0.0),
        mrr_end=j.mrr_end.fill_null(0.0),
    )


def segment_migration(start: ir.Table, end: ir.Table) -> ir.Table:
    """The transition matrix from `start` to `end` (snapshots of `segment_snapshot`).

    One row per (from_segment, to_segment) with accounts: ``accounts``,
    ``row_share`` = accounts / accounts of the from_segment, ``mrr_start`` and
    ``mrr_end`` (Σ MRR on each date; 0 for the side where the account is absent).
    """
    pairs = _pairs(start, end)
    cells = pairs.group_by(["from_segment", "to_segment"]).aggregate(
        accounts=pairs.count(), mrr_start=pairs.mrr_start.sum(), mrr_end=pairs.mrr_end.sum()
    )
    row_total = cells.accounts.sum().over(group_by="from_segment")
    return cells.mutate(row_share=cells.accounts.cast("float64") / row_total).order_by(
        ["from_segment", "to_segment"]
    )


def migration_outcomes(start: ir.Table, end: ir.Table, *, order: Sequence[str]) -> ir.Table:
    """Per account paying at the start: ``from_segment``, ``to_segment``, ``outcome``.

    outcome: ``churned`` (not paying at the end), ``upgrade`` / ``downgrade``
    (to a segment earlier / later in `order`, best first), ``same``, or
    ``unranked`` (a segment not in `order`).
    """
    ranks = ibis.memtable(
        {"segment": list(order), "rank": list(range(len(order)))},
        schema={"segment": "string", "rank": "int64"},
    )
    pairs = _pairs(start, end).filter(lambda t: t.from_segment != NEW)
    f = ranks.select(from_segment="segment", from_rank="rank")
    t = ranks.select(to_segment="segment", to_rank="rank")
    rows = pairs.left_join(f, "from_segment").left_join(t, "to_segment")
    outcome = ibis.cases(
        (rows.to_segment == CHURNED, "churned"),
        (rows.from_rank.isnull() | rows.to_rank.isnull(), "unranked"),
        (rows.to_rank < rows.from_rank, "upgrade"),
        (rows.to_rank > rows.from_rank, "downgrade"),
        else_="same",
    )
    return rows.select("account_id", "from_segment", "to_segment", "mrr_start", outcome=outcome)


def touched_accounts(
    touches: ir.Table, *, start: dt.date, end: dt.date, kinds: Sequence[str] = ()
) -> ir.Table:
    """Accounts with a touch (of one of `kinds`; any kind when empty) after the day `start`
    and on or before the day `end`. Column: ``account_id``."""
    after = dt.datetime.combine(start, dt.time.max)
    until = dt.datetime.combine(end, dt.time.max)
    rows = touches.filter((touches.at > after) & (touches.at <= until))
    if kinds:
        rows = rows.filter(rows.kind.isin(list(kinds)))
    return rows.select("account_id").distinct()
