"""Account lifetimes (start, end, churned, MRR, attributes) on every backend."""

from __future__ import annotations

import datetime as dt

from facts_fixtures import Row, load_sources
from ibis.backends import BaseBackend

from tenure.engine.lifetimes import account_lifetimes

D, T = dt.date, dt.datetime

ACCOUNTS: list[Row] = [
    # Created, churned before as-of.
    {"account_id": "A", "created_at": T(2024, 1, 10, 15), "churned_at": T(2024, 6, 1, 9),
     "plan": "pro", "traits": '{"segment": "smb"}'},
    # No created_at: starts with its first subscription; churns after as-of (censored).
    {"account_id": "B", "churned_at": T(2024, 12, 1), "plan": "basic",
     "traits": '{"segment": "mid"}'},
    # Still a customer, two subscriptions in force on as-of.
    {"account_id": "C", "created_at": T(2023, 3, 1), "plan": "pro"},
    # Starts after as-of: left out.
    {"account_id": "E", "created_at": T(2024, 9, 1)},
]  # fmt: skip
SUBSCRIPTIONS: list[Row] = [
    {"subscription_id": "a1", "account_id": "A", "mrr": 100.0, "started_at": T(2024, 1, 10),
     "ended_at": T(2024, 6, 1)},
    {"subscription_id": "b1", "account_id": "B", "mrr": 50.0, "started_at": T(2024, 2, 5, 8)},
    {"subscription_id": "b0", "account_id": "B", "mrr": 10.0, "started_at": T(2024, 3, 1),
     "ended_at": T(2024, 4, 1)},
    {"subscription_id": "c1", "account_id": "C", "mrr": 30.0, "started_at": T(2023, 3, 1)},
    {"subscription_id": "c2", "account_id": "C", "mrr": 20.0, "started_at": T(2024, 1, 1),
     "ended_at": T(2024, 12, 31)},
    # Ends exactly on as-of: not in force any more.
    {"subscription_id": "c3", "account_id": "C", "mrr": 5.0, "started_at": T(2024, 1, 1),
     "ended_at": T(2024, 7, 1)},
]  # fmt: skip
AS_OF = D(2024, 7, 1)


def lifetimes(backend: BaseBackend, **options: object) -> dict[str, dict[str, object]]:
    sources = load_sources(backend, accounts=ACCOUNTS, subscriptions=SUBSCRIPTIONS)
    table = account_lifetimes(
        sources.accounts,
        sources.subscriptions,
        as_of=AS_OF,
        attributes=("plan", "segment"),
        **options,  # type: ignore[arg-type]
    )
    rows = table.to_pyarrow().to_pylist()
    return {row.pop("account_id"): row for row in rows}


def test_lifetimes_start_end_and_censor_at_as_of(backend: BaseBackend) -> None:
    rows = lifetimes(backend)
    assert rows == {
        "A": {"started_on": D(2024, 1, 10), "ended_on": D(2024, 6, 1), "entered_on": D(2024, 1, 10),
              "churned": True, "mrr": 0.0, "plan": "pro", "segment": "smb"},
        "B": {"started_on": D(2024, 2, 5), "ended_on": AS_OF, "entered_on": D(2024, 2, 5),
              "churned": False, "mrr": 50.0, "plan": "basic", "segment": "mid"},
        "C": {"started_on": D(2023, 3, 1), "ended_on": AS_OF, "entered_on": D(2023, 3, 1),
              "churned": False, "mrr": 50.0, "plan": "pro", "segment": None},
    }  # fmt: skip


def test_observed_from_enters_late_and_drops_earlier_churns(backend: BaseBackend) -> None:
    rows = lifetimes(backend, observed_from=D(2024, 2, 1))
    assert {k: v["entered_on"] for k, v in rows.items()} == {
        "A": D(2024, 2, 1),
        "B": D(2024, 2, 5),
        "C": D(2024, 2, 1),
    }
    assert set(lifetimes_after(backend)) == {"B", "C"}


def lifetimes_after(backend: BaseBackend) -> dict[str, dict[str, object]]:
    """Observed from after A's churn: A is not in the data's risk sets at all."""
    table = account_lifetimes(
        backend.table("accounts"),
        backend.table("subscriptions"),
        as_of=AS_OF,
        attributes=(),
        observed_from=D(2024, 6, 2),
    )
    return {row["account_id"]: row for row in table.to_pyarrow().to_pylist()}
