"""Behavioural segments of purchases, checked on CDNOW against published and hand counts."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tenure.datasets import load_cdnow_sample
from tenure.stats.behaviour import TransactionsError, purchase_segments

WEEK_39 = dt.date(1997, 9, 30)  # end of the papers' 39-week calibration period


def test_one_time_buyers_match_the_bgnbd_paper() -> None:
    # Fader, Hardie & Lee (2005): 1,411 of the 2,357 sample customers made no repeat
    # purchase in the calibration period (a purchase day is one transaction).
    found = purchase_segments(load_cdnow_sample(), as_of=WEEK_39)
    assert len(found) == 2357
    assert (found.segment == "one_time").sum() == 1411


def test_two_time_and_inactive_match_a_direct_count() -> None:
    data = load_cdnow_sample()
    data = data[data.date <= pd.Timestamp(WEEK_39)]
    per = data.groupby("customer_id").date.agg(["nunique", "max"])
    two = (per["nunique"] == 2).sum()
    cutoff = pd.Timestamp(WEEK_39 - dt.timedelta(days=59))
    inactive_or_seasonal = ((per["nunique"] > 2) & (per["max"] < cutoff)).sum()
    found = purchase_segments(load_cdnow_sample(), as_of=WEEK_39)
    assert (found.segment == "two_time").sum() == two
    # Nobody has a full year of history by week 39, so no one can be seasonal.
    assert (found.segment == "inactive").sum() == inactive_or_seasonal
    assert (found.segment == "seasonal").sum() == 0


def test_missing_columns_and_bad_rows_are_named() -> None:
    with pytest.raises(TransactionsError, match="'amount'"):
        purchase_segments(
            pd.DataFrame({"customer_id": ["1"], "date": ["2024-01-01"]}), as_of=WEEK_39
        )
    bad = pd.DataFrame(
        {"customer_id": ["1", "2"], "date": ["2024-01-01", "not a day"], "amount": [1, 2]}
    )
    with pytest.raises(TransactionsError, match="row 1"):
        purchase_segments(bad, as_of=WEEK_39)
