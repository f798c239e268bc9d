"""A simulated churn table with known truth, for tests and docs of the churn model."""

from __future__ import annotations

import numpy as np
import pandas as pd

PLAN_EFFECT = {"starter": 1.2, "growth": 0.0, "pro": -0.8, "enterprise": -1.6}


def simulated_customers(n: int, *, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """`n` customers (id, usage, tickets, plan, noise, churned yes/no) and their true p.

    logit p = −1.5 − 1.2·usage + 0.4·(tickets − mean tickets) + plan effect
    + 0.6·[usage < −1] (a kink), with `noise` a column that carries nothing;
    churned ~ Bernoulli(p).
    """
    rng = np.random.default_rng(seed)
    usage = rng.normal(size=n)
    tickets = rng.poisson(2.0, size=n)
    plan = rng.choice(list(PLAN_EFFECT), size=n)
    noise = rng.normal(size=n)
    logit = (
        -1.5
        - 1.2 * usage
        + 0.4 * tickets
        + np.array([PLAN_EFFECT[p] for p in plan])
        + 0.6 * (usage < -1)
        - 0.4 * tickets.mean()
    )
    truth = 1 / (1 + np.exp(-logit))
    churned = rng.random(n) < truth
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{k:05d}" for k in range(n)],
            "usage": usage,
            "tickets": tickets,
            "plan": plan,
            "noise": noise,
            "churned": np.where(churned, "yes", "no"),
        }
    )
    return frame, truth
