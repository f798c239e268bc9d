"""The value pyramid: paying accounts per value tier, their touch model and CSM headcount.

Tiers come from `value_segments` in the definitions (highest ``min_arr`` ≤ the
account's value). The value is its ARR, or, with `growth_potential`, its ARR
adjusted for headroom: value = ARR + weight × max(0, attribute × arr_per_unit − ARR).
Only accounts paying on the day (ARR > 0) are in the pyramid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import ibis.expr.datatypes as dt_types
import ibis.expr.types as ir

from tenure.definitions import GrowthPotential, ValueSegment
from tenure.engine.rollups import JSON_TEXT, json_text
from tenure.engine.segments import account_arr


class UnknownAttributeError(ValueError):
    """The growth potential names an attribute that is not a numeric account column."""


def tier_table(segments: Sequence[ValueSegment]) -> ir.Table:
    """The tiers as a table: ``tier``, ``min_arr``, ``accounts_per_csm``, ``rank`` (1 = top)."""
    ordered = sorted(segments, key=lambda s: s.min_arr, reverse=True)
    return ibis.memtable(
        {
            "tier": [s.name for s in ordered],
            "min_arr": [float(s.min_arr) for s in ordered],
            "accounts_per_csm": [s.accounts_per_csm for s in ordered],
            "rank": list(range(1, len(ordered) + 1)),
        },
        schema={
            "tier": "string",
            "min_arr": "float64",
            "accounts_per_csm": "int64",
            "rank": "int64",
        },
    )


def potential_of(accounts: ir.Table, attribute: str) -> ir.FloatingValue:
    """The numeric account column `attribute`, or the trait of that name (NULL when absent)."""
    if attribute in accounts.columns:
        column = accounts[attribute]
        if not column.type().is_numeric():
            raise UnknownAttributeError(
                f"growth_potential.attribute: account column {attribute!r} is not numeric"
            )
        return column.cast("float64")
    if "traits" not in accounts.columns:
        raise UnknownAttributeError(f"growth_potential.attribute: no account column {attribute!r}")
    if ibis.get_backend(accounts).name in JSON_TEXT:
        return json_text(accounts, "traits", attribute).try_cast(dt_types.float64)
    value = accounts.traits.cast("json")[attribute]
    return value.float.coalesce(value.str.try_cast(dt_types.float64))


def account_tiers(
    accounts: ir.Table,
    subscriptions: ir.Table,
    segments: Sequence[ValueSegment],
    *,
    as_of: dt.date,
    growth: GrowthPotential | None = None,
) -> ir.Table:
    """Each paying account's tier on `as_of`.

    Columns: ``account_id``, ``owner``, ``arr``, ``value`` (ARR, or ARR plus the
    counted headroom), ``tier`` (NULL when no tier starts at or below the value).
    """
    arr = account_arr(subscriptions, as_of=as_of)
    rows = accounts.select(
        "account_id",
        owner=accounts.owner,
        potential=potential_of(accounts, growth.attribute) if growth else ibis.null("float64"),
    ).join(arr, "account_id")
    value = rows.arr
    if growth is not None:
        headroom = (rows.potential * growth.arr_per_unit - rows.arr).clip(lower=0)
        value = rows.arr + headroom.fill_null(0.0) * growth.weight
    cases = [(value >= s.min_arr, s.name) for s in sorted(segments, key=lambda s: -s.min_arr)]
    tier = ibis.cases(*cases, else_=ibis.null("string")) if cases else ibis.null("string")
    return rows.select("account_id", "owner", "arr", value=value, tier=tier)


def value_pyramid(tiers: ir.Table, segments: Sequence[ValueSegment]) -> ir.Table:
    """Accounts and ARR per tier, top tier first (tiers without accounts included).

    account_share = accounts / all paying accounts; arr_share = tier ARR / total
    ARR; mean_arr = tier ARR / accounts. Accounts below every tier are not counted.
    """
    totals = tiers.aggregate(all_accounts=tiers.count(), all_arr=tiers.arr.sum())
    per = tiers.group_by("tier").aggregate(accounts=tiers.count(), arr=tiers.arr.sum())
    table = tier_table(segments)
    joined = table.left_join(per, "tier").cross_join(totals)
    accounts = joined.accounts.fill_null(0)
    arr = joined.arr.fill_null(0.0)
    return joined.select(
        "tier",
        "min_arr",
        "rank",
        accounts=accounts,
        arr=arr,
        account_share=accounts.cast("float64") / joined.all_accounts.nullif(0),
        arr_share=arr / joined.all_arr.nullif(0),
        mean_arr=arr / accounts.nullif(0),
    ).order_by("rank")


def touch_model(
    tiers: ir.Table, touches: ir.Table, segments: Sequence[ValueSegment], *, as_of: dt.date
) -> ir.Table:
    """Per tier and touch kind of its cadence: how well the cadence is kept.

    Columns: ``tier``, ``kind``, ``every_days``, ``accounts``, ``expected_per_year``
    = accounts × 365 / every_days, ``touches_last_year`` (touches of the kind to
    the tier's accounts in the 365 days ending `as_of`), ``on_cadence`` (accounts
    with such a touch in the last ``every_days`` days) and ``on_cadence_share``.
    """
    cadence = ibis.memtable(
        {
            "tier": [s.name for s in segments for _ in s.touches],
            "kind": [t.kind for s in segments for t in s.touches],
            "every_days": [t.every_days for s in segments for t in s.touches],
        },
        schema={"tier": "string", "kind": "string", "every_days": "int64"},
    )
    end = dt.datetime.combine(as_of, dt.time.max)
    year_ago = end - dt.timedelta(days=365)
    recent = touches.filter((touches.at > year_ago) & (touches.at <= end))
    per_kind = recent.group_by(["account_id", "kind"]).aggregate(
        last_at=recent.at.max(), count=recent.count()
    )
    planned = tiers.select("account_id", "tier").join(cadence, "tier")
    rows = planned.left_join(per_kind, ["account_id", "kind"])
    since = ibis.literal(end) - rows.every_days.as_interval("D")
    on = ibis.ifelse(rows.last_at.notnull() & (rows.last_at > since), 1, 0)
    per = rows.group_by(["tier", "kind", "every_days"]).aggregate(
        accounts=rows.count(),
        touches_last_year=rows["count"].fill_null(0).sum(),
        on_cadence=on.sum(),
    )
    ranked = per.join(tier_table(segments).select("tier", "rank"), "tier")
    return ranked.select(
        "tier",
        "kind",
        "every_days",
        "accounts",
        expected_per_year=ranked.accounts * 365.0 / ranked.every_days,
        touches_last_year=ranked.touches_last_year,
        on_cadence=ranked.on_cadence,
        on_cadence_share=ranked.on_cadence.cast("float64") / ranked.accounts,
    ).order_by(["tier", "kind"])


def csm_book(tiers: ir.Table, segments: Sequence[ValueSegment]) -> ir.Table:
    """Each CSM's book per tier: ``owner``, ``tier``, ``accounts``, ``arr`` and ``fte``.

    fte = accounts / accounts_per_csm of the tier (0 for a pooled tier): the
    share of a full-time CSM the accounts take. Accounts without an owner are
    under ``owner`` NULL.
    """
    table = tier_table(segments)
    rows = table.join(tiers, "tier")
    per = rows.group_by(["owner", "tier", "accounts_per_csm", "rank"]).aggregate(
        accounts=rows.count(), arr=rows.arr.sum()
    )
    fte = ibis.ifelse(
        per.accounts_per_csm > 0, per.accounts.cast("float64") / per.accounts_per_csm, 0.0
    )
    return per.select("owner", "tier", "rank", "accounts", "arr", fte=fte)


def csm_headcount(tiers: ir.Table, segments: Sequence[ValueSegment]) -> ir.Table:
    """Required against assigned CSMs per tier.

    required_csms = accounts / accounts_per_csm (NULL for a pooled tier);
    assigned_csms = distinct owners of the tier's accounts; unowned = accounts
    without an owner; gap = assigned − required (negative: short of CSMs).
    """
    table = tier_table(segments)
    per = tiers.group_by("tier").aggregate(
        accounts=tiers.count(),
        assigned_csms=tiers.owner.nunique(),
        unowned=ibis.ifelse(tiers.owner.isnull(), 1, 0).sum(),
    )
    rows = table.left_join(per, "tier")
    accounts = rows.accounts.fill_null(0)
    required = ibis.ifelse(
        rows.accounts_per_csm > 0,
        accounts.cast("float64") / rows.accounts_per_csm,
        ibis.null("float64"),
    )
    assigned = rows.assigned_csms.fill_null(0)
    return rows.select(
        "tier",
        "rank",
        "accounts_per_csm",
        accounts=accounts,
        required_csms=required,
        assigned_csms=assigned,
        unowned=rows.unowned.fill_null(0),
        gap=assigned.cast("float64") - required,
    ).order_by("rank")
