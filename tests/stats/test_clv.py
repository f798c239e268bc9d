"""BG/NBD and Gamma-Gamma: the CDNOW reproduction, simulations with known truth, and a
hand-computed summary of transactions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

import tenure.stats.clv as clv_module
from tenure.datasets import load_cdnow_sample
from tenure.stats.clv import (
    _BgNbdLikelihood,
    _GammaGammaLikelihood,
    clv,
    conditional_expected_purchases,
    expected_average_spend,
    fit_bgnbd,
    fit_gamma_gamma,
    prob_alive,
    summarize_transactions,
    unconditional_expected_purchases,
)
from tenure.stats.clv_simulate import simulate_bgnbd
from tenure.stats.errors import StatsInputError


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return summarize_transactions(load_cdnow_sample(), calibration_end="1997-09-30")


def test_summary_merges_same_day_purchases_by_hand() -> None:
    transactions = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b", "c", "c"],
            "date": pd.to_datetime(  # ISO dates, one with a time of day
                [
                    "2024-01-01",
                    "2024-01-01 15:00",
                    "2024-01-08",
                    "2024-01-22",
                    "2024-01-15",
                    "2024-01-29",
                    "2024-02-20",
                ],
                format="ISO8601",
            ),
            "amount": [10.0, 5.0, 20.0, 40.0, 7.0, 3.0, 99.0],
        }
    )
    summary = summarize_transactions(transactions, calibration_end="2024-01-29")
    # a: days 1, 8, 22 -> x = 2, t_x = 3 weeks, T = 4 weeks, repeat spend (20 + 40) / 2.
    # b: one purchase. c: the purchase after the calibration end does not count.
    assert summary.to_dict("index") == {
        "a": {"x": 2, "t_x": 3.0, "T": 4.0, "monetary": 30.0,
              "first_purchase": pd.Timestamp("2024-01-01")},
        "b": {"x": 0, "t_x": 0.0, "T": 2.0, "monetary": 0.0,
              "first_purchase": pd.Timestamp("2024-01-15")},
        "c": {"x": 0, "t_x": 0.0, "T": 0.0, "monetary": 0.0,
              "first_purchase": pd.Timestamp("2024-01-29")},
    }  # fmt: skip


def test_summary_names_missing_columns() -> None:
    with pytest.raises(StatsInputError, match=r"missing column.*'amount'"):
        summarize_transactions(
            pd.DataFrame({"customer_id": ["a"], "date": ["2024-01-01"]}),
            calibration_end="2024-02-01",
        )


def test_cdnow_sample_summary(cdnow: pd.DataFrame) -> None:
    # FHL 2005: 2,357 customers, 946 of them repeat buyers in the 39-week calibration period.
    assert len(cdnow) == 2357
    assert (cdnow.x > 0).sum() == 946
    assert cdnow["T"].max() == pytest.approx(272 / 7)


def test_bgnbd_reproduces_fader_hardie_lee_2005(cdnow: pd.DataFrame) -> None:
    fit = fit_bgnbd(cdnow.x, cdnow.t_x, cdnow["T"])
    assert fit.converged
    assert (round(fit.r, 3), round(fit.alpha, 3), round(fit.a, 3), round(fit.b, 3)) == (
        0.243,
        4.414,
        0.793,
        2.426,
    )
    assert round(fit.log_likelihood, 1) == -9582.4
    assert fit.customers == 2357
    assert fit.distinct_rows < 2357  # identical (x, t_x, T) rows were collapsed
    # The paper's worked example: x = 2, t_x = 30.43, T = 38.86 expects 1.226
    # purchases in the next 39 weeks.
    expected = conditional_expected_purchases(fit, 39, [2], [30.43], [38.86])
    assert expected[0] == pytest.approx(1.226, abs=5e-4)


def test_bgnbd_likelihood_matches_the_formula_row_by_row(cdnow: pd.DataFrame) -> None:
    """The collapsed, vectorised log-likelihood against the paper's formula, row by row."""
    r, alpha, a, b = 0.3, 5.0, 0.9, 2.0
    total = 0.0
    for x, t_x, T in cdnow[["x", "t_x", "T"]].itertuples(index=False):
        a1 = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha)
        a2 = math.lgamma(a + b) + math.lgamma(b + x) - math.lgamma(b) - math.lgamma(a + b + x)
        a3 = (alpha + T) ** -(r + x)
        a4 = a / (b + x - 1) * (alpha + t_x) ** -(r + x) if x > 0 else 0.0
        total += a1 + a2 + math.log(a3 + a4)
    x, t_x, T = (cdnow[c].to_numpy("float64") for c in ("x", "t_x", "T"))
    nll = _BgNbdLikelihood(x, t_x, T, np.ones(len(x)))
    value, _ = nll(np.log([r, alpha, a, b]))
    assert -value * len(x) == pytest.approx(total, rel=1e-10)


def test_analytic_gradients_match_finite_differences(cdnow: pd.DataFrame) -> None:
    x, t_x, T, m = (cdnow[c].to_numpy("float64") for c in ("x", "t_x", "T", "monetary"))
    bg = _BgNbdLikelihood(x, t_x, T, np.ones(len(x)))
    theta = np.log([0.3, 5.0, 0.9, 2.0])
    numeric = optimize.approx_fprime(theta, lambda t: bg(t)[0], 1e-7)
    assert bg(theta)[1] == pytest.approx(numeric, rel=1e-4, abs=1e-7)
    repeat = x > 0
    gg = _GammaGammaLikelihood(x[repeat], m[repeat])
    theta = np.log([5.0, 3.0, 12.0])
    numeric = optimize.approx_fprime(theta, lambda t: gg(t)[0], 1e-7)
    assert gg(theta)[1] == pytest.approx(numeric, rel=1e-4, abs=1e-7)


def test_gamma_gamma_reproduces_fader_hardie_2013(cdnow: pd.DataFrame) -> None:
    fit = fit_gamma_gamma(cdnow.x, cdnow.monetary)
    assert fit.customers == 946
    assert (round(fit.p, 2), round(fit.q, 2), round(fit.gamma, 2)) == (6.25, 3.74, 15.44)
    # E[M] shrinks a customer's mean towards the population mean p γ / (q − 1).
    population = fit.p * fit.gamma / (fit.q - 1)
    spend = expected_average_spend(fit, [0, 1, 50], [0.0, 100.0, 100.0])
    assert spend[0] == pytest.approx(population)
    assert population < spend[1] < spend[2] < 100.0


def test_bgnbd_recovers_simulated_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    truth = {"r": 0.5, "alpha": 6.0, "a": 0.8, "b": 2.5}
    ages = np.random.default_rng(7).uniform(26, 52, 100_000)
    customers = simulate_bgnbd(ages, seed=11, **truth)
    fit = fit_bgnbd(customers.x, customers.t_x, customers["T"])
    assert fit.converged
    # The warm start (a fit on a subset first) changes the path, not the answer.
    monkeypatch.setattr(clv_module, "WARM_START_ROWS", 10**9)
    cold = fit_bgnbd(customers.x, customers.t_x, customers["T"])
    assert (fit.r, fit.alpha, fit.a, fit.b) == pytest.approx(
        (cold.r, cold.alpha, cold.a, cold.b), rel=1e-4
    )
    # a and b are strongly correlated (a 40,000-customer draw can give b = 2.14):
    # each within 15%, and the well-identified means tightly.
    for name, value in truth.items():
        assert getattr(fit, name) == pytest.approx(value, rel=0.15), name
    assert fit.r / fit.alpha == pytest.approx(0.5 / 6.0, rel=0.03)  # mean purchase rate
    assert fit.a / (fit.a + fit.b) == pytest.approx(0.8 / 3.3, rel=0.03)  # mean dropout


def test_gamma_gamma_recovers_simulated_parameters() -> None:
    ages = np.full(40_000, 52.0)
    customers = simulate_bgnbd(ages, r=1.0, alpha=4.0, a=0.5, b=3.0, seed=3, spend=(6.0, 4.0, 15.0))
    fit = fit_gamma_gamma(customers.x, customers.monetary)
    assert (fit.p, fit.q, fit.gamma) == pytest.approx((6.0, 4.0, 15.0), rel=0.1)


def test_unconditional_expectation_matches_simulation() -> None:
    params = {"r": 0.6, "alpha": 5.0, "a": 0.7, "b": 2.0}
    customers = simulate_bgnbd(np.full(100_000, 30.0), seed=5, **params)
    fit = fit_bgnbd([0, 1], [0, 1], [2, 2])  # any fit; parameters replaced below
    fit = type(fit)(**{**fit.__dict__, **params})
    expected = unconditional_expected_purchases(fit, 30.0)
    standard_error = customers.x.std() / math.sqrt(len(customers))
    assert abs(customers.x.mean() - expected) < 4 * standard_error


def test_prob_alive_and_clv_behave(cdnow: pd.DataFrame) -> None:
    fit = fit_bgnbd(cdnow.x, cdnow.t_x, cdnow["T"])
    spend = fit_gamma_gamma(cdnow.x, cdnow.monetary)
    # No repeat purchase: alive for sure; a long silence since the last one: less so.
    alive = prob_alive(fit, [0, 5, 5], [0.0, 38.0, 10.0], [38.86] * 3)
    assert alive[0] == 1.0
    assert 1.0 > alive[1] > alive[2] > 0.0
    args = (fit, spend, [3], [30.0], [38.0], [40.0])
    # One undiscounted period: expected spend × expected purchases in that period.
    one = clv(*args, periods=1, period_length=13.0, discount_rate=0.0)
    purchases = conditional_expected_purchases(fit, 13.0, [3], [30.0], [38.0])
    assert one[0] == pytest.approx(expected_average_spend(spend, [3], [40.0])[0] * purchases[0])
    twelve = clv(*args, periods=12)
    assert clv(*args, periods=12, discount_rate=0.05)[0] < twelve[0]
    assert clv(*args, periods=12, margin=0.5)[0] == pytest.approx(twelve[0] / 2)


def test_bad_inputs_are_user_errors() -> None:
    with pytest.raises(StatsInputError, match="t_x"):
        fit_bgnbd([1], [5.0], [4.0])
    with pytest.raises(StatsInputError, match="two repeat buyers"):
        fit_gamma_gamma([0, 1], [0.0, 10.0])
