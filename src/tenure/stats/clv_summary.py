"""Transactions to the per-customer sufficient statistics of BG/NBD and Gamma-Gamma."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from tenure.stats.errors import StatsInputError

SUMMARY_COLUMNS = ("x", "t_x", "T", "monetary", "first_purchase")


def summarize_transactions(
    transactions: pd.DataFrame,
    *,
    calibration_end: date | datetime | str,
    customer: str = "customer_id",
    when: str = "date",
    amount: str | None = "amount",
    unit_days: float = 7.0,
) -> pd.DataFrame:
    """One row per customer (index: the customer id) with x, t_x, T, monetary.

    Only transactions on or before ``calibration_end`` count; times are taken
    to the day and all of a customer's transactions on one day are merged into
    one (amounts added up), as in Fader, Hardie & Lee (2005).

    - ``x`` = number of distinct purchase days − 1 (repeat transactions);
    - ``t_x`` = (last purchase day − first purchase day) / ``unit_days``;
    - ``T`` = (``calibration_end`` − first purchase day) / ``unit_days``;
    - ``monetary`` = mean amount of the repeat transactions (the first one is
      left out, as Gamma-Gamma models repeat spend), 0 when x = 0 or without
      ``amount``;
    - ``first_purchase`` = the first purchase day.
    """
    needed = [customer, when] + ([amount] if amount else [])
    missing = [c for c in needed if c not in transactions.columns]
    if missing:
        raise StatsInputError(
            f"missing column(s) {', '.join(map(repr, missing))}; "
            f"columns are {', '.join(map(repr, transactions.columns))}"
        )
    if unit_days <= 0:
        raise StatsInputError("unit_days must be positive")
    end = pd.Timestamp(calibration_end).normalize()
    days = pd.to_datetime(transactions[when]).dt.normalize()
    keep = (days <= end) & transactions[customer].notna()
    frame = pd.DataFrame(
        {
            "customer": transactions.loc[keep, customer].to_numpy(),
            "day": days[keep].to_numpy(),
            "amount": transactions.loc[keep, amount].to_numpy("float64") if amount else 0.0,
        }
    )
    if frame.empty:
        raise StatsInputError(f"no transactions on or before {end.date()}")
    daily = frame.groupby(["customer", "day"], sort=True, observed=True)["amount"].sum()
    daily = daily.reset_index()
    per = daily.groupby("customer", sort=True)
    first = per["day"].min()
    last = per["day"].max()
    purchases = per.size()
    total = per["amount"].sum()
    first_amount = per["amount"].first()  # days are sorted within each customer
    x = purchases - 1
    unit = pd.Timedelta(days=unit_days)
    summary = pd.DataFrame(
        {
            "x": x.astype("int64"),
            "t_x": (last - first) / unit,
            "T": (end - first) / unit,
            "monetary": ((total - first_amount) / x.where(x > 0)).fillna(0.0),
            "first_purchase": first,
        }
    )
    summary.index.name = customer
    return summary
