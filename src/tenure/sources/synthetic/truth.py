"""The known truth behind a generated history, for testing models against it.

`truth/account_months.parquet` has one row per account and month in which the
account was a customer at some moment (from its creation month through its
churn month). `truth/accounts.parquet` has the latent traits of each account.
None of this is visible in the fact tables except through its effects.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from tenure.sources.synthetic import catalog
from tenure.sources.synthetic.lifecycle import Lifecycle, sigmoid
from tenure.sources.synthetic.population import Population
from tenure.sources.synthetic.timeline import Timeline


def account_months_table(
    pop: Population, life: Lifecycle, account_ids: pa.Array, tl: Timeline
) -> pa.Table:
    """Truth per account-month.

    latent_health: sigmoid of the health logit, 0..1 (higher is healthier).
    churn_hazard: the churn probability drawn against this month.
    mrr: main plus add-on MRR at the month's end (0 once churned).
    """
    a, t = np.nonzero(life.alive)
    months = np.array(tl.month_starts, dtype="datetime64[D]")[t]
    return pa.table({
        "account_id": account_ids.take(pa.array(a)),
        "month": pa.array(months, pa.date32()),
        "latent_health": pa.array(life.health[a, t]),
        "churn_hazard": pa.array(life.hazard[a, t]),
        "churned": pa.array(life.churned[a, t]),
        "expanded": pa.array(life.expanded[a, t]),
        "contracted": pa.array(life.contracted[a, t]),
        "renewal_month": pa.array(life.renewal[a, t]),
        "champion_left": pa.array(life.champion_left[a, t]),
        "plan": pa.array(np.array(catalog.PLANS)[life.plan[a, t]]),
        "mrr": pa.array(life.mrr[a, t] + life.addon_mrr[a, t]),
        "tenure_months": pa.array((t - pop.created_month[a]).astype(np.int64)),
    })  # fmt: skip


def accounts_truth_table(pop: Population, life: Lifecycle, account_ids: pa.Array) -> pa.Table:
    """Latent traits per account.

    health_baseline: sigmoid of the long-run mean health logit, 0..1.
    base_engagement: multiplier of every contact's activity (log-normal, mean ~1).
    feature_breadth: multiplier of how many features get used (0.5..1.5).
    peak_months: the seasonal account's active calendar months, 1 = January.
    """
    peaks = [
        ",".join(str((s + k) % 12 + 1) for k in range(n)) if seasonal else None
        for s, n, seasonal in zip(pop.peak_start.tolist(), pop.peak_length.tolist(),
                                  pop.seasonal.tolist(), strict=True)
    ]  # fmt: skip
    return pa.table({
        "account_id": account_ids,
        "seasonal": pa.array(pop.seasonal),
        "peak_months": pa.array(peaks, pa.string()),
        "base_engagement": pa.array(pop.engagement),
        "feature_breadth": pa.array(pop.breadth),
        "health_baseline": pa.array(sigmoid(pop.health_baseline)),
        "poor_onboarding": pa.array(pop.poor_onboarding),
        "billing_period": pa.array(np.where(pop.annual, "annual", "monthly")),
        "installed_base": pa.array(pop.created_month < 0),
        "churned": pa.array(life.churn_us >= 0),
    })  # fmt: skip
