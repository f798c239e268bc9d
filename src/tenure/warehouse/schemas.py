"""The fact tables: Tenure's canonical input, as Ibis schemas.

Every table has a stable external id from the source system (its `key`), so
re-importing the same data updates rows instead of duplicating them. Times are
naive UTC timestamps. Columns a source has beyond ours are kept as a JSON object
in the table's `extras` column (`traits` or `properties`). See docs/data-model.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis
import ibis.expr.schema as sch


@dataclass(frozen=True)
class Column:
    """One column of a fact table and the checks an imported value must pass."""

    name: str
    dtype: str  # an Ibis type name: string, int64, float64, timestamp
    required: bool = False
    doc: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class FactTable:
    name: str
    key: str
    extras: str  # the JSON column that keeps a source's extra columns
    columns: tuple[Column, ...]
    doc: str = ""
    # Import kinds whose rows must reference an account known to the warehouse.
    references_account: bool = field(default=True)

    @property
    def schema(self) -> sch.Schema:
        return ibis.schema({c.name: c.dtype for c in self.columns})

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _id(name: str, doc: str) -> Column:
    return Column(name, "string", required=True, doc=doc)


ACCOUNTS = FactTable(
    name="accounts",
    key="account_id",
    extras="traits",
    references_account=False,
    doc="One row per customer account (a company), from the CRM.",
    columns=(
        _id("account_id", "external id of the account in the source system"),
        Column("name", "string", doc="company name"),
        Column("domain", "string", doc="web domain, e.g. acme.com"),
        Column("industry", "string"),
        Column("employees", "int64", minimum=0, doc="company size in employees"),
        Column("region", "string"),
        Column("owner", "string", doc="the CSM who owns the account"),
        Column("sales_rep", "string"),
        Column("plan", "string", doc="current plan or tier"),
        Column("created_at", "timestamp", doc="when the account became a customer"),
        Column("churned_at", "timestamp", doc="when the account churned, if it did"),
        Column("churn_reasons", "string", doc="reason codes, separated by ';'"),
        Column("traits", "string", doc="JSON object of any other columns"),
    ),
)

CONTACTS = FactTable(
    name="contacts",
    key="contact_id",
    extras="traits",
    doc="People at customer accounts.",
    columns=(
        _id("contact_id", "external id of the person"),
        Column("account_id", "string", doc="the account the person belongs to"),
        Column("email", "string"),
        Column("name", "string"),
        Column("role", "string", doc="champion, exec sponsor, admin, user, ..."),
        Column("created_at", "timestamp"),
        Column("traits", "string", doc="JSON object of any other columns"),
    ),
)

SUBSCRIPTIONS = FactTable(
    name="subscriptions",
    key="subscription_id",
    extras="properties",
    doc="Contract lines: one row per product subscription and term.",
    columns=(
        _id("subscription_id", "external id of the subscription or contract line"),
        Column("account_id", "string", required=True),
        Column("product", "string"),
        Column("plan", "string"),
        Column("mrr", "float64", required=True, minimum=0, doc="monthly recurring revenue"),
        Column("currency", "string", doc="ISO 4217 code, e.g. USD"),
        Column("started_at", "timestamp", required=True),
        Column("ended_at", "timestamp", doc="end of the term, empty while open-ended"),
        Column("billing_period", "string", doc="monthly, quarterly, annual"),
        Column("status", "string", doc="active, canceled, ended, trialing"),
        Column("properties", "string", doc="JSON object of any other columns"),
    ),
)

EVENTS = FactTable(
    name="events",
    key="message_id",
    extras="properties",
    doc="Product usage events (Segment's track calls).",
    columns=(
        _id(
            "message_id",
            "unique event id; derived from the event's content when the source has none",
        ),
        Column("account_id", "string"),
        Column("contact_id", "string", doc="the user who did it"),
        Column("anonymous_id", "string", doc="for events without a known user"),
        Column("event", "string", required=True, doc="event name, e.g. message_sent"),
        Column("timestamp", "timestamp", required=True),
        Column("properties", "string", doc="JSON object of event properties"),
    ),
)

TICKETS = FactTable(
    name="tickets",
    key="ticket_id",
    extras="properties",
    doc="Support tickets, from the help desk.",
    columns=(
        _id("ticket_id", "external id of the ticket"),
        Column("account_id", "string"),
        Column("contact_id", "string"),
        Column("created_at", "timestamp", required=True),
        Column("solved_at", "timestamp"),
        Column("priority", "string", doc="low, normal, high, urgent"),
        Column("status", "string", doc="new, open, pending, solved, closed"),
        Column("satisfaction", "string", doc="the requester's rating, e.g. good or bad"),
        Column("properties", "string", doc="JSON object of any other columns"),
    ),
)

SURVEY_RESPONSES = FactTable(
    name="survey_responses",
    key="response_id",
    extras="properties",
    doc="NPS and CSAT survey responses.",
    columns=(
        _id("response_id", "external id of the response"),
        Column("account_id", "string"),
        Column("contact_id", "string"),
        Column("survey", "string", required=True, doc="nps or csat"),
        Column("score", "int64", required=True, minimum=0, maximum=10),
        Column("comment", "string"),
        Column("responded_at", "timestamp", required=True),
        Column("properties", "string", doc="JSON object of any other columns"),
    ),
)

TOUCHES = FactTable(
    name="touches",
    key="touch_id",
    extras="properties",
    doc="CSM activity: calls, meetings, business reviews, emails.",
    columns=(
        _id("touch_id", "external id of the activity"),
        Column("account_id", "string", required=True),
        Column(
            "kind",
            "string",
            required=True,
            choices=("call", "meeting", "qbr", "onsite", "email", "webinar", "newsletter"),
        ),
        Column("at", "timestamp", required=True),
        Column("author", "string", doc="who did it, usually the CSM"),
        Column("notes", "string"),
        Column("properties", "string", doc="JSON object of any other columns"),
    ),
)

FACT_TABLES: dict[str, FactTable] = {
    t.name: t
    for t in (ACCOUNTS, CONTACTS, SUBSCRIPTIONS, EVENTS, TICKETS, SURVEY_RESPONSES, TOUCHES)
}

# The names `tenure import KIND` accepts, mapped to their table.
IMPORT_KINDS: dict[str, FactTable] = {
    "accounts": ACCOUNTS,
    "contacts": CONTACTS,
    "subscriptions": SUBSCRIPTIONS,
    "events": EVENTS,
    "tickets": TICKETS,
    "surveys": SURVEY_RESPONSES,
    "touches": TOUCHES,
}
