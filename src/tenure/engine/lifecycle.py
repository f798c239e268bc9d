"""Lifecycle stages: when each account entered each stage, and its stage on a day.

Stages are ordered (the definition order). The first stage is entered when
the account is created (``accounts.created_at``); every later stage when its
entry rule is first met, counted from account creation (see `engine.rules`);
a stage without a rule is entered at creation too. Stages are never left
again, and an account is in the last stage (in definition order) whose entry
it has met. Entry days are monotonic in stage order:

    entered_on(stage k) = max(first day stage k's rule holds,
                              entered_on of every earlier stage entered)
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from tenure.definitions import Definitions
from tenure.engine.rules import Sources, reads_only_rollups, rule_achieved

EPOCH = dt.date(1970, 1, 1)
_NEVER = dt.date(9999, 12, 31)  # the end of the last stage entered


def account_created(accounts: ir.Table) -> ir.Table:
    """Anchors at account creation: ``account_id``, ``anchor_day`` (created_at's day)."""
    created = accounts.filter(accounts.created_at.notnull())
    return created.select("account_id", anchor_day=created.created_at.date())


def stage_entries(definitions: Definitions, sources: Sources) -> ir.Table:
    """The day each account entered each lifecycle stage it has entered.

    Columns: ``account_id``, ``stage``, ``position`` (the stage's index in
    definition order, from 0), ``entered_on`` (date; non-decreasing in
    position, see the module docstring). Stages never entered have no row;
    accounts without a creation time have none at all.
    """
    return entries_from(stage_rule_days(definitions, sources))


def stage_rule_days(
    definitions: Definitions,
    sources: Sources,
    *,
    previous: ir.Table | None = None,
    since: dt.date | None = None,
) -> ir.Table:
    """The first day each stage's entry rule holds per account (before the ordering).

    Columns: ``account_id``, ``stage``, ``position``, ``anchor_day`` (the
    creation day the rule counts from), ``achieved_on`` (date). With
    `previous` (this function's earlier result) and `since` (the first day
    whose data changed since), rows met before `since` from the same anchor
    are kept as they are and only the others are evaluated, for the rules
    that read only the rollups (`rules.reads_only_rollups`).
    """
    created = account_created(sources.accounts)
    parts = []
    for position, stage in enumerate(definitions.lifecycle):
        tag = {"stage": ibis.literal(stage.name), "position": ibis.literal(position, "int64")}
        if position == 0 or stage.enters is None:
            met = created.mutate(achieved_on=created.anchor_day)
            parts.append(
                met.select(
                    "account_id", **tag, anchor_day=met.anchor_day, achieved_on=met.achieved_on
                )
            )
            continue
        anchors = created
        kept = None
        if previous is not None and since is not None and reads_only_rollups(stage.enters):
            kept = settled(previous.filter(previous.stage == stage.name), created, since)
            anchors = created.anti_join(kept, "account_id")
        met = rule_achieved(stage.enters, sources, anchors=anchors)
        met = met.join(anchors, "account_id")
        fresh = met.select(
            "account_id", **tag, anchor_day=met.anchor_day, achieved_on=met.achieved_on.cast("date")
        )
        parts.append(
            fresh if kept is None else kept.select(*fresh.columns).cast(fresh.schema()).union(fresh)
        )
    if not parts:
        empty = created.filter(ibis.literal(False))
        return empty.select(
            "account_id",
            stage=ibis.literal("", "string"),
            position=ibis.literal(0, "int64"),
            anchor_day=empty.anchor_day,
            achieved_on=empty.anchor_day,
        )
    return ibis.union(*parts)


def settled(previous: ir.Table, anchors: ir.Table, since: dt.date) -> ir.Table:
    """Rows of `previous` achieved before `since` from an unchanged anchor day.

    `previous` and `anchors` both have ``account_id`` and ``anchor_day``.
    """
    done = previous.filter(previous.achieved_on < since)
    return done.semi_join(anchors, ["account_id", "anchor_day"])


def entries_from(rule_days: ir.Table) -> ir.Table:
    """`stage_entries` from `stage_rule_days`: entry days made monotonic in stage order."""
    in_order = ibis.cumulative_window(group_by="account_id", order_by="position")
    return rule_days.select(
        "account_id",
        "stage",
        position=rule_days.position.cast("int64"),
        entered_on=rule_days.achieved_on.max().over(in_order),
    )


def lifecycle_stage(entries: ir.Table, *, as_of: dt.date) -> ir.Table:
    """Each account's stage as of `as_of`, from `stage_entries` (nothing after it counts).

    stage = the entered stage of highest position with entered_on ≤ as_of;
    days_in_stage = as_of − entered_on (0 on the day of entry).

    Columns: ``account_id``, ``stage``, ``position``, ``entered_on``,
    ``days_in_stage``. Accounts that entered no stage by `as_of` have no row.
    """
    known = entries.filter(entries.entered_on <= as_of)
    latest_first = ibis.window(group_by="account_id", order_by=known.position.desc())
    ranked = known.mutate(nth=ibis.row_number().over(latest_first))
    current = ranked.filter(ranked.nth == 0)
    return current.select(
        "account_id",
        "stage",
        "position",
        "entered_on",
        days_in_stage=(as_of - EPOCH).days - current.entered_on.epoch_days(),
    )


def stages_on_days(entries: ir.Table, days: ir.Table) -> ir.Table:
    """The stage of each (account_id, day) row of `days`, as `lifecycle_stage` would give it.

    A stage holds from its entry day until the next stage's entry day (stages
    entered the same day: the highest position). Columns: those of `days`,
    ``stage`` and ``stage_entered_on`` (NULL before the account entered any).
    """
    order = ibis.window(group_by="account_id", order_by="position")
    spans = entries.select(
        entries.account_id.name("entry_account"),
        "stage",
        stage_entered_on=entries.entered_on,
        until=entries.entered_on.lead().over(order).fill_null(_NEVER),
    )
    on = [
        days.account_id == spans.entry_account,
        spans.stage_entered_on <= days.day,
        days.day < spans.until,
    ]
    joined = days.left_join(spans, on)
    return joined.select(*days.columns, "stage", "stage_entered_on")
