"""CSM touches: each plan tier's touch model, plus extra calls for accounts at risk.

Tech-touch accounts get webinars and a monthly newsletter; high-touch accounts
get calls, meetings, quarterly business reviews and a yearly onsite. The CSM
also calls more when an account's health is low, which (as in real data)
makes touches alone a misleading health signal.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from tenure.sources.synthetic import catalog
from tenure.sources.synthetic.lifecycle import Lifecycle, alive_window
from tenure.sources.synthetic.population import Population
from tenure.sources.synthetic.tables import fact_table, fixed_width_ids, lookup, timestamps
from tenure.sources.synthetic.timeline import DAY_US, Timeline, weekday_of

HOUR_US = 3_600_000_000
KIND = {k: i for i, k in enumerate(catalog.TOUCH_KINDS)}
AT_RISK_HEALTH = 0.4


def _newsletter_us(start: int) -> int:
    """15:00 UTC on the first Tuesday on or after `start`."""
    first = int(weekday_of(np.array([start]))[0])
    return start + ((1 - first) % 7) * DAY_US + 15 * HOUR_US


def _month_touches(
    rng: np.random.Generator, pop: Population, life: Lifecycle, t: int, start: int, end: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(account, kind, time) of the touches in month `t`."""
    lo, hi = alive_window(pop, life, start, end)
    alive = hi > lo
    plan = life.plan[:, t]
    rates = np.array(catalog.TOUCH_RATES)[plan] * alive[:, None]
    at_risk = np.nan_to_num(life.health[:, t], nan=1.0) < AT_RISK_HEALTH
    rates[:, KIND["call"]] += at_risk * alive * np.maximum(rates[:, KIND["call"]], 0.5)
    tenure = t - pop.created_month
    qbr = alive & (plan >= 2) & (tenure % 3 == 1) & (rng.random(pop.size) < 0.85)
    onsite = alive & (plan == 3) & (tenure % 12 == 6) & (rng.random(pop.size) < 0.7)
    counts = rng.poisson(rates)
    counts[:, KIND["qbr"]], counts[:, KIND["onsite"]] = qbr, onsite
    account = np.repeat(np.repeat(np.arange(pop.size), len(KIND)), counts.ravel())
    kind = np.repeat(np.tile(np.arange(len(KIND)), pop.size), counts.ravel())
    at = lo[account] + (rng.random(account.size) * (hi - lo)[account]).astype(np.int64)
    news_at = _newsletter_us(start)
    news = np.flatnonzero(alive & (lo <= news_at) & (hi > news_at))
    return (
        np.concatenate([account, news]),
        np.concatenate([kind, np.full(news.size, KIND["newsletter"])]),
        np.concatenate([at, np.full(news.size, news_at)]),
    )


def touch_table(
    rng: np.random.Generator, pop: Population, life: Lifecycle, account_ids: pa.Array,
    tl: Timeline,
) -> pa.Table:  # fmt: skip
    """The `touches` fact table; the author is the account's CSM."""
    bounds = tl.bounds_us()
    parts = [_month_touches(rng, pop, life, t, bounds[t], bounds[t + 1]) for t in range(tl.months)]
    account, kind, at = (np.concatenate(p) for p in zip(*parts, strict=True))
    order = np.lexsort((account, at))
    account, kind, at = account[order], kind[order], at[order]
    n = account.size
    personal = kind <= KIND["onsite"]
    note = np.where(personal & (rng.random(n) < 0.6),
                    1 + rng.integers(0, len(catalog.TOUCH_NOTES), n), 0)  # fmt: skip
    return fact_table("touches", {
        "touch_id": fixed_width_ids("tch_", np.arange(n), 7),
        "account_id": account_ids.take(pa.array(account)),
        "kind": lookup(catalog.TOUCH_KINDS, kind),
        "at": timestamps(at),
        "author": lookup(pop.csm_names, pop.owner[account]),
        "notes": lookup([None, *catalog.TOUCH_NOTES], note),
        "properties": pa.nulls(n, pa.string()),
    })  # fmt: skip
