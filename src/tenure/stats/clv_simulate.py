"""Customers drawn from a BG/NBD process with known parameters (tests, benchmarks, docs)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def simulate_bgnbd(
    T: object,
    *,
    r: float,
    alpha: float,
    a: float,
    b: float,
    seed: int = 0,
    spend: tuple[float, float, float] | None = None,
    unit_days: float | None = None,
) -> pd.DataFrame:
    """Draw (x, t_x, T) for customers of ages ``T`` from BG/NBD(r, α, a, b).

    Each customer buys at rate λ ~ Gamma(r, rate α) while alive and dies
    right after each repeat purchase with probability p ~ Beta(a, b), so they
    make at most K ~ Geometric(p) repeat purchases. With N ~ Poisson(λ T)
    purchase times in (0, T], x = min(N, K) and the x-th of N sorted uniform
    times is t_x = T · Beta(x, N − x + 1).

    ``spend = (p, q, γ)`` adds ``monetary``: each customer's mean spend ν ~
    Gamma(q, rate γ), each repeat transaction ~ Gamma(p, rate ν), averaged
    over the x repeat transactions (Gamma-Gamma). ``unit_days`` rounds t_x
    down to whole days, as dates in real data are.
    """
    rng = np.random.default_rng(seed)
    ages = np.asarray(T, dtype="float64")
    n = len(ages)
    rate = rng.gamma(r, 1.0 / alpha, n)
    dropout = rng.beta(a, b, n)
    most = rng.geometric(np.clip(dropout, 1e-12, 1.0))
    arrivals = rng.poisson(rate * ages)
    x = np.minimum(arrivals, most)
    repeat = x > 0
    t_x = np.zeros(n)
    t_x[repeat] = ages[repeat] * rng.beta(x[repeat], arrivals[repeat] - x[repeat] + 1)
    if unit_days is not None:
        t_x = np.floor(t_x * unit_days + 1e-9) / unit_days
    frame = pd.DataFrame({"x": x.astype("int64"), "t_x": t_x, "T": ages})
    if spend is not None:
        p, q, gamma = spend
        nu = rng.gamma(q, 1.0 / gamma, n)
        # The mean of x Gamma(p, rate ν) draws is Gamma(p x, rate ν x).
        shape = np.where(repeat, p * x, 1.0)
        monetary = rng.gamma(shape, 1.0 / (nu * np.maximum(x, 1)))
        frame["monetary"] = np.where(repeat, monetary, 0.0)
    return frame
