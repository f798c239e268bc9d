"""The CRM's view: the `accounts` and `contacts` fact tables."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa

from tenure.sources.synthetic import catalog
from tenure.sources.synthetic.lifecycle import Lifecycle
from tenure.sources.synthetic.people import Roster
from tenure.sources.synthetic.population import Population
from tenure.sources.synthetic.tables import fact_table, lookup, timestamps

SEGMENTS = ("smb", "mid_market", "enterprise")
LEAD_SOURCES = ("inbound", "outbound", "partner", "self_serve")


def current_plan(life: Lifecycle) -> np.ndarray:
    """Plan of each account in its last month as a customer."""
    last = life.alive.shape[1] - 1 - np.argmax(life.alive[:, ::-1], axis=1)
    return life.plan[np.arange(life.plan.shape[0]), last]


def accounts_table(
    rng: np.random.Generator, pop: Population, life: Lifecycle, reasons: list[str | None],
    account_ids: pa.Array,
) -> pa.Table:  # fmt: skip
    """The `accounts` fact table; traits hold the segment and lead source."""
    segment = np.searchsorted([100, 1000], pop.employees, side="right")
    source = rng.integers(0, len(LEAD_SOURCES), pop.size)
    traits = [f'{{"segment":"{s}","lead_source":"{ls}"}}' for s in SEGMENTS for ls in LEAD_SOURCES]
    churned = life.churn_us >= 0
    return fact_table("accounts", {
        "account_id": account_ids,
        "name": pa.array(pop.names, pa.string()),
        "domain": pa.array(pop.domains, pa.string()),
        "industry": lookup(catalog.INDUSTRIES, pop.industry),
        "employees": pa.array(pop.employees, pa.int64()),
        "region": lookup(catalog.REGIONS, pop.region),
        "owner": lookup(pop.csm_names, pop.owner),
        "sales_rep": lookup(pop.sales_rep_names, pop.sales_rep),
        "plan": lookup(catalog.PLANS, current_plan(life)),
        "created_at": timestamps(pop.created_us),
        "churned_at": timestamps(np.maximum(life.churn_us, 0), null=~churned),
        "churn_reasons": pa.array(reasons, pa.string()),
        "traits": lookup(traits, segment * len(LEAD_SOURCES) + source),
    })  # fmt: skip


def contact_emails(people: Roster, pop: Population) -> tuple[list[str], list[str]]:
    """Display names and e-mail addresses, unique within each account."""
    firsts, lasts = catalog.FIRST_NAMES, catalog.LAST_NAMES
    names, emails, seen = [], [], set()
    for a, f, s in zip(people.account.tolist(), people.first_name.tolist(),
                       people.last_name.tolist(), strict=True):  # fmt: skip
        local = f"{firsts[f]}.{lasts[s]}"
        email, k = f"{local}@{pop.domains[a]}", 1
        while email in seen:
            k += 1
            email = f"{local}{k}@{pop.domains[a]}"
        seen.add(email)
        names.append(f"{firsts[f].title()} {lasts[s].title()}")
        emails.append(email)
    return names, emails


def contacts_table(
    people: Roster, pop: Population, account_ids: pa.Array, contact_ids: pa.Array
) -> pa.Table:
    """The `contacts` fact table; traits hold the job title and whether they left."""
    names, emails = contact_emails(people, pop)
    traits: list[str] = []
    codes: dict[tuple[int, int, bool], int] = {}
    for role, titles in enumerate(catalog.ROLE_TITLES):
        for t, title in enumerate(titles):
            for left in (False, True):
                codes[role, t, left] = len(traits)
                extra = {"title": title, **({"status": "left"} if left else {})}
                traits.append(json.dumps(extra, separators=(",", ":")))
    code = [codes[k] for k in zip(people.role.tolist(), people.title.tolist(),
                                  people.left.tolist(), strict=True)]  # fmt: skip
    return fact_table("contacts", {
        "contact_id": contact_ids,
        "account_id": account_ids.take(pa.array(people.account)),
        "email": pa.array(emails, pa.string()),
        "name": pa.array(names, pa.string()),
        "role": lookup(catalog.ROLES, people.role),
        "created_at": timestamps(people.created_us),
        "traits": lookup(traits, np.array(code, dtype=np.int64)),
    })  # fmt: skip
