"""Copy what the pages show about each account from the warehouse into `account_profiles`.

Run at the end of every compute, so the web app never scans the warehouse in
a request: header facts (name, owner, plan, ARR, value segment, next renewal)
become columns to filter and sort on; the account 360's lists (contacts,
subscriptions, recent tickets, NPS answers, touches, weekly usage) are kept
as one JSON document per account.

Each list is one query, sorted by account, written to JSON text in bulk by
Arrow (`json_text`): the documents are what `json.dumps(..., default=str)`
gives for `{"contacts": [{...}, ...], ...}`, without a Python object per item.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
from ibis.backends import BaseBackend

from tenure.definitions import Definitions
from tenure.engine.segments import value_segment
from tenure.pipeline.json_text import json_arrays, json_documents, json_objects
from tenure.pipeline.weekly_usage import weekly_usage

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
    documents = _details(warehouse, rows["account_id"], as_of=as_of)
    return (
        rows.append_column("as_of", pa.array([as_of] * rows.num_rows, pa.date32()))
        .append_column("details", documents)
        .set_column(rows.schema.get_field_index("arr"), "arr", pc.fill_null(rows["arr"], 0.0))
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


def _details(warehouse: BaseBackend, accounts: pa.ChunkedArray, *, as_of: dt.date) -> pa.Array:
    """The JSON document of each of `accounts` as of `as_of`: `{"contacts": [...], ...}`,
    each list only when the account has items in it (`{}` when none)."""
    accounts = accounts.combine_chunks().cast(pa.string())
    members = {}
    for name, items in _lists(warehouse, as_of=as_of).items():
        rows = items.to_pyarrow()
        keys, arrays = json_arrays(
            rows["account_id"], json_objects(rows.drop_columns(["account_id"]))
        )
        members[name] = arrays.take(pc.index_in(accounts, value_set=keys.cast(pa.string())))
    return json_documents(members)


def _lists(warehouse: BaseBackend, *, as_of: dt.date) -> dict[str, ir.Table]:
    """Per list, `account_id` and the items' fields, sorted by account, then as the page
    lists them."""
    cutoff = ibis.literal(dt.datetime.combine(as_of, dt.time.max))
    subs = warehouse.table("subscriptions")
    subs = subs.filter(subs.started_at <= cutoff)
    surveys = warehouse.table("survey_responses")
    nps = surveys.filter(surveys.survey.lower() == "nps")
    lists = {
        "contacts": (_key_contacts(warehouse.table("contacts"), cutoff), ["name", "email", "role"]),
        "subscriptions": (
            subs.order_by("account_id", "started_at", "subscription_id"),
            ["product", "plan", "mrr", "started_at", "ended_at", "billing_period", "status"],
        ),
        "tickets": (
            _latest(warehouse.table("tickets"), ("created_at", "ticket_id"), cutoff),
            ["ticket_id", "created_at", "solved_at", "priority", "status"],
        ),
        "nps": (
            _latest(nps, ("responded_at", "response_id"), cutoff),
            ["score", "comment", "responded_at"],
        ),
        "touches": (
            _latest(warehouse.table("touches"), ("at", "touch_id"), cutoff),
            ["kind", "at", "author", "notes"],
        ),
        "usage": (
            weekly_usage(warehouse, as_of=as_of, weeks=USAGE_WEEKS),
            ["week", "events", "days"],
        ),
    }
    return {name: table.select("account_id", *fields) for name, (table, fields) in lists.items()}


def _latest(table: ir.Table, order: tuple[str, str], cutoff: ir.Value) -> ir.Table:
    """The `RECENT` latest rows per account up to `cutoff`, newest first.

    `order`: the time column and the row's id, which orders rows of the same time.
    """
    time, key = order
    table = table.filter(table[time] <= cutoff)
    newest = [ibis.desc(time), ibis.desc(key)]
    kept = table.mutate(_rank=ibis.row_number().over(group_by="account_id", order_by=newest))
    return kept.filter(kept._rank < RECENT).order_by("account_id", *newest)


def _key_contacts(contacts: ir.Table, cutoff: ir.Value) -> ir.Table:
    """Up to `CONTACTS` people per account: champions, sponsors, admins first, then newest."""
    contacts = contacts.filter(contacts.created_at.isnull() | (contacts.created_at <= cutoff))
    role = contacts.role.lower()
    weight = ibis.cases(
        (role == "champion", 0), (role == "exec sponsor", 1), (role == "admin", 2), else_=3
    )
    order = [weight, ibis.desc(contacts.created_at), contacts.contact_id]
    ranked = contacts.mutate(_rank=ibis.row_number().over(group_by="account_id", order_by=order))
    return ranked.filter(ranked._rank < CONTACTS).order_by("account_id", "_rank")
