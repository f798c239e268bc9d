"""Copy what the pages show about each account from the warehouse into `account_profiles`.

Run at the end of every compute, so the web app never scans the warehouse in
a request: header facts (name, owner, plan, ARR, value segment, next renewal)
become columns to filter and sort on; the account 360's lists (contacts,
subscriptions, recent tickets, NPS answers, touches, weekly usage) are kept
as one JSON document per account.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from tenure.definitions import Definitions
from tenure.engine.segments import value_segment

RECENT = 10  # tickets, NPS answers and touches kept per account
CONTACTS = 25
USAGE_WEEKS = 26
HEADER = ["account_id", "name", "domain", "owner", "plan", "industry", "region", "employees"]


def account_profiles(
    warehouse: BaseBackend, definitions: Definitions, *, as_of: dt.date
) -> pa.Table:
    """One row per account as of `as_of`: the `account_profiles` columns.

    ARR = 12 × Σ MRR of subscriptions in force on `as_of`; renewal = the
    earliest end, after `as_of`, of a subscription in force then (open-ended
    subscriptions have none); segment = the value segment of that ARR.
    """
    accounts = warehouse.table("accounts")
    subscriptions = warehouse.table("subscriptions")
    end_of_day = ibis.literal(dt.datetime.combine(as_of, dt.time.max))
    segments = value_segment(accounts, subscriptions, definitions.value_segments, as_of=as_of)
    live = subscriptions.filter(
        (subscriptions.started_at <= end_of_day)
        & subscriptions.ended_at.notnull()
        & (subscriptions.ended_at > end_of_day)
    )
    renewals = live.group_by("account_id").aggregate(renewal_on=live.ended_at.min().date())
    base = accounts.select(
        *HEADER, created_on=accounts.created_at.date(), churned_on=accounts.churned_at.date()
    )
    joined = base.left_join(segments, base.account_id == segments.account_id)
    joined = joined.select(*[base[c] for c in base.columns], segments.arr, segments.segment)
    table = joined.left_join(renewals, joined.account_id == renewals.account_id)
    table = table.select(*[joined[c] for c in joined.columns], renewals.renewal_on)
    rows = table.to_pyarrow()
    details = _details(warehouse, as_of=as_of)
    documents = [
        json.dumps(details.get(a, {}), default=str) for a in rows["account_id"].to_pylist()
    ]
    return (
        rows.append_column("as_of", pa.array([as_of] * rows.num_rows, pa.date32()))
        .append_column("details", pa.array(documents, pa.string()))
        .set_column(
            rows.schema.get_field_index("arr"),
            "arr",
            pa.compute.fill_null(rows["arr"], 0.0),
        )
    )


SNAPSHOT = pa.schema(
    [
        ("account_id", pa.string()),
        ("stage", pa.string()),
        ("health_score", pa.float64()),
        ("health_band", pa.string()),
        ("change_30d", pa.float64()),
        ("engagement", pa.float64()),
    ]
)


def with_snapshot(profiles: pa.Table, account_days: pa.Table, *, day: dt.date) -> pa.Table:
    """`profiles` with the stage and health columns of `account_days` on `day` (null: none)."""
    if not profiles.num_rows:
        return profiles
    days = account_days.filter(pa.compute.equal(account_days["day"], pa.scalar(day, pa.date32())))
    days = days.select(SNAPSHOT.names).cast(SNAPSHOT)  # all-null columns come typed null
    joined = profiles.join(days, "account_id")
    return joined.select([*profiles.column_names, *SNAPSHOT.names[1:]])


def _details(warehouse: BaseBackend, *, as_of: dt.date) -> dict[str, dict[str, Any]]:
    """{account_id: {"contacts": [...], "subscriptions": [...], ...}} as of `as_of`."""
    cutoff = ibis.literal(dt.datetime.combine(as_of, dt.time.max))
    found: dict[str, dict[str, Any]] = defaultdict(dict)
    contacts = warehouse.table("contacts")
    _collect(
        found,
        "contacts",
        _key_contacts(contacts, cutoff),
        ["name", "email", "role"],
    )
    subs = warehouse.table("subscriptions")
    subs = subs.filter(subs.started_at <= cutoff).order_by("started_at")
    _collect(
        found,
        "subscriptions",
        subs,
        ["product", "plan", "mrr", "started_at", "ended_at", "billing_period", "status"],
    )
    tickets = warehouse.table("tickets")
    _collect(
        found,
        "tickets",
        _latest(tickets, "created_at", RECENT, cutoff),
        ["ticket_id", "created_at", "solved_at", "priority", "status"],
    )
    surveys = warehouse.table("survey_responses")
    nps = surveys.filter(surveys.survey.lower() == "nps")
    _collect(
        found,
        "nps",
        _latest(nps, "responded_at", RECENT, cutoff),
        ["score", "comment", "responded_at"],
    )
    touches = warehouse.table("touches")
    _collect(
        found, "touches", _latest(touches, "at", RECENT, cutoff), ["kind", "at", "author", "notes"]
    )
    _collect(found, "usage", _weekly_usage(warehouse, as_of=as_of), ["week", "events", "days"])
    return found


def _latest(table: ir.Table, column: str, n: int, cutoff: ir.Value) -> ir.Table:
    """The `n` latest rows per account up to `cutoff`, newest first."""
    table = table.filter(table[column] <= cutoff)
    rank = ibis.row_number().over(group_by="account_id", order_by=ibis.desc(column))
    kept = table.mutate(_rank=rank)
    return kept.filter(kept._rank < n).order_by("account_id", ibis.desc(column))


def _key_contacts(contacts: ir.Table, cutoff: ir.Value) -> ir.Table:
    """Up to `CONTACTS` people per account: champions, sponsors, admins first, then newest."""
    contacts = contacts.filter(contacts.created_at.isnull() | (contacts.created_at <= cutoff))
    role = contacts.role.lower()
    weight = ibis.cases(
        (role == "champion", 0), (role == "exec sponsor", 1), (role == "admin", 2), else_=3
    )
    order = [weight, ibis.desc(contacts.created_at)]
    ranked = contacts.mutate(
        _weight=weight, _rank=ibis.row_number().over(group_by="account_id", order_by=order)
    )
    return ranked.filter(ranked._rank < CONTACTS).order_by("account_id", "_rank")


def _weekly_usage(warehouse: BaseBackend, *, as_of: dt.date) -> ir.Table:
    """Events and active days per account and ISO week, the last `USAGE_WEEKS` weeks."""
    daily = warehouse.table("activity_daily")
    since = as_of - dt.timedelta(weeks=USAGE_WEEKS)
    daily = daily.filter(daily.day.between(since, as_of))
    per_day = daily.group_by("account_id", "day").aggregate(events=daily.events.sum())
    week = per_day.day.truncate("W")
    weekly = per_day.group_by("account_id", week=week).aggregate(
        events=per_day.events.sum(), days=per_day.count()
    )
    return weekly.order_by("account_id", "week")


def _collect(
    found: dict[str, dict[str, Any]], key: str, table: ir.Table, columns: list[str]
) -> None:
    rows = table.select("account_id", *columns).to_pyarrow().to_pylist()
    for row in rows:
        account = row.pop("account_id")
        if account is not None:
            found[account].setdefault(key, []).append(row)
