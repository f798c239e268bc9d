"""Churn features per account as of a day, and the churn outcome after it (pure Ibis).

`churn_features(sources, as_of=D)` has one row per account that is a customer
on D (created on or before D, not churned by the end of D; only what was known by
the end of D counts):

- `tenure_days`: D − created day.
- `mrr`: MRR in force on D (subscriptions started ≤ D < ended);
  `mrr_change_90d`: minus the same 90 days before.
- `days_to_renewal`: days to the next anniversary of an annual subscription in
  force on D (NULL: none); from the start, never from a future end date.
- `plan`, `industry`, `region` (categorical text), `employees`.
- `contacts`: created ≤ D; `contacts_active_30d`: with an event in [D − 29, D].
- `events_30d`, `events_prev_30d`: events in [D − 29, D] and [D − 59, D − 30]
  (from `activity_daily`); `active_days_30d`, `event_kinds_30d`: days with any
  event and distinct event names in [D − 29, D].
- `open_tickets`: created ≤ D, not solved by D; `tickets_90d`: created in
  [D − 89, D].
- `latest_nps`, `days_since_nps`: the latest NPS answer on or before D, its age.
- `touches_90d`: CSM touches in [D − 89, D].

Counts are 0 without rows; MRR 0 without a subscription; NPS and renewal
NULL when unknown (the model treats missing as its own branch).

`churn_outcomes(accounts, as_of=D, horizon_days=H)`: `churned` = 1 when the
account's churned day is in (D, D + H], else 0, for the same accounts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import ibis.expr.types as ir

ATTRIBUTES = ("plan", "industry", "region", "employees")


def _day(value: dt.date) -> ir.DateValue:
    return ibis.literal(value, type="date")


def _ts(value: dt.date) -> ir.TimestampValue:
    """The first instant after day `value` (so `< _ts(D)` means "by the end of D")."""
    return ibis.literal(dt.datetime.combine(value + dt.timedelta(days=1), dt.time()))


def customers_on(accounts: ir.Table, as_of: dt.date) -> ir.Table:
    """Accounts created on or before `as_of` and not churned by its end."""
    created, churned = accounts.created_at.date(), accounts.churned_at.date()
    return accounts.filter(
        created.isnull() | (created <= as_of), churned.isnull() | (churned > as_of)
    )


def _mrr_on(subscriptions: ir.Table, day: dt.date, name: str) -> ir.Table:
    """MRR in force on `day` and the days to the next anniversary of an annual term.

    The renewal comes from the start and the billing period, never from
    `ended_at`: a cancellation's end date is only known once it happened.
    """
    s = subscriptions
    live = s.filter(s.started_at < _ts(day), s.ended_at.isnull() | (s.ended_at >= _ts(day)))
    age = (_day(day) - live.started_at.date()).cast("int64")
    annual = live.billing_period.lower() == "annual"
    renewal = ibis.cases((annual, 365 - age % 365), else_=ibis.null("int64"))
    return live.group_by("account_id").aggregate(
        **{name: live.mrr.sum(), f"{name}_renewal": renewal.min()}
    )


def _counted(table: ir.Table, by: Any, **aggregates: ir.Value) -> ir.Table:
    return table.group_by(by).aggregate(**aggregates)


def churn_features(sources: Any, *, as_of: dt.date) -> ir.Table:
    """Features per customer as of `as_of` (see the module docstring).

    `sources` has the tables `accounts`, `subscriptions`, `contacts`, `tickets`,
    `survey_responses`, `touches`, `activity_daily`, `contact_daily` (e.g.
    `tenure.engine.rules.Sources` plus `touches`).
    """
    base = customers_on(sources.accounts, as_of)
    rows = base.select(
        "account_id",
        *ATTRIBUTES,
        tenure_days=(_day(as_of) - base.created_at.date()).cast("int64"),
    )
    d30, d60, d90 = (as_of - dt.timedelta(days=k) for k in (29, 59, 89))
    now = _mrr_on(sources.subscriptions, as_of, "mrr")
    before = _mrr_on(sources.subscriptions, as_of - dt.timedelta(days=90), "mrr_before")
    act = sources.activity_daily.filter(sources.activity_daily.day.between(d60, as_of))
    recent = act.day >= d30
    activity = _counted(
        act,
        "account_id",
        events_30d=act.events.sum(where=recent),
        events_prev_30d=act.events.sum(where=~recent),
        active_days_30d=act.day.nunique(where=recent),
        event_kinds_30d=act.event.nunique(where=recent),
    )
    people = sources.contact_daily
    people = people.filter(people.day.between(d30, as_of))
    active = _counted(people, "account_id", contacts_active_30d=people.contact_id.nunique())
    c = sources.contacts
    c = c.filter(c.created_at.isnull() | (c.created_at < _ts(as_of)))
    contacts = _counted(c, "account_id", contacts=c.count())
    t = sources.tickets.filter(sources.tickets.created_at < _ts(as_of))
    open_now = t.solved_at.isnull() | (t.solved_at >= _ts(as_of))
    tickets = _counted(
        t,
        "account_id",
        open_tickets=open_now.cast("int64").sum(),
        tickets_90d=(t.created_at.date() >= d90).cast("int64").sum(),
    )
    nps = _latest_nps(sources.survey_responses, as_of)
    to = sources.touches
    to = to.filter(to.at < _ts(as_of), to.at.date() >= d90)
    touches = _counted(to, "account_id", touches_90d=to.count())
    for part in (now, before, activity, active, contacts, tickets, nps, touches):
        rows = rows.left_join(part, "account_id").drop("account_id_right")
    zero = ibis.literal(0)
    return rows.select(
        "account_id",
        "tenure_days",
        *ATTRIBUTES,
        mrr=rows.mrr.fill_null(0.0),
        mrr_change_90d=rows.mrr.fill_null(0.0) - rows.mrr_before.fill_null(0.0),
        days_to_renewal=rows.mrr_renewal,
        contacts=rows.contacts.fill_null(zero),
        contacts_active_30d=rows.contacts_active_30d.fill_null(zero),
        events_30d=rows.events_30d.fill_null(zero),
        events_prev_30d=rows.events_prev_30d.fill_null(zero),
        active_days_30d=rows.active_days_30d.fill_null(zero),
        event_kinds_30d=rows.event_kinds_30d.fill_null(zero),
        open_tickets=rows.open_tickets.fill_null(zero),
        tickets_90d=rows.tickets_90d.fill_null(zero),
        latest_nps=rows.latest_nps,
        days_since_nps=rows.days_since_nps,
        touches_90d=rows.touches_90d.fill_null(zero),
    )


def _latest_nps(answers: ir.Table, as_of: dt.date) -> ir.Table:
    a = answers.filter(
        answers.survey.lower() == "nps",
        answers.responded_at < _ts(as_of),
        answers.account_id.notnull(),
    )
    newest = ibis.window(
        group_by="account_id", order_by=[ibis.desc("responded_at"), ibis.desc("response_id")]
    )
    a = a.mutate(rank=ibis.row_number().over(newest))
    a = a.filter(a.rank == 0)
    return a.select(
        "account_id",
        latest_nps=a.score,
        days_since_nps=(_day(as_of) - a.responded_at.date()).cast("int64"),
    )


def churn_outcomes(accounts: ir.Table, *, as_of: dt.date, horizon_days: int) -> ir.Table:
    """`churned` (0/1): churned day in (as_of, as_of + horizon], for customers on as_of."""
    base = customers_on(accounts, as_of)
    churned = base.churned_at.date()
    end = as_of + dt.timedelta(days=horizon_days)
    inside = churned.notnull() & (churned > as_of) & (churned <= end)
    return base.select("account_id", churned=inside.cast("int64"))
