"""Rules compiled to Ibis: the first day each account meets a rule, counted from an anchor.

`rule_achieved(rule, sources, anchors=...)` returns one row per account that
meets the rule on or after its anchor day: ``(account_id, achieved_on)``.
Accounts that never meet it have no row. Every rule reads the daily rollups
and the small fact tables (`Sources`), never raw events, in one set-based
pass (window functions and aggregations; no loop over days).

Two kinds of rules:

- *occurrence* rules count what happened on or after the anchor day
  (events, active weeks, tickets, renewals, upgrades);
- *state* rules hold from the first day on or after the anchor on which the
  state is true, which is the anchor day itself when it already held then
  (share of contacts, products owned, latest NPS, subscription started,
  attribute).

Definitions, with d a day and a the anchor day (both UTC calendar days):

- event (at_least N, where, distinct): the first d ≥ a with
  Σ events over [a, d] ≥ N; with `distinct`, the number of distinct detail
  values seen over [a, d] ≥ N. `where` and `distinct` refer to the event's
  tracked property (the rollup's detail, see `rollups.DEFAULT_DETAILS`).
- active_days_per_week N, weeks K: weeks are ISO weeks (Monday–Sunday); a
  week qualifies when it has ≥ N active days on or after a (days with the
  event, or with any event); achieved on the Sunday that ends the K-th week of
  the first run of K consecutive qualifying weeks. The anchor's week counts
  (from a on), so a Wednesday anchor leaves 5 days in that week.
- share_of_contacts e at_least p: the first d ≥ a with
  doers(d) / contacts(d) ≥ p, where contacts(d) = the account's contacts
  created on or before d (no creation time: always) and doers(d) = those of
  them whose first e (`contact_event_first`) is on or before d.
- subscription started: the first subscription start, held from then on:
  max(a, first started_at).
- subscription renewed: the start day of a subscription S that continues P,
  the previous subscription of the same account and product (the latest one
  that started before S): P ended within `RENEWAL_GRACE_DAYS` of S's start,
  |S.start − P.end| ≤ 7 days. A longer gap is a reactivation, not a renewal.
  A plan change recorded as one row ending and the next starting is a
  continuation too, so it counts as a renewal (on the new terms).
- subscription upgraded: the start day of a subscription S whose mrr exceeds
  the mrr of P, its previous subscription of the same account and product
  (as above), when P was still in force at most `RENEWAL_GRACE_DAYS` before
  S started (P open-ended or P.end ≥ S.start − 7 days).
- products_owned N: the first d ≥ a on which ≥ N distinct products are in
  force (started on or before d, not ended by d: end day > d or no end).
- tickets opened at_least N: the day the N-th ticket created on or after a
  was created.
- latest_nps N: the first d ≥ a on which some contact's latest nps response
  (as of the end of d) scores ≥ N; a response without a contact counts as
  its own contact. In practice: the first response ≥ N, or a when a
  contact's latest response before a already was ≥ N.
- attribute in one_of: a, when the account's attribute (a column of
  accounts, else a key of its `traits` JSON) is one of the values today
  (attributes have no history).
- any: the earliest of its rules' days; all: the latest, if all are met.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir

from tenure.definitions import (
    ActiveDaysRule,
    AllRule,
    AnyRule,
    AttributeRule,
    EventRule,
    NpsRule,
    ProductsOwnedRule,
    Rule,
    ShareOfContactsRule,
    SubscriptionRule,
    TicketsRule,
)
from tenure.engine.rollups import DEFAULT_DETAILS, json_text

RENEWAL_GRACE_DAYS = 7
# Contacts without a creation time count as members from the start of time.
FAR_PAST = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class Sources:
    """What rules read: fact tables and daily rollups, Ibis tables of one backend.

    `details` maps an event to the property its rollup detail holds (the one
    passed to `rollups.activity_daily`).
    """

    accounts: ir.Table
    contacts: ir.Table
    subscriptions: ir.Table
    tickets: ir.Table
    survey_responses: ir.Table
    activity_daily: ir.Table
    contact_daily: ir.Table
    contact_event_first: ir.Table
    details: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_DETAILS))


def rule_achieved(rule: Rule, sources: Sources, *, anchors: ir.Table) -> ir.Table:
    """The first day on or after each account's anchor day on which `rule` holds.

    `anchors` has one row per account: ``account_id``, ``anchor_day`` (date).
    Returns ``account_id``, ``achieved_on`` (date, ≥ anchor_day) for the
    accounts that meet the rule; see the module docstring for each rule's
    definition. Raises ValueError for a rule the rollups cannot answer (e.g.
    a `where:` on an untracked property).
    """
    compile_rule = _COMPILERS[type(rule)]
    return compile_rule(rule, sources, anchors)


def reads_only_rollups(rule: Rule) -> bool:
    """Whether `rule` reads nothing but the activity rollups (events, active days, shares).

    Such rules are causal in the rollups: whether one holds on a day depends on
    the rolled-up activity up to that day only, so a day it held stays so
    while those days' rollups are unchanged. Rules on the other facts can be
    corrected in place (a subscription's dates, an account's attribute) and
    are cheap: they are always evaluated afresh.
    """
    if isinstance(rule, AnyRule | AllRule):
        children: list[Any] = rule.any if isinstance(rule, AnyRule) else rule.all
        return all(reads_only_rollups(child) for child in children)
    return isinstance(rule, EventRule | ActiveDaysRule | ShareOfContactsRule)


def _achieved(table: ir.Table, day: ir.DateValue) -> ir.Table:
    """Earliest `day` per account, as (account_id, achieved_on)."""
    return table.group_by("account_id").aggregate(achieved_on=day.min().cast("date"))


def _since_anchor(table: ir.Table, anchors: ir.Table, day: str = "day") -> ir.Table:
    """Rows of `table` on or after their account's anchor day (with anchor_day)."""
    joined = table.join(anchors, "account_id")
    return joined.filter(joined[day] >= joined.anchor_day)


def _reaching(daily: ir.Table, *, at_least: int) -> ir.Table:
    """First day the running total of `amount` (rows: account_id, day, amount) reaches N."""
    if at_least == 1:
        daily = daily.filter(daily.amount > 0)
        return _achieved(daily, daily.day)
    window = ibis.cumulative_window(group_by="account_id", order_by="day")
    running = daily.mutate(total=daily.amount.sum().over(window))
    running = running.filter(running.total >= at_least)
    return _achieved(running, running.day)


def _first_holding(
    steps: ir.Table, anchors: ir.Table, *, by: tuple[str, ...] = ("account_id",)
) -> ir.Table:
    """First day ≥ anchor on which a step function holds.

    `steps` (account_id, day, holds, other `by` keys): the state of each `by`
    group from `day` until its next row. A state that holds over any day ≥ the
    anchor day counts from max(day, anchor_day).
    """
    window = ibis.window(group_by=list(by), order_by="day")
    steps = steps.mutate(next_day=steps.day.lead().over(window))
    joined = steps.join(anchors, "account_id")
    alive = joined.next_day.isnull() | (joined.next_day > joined.anchor_day)
    held = joined.filter(joined.holds & alive)
    return _achieved(held, ibis.greatest(held.day, held.anchor_day))


def _detail_filter(rule: EventRule, details: Mapping[str, str]) -> tuple[str | None, str | None]:
    """The detail value `where:` asks for and whether `distinct:` counts details."""
    tracked = details.get(rule.event)
    asked = [*rule.where, *([rule.distinct] if rule.distinct else [])]
    wrong = [key for key in asked if key != tracked]
    if wrong:
        raise ValueError(
            f"event {rule.event!r}: the rollups track no property {wrong[0]!r} "
            f"(tracked: {tracked or 'none'}); add it to the rollup details"
        )
    return next(iter(rule.where.values()), None), rule.distinct


def _event_achieved(rule: EventRule, sources: Sources, anchors: ir.Table) -> ir.Table:
    value, distinct = _detail_filter(rule, sources.details)
    rows = sources.activity_daily.filter(sources.activity_daily.event == rule.event)
    if value is not None:
        rows = rows.filter(rows.detail == value)
    rows = _since_anchor(rows, anchors)
    if distinct:
        rows = rows.filter(rows.detail.notnull())
        firsts = rows.group_by(["account_id", "detail"]).aggregate(day=rows.day.min())
        daily = firsts.group_by(["account_id", "day"]).aggregate(amount=firsts.count())
    else:
        daily = rows.group_by(["account_id", "day"]).aggregate(amount=rows.events.sum())
    return _reaching(daily, at_least=rule.at_least)


def _active_days_achieved(rule: ActiveDaysRule, sources: Sources, anchors: ir.Table) -> ir.Table:
    rows = sources.activity_daily
    if rule.event is not None:
        rows = rows.filter(rows.event == rule.event)
    rows = _since_anchor(rows, anchors)
    rows = rows.mutate(week=rows.day.truncate("W"))
    weeks = rows.group_by(["account_id", "week"]).aggregate(days=rows.day.nunique())
    weeks = weeks.filter(weeks.days >= rule.active_days_per_week)
    # Consecutive weeks share week − 7 days × (their rank): a gaps-and-islands run id.
    ranked = weeks.mutate(
        rank=ibis.row_number().over(ibis.window(group_by="account_id", order_by="week"))
    )
    ranked = ranked.mutate(run=ranked.week.epoch_days() - 7 * ranked["rank"])
    in_run = ibis.window(group_by=["account_id", "run"], order_by="week")
    ranked = ranked.mutate(nth=ibis.row_number().over(in_run))
    kth = ranked.filter(ranked.nth == rule.weeks - 1)  # row_number counts from 0
    return _achieved(kth, kth.week + ibis.interval(days=6))


def _share_achieved(rule: ShareOfContactsRule, sources: Sources, anchors: ir.Table) -> ir.Table:
    contacts = sources.contacts.filter(sources.contacts.account_id.notnull())
    contacts = contacts.select(
        "account_id",
        "contact_id",
        joined=contacts.created_at.date().coalesce(ibis.literal(FAR_PAST)),
    )
    firsts = sources.contact_event_first
    firsts = firsts.filter(firsts.event == rule.share_of_contacts)
    did = contacts.join(firsts, ["account_id", "contact_id"])
    changes = ibis.union(
        contacts.select("account_id", day=contacts.joined, members=1, doers=0),
        did.select("account_id", day=ibis.greatest(did.joined, did.first_day), members=0, doers=1),
    )
    daily = changes.group_by(["account_id", "day"]).aggregate(
        members=changes.members.sum(), doers=changes.doers.sum()
    )
    window = ibis.cumulative_window(group_by="account_id", order_by="day")
    members, doers = daily.members.sum().over(window), daily.doers.sum().over(window)
    steps = daily.select(
        "account_id", "day", holds=doers.cast("float64") / members >= rule.at_least
    )
    return _first_holding(steps, anchors)


def _subscription_achieved(rule: SubscriptionRule, sources: Sources, anchors: ir.Table) -> ir.Table:
    subs = sources.subscriptions
    if rule.subscription == "started":
        firsts = _achieved(subs, subs.started_at.date())
        joined = firsts.join(anchors, "account_id")
        return joined.select(
            "account_id", achieved_on=ibis.greatest(joined.achieved_on, joined.anchor_day)
        )
    moves = subscription_moves(subs)
    moves = moves.filter(moves.renewal if rule.subscription == "renewed" else moves.upgrade)
    moved = _since_anchor(moves, anchors)
    return _achieved(moved, moved.day)


def subscription_moves(subscriptions: ir.Table) -> ir.Table:
    """Each subscription with its start day and whether it is a renewal or an upgrade.

    Columns: ``account_id``, ``day`` (start day), ``renewal``, ``upgrade``
    (booleans, defined in the module docstring: against the previous
    subscription of the same account and product).
    """
    subs = subscriptions.mutate(product=subscriptions["product"].coalesce(""))
    window = ibis.window(group_by=["account_id", "product"], order_by="started_at")
    prior = subs.mutate(
        prev_start=subs.started_at.lag().over(window),
        prev_end=subs.ended_at.lag().over(window),
        prev_mrr=subs.mrr.lag().over(window),
    )
    start = prior.started_at.date().epoch_days()
    prev_end = prior.prev_end.date().epoch_days()
    renewal = (prev_end - start).abs() <= RENEWAL_GRACE_DAYS
    in_force = prior.prev_start.notnull() & (
        prior.prev_end.isnull() | (prev_end >= start - RENEWAL_GRACE_DAYS)
    )
    return prior.select(
        "account_id",
        day=prior.started_at.date(),
        renewal=renewal.fill_null(False),
        upgrade=(in_force & (prior.mrr > prior.prev_mrr)).fill_null(False),
    )


def _products_achieved(rule: ProductsOwnedRule, sources: Sources, anchors: ir.Table) -> ir.Table:
    subs = sources.subscriptions
    subs = subs.select(
        "account_id",
        product=subs["product"].coalesce(""),
        start=subs.started_at.date(),
        end=subs.ended_at.date(),
    )
    points = ibis.union(
        anchors.select("account_id", day=anchors.anchor_day),
        subs.select("account_id", day=subs.start),
        subs.filter(subs.end.notnull()).select("account_id", day=subs.end),
        distinct=True,
    )
    points = _since_anchor(points, anchors)
    owned = points.join(subs, "account_id")
    owned = owned.filter(
        (owned.start <= owned.day) & (owned.end.isnull() | (owned.end > owned.day))
    )
    counts = owned.group_by(["account_id", "day"]).aggregate(products=owned["product"].nunique())
    counts = counts.filter(counts.products >= rule.products_owned)
    return _achieved(counts, counts.day)


def _tickets_achieved(rule: TicketsRule, sources: Sources, anchors: ir.Table) -> ir.Table:
    tickets = sources.tickets.filter(sources.tickets.account_id.notnull())
    tickets = _since_anchor(tickets.mutate(day=tickets.created_at.date()), anchors)
    daily = tickets.group_by(["account_id", "day"]).aggregate(amount=tickets.count())
    return _reaching(daily, at_least=rule.at_least)


def _nps_achieved(rule: NpsRule, sources: Sources, anchors: ir.Table) -> ir.Table:
    responses = sources.survey_responses
    responses = responses.filter(
        responses.account_id.notnull() & (responses.survey.lower() == "nps")
    )
    responses = responses.mutate(
        who=responses.contact_id.coalesce("response:" + responses.response_id),
        day=responses.responded_at.date(),
    )
    last_of_day = ibis.window(
        group_by=["account_id", "who", "day"],
        order_by=[responses.responded_at.desc(), responses.response_id.desc()],
    )
    ranked = responses.mutate(nth=ibis.row_number().over(last_of_day))
    ranked = ranked.filter(ranked.nth == 0)
    steps = ranked.select("account_id", "who", "day", holds=ranked.score >= rule.latest_nps)
    return _first_holding(steps, anchors, by=("account_id", "who"))


def _attribute_achieved(rule: AttributeRule, sources: Sources, anchors: ir.Table) -> ir.Table:
    accounts = sources.accounts
    if rule.attribute in accounts.columns:
        value = accounts[rule.attribute].cast("string")
    else:
        value = json_text(accounts, "traits", rule.attribute)
    matching = accounts.filter(value.isin(rule.one_of)).select("account_id")
    joined = matching.join(anchors, "account_id")
    return joined.select("account_id", achieved_on=joined.anchor_day)


def _children(rules: list[Any], sources: Sources, anchors: ir.Table) -> ir.Table:
    return ibis.union(*(rule_achieved(r, sources, anchors=anchors) for r in rules))


def _any_achieved(rule: AnyRule, sources: Sources, anchors: ir.Table) -> ir.Table:
    met = _children(rule.any, sources, anchors)
    return _achieved(met, met.achieved_on)


def _all_achieved(rule: AllRule, sources: Sources, anchors: ir.Table) -> ir.Table:
    met = _children(rule.all, sources, anchors)
    per_account = met.group_by("account_id").aggregate(
        rules=met.count(), achieved_on=met.achieved_on.max()
    )
    done = per_account.filter(per_account.rules == len(rule.all))
    return done.select("account_id", "achieved_on")


# How each kind of rule compiles: one function per rule class.
_COMPILERS: dict[type, Callable[[Any, Sources, ir.Table], ir.Table]] = {
    EventRule: _event_achieved,
    ActiveDaysRule: _active_days_achieved,
    ShareOfContactsRule: _share_achieved,
    SubscriptionRule: _subscription_achieved,
    ProductsOwnedRule: _products_achieved,
    TicketsRule: _tickets_achieved,
    NpsRule: _nps_achieved,
    AttributeRule: _attribute_achieved,
    AnyRule: _any_achieved,
    AllRule: _all_achieved,
}
