"""Account survival: Kaplan–Meier retention curves, log-rank tests, Cox churn drivers.

Input is one row per account (``tenure.engine.lifetimes.account_lifetimes``):
``started_on``, ``ended_on`` (the churn day, or the as-of day when still a
customer), ``churned`` and attributes. The lifetime is
``duration = ended_on − started_on`` in days; an account still a customer is
right-censored at its duration. An optional ``entered_on`` (the first day the
data could have seen the account churn) makes the fit left-truncated: the
account counts as at risk only from ``entry = entered_on − started_on`` on.
Days are whole, so a lifetime ending on its first day counts as half a day
and an account enters at most half a day before it ends.

- Kaplan–Meier (product-limit): S(t) = Π_{tᵢ ≤ t} (1 − dᵢ / nᵢ), with dᵢ
  churns at duration tᵢ and nᵢ accounts at risk then (entered before tᵢ,
  not ended before it); confidence bands from Greenwood's variance
  Σ dᵢ / (nᵢ (nᵢ − dᵢ)) on the log(−log) scale, as in lifelines.
- Median lifetime: the first t with S(t) ≤ 0.5 (infinite when never reached).
- Log-rank test: the (observed − expected churns) per group, in the quadratic
  form against χ² with (groups − 1) degrees of freedom; written out so that
  late entry counts (lifelines' multivariate test, which gives the same
  numbers without it, has none).
- Cox proportional hazards: h(t | z) = h₀(t) exp(β·z) on one-hot attributes
  (the most common level of each is the reference) and numeric ones as given;
  hazard ratio exp(β) with its 95% interval and Wald p-value.
- Restricted mean lifetime: ∫₀^τ S(t) dt, the expected lifetime capped at
  the horizon τ; remaining from age u: ∫ᵤ^τ S(t) dt / S(u).

Durations are in days; ``DAYS_PER_MONTH`` = 365.25 / 12 converts.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter
from lifelines.exceptions import ConvergenceWarning
from scipy import special, stats

from tenure.stats.errors import StatsInputError

DAYS_PER_MONTH = 365.25 / 12
ALL = "all"


@dataclass(frozen=True)
class RetentionCurve:
    """A Kaplan–Meier curve of one group: survival and band at each duration (days)."""

    group: str
    accounts: int
    churned: int
    median_days: float  # math.inf when the curve never reaches 0.5
    days: list[float]
    survival: list[float]
    lower: list[float]
    upper: list[float]
    at_risk: list[int]

    def survival_at(self, day: float) -> float:
        """S(day): the step function's value (1 before the first churn)."""
        i = int(np.searchsorted(self.days, day, side="right")) - 1
        return 1.0 if i < 0 else self.survival[i]


@dataclass(frozen=True)
class LogRankTest:
    groups: list[str]
    method: str
    statistic: float
    degrees_of_freedom: int
    p_value: float


@dataclass(frozen=True)
class HazardRatio:
    covariate: str
    hazard_ratio: float
    lower: float
    upper: float
    p_value: float


@dataclass(frozen=True)
class ChurnDrivers:
    """A Cox model: hazard ratios per covariate (reference levels named)."""

    accounts: int
    churned: int
    concordance: float
    log_likelihood: float
    references: dict[str, str]
    ratios: list[HazardRatio]
    warnings: list[str]  # lifelines' convergence warnings (e.g. a level with no churns)


def durations(lifetimes: pd.DataFrame) -> pd.DataFrame:
    """``duration``, ``entry`` (days) and ``event`` (churned) from the lifetime columns."""
    missing = {"started_on", "ended_on", "churned"} - set(lifetimes.columns)
    if missing:
        raise StatsInputError(f"lifetimes need columns {sorted(missing)}")
    started = pd.to_datetime(lifetimes["started_on"])
    ended = pd.to_datetime(lifetimes["ended_on"])
    duration = (ended - started).dt.days.astype("float64")
    if (duration < 0).any():
        raise StatsInputError("an account ends before it starts")
    entry = pd.Series(0.0, index=lifetimes.index)
    if "entered_on" in lifetimes.columns:
        entered = pd.to_datetime(lifetimes["entered_on"])
        entry = ((entered - started).dt.days.clip(lower=0)).astype("float64")
    # Days are whole: a lifetime ending on its first day lasted half a day, and
    # an account is at risk for at least half a day before it ends.
    duration = duration.clip(lower=0.5)
    entry = np.minimum(entry, duration - 0.5)
    out = lifetimes.assign(duration=duration, entry=entry, event=lifetimes["churned"].astype(bool))
    if out.empty:
        raise StatsInputError("no accounts to analyse")
    return out


def _labels(frame: pd.DataFrame, by: str) -> pd.Series:
    if by not in frame.columns:
        raise StatsInputError(f"unknown attribute {by!r}; known: {', '.join(frame.columns)}")
    return frame[by].astype("string").fillna("(none)")


def _groups(frame: pd.DataFrame, by: str | None) -> list[tuple[str, pd.DataFrame]]:
    if by is None:
        return [(ALL, frame)]
    return [(str(k), g) for k, g in frame.groupby(_labels(frame, by), sort=True)]


def kaplan_meier(
    lifetimes: pd.DataFrame, *, by: str | None = None, alpha: float = 0.05
) -> list[RetentionCurve]:
    """Kaplan–Meier retention curves, one per value of attribute ``by`` (or one for all)."""
    frame = durations(lifetimes)
    return [_curve(name, group, alpha) for name, group in _groups(frame, by)]


def _curve(name: str, group: pd.DataFrame, alpha: float) -> RetentionCurve:
    """The product-limit estimate with late entry, as lifelines computes it.

    Written out rather than taken from lifelines' ``KaplanMeierFitter``, which
    refuses data whose risk set empties early on (young accounts gone before
    older ones enter at the first observed day): there the estimate simply
    carries across the gap, as R's ``survfit`` does with (entry, exit] data.
    """
    duration = group["duration"].to_numpy("float64")
    entry = group["entry"].to_numpy("float64")
    event = group["event"].to_numpy(bool)
    days = np.unique(np.concatenate([[0.0], duration, entry]))
    removed = np.searchsorted(np.sort(duration), days, side="left")  # ended before t
    # At risk at t: entered before t (an account entering at t joins after its
    # churns, as in lifelines: the (entry, exit] convention), not ended before t.
    entered = np.searchsorted(np.sort(entry), days, side="left")
    entered[0] = np.count_nonzero(entry <= 0)
    at_risk = entered - removed
    deaths = np.bincount(np.searchsorted(days, duration[event]), minlength=len(days))
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(deaths > 0, np.log1p(-deaths / np.maximum(at_risk, 1)), 0.0)
        variance = np.where(
            (deaths > 0) & (at_risk > deaths), deaths / (at_risk * (at_risk - deaths)), 0.0
        )
    log_s = np.cumsum(step)
    survival = np.exp(log_s)
    z = special.ndtri(1 - alpha / 2)
    spread = z * np.sqrt(np.cumsum(variance))
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = np.exp(-np.exp(np.log(-log_s) - spread / log_s))
        upper = np.exp(-np.exp(np.log(-log_s) + spread / log_s))
    lower = np.where(np.isfinite(lower) & (log_s < 0), lower, np.where(log_s < 0, 0.0, 1.0))
    upper = np.where(np.isfinite(upper) & (log_s < 0), upper, 1.0)
    below = np.flatnonzero(survival <= 0.5)
    return RetentionCurve(
        group=name,
        accounts=len(group),
        churned=int(event.sum()),
        median_days=float(days[below[0]]) if len(below) else math.inf,
        days=days.tolist(),
        survival=survival.tolist(),
        lower=lower.tolist(),
        upper=upper.tolist(),
        at_risk=at_risk.astype(int).tolist(),
    )


def log_rank(lifetimes: pd.DataFrame, *, by: str) -> LogRankTest:
    """Log-rank test of equal survival across the values of ``by``, late entry honoured.

    At each churn time t, with N(t) accounts at risk, D(t) churns, and nₖ(t),
    dₖ(t) in group k: Oₖ − Eₖ = Σ_t (dₖ − D nₖ/N), and
    Vₖₗ = Σ_t D (N − D)/(N − 1) · nₖ/N · (δₖₗ − nₗ/N); the statistic
    (O − E)ᵀ V⁻ (O − E) over all groups but one is χ² with groups − 1 degrees
    of freedom (the same numbers as lifelines' ``multivariate_logrank_test``,
    which has no late entry).
    """
    frame = durations(lifetimes)
    labels = _labels(frame, by).to_numpy()
    groups = sorted(set(labels))
    if len(groups) < 2:
        raise StatsInputError(f"{by!r} has a single value: nothing to compare")
    duration = frame["duration"].to_numpy("float64")
    entry = frame["entry"].to_numpy("float64")
    event = frame["event"].to_numpy(bool)
    times = np.unique(duration[event])
    at_risk = np.empty((len(groups), len(times)))
    deaths = np.empty((len(groups), len(times)))
    for k, group in enumerate(groups):
        mine = labels == group
        d, e = np.sort(duration[mine]), np.sort(entry[mine])
        at_risk[k] = np.searchsorted(e, times, side="left") - np.searchsorted(d, times, "left")
        churns = duration[mine & event]
        deaths[k] = np.bincount(np.searchsorted(times, churns), minlength=len(times))
    total, died = at_risk.sum(axis=0), deaths.sum(axis=0)
    share = np.divide(at_risk, total, out=np.zeros_like(at_risk), where=total > 0)
    observed_minus_expected = (deaths - died * share).sum(axis=1)
    weight = np.divide(died * (total - died), total - 1, out=np.zeros_like(died), where=total > 1)
    variance = np.diag((weight * share).sum(axis=1)) - (weight * share) @ share.T
    z = observed_minus_expected[:-1]
    statistic = float(z @ np.linalg.pinv(variance[:-1, :-1]) @ z)
    df = len(groups) - 1
    return LogRankTest(
        groups=groups,
        method="log-rank",
        statistic=statistic,
        degrees_of_freedom=df,
        p_value=float(stats.chi2.sf(statistic, df)),
    )


def churn_drivers(
    lifetimes: pd.DataFrame, attributes: list[str], *, penalizer: float = 0.0
) -> ChurnDrivers:
    """Cox proportional-hazards model of churn on account attributes."""
    frame = durations(lifetimes)
    unknown = [a for a in attributes if a not in frame.columns]
    if unknown or not attributes:
        raise StatsInputError(f"unknown or no attributes {unknown}; known: {list(frame.columns)}")
    design, references = _design(frame, attributes)
    data = design.assign(duration=frame["duration"], event=frame["event"], entry=frame["entry"])
    cox = CoxPHFitter(penalizer=penalizer)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        cox.fit(data, "duration", "event", entry_col="entry")
    summary = cox.summary
    ratios = [
        HazardRatio(
            covariate=str(name),
            hazard_ratio=float(row["exp(coef)"]),
            lower=float(row["exp(coef) lower 95%"]),
            upper=float(row["exp(coef) upper 95%"]),
            p_value=float(row["p"]),
        )
        for name, row in summary.iterrows()
    ]
    return ChurnDrivers(
        accounts=len(frame),
        churned=int(frame["event"].sum()),
        concordance=float(cox.concordance_index_),
        log_likelihood=float(cox.log_likelihood_),
        references=references,
        ratios=ratios,
        warnings=sorted({str(w.message).strip().splitlines()[0] for w in caught}),
    )


def _design(frame: pd.DataFrame, attributes: list[str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """Numeric attributes as they are; the others one-hot, the commonest level left out."""
    columns: dict[str, pd.Series] = {}
    references: dict[str, str] = {}
    for attribute in attributes:
        values = frame[attribute]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            columns[attribute] = values.astype("float64").fillna(values.median())
            continue
        labels = values.astype("string").fillna("(none)")
        counts = labels.value_counts()
        references[attribute] = str(counts.index[0])
        for level in sorted(counts.index[1:]):
            columns[f"{attribute}={level}"] = (labels == level).astype("float64")
    design = pd.DataFrame(columns, index=frame.index)
    constant = [c for c in design.columns if design[c].nunique() < 2]
    return design.drop(columns=constant), references


def restricted_mean_lifetime(curve: RetentionCurve, horizon: float, *, age: float = 0.0) -> float:
    """∫_age^horizon S(t) dt / S(age): expected (remaining) lifetime in days, capped at horizon."""
    if horizon <= age or age < 0:
        raise StatsInputError("need 0 ≤ age < horizon")
    steps = np.asarray(curve.days)
    inside = steps[(steps > age) & (steps < horizon)]
    knots = np.concatenate([[age], inside, [horizon]])
    heights = [curve.survival_at(t) for t in knots[:-1]]
    area = float(np.dot(np.diff(knots), heights))
    start = curve.survival_at(age)
    if start <= 0:
        return 0.0
    return area / start
