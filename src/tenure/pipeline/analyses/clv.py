"""`tenure clv`: BG/NBD and Gamma-Gamma fitted to a file of transactions."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tenure.stats.clv import (
    BgNbdFit,
    GammaGammaFit,
    clv,
    conditional_expected_purchases,
    expected_average_spend,
    fit_bgnbd,
    fit_gamma_gamma,
    prob_alive,
    summarize_transactions,
)
from tenure.stats.errors import StatsInputError


@dataclass(frozen=True)
class ClvReport:
    calibration_end: dt.date
    customers: int
    repeat_buyers: int
    transactions: int
    bgnbd: BgNbdFit
    spend: GammaGammaFit
    periods: int
    period_weeks: float
    discount_rate: float
    predictions: pd.DataFrame
    seconds: float


def read_transactions(path: Path, *, customer: str, date: str, amount: str) -> pd.DataFrame:
    """A CSV or Parquet file's customer, date and amount columns, parsed and checked.

    Errors name the file, the line (CSV, counting the header as line 1) or row
    (Parquet, from 1), the column and the value.
    """
    if not path.is_file():
        raise StatsInputError(f"{path}: no such file")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            frame, first, where = pd.read_parquet(path), 1, "row"
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
            first, where = 2, "line"
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise StatsInputError(f"{path}: cannot read the file ({exc})") from None
    missing = [c for c in (customer, date, amount) if c not in frame.columns]
    if missing:
        raise StatsInputError(
            f"{path}: missing column(s) {', '.join(map(repr, missing))}"
            f" (columns: {', '.join(map(repr, frame.columns))}; name others with"
            " --customer/--date/--amount)"
        )

    def fail(column: str, bad: pd.Series, what: str) -> None:
        i = int(np.flatnonzero(bad.to_numpy())[0])
        value = frame[column].iloc[i]
        raise StatsInputError(f"{path} {where} {i + first}: column {column!r}: {what} ({value!r})")

    ids = frame[customer].astype("string").str.strip()
    if (empty := ids.isna() | (ids == "")).any():
        fail(customer, empty, "a customer id is required")
    when = pd.to_datetime(frame[date], errors="coerce", format="ISO8601")
    if (bad := when.isna()).any():
        fail(date, bad, "not a date (use YYYY-MM-DD)")
    spent = pd.to_numeric(frame[amount], errors="coerce")
    if (bad := spent.isna() | ~np.isfinite(spent)).any():
        fail(amount, bad, "not a number")
    if (bad := spent < 0).any():
        fail(amount, bad, "must not be negative")
    when = when.dt.tz_convert(None) if when.dt.tz is not None else when
    return pd.DataFrame({"customer_id": ids, "date": when, "amount": spent.astype("float64")})


def clv_analysis(
    transactions: pd.DataFrame,
    *,
    calibration_end: dt.date,
    periods: int = 12,
    period_weeks: float = 52 / 12,
    discount_rate: float = 0.01,
    margin: float = 1.0,
) -> ClvReport:
    """Fit BG/NBD and Gamma-Gamma (in weeks) to transactions up to ``calibration_end``
    and predict, per customer, P(alive), purchases and spend over the next
    ``periods`` periods of ``period_weeks`` weeks, and the discounted CLV."""
    began = time.perf_counter()
    summary = summarize_transactions(transactions, calibration_end=calibration_end)
    x, t_x, T, m = (summary[c].to_numpy() for c in ("x", "t_x", "T", "monetary"))
    bgnbd = fit_bgnbd(x, t_x, T)
    spend = fit_gamma_gamma(x, m)
    horizon = periods * period_weeks
    predictions = pd.DataFrame(
        {
            "customer_id": summary.index.astype(str),
            "x": x,
            "t_x": t_x,
            "T": T,
            "monetary": m,
            "p_alive": prob_alive(bgnbd, x, t_x, T),
            "expected_purchases": conditional_expected_purchases(bgnbd, horizon, x, t_x, T),
            "expected_spend": expected_average_spend(spend, x, m),
            "clv": clv(
                bgnbd,
                spend,
                x,
                t_x,
                T,
                m,
                periods=periods,
                period_length=period_weeks,
                discount_rate=discount_rate,
                margin=margin,
            ),
        }
    )
    return ClvReport(
        calibration_end=calibration_end,
        customers=len(summary),
        repeat_buyers=int((x > 0).sum()),
        transactions=int((transactions["date"] <= pd.Timestamp(calibration_end)).sum()),
        bgnbd=bgnbd,
        spend=spend,
        periods=periods,
        period_weeks=period_weeks,
        discount_rate=discount_rate,
        predictions=predictions,
        seconds=round(time.perf_counter() - began, 3),
    )


def write_predictions(predictions: pd.DataFrame, path: Path) -> Path:
    """Write per-customer predictions as Parquet (.parquet) or CSV (anything else)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() in (".parquet", ".pq"):
        predictions.to_parquet(path, index=False)
    else:
        predictions.to_csv(path, index=False)
    return path
