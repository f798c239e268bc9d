"""Benchmark of the CLV fits: Tenure against `lifetimes` on 1 million simulated customers.

`python -m benchmarks.clv`. Customers are drawn from BG/NBD (r = 0.24,
α = 4.41, a = 0.79, b = 2.43, the CDNOW estimates) with Gamma-Gamma spend
(p = 6.25, q = 3.74, γ = 15.44); first purchases fall on the days of a
12-week cohort and the calibration period ends 39 weeks after it starts, so
times are whole days in weeks, as in real data. In one run:

- Tenure: `fit_bgnbd` (collapsing identical rows included) + `fit_gamma_gamma`;
- lifetimes (`BetaGeoFitter`, `GammaGammaFitter`), the reference Python
  implementation, on the same 1 M customers;
- lifetimes again on Tenure's collapsed rows with their counts as weights
  (BetaGeoFitter accepts weights; GammaGammaFitter is fitted on all repeat buyers).

Prints one JSON line: times, parameters and the largest relative difference.
"""

from __future__ import annotations

import json
import resource
import time
import warnings

import numpy as np

from tenure.stats.clv import _collapse, fit_bgnbd, fit_gamma_gamma
from tenure.stats.clv_simulate import simulate_bgnbd

CUSTOMERS = 1_000_000
TRUTH = {"r": 0.24, "alpha": 4.41, "a": 0.79, "b": 2.43}
SPEND = (6.25, 3.74, 15.44)


def customers() -> tuple[np.ndarray, ...]:
    first_day = np.random.default_rng(1).integers(0, 84, CUSTOMERS)
    ages = (273 - first_day) / 7
    frame = simulate_bgnbd(ages, seed=2, spend=SPEND, unit_days=7, **TRUTH)
    return tuple(frame[c].to_numpy() for c in ("x", "t_x", "T", "monetary"))


def tenure_fit(x, t_x, T, m) -> tuple[float, dict[str, float], int]:  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    bg = fit_bgnbd(x, t_x, T)
    gg = fit_gamma_gamma(x, m)
    seconds = time.perf_counter() - began
    params = {"r": bg.r, "alpha": bg.alpha, "a": bg.a, "b": bg.b, "p": gg.p, "q": gg.q}
    return seconds, {**params, "gamma": gg.gamma}, bg.distinct_rows


def lifetimes_bgnbd(x, t_x, T, weights=None) -> tuple[float, dict[str, float]]:  # type: ignore[no-untyped-def]
    from lifetimes import BetaGeoFitter

    began = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = BetaGeoFitter().fit(x, t_x, T, weights=weights)
    seconds = time.perf_counter() - began
    return seconds, {k: float(fitted.params_[k]) for k in ("r", "alpha", "a", "b")}


def lifetimes_gamma_gamma(x, m) -> tuple[float, dict[str, float]]:  # type: ignore[no-untyped-def]
    from lifetimes import GammaGammaFitter

    repeat = x > 0
    began = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = GammaGammaFitter().fit(x[repeat], m[repeat])
    seconds = time.perf_counter() - began
    p = fitted.params_
    return seconds, {"p": float(p["p"]), "q": float(p["q"]), "gamma": float(p["v"])}


def largest_difference(ours: dict[str, float], theirs: dict[str, float]) -> float:
    return max(abs(ours[k] - theirs[k]) / abs(theirs[k]) for k in ours)


def main() -> None:
    x, t_x, T, m = customers()
    tenure_seconds, ours, rows = tenure_fit(x, t_x, T, m)
    bg_seconds, bg = lifetimes_bgnbd(x, t_x, T)
    gg_seconds, gg = lifetimes_gamma_gamma(x, m)
    lifetimes_seconds, theirs = bg_seconds + gg_seconds, {**bg, **gg}
    (xu, tu, Tu), counts = _collapse(x.astype("float64"), t_x, T)
    weighted_bg_seconds, weighted = lifetimes_bgnbd(xu, tu, Tu, weights=counts)
    result = {
        "benchmark": "clv",
        "customers": CUSTOMERS,
        "repeat_buyers": int((x > 0).sum()),
        "distinct_rows": rows,
        "tenure_seconds": round(tenure_seconds, 3),
        "lifetimes_seconds": round(lifetimes_seconds, 2),
        "lifetimes_bgnbd_seconds": round(bg_seconds, 2),
        "lifetimes_gamma_gamma_seconds": round(gg_seconds, 2),
        "speedup": round(lifetimes_seconds / tenure_seconds, 1),
        "lifetimes_weighted_bgnbd_seconds": round(weighted_bg_seconds, 2),
        "tenure": {k: round(v, 4) for k, v in ours.items()},
        "lifetimes": {k: round(float(v), 4) for k, v in theirs.items()},
        "lifetimes_weighted_bgnbd": {k: round(v, 4) for k, v in weighted.items()},
        "truth": {**TRUTH, "p": SPEND[0], "q": SPEND[1], "gamma": SPEND[2]},
        "largest_relative_difference": round(largest_difference(ours, theirs), 6),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
