"""Column names of common exports, mapped to Tenure's columns.

Names are compared after `normalize`: case, spaces and punctuation do not
matter, so "Created at", "created_at" and "CREATED-AT" are one name. Without a
preset, a file's columns match Tenure's own names plus the generic aliases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


def normalize(name: str) -> str:
    """'Company name ' -> 'company_name'; 'Date/Time Opened' -> 'date_time_opened'."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


@dataclass(frozen=True)
class Preset:
    """Aliases (source name -> Tenure column) and default values, per import kind."""

    name: str
    aliases: dict[str, dict[str, str]]
    defaults: dict[str, dict[str, str]] = field(default_factory=dict)


# Aliases that hold without a preset: a plain "id" is the table's key.
GENERIC: dict[str, dict[str, str]] = {
    "accounts": {"id": "account_id", "company": "name", "company_name": "name"},
    "contacts": {"id": "contact_id", "user_id": "contact_id", "email_address": "email"},
    "subscriptions": {"id": "subscription_id", "start_date": "started_at", "end_date": "ended_at"},
    "events": {
        "id": "message_id",
        "messageid": "message_id",
        "user_id": "contact_id",
        "userid": "contact_id",
        "anonymousid": "anonymous_id",
        "group_id": "account_id",
        "groupid": "account_id",
        "event_name": "event",
        "time": "timestamp",
        "occurred_at": "timestamp",
    },
    "tickets": {"id": "ticket_id"},
    "surveys": {"id": "response_id"},
    "touches": {"id": "touch_id", "type": "kind", "date": "at"},
}

PRESETS: dict[str, Preset] = {
    "hubspot": Preset(
        "hubspot",
        aliases={
            "accounts": {
                "record_id": "account_id",
                "company_name": "name",
                "company_domain_name": "domain",
                "number_of_employees": "employees",
                "company_owner": "owner",
                "country_region": "region",
                "create_date": "created_at",
            },
            "contacts": {
                "record_id": "contact_id",
                "associated_company_id": "account_id",
                "associated_company_ids": "account_id",
                "create_date": "created_at",
                "job_title": "role",
            },
            "touches": {
                "record_id": "touch_id",
                "associated_company_id": "account_id",
                "activity_type": "kind",
                "activity_date": "at",
                "activity_assigned_to": "author",
                "body_preview": "notes",
            },
        },
    ),
    "salesforce": Preset(
        "salesforce",
        aliases={
            "accounts": {
                "account_name": "name",
                "website": "domain",
                "billing_country": "region",
                "account_owner": "owner",
                "created_date": "created_at",
                "type": "plan",
            },
            "contacts": {
                "full_name": "name",
                "title": "role",
                "created_date": "created_at",
            },
            "subscriptions": {
                "contract_id": "subscription_id",
                "contract_number": "subscription_id",
                "contract_start_date": "started_at",
                "contract_end_date": "ended_at",
                "product_name": "product",
                "monthly_recurring_revenue": "mrr",
                "contract_currency": "currency",
            },
            "tickets": {
                "case_id": "ticket_id",
                "case_number": "ticket_id",
                "date_time_opened": "created_at",
                "date_time_closed": "solved_at",
            },
            "touches": {
                "activity_id": "touch_id",
                "task_subtype": "kind",
                "activity_date": "at",
                "assigned": "author",
                "assigned_to": "author",
                "comments": "notes",
                "description": "notes",
            },
        },
    ),
    "zendesk": Preset(
        "zendesk",
        aliases={
            "tickets": {
                "organization": "account_id",
                "requester": "contact_id",
                "requester_id": "contact_id",
                "satisfaction_score": "satisfaction",
            },
            "contacts": {"organization": "account_id"},
        },
    ),
    "delighted": Preset(
        "delighted",
        aliases={
            "surveys": {
                "response_id": "response_id",
                "email": "contact_id",
                "person_id": "contact_id",
                "company": "account_id",
                "account": "account_id",
                "response_timestamp": "responded_at",
                "created_at": "responded_at",
                "date": "responded_at",
                "survey_type": "survey",
            },
        },
        defaults={"surveys": {"survey": "nps"}},
    ),
}
