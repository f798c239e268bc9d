"""The CDNOW loaders reproduce the facts published about the data set.

References: Fader, Hardie and Lee (2005), "Counting your customers" the easy
way (BG/NBD), and RFM and CLV: using iso-value curves (Gamma-Gamma); Hardie's
note "The Gamma-Gamma model of monetary value" (2013) tabulates the spend of
the sample's 946 repeat buyers.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tenure.datasets import load_cdnow_master, load_cdnow_sample

CALIBRATION_END = pd.Timestamp("1997-09-30")  # end of week 39 of 1997


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return load_cdnow_sample()


@pytest.fixture(scope="module")
def master() -> pd.DataFrame:
    return load_cdnow_master()


def _repeat_purchases(frame: pd.DataFrame) -> pd.DataFrame:
    """Calibration-period purchases after each customer's first day, same-day rows merged."""
    days = frame.groupby(["customer_id", "date"], as_index=False)["amount"].sum()
    days = days[days["date"] <= CALIBRATION_END]
    first = days.groupby("customer_id")["date"].transform("min")
    return days[days["date"] > first]


@pytest.mark.parametrize("load", [load_cdnow_master, load_cdnow_sample])
def test_columns_and_dtypes(load) -> None:
    frame = load()
    assert list(frame.columns) == ["customer_id", "date", "cds", "amount"]
    assert pd.api.types.is_string_dtype(frame["customer_id"])
    assert frame["date"].dtype == "datetime64[ns]"
    assert frame["cds"].dtype == "int64"
    assert frame["amount"].dtype == "float64"
    assert not frame.isna().any().any()
    assert frame["customer_id"].str.fullmatch(r"\d{5}").all()


@pytest.mark.parametrize("load", [load_cdnow_master, load_cdnow_sample])
def test_period_covered(load) -> None:
    frame = load()
    first_purchase = frame.groupby("customer_id")["date"].min()
    assert first_purchase.min() == pd.Timestamp("1997-01-01")
    assert first_purchase.max() <= pd.Timestamp("1997-03-31")
    assert frame["date"].max() == pd.Timestamp("1998-06-30")
    assert (frame["cds"] >= 1).all()
    assert (frame["amount"] >= 0).all()


def test_master_size(master: pd.DataFrame) -> None:
    assert len(master) == 69_659
    assert master["customer_id"].nunique() == 23_570


def test_sample_size(sample: pd.DataFrame) -> None:
    assert len(sample) == 6_919
    assert sample["customer_id"].nunique() == 2_357


def test_sample_is_the_masters_rows_of_its_customers(
    sample: pd.DataFrame, master: pd.DataFrame
) -> None:
    """The sample file is in its own customer order, the master in id order: compare sorted."""
    rows = master[master["customer_id"].isin(set(sample["customer_id"]))]
    keys = list(sample.columns)
    pd.testing.assert_frame_equal(
        rows.sort_values(keys, ignore_index=True), sample.sort_values(keys, ignore_index=True)
    )


def test_calibration_repeat_buyers(sample: pd.DataFrame) -> None:
    """946 of the 2,357 made a repeat purchase in the 39 weeks; 2,457 repeats in all."""
    repeats = _repeat_purchases(sample)
    assert repeats["customer_id"].nunique() == 946
    assert len(repeats) == 2_457


def test_calibration_average_spend(sample: pd.DataFrame) -> None:
    """Hardie's summary of the 946 repeat buyers' mean spend per repeat transaction."""
    spend = _repeat_purchases(sample).groupby("customer_id")["amount"].mean()
    assert spend.mean() == pytest.approx(35.08, abs=0.005)
    assert spend.std() == pytest.approx(30.28, abs=0.005)
    assert spend.median() == pytest.approx(27.50, abs=0.005)
    assert spend.max() == pytest.approx(299.63, abs=0.005)
