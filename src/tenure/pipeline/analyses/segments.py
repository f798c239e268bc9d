"""Segment analyses of a workspace: value pyramid, CSM headcount, behaviour, migration.

Each opens the workspace's warehouse, runs the engine (and stats) and returns
plain rows (lists of dicts) for the CLI, the web UI or a notebook.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend
from sqlalchemy import select

from tenure.config import Settings
from tenure.db import AccountDay
from tenure.engine.behaviour import SEGMENTS, behaviour_segments, usage_days
from tenure.engine.migration import (
    NONE,
    migration_outcomes,
    segment_migration,
    segment_snapshot,
    touched_accounts,
)
from tenure.engine.pyramid import (
    UnknownAttributeError,
    account_tiers,
    csm_book,
    csm_headcount,
    touch_model,
    value_pyramid,
)
from tenure.pipeline.imports import open_app_db, open_warehouse
from tenure.stats.migration import OutcomeComparison, compare_migration

Kind = Literal["value", "behaviour", "health"]
HEALTH_ORDER = ("green", "yellow", "red")  # as `tenure compute` stores them
Rows = list[dict[str, Any]]


class SegmentsError(ValueError):
    """The workspace cannot answer: no tiers defined, no rollups or results, bad dates."""


@contextmanager
def _warehouse(settings: Settings) -> Iterator[BaseBackend]:
    con = open_warehouse(settings)
    try:
        yield con
    finally:
        con.disconnect()


def _rows(table: ir.Table) -> Rows:
    return list(table.to_pyarrow().to_pylist())


def _latest_day(con: BaseBackend) -> dt.date:
    """The last day with activity (rollups), else the last subscription start."""
    if "activity_daily" in con.list_tables():
        day = con.table("activity_daily").day.max().to_pyarrow().as_py()
        if day is not None:
            return day
    started = con.table("subscriptions").started_at.max().to_pyarrow().as_py()
    if started is None:
        raise SegmentsError("the warehouse has no subscriptions: import or generate data first")
    return started.date()


def _tiers(settings: Settings, con: BaseBackend, as_of: dt.date) -> ir.Table:
    definitions = settings.definitions
    if not definitions.value_segments:
        raise SegmentsError("tenure.yaml defines no value_segments (definitions.value_segments)")
    try:
        return account_tiers(
            con.table("accounts"), con.table("subscriptions"), definitions.value_segments,
            as_of=as_of, growth=definitions.growth_potential,
        )  # fmt: skip
    except UnknownAttributeError as exc:
        raise SegmentsError(f"tenure.yaml: definitions.{exc}") from None


@dataclass
class PyramidReport:
    as_of: dt.date
    tiers: Rows  # tier, min_arr, rank, accounts, arr, account_share, arr_share, mean_arr
    touches: Rows  # tier, kind, every_days, accounts, expected_per_year, touches_last_year, ...
    adjusted_by: str | None = None  # the growth potential's attribute


def pyramid(settings: Settings, *, as_of: dt.date | None = None) -> PyramidReport:
    """The value pyramid and the touch model per tier (see `tenure.engine.pyramid`)."""
    with _warehouse(settings) as con:
        day = as_of or _latest_day(con)
        tiers = _tiers(settings, con, day)
        segments = settings.definitions.value_segments
        growth = settings.definitions.growth_potential
        return PyramidReport(
            as_of=day,
            tiers=_rows(value_pyramid(tiers, segments)),
            touches=_rows(touch_model(tiers, con.table("touches"), segments, as_of=day)),
            adjusted_by=growth.attribute if growth else None,
        )


@dataclass
class HeadcountReport:
    as_of: dt.date
    tiers: Rows  # tier, accounts_per_csm, accounts, required_csms, assigned_csms, unowned, gap
    csms: Rows  # owner, accounts, arr, load, status, tiers {tier: accounts}
    required_total: float
    assigned_total: int


def headcount(
    settings: Settings, *, as_of: dt.date | None = None, tolerance: float = 0.1
) -> HeadcountReport:
    """CSMs needed per tier (Σ accounts / accounts_per_csm) against those assigned today.

    Each CSM's load = Σ over tiers of accounts / accounts_per_csm (1 = a full
    book); status ``over`` when load > 1 + tolerance, ``under`` when load <
    1 − tolerance, else ``ok``. Accounts of pooled tiers add no load.
    """
    with _warehouse(settings) as con:
        day = as_of or _latest_day(con)
        tiers = _tiers(settings, con, day)
        segments = settings.definitions.value_segments
        per_tier = _rows(csm_headcount(tiers, segments))
        book = _rows(csm_book(tiers, segments))
    csms: dict[str | None, dict[str, Any]] = {}
    for row in sorted(book, key=lambda r: (r["owner"] is None, r["owner"] or "", r["rank"])):
        csm = csms.setdefault(
            row["owner"], {"owner": row["owner"], "accounts": 0, "arr": 0.0, "load": 0.0,
                           "tiers": {}},
        )  # fmt: skip
        csm["accounts"] += row["accounts"]
        csm["arr"] += row["arr"]
        csm["load"] += row["fte"]
        csm["tiers"][row["tier"]] = row["accounts"]
    for csm in csms.values():
        load = csm["load"]
        csm["status"] = (
            "unowned" if csm["owner"] is None
            else "over" if load > 1 + tolerance
            else "under" if load < 1 - tolerance
            else "ok"
        )  # fmt: skip
    named = [c for c in csms.values() if c["owner"] is not None]
    return HeadcountReport(
        as_of=day,
        tiers=per_tier,
        csms=list(csms.values()),
        required_total=sum(r["required_csms"] or 0.0 for r in per_tier),
        assigned_total=len(named),
    )


def _behaviour(settings: Settings, con: BaseBackend, day: dt.date) -> ir.Table:
    if "activity_daily" not in con.list_tables():
        raise SegmentsError("no activity rollups in the warehouse: run tenure compute first")
    days = usage_days(con.table("activity_daily"))
    return behaviour_segments(days, as_of=day, rules=settings.definitions.behaviour)


@dataclass
class BehaviourReport:
    as_of: dt.date
    segments: Rows  # segment, accounts, share, mrr
    accounts: Rows = field(default_factory=list)  # per account, when asked for


def behaviour(
    settings: Settings, *, as_of: dt.date | None = None, per_account: bool = False
) -> BehaviourReport:
    """Behavioural segments of the accounts paying on the day, from their product usage.

    Accounts paying but never active are ``inactive``. share = accounts /
    paying accounts; mrr = Σ MRR of the segment's accounts.
    """
    with _warehouse(settings) as con:
        day = as_of or _latest_day(con)
        segments = _behaviour(settings, con, day)
        snapshot = segment_snapshot(
            con.table("subscriptions"), segments, as_of=day, missing="inactive"
        )
        counts = snapshot.group_by("segment").aggregate(
            accounts=snapshot.count(), mrr=snapshot.mrr.sum()
        )
        rows = {r["segment"]: r for r in _rows(counts)}
        detail = _rows(segments.order_by("account_id")) if per_account else []
    total = sum(r["accounts"] for r in rows.values())
    table = [
        {"segment": name, "accounts": rows.get(name, {}).get("accounts", 0),
         "share": rows.get(name, {}).get("accounts", 0) / total if total else None,
         "mrr": rows.get(name, {}).get("mrr", 0.0)}
        for name in SEGMENTS
    ]  # fmt: skip
    return BehaviourReport(as_of=day, segments=table, accounts=detail)


@dataclass
class MigrationReport:
    kind: str
    start: dt.date
    end: dt.date
    matrix: Rows  # from_segment, to_segment, accounts, row_share, mrr_start, mrr_end
    comparison: list[OutcomeComparison] = field(default_factory=list)
    touch_kinds: list[str] = field(default_factory=list)


def _segments_on(settings: Settings, con: BaseBackend, kind: Kind, day: dt.date) -> ir.Table:
    if kind == "value":
        return _tiers(settings, con, day).select("account_id", segment="tier")
    if kind == "behaviour":
        return _behaviour(settings, con, day).select("account_id", "segment")
    engine = open_app_db(settings)
    try:
        with engine.connect() as connection:
            found = connection.execute(
                select(AccountDay.account_id, AccountDay.health_band).where(AccountDay.day == day)
            ).all()
    finally:
        engine.dispose()
    if not found:
        raise SegmentsError(f"no health results for {day}: run tenure compute --as-of {day}")
    bands = pa.table(
        {"account_id": [r[0] for r in found], "segment": [r[1] for r in found]},
        schema=pa.schema({"account_id": pa.string(), "segment": pa.string()}),
    )
    return ibis.memtable(bands)


def _order(settings: Settings, kind: Kind) -> Sequence[str]:
    if kind == "value":
        return [
            s.name for s in sorted(settings.definitions.value_segments, key=lambda s: -s.min_arr)
        ]
    return SEGMENTS if kind == "behaviour" else HEALTH_ORDER


def migration(
    settings: Settings,
    *,
    kind: Kind,
    start: dt.date,
    end: dt.date | None = None,
    touch_kinds: Sequence[str] = (),
    compare: bool = True,
) -> MigrationReport:
    """Transition matrix of `kind` segments from `start` to `end`, and the touch comparison.

    With `compare`, accounts touched (a touch of `touch_kinds`, any when empty,
    after `start` and by `end`) are compared with untouched accounts matched on
    their starting segment and value tier (`tenure.stats.migration`).
    """
    with _warehouse(settings) as con:
        last = end or _latest_day(con)
        if start >= last:
            raise SegmentsError(f"--from {start} must be before --to {last}")
        subscriptions = con.table("subscriptions")
        missing = "inactive" if kind == "behaviour" else NONE
        first, second = (
            segment_snapshot(
                subscriptions, _segments_on(settings, con, kind, day), as_of=day, missing=missing
            )
            for day in (start, last)
        )
        report = MigrationReport(
            kind=kind, start=start, end=last, matrix=_rows(segment_migration(first, second)),
            touch_kinds=list(touch_kinds),
        )  # fmt: skip
        if compare:
            outcomes = migration_outcomes(first, second, order=_order(settings, kind))
            touched = touched_accounts(
                con.table("touches"), start=start, end=last, kinds=touch_kinds
            ).mutate(treated=ibis.literal(True))
            tier = _tiers(settings, con, start).select("account_id", "tier")
            rows = outcomes.left_join(touched, "account_id").left_join(tier, "account_id")
            frame = rows.select(
                "from_segment", "outcome", "tier", treated=rows.treated.fill_null(False)
            ).to_pandas()
            report.comparison = compare_migration(frame, strata=["from_segment", "tier"])
    return report
