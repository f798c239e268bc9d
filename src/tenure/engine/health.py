"""Health scores: measure values → points → a weighted score, a band, and its explanation.

Points per measure (0–100, higher is healthier; v = the measure's value):

- linear [a, b]: with low = min(a, b), high = max(a, b),
  points = 100 · clamp((v − low) / (high − low), 0, 1); with
  ``lower_is_better`` points = 100 − that. (The bounds' order does not set
  the direction; ``lower_is_better`` does.)
- thresholds: v ≥ good → 100, else v ≥ average → 60, else 0; with
  ``lower_is_better``: v ≤ good → 100, else v ≤ average → 60, else 0.
- subjective: the recorded points themselves, clamped to 0–100.

A measure is *Poor* when its points fall in the Red band (points ≤
``bands.red``): 0 points of a thresholds scheme (60 is not Poor with the
default bands), below the middle of a linear scheme (≤ 50 points). A measure
without data is not Poor.

Score (per account and day), over the measures M with data (points not NULL):

    score    = Σ_M wᵢ · pointsᵢ / Σ_M wᵢ        (NULL when M is empty)
    coverage = Σ_M wᵢ / Σ_all wᵢ               (share of the weight with data)

Band on the unrounded score: Red when score ≤ red, Yellow when ≤ yellow, else
Green (defaults 50 and 75: 50 → Red, 50.5 and 51 → Yellow, 75 → Yellow, 76 →
Green). A Poor critical measure caps Green at Yellow: the score is unchanged
and ``capped`` is true exactly when the cap lowered the band.

Contributions explain the score: effective_weight = 100 · w / Σ_M w (0 for a
measure without data), contribution = points · effective_weight / 100, so the
contributions of a day sum to its score. Changes: score − the score of the same
account 7 (30) days before, NULL when there was none then (compute those days
too, e.g. with `comparison_days`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from tenure.definitions import Bands, Measure, Scorecard
from tenure.engine.measures import Days, day_list

RED, YELLOW, GREEN = "Red", "Yellow", "Green"
THRESHOLD_POINTS = (100.0, 60.0, 0.0)  # at least good, at least average, below
CHANGE_DAYS = (7, 30)
KEYS = ["account_id", "day"]


def comparison_days(days: Days) -> list[dt.date]:
    """The days of `days` and the days 7 and 30 days before each (for the changes)."""
    listed = day_list(days)
    return sorted({d - dt.timedelta(k) for d in listed for k in (0, *CHANGE_DAYS)})


def health_scores(
    values: ir.Table,
    scorecard: Scorecard,
    *,
    subjective: ir.Table | None = None,
    assignment: ir.Table | None = None,
) -> tuple[ir.Table, ir.Table]:
    """Scores and their contributions per account and day (formulas in the module docstring).

    `values` is `measure_values`' table (account_id, day, measure, value).
    `subjective`: recorded subjective points (account_id, measure,
    value_points, recorded_at), see `subjective_values`. `assignment`: a
    `scorecard_assignment` table; only accounts (and days) assigned to this
    scorecard are scored.

    Returns ``scores`` (account_id, day, scorecard, score, band, coverage,
    capped, score_change_7d, score_change_30d) and ``contributions``
    (account_id, day, measure, group, critical, value, points, band, weight,
    effective_weight, contribution).
    """
    if assignment is not None:
        mine = assignment.filter(assignment.scorecard == scorecard.name)
        values = values.semi_join(mine, [k for k in KEYS if k in mine.columns])
    if any(m.subjective for m in scorecard.measures):
        grid = values.select(*KEYS).distinct()
        values = values.union(subjective_values(grid, subjective, scorecard))
    contributions = health_contributions(values, scorecard)
    return score_changes(_scores(contributions, scorecard)), contributions


def health_contributions(values: ir.Table, scorecard: Scorecard) -> ir.Table:
    """Each measure's value, points, band, weights and contribution (see `health_scores`)."""
    rows = values.join(_specs(scorecard), "measure")
    rows = rows.select(
        *KEYS, "measure", "group", "critical", "value", "weight", points=_points(rows)
    )
    has = rows.points.notnull()
    with_data = ibis.cases((has, rows.weight), else_=0.0).sum().over(group_by=KEYS)
    effective = ibis.cases((has, 100.0 * rows.weight / with_data), else_=0.0)
    return rows.mutate(
        band=band_of(rows.points, scorecard.bands),
        effective_weight=effective,
        contribution=rows.points * effective / 100.0,
    ).relocate("points", "band", "weight", after="value")


def _scores(contributions: ir.Table, scorecard: Scorecard) -> ir.Table:
    c = contributions
    has = c.points.notnull()
    poor = c.critical & has & (c.points <= scorecard.bands.red)
    total = sum(m.weight for m in scorecard.measures)
    sums = c.group_by(KEYS).aggregate(
        weighted=(c.points * c.weight).sum(),
        with_data=ibis.cases((has, c.weight), else_=0.0).sum(),
        poor=ibis.cases((poor, 1), else_=0).sum(),
    )
    score = ibis.cases((sums.with_data > 0, sums.weighted / sums.with_data), else_=ibis.null())
    scores = sums.select(
        *KEYS, score=score.cast("float64"), coverage=sums.with_data / total, poor=sums.poor
    )
    uncapped = band_of(scores.score, scorecard.bands)
    capped = (scores.poor > 0) & (uncapped == GREEN)
    return scores.select(
        *KEYS,
        scorecard=ibis.literal(scorecard.name),
        score=scores.score,
        band=ibis.cases((capped, YELLOW), else_=uncapped),
        coverage=scores.coverage,
        capped=capped.fill_null(False),
    )


def band_of(points: ir.NumericValue, bands: Bands) -> ir.StringValue:
    """Red when points ≤ bands.red, Yellow when ≤ bands.yellow, else Green; NULL stays NULL."""
    return ibis.cases(
        (points.isnull(), ibis.null("string")),
        (points <= bands.red, RED),
        (points <= bands.yellow, YELLOW),
        else_=GREEN,
    )


def score_changes(scores: ir.Table) -> ir.Table:
    """Adds score_change_7d and score_change_30d: score − the score 7 (30) days before."""
    for days in CHANGE_DAYS:
        before = scores.select(
            "account_id",
            day=(scores.day + ibis.interval(days=days)).cast("date"),
            before=scores.score,
        )
        joined = scores.left_join(before, KEYS)
        scores = joined.select(
            *scores.columns, **{f"score_change_{days}d": joined.score - joined.before}
        )
    return scores


def _points(rows: ir.Table) -> ir.FloatingValue:
    v = rows.value
    linear = ibis.greatest(ibis.least((v - rows.low) / (rows.high - rows.low), 1.0), 0.0) * 100
    good, average, poor = THRESHOLD_POINTS
    higher = ibis.cases((v >= rows.good, good), (v >= rows.average, average), else_=poor)
    lower = ibis.cases((v <= rows.good, good), (v <= rows.average, average), else_=poor)
    return ibis.cases(
        (v.isnull(), ibis.null("float64")),
        (rows.subjective, ibis.greatest(ibis.least(v, 100.0), 0.0)),
        (rows.low.notnull() & rows.lower_is_better, 100.0 - linear),
        (rows.low.notnull(), linear),
        (rows.lower_is_better, lower),
        else_=higher,
    ).cast("float64")


def _specs(scorecard: Scorecard) -> ir.Table:
    """The scorecard's measures as a small table: weight, group, flags and scheme bounds."""
    rows = [_spec(m) for m in scorecard.measures]
    types = {
        "measure": pa.string(),
        "group": pa.string(),
        "weight": pa.float64(),
        "critical": pa.bool_(),
        "subjective": pa.bool_(),
        "lower_is_better": pa.bool_(),
        "low": pa.float64(),
        "high": pa.float64(),
        "good": pa.float64(),
        "average": pa.float64(),
    }
    return ibis.memtable(pa.table({k: pa.array([r[k] for r in rows], t) for k, t in types.items()}))


def _spec(m: Measure) -> dict[str, object]:
    scheme = m.scheme
    low = high = None
    if scheme is not None and scheme.linear is not None:
        low, high = sorted(scheme.linear)
        if low == high:
            raise ValueError(f"measure {m.name!r}: linear bounds must differ, got {scheme.linear}")
    return {
        "measure": m.name,
        "group": m.group,
        "weight": float(m.weight),
        "critical": m.critical,
        "subjective": m.subjective,
        "low": low,
        "high": high,
        "lower_is_better": bool(scheme and scheme.lower_is_better),
        "good": scheme.good if scheme else None,
        "average": scheme.average if scheme else None,
    }


def subjective_values(
    grid: ir.Table, subjective: ir.Table | None, scorecard: Scorecard
) -> ir.Table:
    """Values of the subjective measures on each (account_id, day) of `grid`.

    The value is the ``value_points`` of the latest entry recorded on or before
    the day and within the measure's ``expires_days`` (recorded day r counts on
    days r … r + expires_days − 1; no expires_days: it never expires). None:
    NULL. Columns: account_id, day, measure, value.
    """
    parts = []
    for m in (m for m in scorecard.measures if m.subjective):
        latest = _latest_entries(grid, subjective, m) if subjective is not None else None
        if latest is None:
            part = grid.select(*KEYS, measure=ibis.literal(m.name), value=ibis.null("float64"))
        else:
            joined = grid.left_join(latest, KEYS)
            part = joined.select(
                *KEYS, measure=ibis.literal(m.name), value=joined.points.cast("float64")
            )
        parts.append(part)
    return parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]


def _latest_entries(grid: ir.Table, subjective: ir.Table, measure: Measure) -> ir.Table:
    entries = subjective.filter(subjective.measure == measure.name)
    recorded = entries.recorded_at
    entries = entries.select(
        entry_account=entries.account_id,
        recorded_at=recorded,
        recorded_day=recorded.date() if recorded.type().is_timestamp() else recorded,
        points=entries.value_points,
    )
    on = [grid.account_id == entries.entry_account, entries.recorded_day <= grid.day]
    if measure.expires_days is not None:
        expiry = (entries.recorded_day + ibis.interval(days=measure.expires_days)).cast("date")
        on.append(grid.day < expiry)
    joined = grid.join(entries, on)
    newest = ibis.window(group_by=KEYS, order_by=[ibis.desc("recorded_at"), ibis.desc("points")])
    ranked = joined.mutate(rank=ibis.row_number().over(newest))
    return ranked.filter(ranked.rank == 0).select(*KEYS, "points")


def group_scores(contributions: ir.Table) -> ir.Table:
    """Per account, day and measure group: the group's own weighted score.

    score = Σ_G∩M wᵢ · pointsᵢ / Σ_G∩M wᵢ, coverage = Σ_G∩M wᵢ / Σ_G wᵢ over
    the group's measures G and those with data M. Columns: account_id, day,
    group, score, coverage. Measures without a group are left out.
    """
    c = contributions.filter(contributions.group.notnull())
    with_data = ibis.cases((c.points.notnull(), c.weight), else_=0.0)
    sums = c.group_by([*KEYS, "group"]).aggregate(
        weighted=(c.points * c.weight).sum(), with_data=with_data.sum(), total=c.weight.sum()
    )
    score = ibis.cases((sums.with_data > 0, sums.weighted / sums.with_data), else_=ibis.null())
    return sums.select(
        *KEYS, "group", score=score.cast("float64"), coverage=sums.with_data / sums.total
    )


def scorecard_assignment(accounts: ir.Table, scorecards: Sequence[Scorecard]) -> ir.Table:
    """The scorecard of each account: the first, in definition order, that applies to it.

    A scorecard applies when its ``stages`` name the account's ``stage`` (or
    are empty) and its ``segments`` name its ``segment`` (or are empty).
    `accounts` has account_id, stage, segment, and optionally day (then the
    assignment is per day). Accounts no scorecard applies to are left out.
    Columns: account_id, [day,] scorecard.
    """
    matches = []
    for card in scorecards:
        stage = accounts.stage.isin(card.stages) if card.stages else ibis.literal(True)
        segment = accounts.segment.isin(card.segments) if card.segments else ibis.literal(True)
        matches.append(((stage & segment).fill_null(False), card.name))
    if not matches:
        raise ValueError("no scorecards to assign")
    keys = [k for k in KEYS if k in accounts.columns]
    assigned = accounts.select(*keys, scorecard=ibis.cases(*matches, else_=ibis.null("string")))
    return assigned.filter(assigned.scorecard.notnull())
