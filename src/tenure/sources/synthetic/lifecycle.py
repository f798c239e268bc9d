"""The hidden truth: each account's latent health, month by month, and what it causes.

Health lives on a logit scale and follows an AR(1) process around the
account's own baseline,

    h[t] = b + PHI * (h[t-1] - b) + SIGMA * e[t] - CHAMPION_SHOCK * s[t],

with e ~ N(0, 1) and s = 1 in a month the champion leaves. `latent_health` =
sigmoid(h), in 0..1. Health sets the monthly churn hazard (for annual
contracts almost only at renewal), the odds of expansion and contraction, and,
downstream, engagement, tickets and survey scores: so a model that recovers
health from the facts can predict churn. New accounts start below their
baseline when onboarding went poorly and recover at the AR(1) rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tenure.sources.synthetic import catalog
from tenure.sources.synthetic.population import Population
from tenure.sources.synthetic.timeline import Timeline, anniversaries_us

PHI = 0.75
SIGMA = 0.45
CHAMPION_SHOCK = 1.5
CHAMPION_LEAVES = 0.015  # monthly probability
POOR_ONBOARDING_PENALTY = 1.2
UPGRADE_SHARE, DOWNGRADE_SHARE = 0.35, 0.3
ADDON_SHARE_OF_MRR = 0.15
# Change kinds of the main subscription (column `main_change`).
NO_CHANGE, UPGRADE, SEAT_EXPANSION, DOWNGRADE, SEAT_REDUCTION = range(5)
ADDON_START, ADDON_CANCEL = 1, 2


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass(frozen=True)
class Lifecycle:
    """Per account (rows) and month (columns) unless noted; times in microseconds."""

    alive: np.ndarray  # bool: a customer at some moment of the month
    health: np.ndarray  # float64: latent health 0..1 (NaN when not alive)
    hazard: np.ndarray  # float64: churn probability applied this month (0 in the first month)
    churned: np.ndarray  # bool: churned this month
    renewal: np.ndarray  # bool: annual term came up for renewal this month
    main_change: np.ndarray  # int64: NO_CHANGE, UPGRADE, ... of the main subscription
    change_us: np.ndarray  # int64: when the renewal or change happened
    plan: np.ndarray  # int64: plan after this month's change
    mrr: np.ndarray  # float64: main MRR after this month's change
    addon_change: np.ndarray  # int64: 0, ADDON_START or ADDON_CANCEL
    addon_us: np.ndarray  # int64: when the add-on started or was canceled
    addon_mrr: np.ndarray  # float64: add-on MRR after this month (0 without)
    champion_left: np.ndarray  # bool: the champion left this month
    event_us: np.ndarray  # int64: a random moment of the month (champion departure)
    churn_us: np.ndarray  # int64 per account: churn time, -1 if still a customer
    addon_since_us: np.ndarray  # int64 per account: start of an add-on held before the history, -1
    initial_addon_mrr: np.ndarray  # float64 per account

    @property
    def expanded(self) -> np.ndarray:
        up = (self.main_change == UPGRADE) | (self.main_change == SEAT_EXPANSION)
        return up | (self.addon_change == ADDON_START)

    @property
    def contracted(self) -> np.ndarray:
        down = (self.main_change == DOWNGRADE) | (self.main_change == SEAT_REDUCTION)
        return down | (self.addon_change == ADDON_CANCEL)


def churn_hazard(
    h: np.ndarray, annual: np.ndarray, renewal: np.ndarray, tenure: np.ndarray
) -> np.ndarray:
    """Monthly churn probability from the health logit `h`.

    Monthly plans can leave any month (more so in their first half year);
    annual contracts almost only when the term ends.
    """
    monthly = sigmoid(-3.6 - 1.4 * (h - 1.0) + 0.6 * (tenure < 6))
    at_renewal = sigmoid(-1.7 - 1.6 * (h - 1.0))
    return np.where(annual, np.where(renewal, at_renewal, 0.0015), monthly)


def change_odds(
    h: np.ndarray, annual: np.ndarray, renewal: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities of expanding and of contracting the main subscription this month."""
    x = h - 1.0
    expand = np.where(
        annual, np.where(renewal, sigmoid(-1.4 + x), sigmoid(-4.8 + x)), sigmoid(-4.0 + x)
    )
    contract = np.where(annual, np.where(renewal, sigmoid(-2.4 - x), 0.0), sigmoid(-4.6 - x))
    return expand, contract


def _new_mrr(
    rng: np.random.Generator, plan: np.ndarray, mrr: np.ndarray, kind: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Plan and MRR after a change of `kind` (vectorized over accounts)."""
    low, high = (np.array(b) for b in zip(*catalog.PLAN_MRR, strict=True))
    n = plan.size
    new_plan = plan + (kind == UPGRADE) - (kind == DOWNGRADE)
    factor = np.select(
        [kind == UPGRADE, kind == SEAT_EXPANSION, kind == DOWNGRADE, kind == SEAT_REDUCTION],
        [rng.uniform(1.3, 2.0, n), rng.uniform(1.1, 1.4, n), rng.uniform(0.5, 0.8, n),
         rng.uniform(0.7, 0.9, n)],
        1.0,
    )  # fmt: skip
    moved = (kind == UPGRADE) | (kind == DOWNGRADE)
    value = mrr * factor
    value = np.where(moved, np.clip(value, low[new_plan], high[new_plan]), value)
    return new_plan, np.round(np.maximum(value, 0.5 * low[new_plan]), 0)


def _main_change(
    rng: np.random.Generator, plan: np.ndarray, expand: np.ndarray, contract: np.ndarray
) -> np.ndarray:
    """Kind of change drawn for each account from its expansion and contraction odds."""
    u, v = rng.random(plan.size), rng.random(plan.size)
    up = u < expand
    down = ~up & (u < expand + contract)
    kind = np.full(plan.size, NO_CHANGE)
    kind[up] = np.where((plan < 3) & (v < UPGRADE_SHARE), UPGRADE, SEAT_EXPANSION)[up]
    kind[down] = np.where((plan > 0) & (v < DOWNGRADE_SHARE), DOWNGRADE, SEAT_REDUCTION)[down]
    return kind


def _empty(pop: Population, timeline: Timeline) -> dict[str, np.ndarray]:
    shape = (pop.size, timeline.months)
    return {
        "alive": np.zeros(shape, bool), "health": np.full(shape, np.nan),
        "hazard": np.zeros(shape), "churned": np.zeros(shape, bool),
        "renewal": np.zeros(shape, bool), "main_change": np.zeros(shape, np.int64),
        "change_us": np.zeros(shape, np.int64), "plan": np.zeros(shape, np.int64),
        "mrr": np.zeros(shape), "addon_change": np.zeros(shape, np.int64),
        "addon_us": np.zeros(shape, np.int64), "addon_mrr": np.zeros(shape),
        "champion_left": np.zeros(shape, bool), "event_us": np.zeros(shape, np.int64),
    }  # fmt: skip


def _initial_addons(
    rng: np.random.Generator, pop: Population, timeline: Timeline
) -> tuple[np.ndarray, np.ndarray]:
    """Add-ons the installed base already holds: start time (-1 if none) and MRR."""
    has = (pop.created_month < 0) & (pop.plan >= 1) & (rng.random(pop.size) < 0.15)
    since = pop.created_us + rng.random(pop.size) * (timeline.start_us - pop.created_us)
    mrr = np.round(pop.mrr * ADDON_SHARE_OF_MRR, 0)
    return np.where(has, since.astype(np.int64), -1), np.where(has, mrr, 0.0)


def lifecycle(rng: np.random.Generator, pop: Population, timeline: Timeline) -> Lifecycle:
    """Simulate every account through the history, one vectorized month at a time."""
    out = _empty(pop, timeline)
    anniversary = anniversaries_us(pop.day_of_month, timeline)
    bounds = timeline.bounds_us()
    stationary_sd = SIGMA / np.sqrt(1 - PHI**2)
    h = pop.health_baseline + rng.normal(0.0, stationary_sd, pop.size)
    plan, mrr = pop.plan.copy(), pop.mrr.copy()
    addon_since, addon_mrr = _initial_addons(rng, pop, timeline)
    initial_addon_mrr = addon_mrr.copy()
    churn_us = np.full(pop.size, -1, dtype=np.int64)
    for t in range(timeline.months):
        state = _Month(rng, pop, t, bounds[t], bounds[t + 1], anniversary[:, t], churn_us)
        h = state.step_health(h, out)
        plan, mrr, addon_mrr = state.decide(h, plan, mrr, addon_mrr, out)
    return Lifecycle(
        **out, churn_us=churn_us, addon_since_us=addon_since,
        initial_addon_mrr=initial_addon_mrr,
    )  # fmt: skip


class _Month:
    """One month of the simulation: draws health, churn and changes for every account."""

    def __init__(
        self, rng: np.random.Generator, pop: Population, t: int, start: int, end: int,
        anniversary: np.ndarray, churn_us: np.ndarray,
    ) -> None:  # fmt: skip
        self.rng, self.pop, self.t, self.churn_us = rng, pop, t, churn_us
        self.born = pop.created_month == t
        self.existing = (pop.created_month < t) & (churn_us < 0)
        self.tenure = t - pop.created_month
        self.renewal = self.existing & pop.annual & (self.tenure % 12 == 0) & (anniversary < end)
        self.anniversary = anniversary
        self.moments = [start + (rng.random(pop.size) * (end - start)).astype(np.int64)
                        for _ in range(3)]  # fmt: skip

    def step_health(self, h: np.ndarray, out: dict[str, np.ndarray]) -> np.ndarray:
        """Advance the health logit one month; record it and champion departures."""
        pop, rng, t = self.pop, self.rng, self.t
        b = pop.health_baseline
        stepped = b + PHI * (h - b) + SIGMA * rng.normal(size=pop.size)
        left = self.existing & (rng.random(pop.size) < CHAMPION_LEAVES)
        stepped = stepped - CHAMPION_SHOCK * left
        start = b - POOR_ONBOARDING_PENALTY * pop.poor_onboarding + rng.normal(0, 0.3, pop.size)
        h = np.where(self.born, start, np.where(self.existing, stepped, h))
        alive = self.born | self.existing
        out["alive"][:, t] = alive
        out["health"][:, t] = np.where(alive, sigmoid(h), np.nan)
        out["champion_left"][:, t] = left
        out["event_us"][:, t] = self.moments[2]
        out["renewal"][:, t] = self.renewal
        return h

    def decide(
        self, h: np.ndarray, plan: np.ndarray, mrr: np.ndarray, addon_mrr: np.ndarray,
        out: dict[str, np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
        """Churn, main-subscription changes and add-on moves for this month."""
        rng, pop, t, n = self.rng, self.pop, self.t, self.pop.size
        hazard = np.where(self.existing, churn_hazard(h, pop.annual, self.renewal, self.tenure), 0)
        churn = rng.random(n) < hazard
        at_renewal = pop.annual & self.renewal
        self.churn_us[churn] = np.where(at_renewal, self.anniversary, self.moments[0])[churn]
        stays = self.existing & ~churn
        expand, contract = change_odds(h, pop.annual, self.renewal)
        kind = np.where(stays, _main_change(rng, plan, expand, contract), NO_CHANGE)
        plan, mrr = _new_mrr(rng, plan, mrr, kind)
        start = (
            stays & (plan >= 1) & (addon_mrr == 0) & (rng.random(n) < sigmoid(-4.3 + 0.8 * (h - 1)))
        )
        cancel = stays & (addon_mrr > 0) & (rng.random(n) < sigmoid(-4.8 - (h - 1)))
        addon_mrr = np.where(start, np.round(mrr * ADDON_SHARE_OF_MRR, 0), addon_mrr)
        addon_mrr = np.where(cancel | churn, 0.0, addon_mrr)
        out["hazard"][:, t], out["churned"][:, t], out["main_change"][:, t] = hazard, churn, kind
        out["change_us"][:, t] = np.where(at_renewal, self.anniversary, self.moments[1])
        out["plan"][:, t], out["mrr"][:, t] = plan, np.where(churn, 0.0, mrr)
        out["addon_change"][:, t] = np.select([start, cancel], [ADDON_START, ADDON_CANCEL], 0)
        out["addon_us"][:, t], out["addon_mrr"][:, t] = self.moments[1], addon_mrr
        return plan, mrr, addon_mrr


def churn_reasons(rng: np.random.Generator, pop: Population, life: Lifecycle) -> list[str | None]:
    """Reason codes (';'-separated) of each churned account, None for the others.

    A champion who left in the three months before churn, or poor onboarding of
    a young account, is always among the reasons; the rest are drawn at random.
    """
    reasons: list[str | None] = [None] * pop.size
    churn_month = np.argmax(life.churned, axis=1)
    weights = np.array(catalog.RANDOM_REASON_WEIGHTS) / sum(catalog.RANDOM_REASON_WEIGHTS)
    for a in np.flatnonzero(life.churned.any(axis=1)).tolist():
        t = int(churn_month[a])
        codes = []
        if life.champion_left[a, max(0, t - 3) : t + 1].any():
            codes.append("champion_left")
        if pop.poor_onboarding[a] and t - pop.created_month[a] < 9:
            codes.append("poor_onboarding")
        drawn = rng.choice(len(weights), size=2, replace=False, p=weights)
        codes.append(catalog.CHURN_REASONS[drawn[0]])
        if rng.random() < 0.35 or (not codes[:-1] and rng.random() < 0.2):
            codes.append(catalog.CHURN_REASONS[drawn[1]])
        reasons[a] = ";".join(codes)
    return reasons


def alive_window(
    pop: Population, life: Lifecycle, start: int, end: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per account, the part [lo, hi) of the span [start, end) when it was a customer.

    Empty (lo >= hi) for accounts not yet created or already gone.
    """
    lo = np.maximum(start, pop.created_us)
    hi = np.where(life.churn_us >= 0, np.minimum(end, life.churn_us), end)
    return lo, hi
