"""Kaplan–Meier, log-rank and Cox on hand-computed fixtures and simulations with known truth."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test

from tenure.stats.clv import subscription_clv
from tenure.stats.errors import StatsInputError
from tenure.stats.survival import (
    churn_drivers,
    kaplan_meier,
    log_rank,
    restricted_mean_lifetime,
)

START = dt.date(2024, 1, 1)


def lifetimes(days: list[float], churned: list[bool], **attributes: list[object]) -> pd.DataFrame:
    """Accounts that all start on START and last `days`."""
    return pd.DataFrame(
        {
            "started_on": [START] * len(days),
            "ended_on": [START + dt.timedelta(days=int(d)) for d in days],
            "churned": churned,
            **attributes,
        }
    )


def simulated(rng: np.random.Generator, times: np.ndarray, censor_at: float) -> pd.DataFrame:
    return lifetimes(list(np.minimum(np.ceil(times), censor_at)), list(np.ceil(times) < censor_at))


# Hand-computed: churns at 1, 2, 3, 5; censored at 2 and 4.
# S(1) = 5/6, S(2) = 5/6 · 4/5 = 2/3, S(3) = 2/3 · (1 − 1/3) = 4/9, S(5) = 0.
HAND = lifetimes([1, 2, 2, 3, 4, 5], [True, True, False, True, False, True])


def test_kaplan_meier_by_hand() -> None:
    (curve,) = kaplan_meier(HAND)
    assert curve.group == "all"
    assert (curve.accounts, curve.churned) == (6, 4)
    steps = dict(zip(curve.days, curve.survival, strict=True))
    assert steps == pytest.approx(
        {0.0: 1.0, 1.0: 5 / 6, 2.0: 2 / 3, 3.0: 4 / 9, 4.0: 4 / 9, 5.0: 0.0}
    )
    assert curve.median_days == 3.0
    assert curve.survival_at(2.5) == pytest.approx(2 / 3)
    assert curve.at_risk[curve.days.index(3.0)] == 3
    assert all(
        lo <= s <= hi for lo, s, hi in zip(curve.lower, curve.survival, curve.upper, strict=True)
    )


def test_restricted_mean_lifetime_by_hand() -> None:
    (curve,) = kaplan_meier(HAND)
    # Area under the steps up to 5: 1 + 5/6 + 2/3 + 4/9 · 2.
    assert restricted_mean_lifetime(curve, 5.0) == pytest.approx(1 + 5 / 6 + 2 / 3 + 8 / 9)
    # Capped at 2.5: 1 + 5/6 + 2/3 · 0.5.
    assert restricted_mean_lifetime(curve, 2.5) == pytest.approx(1 + 5 / 6 + 1 / 3)
    # Remaining from age 2: (4/9 · 3 + 2/3 · 1 ... ) — area from 2 to 5 over S(2).
    assert restricted_mean_lifetime(curve, 5.0, age=2.0) == pytest.approx((2 / 3 + 8 / 9) / (2 / 3))


def test_subscription_clv_is_arpa_margin_lifetime() -> None:
    # Everyone lasts exactly 10 months: lifetime 10 months within a 60-month horizon.
    days = [10 * 365.25 / 12] * 4
    (curve,) = kaplan_meier(
        pd.DataFrame(
            {
                "started_on": [pd.Timestamp(START)] * 4,
                "ended_on": [pd.Timestamp(START) + pd.Timedelta(days=d) for d in days],
                "churned": [True] * 4,
            }
        )
    )
    value = subscription_clv(curve, arpa=100.0, gross_margin=0.8, horizon_months=60)
    # Durations are whole days (304 of 304.375), so the lifetime is just under 10 months.
    assert value.expected_lifetime_months == pytest.approx(304 / (365.25 / 12))
    assert value.clv == pytest.approx(100.0 * 0.8 * value.expected_lifetime_months)


def test_groups_match_lifelines_with_late_entry() -> None:
    rng = np.random.default_rng(4)
    n = 300
    frame = pd.DataFrame(
        {
            "started_on": pd.Timestamp(START) + pd.to_timedelta(rng.integers(0, 400, n), "D"),
            "plan": rng.choice(["pro", "basic"], n),
        }
    )
    frame["ended_on"] = frame.started_on + pd.to_timedelta(rng.integers(1, 500, n), "D")
    frame["entered_on"] = frame.started_on.clip(lower=pd.Timestamp(2024, 6, 1))
    frame["churned"] = rng.random(n) < 0.6
    frame = frame[frame.ended_on > frame.entered_on]
    curves = kaplan_meier(frame, by="plan")
    assert [c.group for c in curves] == ["basic", "pro"]
    for curve in curves:
        rows = frame[frame.plan == curve.group]
        duration = (rows.ended_on - rows.started_on).dt.days
        entry = (rows.entered_on - rows.started_on).dt.days
        reference = KaplanMeierFitter().fit(duration, rows.churned, entry=entry)
        assert curve.survival == pytest.approx(reference.survival_function_.iloc[:, 0].tolist())
        assert curve.median_days == reference.median_survival_time_


@pytest.mark.parametrize(
    ("draw", "median"),
    [
        (lambda rng, n: rng.exponential(200.0, n), 200.0 * math.log(2)),
        # Weibull shape 1.5, scale 300: median = 300 · (ln 2)^(1/1.5).
        (lambda rng, n: 300.0 * rng.weibull(1.5, n), 300.0 * math.log(2) ** (1 / 1.5)),
    ],
    ids=["exponential", "weibull"],
)
def test_median_recovered_from_censored_simulation(draw, median) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(12)
    frame = simulated(rng, draw(rng, 5000), censor_at=400.0)
    (curve,) = kaplan_meier(frame)
    assert curve.median_days == pytest.approx(median, rel=0.05)


def test_log_rank_tells_different_groups_apart() -> None:
    rng = np.random.default_rng(3)
    slow = simulated(rng, rng.exponential(300.0, 400), 365.0).assign(plan="annual")
    fast = simulated(rng, rng.exponential(150.0, 400), 365.0).assign(plan="monthly")
    same = simulated(rng, rng.exponential(300.0, 400), 365.0).assign(plan="other")
    assert log_rank(pd.concat([slow, fast]), by="plan").p_value < 1e-6
    test = log_rank(pd.concat([slow, same]), by="plan")
    assert test.degrees_of_freedom == 1
    assert test.p_value > 0.01


def test_cox_recovers_a_known_hazard_ratio() -> None:
    rng = np.random.default_rng(8)
    n = 4000
    plan = rng.choice(["annual", "monthly"], n, p=[0.6, 0.4])
    employees = rng.integers(1, 100, n)
    # Monthly accounts churn at twice the rate; size has no effect.
    times = rng.exponential(np.where(plan == "monthly", 150.0, 300.0))
    frame = simulated(rng, times, 365.0).assign(plan=plan, employees=employees)
    drivers = churn_drivers(frame, ["plan", "employees"])
    assert drivers.references == {"plan": "annual"}
    ratios = {r.covariate: r for r in drivers.ratios}
    monthly = ratios["plan=monthly"]
    assert monthly.lower < 2.0 < monthly.upper
    assert monthly.hazard_ratio == pytest.approx(2.0, rel=0.1)
    assert monthly.p_value < 1e-10
    assert ratios["employees"].hazard_ratio == pytest.approx(1.0, abs=0.01)


def test_unknown_attribute_is_a_user_error() -> None:
    with pytest.raises(StatsInputError, match="unknown attribute 'plan'"):
        kaplan_meier(HAND, by="plan")
    with pytest.raises(StatsInputError, match="single value"):
        log_rank(HAND.assign(plan="pro"), by="plan")


def test_log_rank_matches_lifelines_and_counts_late_entry() -> None:
    rng = np.random.default_rng(5)
    slow = simulated(rng, rng.exponential(300.0, 400), 365.0).assign(plan="annual")
    fast = simulated(rng, rng.exponential(150.0, 400), 365.0).assign(plan="monthly")
    mid = simulated(rng, rng.exponential(200.0, 300), 365.0).assign(plan="quarterly")
    frame = pd.concat([slow, fast, mid], ignore_index=True)
    ours = log_rank(frame, by="plan")
    days = (pd.to_datetime(frame.ended_on) - pd.to_datetime(frame.started_on)).dt.days
    theirs = multivariate_logrank_test(days, frame.plan, frame.churned)
    assert ours.statistic == pytest.approx(theirs.test_statistic, rel=1e-9)
    assert ours.p_value == pytest.approx(theirs.p_value, rel=1e-6)
    assert ours.degrees_of_freedom == 2
    # Entering late (at day 100) leaves the early churns out of the risk sets.
    late = frame.assign(entered_on=frame.started_on + dt.timedelta(days=100))
    late = late[pd.to_datetime(late.ended_on) > pd.to_datetime(late.entered_on)]
    assert log_rank(late, by="plan").statistic != pytest.approx(ours.statistic, rel=0.01)
