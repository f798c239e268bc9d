"""Small subscription portfolios shared by the KPI tests, with their story in comments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from tenure.warehouse.schemas import SUBSCRIPTIONS

D = dt.datetime

# January 2024, on the cohort paying at the end of December 2023.
JANUARY_2024: list[dict[str, Any]] = [
    # a1 expands 100 → 150 (an add-on from Jan 10).
    {"subscription_id": "s1", "account_id": "a1", "mrr": 100.0, "started_at": D(2023, 6, 15)},
    {"subscription_id": "s2", "account_id": "a1", "mrr": 50.0, "started_at": D(2024, 1, 10)},
    # a2's annual term comes up for renewal on Jan 1 and renews at 150: contraction.
    {"subscription_id": "s3", "account_id": "a2", "mrr": 200.0,
     "started_at": D(2023, 1, 1), "ended_at": D(2024, 1, 1)},
    {"subscription_id": "s4", "account_id": "a2", "mrr": 150.0,
     "started_at": D(2024, 1, 1), "ended_at": D(2025, 1, 1)},
    # a3's term ends on Jan 20 and is not renewed: churn (on renewal).
    {"subscription_id": "s5", "account_id": "a3", "mrr": 100.0,
     "started_at": D(2023, 3, 1), "ended_at": D(2024, 1, 20)},
    # a4: a new logo in January; a5: reactivated in January. Neither is in the cohort.
    {"subscription_id": "s6", "account_id": "a4", "mrr": 80.0, "started_at": D(2024, 1, 5)},
    {"subscription_id": "s7", "account_id": "a5", "mrr": 60.0,
     "started_at": D(2023, 6, 1), "ended_at": D(2023, 9, 15)},
    {"subscription_id": "s8", "account_id": "a5", "mrr": 70.0, "started_at": D(2024, 1, 25)},
]  # fmt: skip

# The year 2024 (T12M ending December), on the cohort paying at the end of December 2023.
YEAR_2024: list[dict[str, Any]] = [
    # b1: 100 all year.
    {"subscription_id": "t1", "account_id": "b1", "mrr": 100.0, "started_at": D(2023, 1, 1)},
    # b2: 200, canceled Mar 10, back on Jun 1 at 260: retained at 260 (expansion 60).
    {"subscription_id": "t2", "account_id": "b2", "mrr": 200.0,
     "started_at": D(2023, 6, 1), "ended_at": D(2024, 3, 10)},
    {"subscription_id": "t3", "account_id": "b2", "mrr": 260.0, "started_at": D(2024, 6, 1)},
    # b3: 100, canceled Aug 31 (not in force at the end of August): churn.
    {"subscription_id": "t4", "account_id": "b3", "mrr": 100.0,
     "started_at": D(2023, 2, 1), "ended_at": D(2024, 8, 31)},
    # b4: a new logo in February: excluded.
    {"subscription_id": "t5", "account_id": "b4", "mrr": 50.0, "started_at": D(2024, 2, 1)},
    # b5: annual 300, renewed on Jul 1 at 240: contraction 60.
    {"subscription_id": "t6", "account_id": "b5", "mrr": 300.0,
     "started_at": D(2023, 7, 1), "ended_at": D(2024, 7, 1)},
    {"subscription_id": "t7", "account_id": "b5", "mrr": 240.0,
     "started_at": D(2024, 7, 1), "ended_at": D(2025, 7, 1)},
]  # fmt: skip


def load_subscriptions(backend: BaseBackend, subs: list[dict[str, Any]]) -> ir.Table:
    data = pa.Table.from_pylist(subs, schema=SUBSCRIPTIONS.schema.to_pyarrow())
    return backend.create_table("subscriptions", data)
