"""Behavioural (RFM) segments of purchase histories: a transactions frame in, a frame out.

Purchases on the same day by the same customer are one transaction (as in the
BG/NBD papers): an active day whose value is the day's spend. The segments are
those of `tenure.engine.behaviour` (one rule set for purchases and usage), run
on an in-memory DuckDB.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

from tenure.definitions import Behaviour
from tenure.engine.behaviour import behaviour_segments


class TransactionsError(ValueError):
    """A transactions frame lacks a column or has values that are not usable."""


def active_days(
    transactions: pd.DataFrame, *, customer: str = "customer_id", date: str = "date",
    amount: str = "amount",
) -> pd.DataFrame:  # fmt: skip
    """One row per customer and day: ``account_id``, ``day``, ``value`` = Σ amount."""
    missing = [c for c in (customer, date, amount) if c not in transactions.columns]
    if missing:
        raise TransactionsError(f"transactions: no column {', '.join(map(repr, missing))}")
    days = pd.to_datetime(transactions[date], errors="coerce")
    values = pd.to_numeric(transactions[amount], errors="coerce")
    bad = transactions.index[days.isna() | values.isna() | transactions[customer].isna()]
    if len(bad):
        row = bad[0]
        raise TransactionsError(
            f"transactions row {row}: customer, {date!r} and {amount!r} must be present and valid"
        )
    frame = pd.DataFrame(
        {"account_id": transactions[customer].astype(str), "day": days.dt.date, "value": values}
    )
    return frame.groupby(["account_id", "day"], as_index=False)["value"].sum()


def purchase_segments(
    transactions: pd.DataFrame,
    *,
    as_of: dt.date,
    rules: Behaviour | None = None,
    customer: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
) -> pd.DataFrame:
    """Each customer's behavioural segment on `as_of` from purchases up to that day.

    Columns: ``account_id`` (the customer), the RFM figures of
    `tenure.engine.behaviour.behaviour_scores` and ``segment``.
    """
    days = active_days(transactions, customer=customer, date=date, amount=amount)
    con = ibis.duckdb.connect()
    try:
        table = con.create_table(
            "purchase_days",
            days,
            schema=ibis.schema({"account_id": "string", "day": "date", "value": "float64"}),
        )
        found = behaviour_segments(table, as_of=as_of, rules=rules or Behaviour())
        return found.order_by("account_id").to_pandas()
    finally:
        con.disconnect()
