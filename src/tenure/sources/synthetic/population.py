"""The customer base: who the accounts are before anything happens to them.

Firmographics (plan, size, industry, region, owner) and the latent traits that
later drive behaviour (baseline health, engagement, seasonality, onboarding
quality) are drawn here, vectorized, from one random generator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tenure.sources.synthetic import catalog
from tenure.sources.synthetic.timeline import DAY_US, Timeline

INSTALLED_BASE_SHARE = 0.6  # accounts already customers when the history starts
INSTALLED_BASE_YEARS = 4  # how far back the oldest of them became customers
ACCOUNTS_PER_CSM = 50
ACCOUNTS_PER_SALES_REP = 150
SEASONAL_SHARE = 0.10
POOR_ONBOARDING_SHARE = 0.2


@dataclass(frozen=True)
class Population:
    """One entry per account (index = account number), all numpy arrays."""

    created_us: np.ndarray  # int64, when the account became a customer
    created_month: np.ndarray  # int64, simulated month of creation (< 0: before the history)
    plan: np.ndarray  # int64, index into catalog.PLANS at creation
    mrr: np.ndarray  # float64, main subscription MRR at creation
    annual: np.ndarray  # bool, billed annually (else monthly)
    employees: np.ndarray  # int64
    industry: np.ndarray  # int64 index into catalog.INDUSTRIES
    region: np.ndarray  # int64 index into catalog.REGIONS
    owner: np.ndarray  # int64 index into csm_names
    sales_rep: np.ndarray  # int64 index into sales_rep_names
    health_baseline: np.ndarray  # float64, long-run mean of the health logit
    engagement: np.ndarray  # float64, multiplies every contact's activity (mean ~1)
    breadth: np.ndarray  # float64, how many features the account tends to use (0.5..1.5)
    seasonal: np.ndarray  # bool, active mainly in its peak months
    peak_start: np.ndarray  # int64, first calendar month (0 = Jan) of the peak season
    peak_length: np.ndarray  # int64, months of the peak season
    poor_onboarding: np.ndarray  # bool
    names: list[str]
    domains: list[str]
    csm_names: list[str]
    sales_rep_names: list[str]

    @property
    def size(self) -> int:
        return int(self.created_us.size)

    @property
    def day_of_month(self) -> np.ndarray:
        """Day of month (1..31) of creation: the account's renewal day."""
        days = self.created_us.astype("datetime64[us]").astype("datetime64[D]")
        firsts = days.astype("datetime64[M]").astype("datetime64[D]")
        return (days - firsts).astype(np.int64) + 1

    def season_factor(self, calendar_months: np.ndarray) -> np.ndarray:
        """Activity multiplier per account (rows) and month (columns).

        Seasonal accounts are near-dormant outside their peak; the rest dip
        mildly in August and December.
        """
        offset = (calendar_months[None, :] - self.peak_start[:, None]) % 12
        in_peak = offset < self.peak_length[:, None]
        seasonal = np.where(in_peak, 1.6, 0.08)
        mild = np.select([calendar_months == 11, calendar_months == 7], [0.8, 0.9], 1.0)
        return np.where(self.seasonal[:, None], seasonal, mild[None, :])


def people_names(rng: np.random.Generator, count: int) -> list[str]:
    """`count` distinct 'First Last' names (for CSMs and sales reps)."""
    pairs = [(f, s) for f in catalog.FIRST_NAMES for s in catalog.LAST_NAMES]
    order = rng.permutation(len(pairs))
    names = []
    for k in range(count):
        first, last = pairs[order[k % len(pairs)]]
        suffix = f" {k // len(pairs) + 1}" if k >= len(pairs) else ""
        names.append(f"{first.title()} {last.title()}{suffix}")
    return names


def company_names(rng: np.random.Generator, count: int) -> tuple[list[str], list[str]]:
    """Distinct company names ('Blue Harbor Labs Inc') and their web domains."""
    words, nouns, sufs = catalog.COMPANY_WORDS, catalog.COMPANY_NOUNS, catalog.COMPANY_SUFFIXES
    combos = [(w, n, s) for w in words for n in nouns for s in sufs]
    order = rng.permutation(len(combos))
    tlds = rng.integers(0, len(catalog.TLDS), count)
    names, domains = [], []
    for k in range(count):
        word, noun, suffix = combos[order[k % len(combos)]]
        repeat = f"{k // len(combos) + 1}" if k >= len(combos) else ""
        names.append(f"{word.title()} {noun.title()}{repeat} {suffix}")
        domains.append(f"{word}{noun}{repeat}{suffix.lower()}.{catalog.TLDS[tlds[k]]}")
    return names, domains


def created_times(rng: np.random.Generator, count: int, timeline: Timeline) -> np.ndarray:
    """Creation time of each account: an installed base, then growing new sales."""
    installed = rng.random(count) < INSTALLED_BASE_SHARE
    before = timeline.start_us - rng.random(count) * INSTALLED_BASE_YEARS * 365 * DAY_US
    # New logos arrive at a rate growing linearly over the history (density ~ 1 + x).
    span = timeline.end_us - timeline.start_us
    x = np.sqrt(1 + 3 * rng.random(count)) - 1  # inverse CDF of (1 + x) / 1.5 on [0, 1]
    during = timeline.start_us + x * span
    return np.where(installed, before, during).astype(np.int64)


def month_index(times_us: np.ndarray, timeline: Timeline) -> np.ndarray:
    """Simulated month of each time (negative before the history starts)."""
    months = times_us.astype("datetime64[us]").astype("datetime64[M]").astype(np.int64)
    first = np.datetime64(timeline.first_month, "M").astype(np.int64)
    return months - first


def population(rng: np.random.Generator, count: int, timeline: Timeline) -> Population:
    """Draw `count` accounts with their firmographics and latent traits."""
    created = np.sort(created_times(rng, count, timeline))
    plan = rng.choice(len(catalog.PLANS), size=count, p=catalog.PLAN_SHARE)
    low, high = (np.array(b)[plan] for b in zip(*catalog.PLAN_MRR, strict=True))
    mrr = np.round(np.exp(rng.uniform(np.log(low), np.log(high))), 0)
    employees = np.exp(rng.normal(np.log(np.array(catalog.PLAN_EMPLOYEES)[plan]), 0.6))
    names, domains = company_names(rng, count)
    n_csm = max(1, -(-count // ACCOUNTS_PER_CSM))
    n_reps = max(3, -(-count // ACCOUNTS_PER_SALES_REP))
    people = people_names(rng, n_csm + n_reps)
    return Population(
        created_us=created,
        created_month=month_index(created, timeline),
        plan=plan,
        mrr=mrr,
        annual=rng.random(count) < np.array(catalog.PLAN_ANNUAL_SHARE)[plan],
        employees=np.maximum(2, np.round(employees)).astype(np.int64),
        industry=rng.integers(0, len(catalog.INDUSTRIES), count),
        region=rng.choice(len(catalog.REGIONS), size=count, p=catalog.REGION_SHARE),
        owner=rng.integers(0, n_csm, count),
        sales_rep=rng.integers(0, n_reps, count),
        health_baseline=rng.normal(1.0, 0.9, count),
        engagement=rng.lognormal(0.0, 0.35, count),
        breadth=rng.uniform(0.5, 1.5, count),
        seasonal=rng.random(count) < SEASONAL_SHARE,
        peak_start=rng.integers(0, 12, count),
        peak_length=rng.integers(3, 5, count),
        poor_onboarding=rng.random(count) < POOR_ONBOARDING_SHARE,
        names=names,
        domains=domains,
        csm_names=people[:n_csm],
        sales_rep_names=people[n_csm:],
    )
