"""Customer lifetime value for non-contractual purchases: BG/NBD and Gamma-Gamma.

Per customer the models need only three numbers (Fader, Hardie & Lee 2005a):

- ``x``, the frequency: the number of *repeat* transactions in the calibration
  period (transactions on one day are merged into one);
- ``t_x``, the recency: the time of the last transaction, counted from the first;
- ``T``, the age: the time from the first transaction to the calibration end.

Times are in ``unit_days``-day units (weeks by default, as in the paper).

**BG/NBD** (Fader, Hardie & Lee 2005a, "Counting Your Customers the Easy Way",
*Marketing Science* 24(2)). While alive, a customer buys as a Poisson process
with rate λ ~ Gamma(r, α); after every transaction they drop out with
probability p ~ Beta(a, b). The likelihood of one customer is

    L = A1 · A2 · (A3 + [x > 0] · A4),
    A1 = Γ(r + x) α^r / Γ(r),      A2 = B(a, b + x) / B(a, b),
    A3 = (α + T)^−(r+x),           A4 = a / (b + x − 1) · (α + t_x)^−(r+x).

**Gamma-Gamma** (Fader, Hardie & Lee 2005b, "RFM and CLV", *JMR* 42(4);
Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value"). The mean
spend ``m`` of a customer's x repeat transactions has density

    f(m | x) = Γ(px + q) / (Γ(px) Γ(q)) · γ^q m^(px−1) x^(px) / (γ + m x)^(px+q),

fitted on repeat buyers (x ≥ 1); the expected spend per transaction given
(m, x) is  (γ + m x) p / (p x + q − 1).

Both are fitted by maximum likelihood (BFGS on the log-parameters, with
the analytic gradient) over the distinct rows of sufficient statistics,
weighted by how many customers share each row: a million customers with
day-resolution dates collapse to a few hundred thousand rows, and the terms
that depend only on ``x`` to a few dozen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import optimize, special

from tenure.stats.clv_summary import summarize_transactions
from tenure.stats.errors import StatsInputError

if TYPE_CHECKING:
    from tenure.stats.survival import RetentionCurve

__all__ = [
    "BgNbdFit",
    "GammaGammaFit",
    "SubscriptionValue",
    "clv",
    "conditional_expected_purchases",
    "expected_average_spend",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "prob_alive",
    "subscription_clv",
    "summarize_transactions",
    "unconditional_expected_purchases",
]


@dataclass(frozen=True)
class BgNbdFit:
    """Fitted BG/NBD parameters; ``log_likelihood`` is summed over customers."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    customers: int
    distinct_rows: int
    converged: bool


@dataclass(frozen=True)
class GammaGammaFit:
    """Fitted Gamma-Gamma parameters (on repeat buyers only)."""

    p: float
    q: float
    gamma: float
    log_likelihood: float
    customers: int
    converged: bool


def _as_arrays(*columns: object) -> list[np.ndarray]:
    return [np.asarray(c, dtype="float64") for c in columns]


def _collapse(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The distinct rows of the columns and how many times each occurs.

    Each column is factorized (hashed) on its own, the codes are combined into
    one integer key per row, and the key is factorized again.
    """
    key = np.zeros(len(columns[0]), dtype="int64")
    for column in columns:
        codes, uniques = pd.factorize(column)
        key = pd.factorize(key * len(uniques) + codes)[0]
    # Codes are numbered in order of first appearance: the running maximum
    # steps up exactly at each code's first row.
    first = np.flatnonzero(np.diff(np.maximum.accumulate(key), prepend=-1) > 0)
    return [c[first] for c in columns], np.bincount(key).astype("float64")


def _dot(weights: np.ndarray, values: np.ndarray) -> float:
    """Σ weights · values without BLAS (whose threads only slow a busy machine down)."""
    return float(np.add.reduce(weights * values))


def _per_x(x: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of the whole numbers x and the weight summed over each."""
    total = np.bincount(x.astype("int64"), weights=weights)
    xs = np.flatnonzero(total)
    return xs.astype("float64"), total[xs]


def _check_rfm(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> None:
    if not (len(x) == len(t_x) == len(T)) or len(x) == 0:
        raise StatsInputError("x, t_x and T must be non-empty and of the same length")
    if not (np.isfinite(x).all() and np.isfinite(t_x).all() and np.isfinite(T).all()):
        raise StatsInputError("x, t_x and T must be finite numbers")
    if (x < 0).any() or (x != np.round(x)).any():
        raise StatsInputError("x (repeat transactions) must be whole numbers ≥ 0")
    if (t_x < 0).any() or (t_x > T).any() or ((x == 0) & (t_x != 0)).any():
        raise StatsInputError("need 0 ≤ t_x ≤ T, and t_x = 0 when x = 0")


class _BgNbdLikelihood:
    """Negative mean log-likelihood and its gradient in (log r, log α, log a, log b)."""

    def __init__(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, w: np.ndarray) -> None:
        self.total = w.sum()
        # Terms of x alone, summed over customers per distinct x.
        self.xs, self.wx = _per_x(x, w)
        self.x, self.w, self.t_x, self.T = x, w, t_x, T
        self.repeat = x > 0
        self.x1 = np.maximum(x, 1.0)  # x where it is ≥ 1: keeps b + x − 1 > 0 on every row

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        r, alpha, a, b = np.exp(theta)
        xs, wx = self.xs, self.wx
        gl = special.gammaln
        ll_x = _dot(wx, gl(r + xs) - gl(r) + gl(a + b) + gl(b + xs) - gl(b) - gl(a + b + xs))
        ll_x += self.total * r * np.log(alpha)
        dg = special.digamma
        g_r = _dot(wx, dg(r + xs) - dg(r)) + self.total * np.log(alpha)
        g_alpha = self.total * r / alpha
        g_a = _dot(wx, dg(a + b) - dg(a + b + xs))
        g_b = _dot(wx, dg(a + b) + dg(b + xs) - dg(b) - dg(a + b + xs))

        _x, w, rx = self.x, self.w, r + self.x
        log_T, log_t = np.log(alpha + self.T), np.log(alpha + self.t_x)
        u = -rx * log_T
        v = np.where(self.repeat, np.log(a) - np.log(b + self.x1 - 1) - rx * log_t, -np.inf)
        ll_row = np.logaddexp(u, v)
        share = np.exp(v - ll_row)  # weight of A4 in A3 + A4, 0 without repeats
        rest = 1.0 - share
        g_r += _dot(w, -rest * log_T - share * log_t)
        g_alpha += _dot(w, -rest * rx / (alpha + self.T) - share * rx / (alpha + self.t_x))
        g_a += _dot(w, share) / a
        g_b -= _dot(w, share / (b + self.x1 - 1))
        ll = ll_x + _dot(w, ll_row)
        grad = np.array([g_r, g_alpha, g_a, g_b]) * np.exp(theta)
        return -ll / self.total, -grad / self.total


WARM_START_ROWS = 20_000


def _maximize(
    nll: Callable[[np.ndarray], tuple[float, np.ndarray]],
    on_rows: Callable[[np.ndarray], Callable[[np.ndarray], tuple[float, np.ndarray]]],
    rows: int,
    theta0: np.ndarray,
) -> optimize.OptimizeResult:
    """BFGS on the negative mean log-likelihood; on many rows, warm-started.

    With more than WARM_START_ROWS rows, a fit on an evenly spaced subset of
    about that many rows gives the start and the inverse Hessian for the fit on
    all rows, which then needs a few iterations instead of dozens. The answer
    is the maximum on all rows either way.
    """
    options: dict[str, object] = {"maxiter": 1000}
    if rows > 2 * WARM_START_ROWS:
        subset = np.arange(0, rows, rows // WARM_START_ROWS)
        warm = optimize.minimize(on_rows(subset), theta0, jac=True, method="BFGS")
        if warm.success:
            theta0 = warm.x
            hess_inv = (warm.hess_inv + warm.hess_inv.T) / 2
            if np.linalg.eigvalsh(hess_inv).min() > 0:
                options["hess_inv0"] = hess_inv
    return optimize.minimize(nll, theta0, jac=True, method="BFGS", options=options)


def fit_bgnbd(x: object, t_x: object, T: object, *, initial: float = 1.0) -> BgNbdFit:
    """Fit BG/NBD by maximum likelihood on per-customer (x, t_x, T).

    Maximizes Σ log L (see the module docstring) over log r, log α, log a,
    log b with BFGS and the analytic gradient; identical rows are collapsed
    into weights first. All parameters start at ``initial``.
    """
    xa, ta, Ta = _as_arrays(x, t_x, T)
    _check_rfm(xa, ta, Ta)
    (xu, tu, Tu), w = _collapse(xa, ta, Ta)
    nll = _BgNbdLikelihood(xu, tu, Tu, w)
    result = _maximize(
        nll,
        lambda rows: _BgNbdLikelihood(xu[rows], tu[rows], Tu[rows], w[rows]),
        len(w),
        np.full(4, np.log(initial)),
    )
    r, alpha, a, b = np.exp(result.x)
    return BgNbdFit(
        r=float(r),
        alpha=float(alpha),
        a=float(a),
        b=float(b),
        log_likelihood=float(-result.fun * nll.total),
        customers=len(xa),
        distinct_rows=len(w),
        converged=bool(result.success),
    )


def _odds_dead(fit: BgNbdFit, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """[x > 0] · a / (b + x − 1) · ((α + T) / (α + t_x))^(r + x)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = (
            fit.a
            / (fit.b + x - 1)
            * np.exp((fit.r + x) * (np.log(fit.alpha + T) - np.log(fit.alpha + t_x)))
        )
    return np.where(x > 0, odds, 0.0)


def prob_alive(fit: BgNbdFit, x: object, t_x: object, T: object) -> np.ndarray:
    """P(alive | x, t_x, T) = 1 / (1 + [x > 0] · a / (b + x − 1) · ((α + T)/(α + t_x))^(r+x))."""
    xa, ta, Ta = _as_arrays(x, t_x, T)
    return 1.0 / (1.0 + _odds_dead(fit, xa, ta, Ta))


def conditional_expected_purchases(
    fit: BgNbdFit, t: float, x: object, t_x: object, T: object
) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected transactions in the next t periods (FHL 2005a, eq. 10).

        (a + b + x − 1) / (a − 1)
        · [1 − ((α + T)/(α + T + t))^(r+x) · ₂F₁(r + x, b + x; a + b + x − 1; t/(α + T + t))]
        / (1 + [x > 0] · a/(b + x − 1) · ((α + T)/(α + t_x))^(r+x))

    Finite only when a > 1.
    """
    xa, ta, Ta = _as_arrays(x, t_x, T)
    r, alpha, a, b = fit.r, fit.alpha, fit.a, fit.b
    hyp = special.hyp2f1(r + xa, b + xa, a + b + xa - 1, t / (alpha + Ta + t))
    ratio = np.exp((r + xa) * (np.log(alpha + Ta) - np.log(alpha + Ta + t)))
    numerator = (a + b + xa - 1) / (a - 1) * (1 - ratio * hyp)
    return numerator / (1.0 + _odds_dead(fit, xa, ta, Ta))


def unconditional_expected_purchases(fit: BgNbdFit, t: object) -> np.ndarray:
    """E[X(t)] for a new customer (FHL 2005a, eq. 9):
    (a + b − 1)/(a − 1) · [1 − (α/(α + t))^r · ₂F₁(r, b; a + b − 1; t/(α + t))]."""
    ta = np.asarray(t, dtype="float64")
    r, alpha, a, b = fit.r, fit.alpha, fit.a, fit.b
    hyp = special.hyp2f1(r, b, a + b - 1, ta / (alpha + ta))
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + ta)) ** r * hyp)


class _GammaGammaLikelihood:
    """Negative mean log-likelihood and gradient in (log p, log q, log γ).

    The Γ and ψ terms depend only on x, so they are evaluated once per
    distinct x; per customer only log(γ + m x) and 1/(γ + m x) remain.
    """

    def __init__(self, x: np.ndarray, m: np.ndarray) -> None:
        self.n = len(x)
        self.xm = x * m
        self.x = x
        self.xs, self.count = _per_x(x, np.ones_like(x))
        # Σ over customers of x·(log m + log x) and of log m: constants of the fit.
        self.sx_log = _dot(x, np.log(m) + np.log(x))
        self.s_log_m = float(np.log(m).sum())

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        p, q, g = np.exp(theta)
        xs, count = self.xs, self.count
        gl, dg = special.gammaln, special.digamma
        pxs = p * xs
        log_gxm = np.log(g + self.xm)
        inv_gxm = 1.0 / (g + self.xm)
        px_q = p * self.x + q
        ll = (
            _dot(count, gl(pxs + q) - gl(pxs))
            - self.n * gl(q)
            + self.n * q * np.log(g)
            + p * self.sx_log
            - self.s_log_m
            - _dot(px_q, log_gxm)
        )
        g_p = _dot(count, xs * (dg(pxs + q) - dg(pxs))) + self.sx_log - _dot(self.x, log_gxm)
        g_q = _dot(count, dg(pxs + q)) - self.n * dg(q) + self.n * np.log(g) - log_gxm.sum()
        g_g = self.n * q / g - _dot(px_q, inv_gxm)
        grad = np.array([g_p, g_q, g_g]) * np.exp(theta)
        return -ll / self.n, -grad / self.n


def fit_gamma_gamma(x: object, monetary: object, *, initial: float = 1.0) -> GammaGammaFit:
    """Fit Gamma-Gamma by maximum likelihood on repeat buyers (x ≥ 1, m > 0).

    ``monetary`` is each customer's mean spend over their repeat transactions;
    rows with x = 0 are left out. Log-likelihood per customer:
    log Γ(px+q) − log Γ(px) − log Γ(q) + q log γ + (px−1) log m + px log x
    − (px+q) log(γ + m x).
    """
    xa, ma = _as_arrays(x, monetary)
    if len(xa) != len(ma):
        raise StatsInputError("x and monetary must be of the same length")
    repeat = xa > 0
    xr, mr = xa[repeat], ma[repeat]
    if len(xr) < 2:
        raise StatsInputError("Gamma-Gamma needs at least two repeat buyers")
    if not (np.isfinite(mr).all() and (mr > 0).all()):
        raise StatsInputError("repeat buyers' mean spend must be positive numbers")
    result = _maximize(
        _GammaGammaLikelihood(xr, mr),
        lambda rows: _GammaGammaLikelihood(xr[rows], mr[rows]),
        len(xr),
        np.full(3, np.log(initial)),
    )
    p, q, g = np.exp(result.x)
    return GammaGammaFit(
        p=float(p),
        q=float(q),
        gamma=float(g),
        log_likelihood=float(-result.fun * len(xr)),
        customers=len(xr),
        converged=bool(result.success),
    )


def expected_average_spend(fit: GammaGammaFit, x: object, monetary: object) -> np.ndarray:
    """E[M | m, x] = (γ + m x) p / (p x + q − 1): a weighted mean of the population
    mean p γ / (q − 1) and the customer's own mean m (x = 0 gives the population mean)."""
    xa, ma = _as_arrays(x, monetary)
    ma = np.where(xa > 0, ma, 0.0)
    return (fit.gamma + ma * xa) * fit.p / (fit.p * xa + fit.q - 1)


def clv(
    bgnbd: BgNbdFit,
    spend: GammaGammaFit,
    x: object,
    t_x: object,
    T: object,
    monetary: object,
    *,
    periods: int = 12,
    period_length: float = 52 / 12,
    discount_rate: float = 0.01,
    margin: float = 1.0,
) -> np.ndarray:
    """Discounted customer lifetime value over ``periods`` future periods.

        CLV = margin · E[M | m, x] · Σ_{k=1}^{periods}
              (E[Y(k·L) | x, t_x, T] − E[Y((k−1)·L) | x, t_x, T]) / (1 + d)^k

    with L = ``period_length`` (in the model's time unit; default a month of
    weeks, 52/12) and d = ``discount_rate`` per period (default 1% a month,
    about 12.7% a year). The transactions expected during period k are
    discounted to today as if they fell at the period's end.
    """
    if periods < 1 or period_length <= 0 or discount_rate <= -1:
        raise StatsInputError("need periods ≥ 1, period_length > 0 and discount_rate > −1")
    xa, ta, Ta = _as_arrays(x, t_x, T)
    per_purchase = margin * expected_average_spend(spend, xa, monetary)
    total = np.zeros_like(xa)
    previous = np.zeros_like(xa)
    for k in range(1, periods + 1):
        cumulative = conditional_expected_purchases(bgnbd, k * period_length, xa, ta, Ta)
        total += (cumulative - previous) / (1 + discount_rate) ** k
        previous = cumulative
    return per_purchase * total


@dataclass(frozen=True)
class SubscriptionValue:
    """Subscription CLV of one group: ARPA × gross margin × expected lifetime (months)."""

    group: str
    arpa: float
    gross_margin: float
    expected_lifetime_months: float
    horizon_months: float
    clv: float


def subscription_clv(
    curve: RetentionCurve,
    *,
    arpa: float,
    gross_margin: float,
    horizon_months: float = 60.0,
    age_months: float = 0.0,
) -> SubscriptionValue:
    """CLV = ARPA × gross margin × E[lifetime], from a Kaplan–Meier curve.

    E[lifetime] is the restricted mean: the area under S(t) from ``age_months``
    to ``horizon_months``, divided by S(age) (the expected *remaining* lifetime
    of an account that has lasted that long; 0 gives a new account's). ARPA is
    monthly revenue per account, so the lifetime is in months (30.44 days).
    The restriction keeps the figure finite and honest: the curve says nothing
    beyond the longest observed lifetime.
    """
    from tenure.stats.survival import DAYS_PER_MONTH, restricted_mean_lifetime  # lifelines

    lifetime = (
        restricted_mean_lifetime(
            curve, horizon_months * DAYS_PER_MONTH, age=age_months * DAYS_PER_MONTH
        )
        / DAYS_PER_MONTH
    )
    return SubscriptionValue(
        group=curve.group,
        arpa=arpa,
        gross_margin=gross_margin,
        expected_lifetime_months=lifetime,
        horizon_months=horizon_months,
        clv=arpa * gross_margin * lifetime,
    )
