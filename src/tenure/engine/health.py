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
from collections.abc import Mapping, Sequence

import ibis
import ibis.expr.types as ir

from tenure.definitions import Bands, Measure, Scorecard
from tenure.engine.measures import KEYS, Days, day_list, unpivoted

RED, YELLOW, GREEN = "Red", "Yellow", "Green"
THRESHOLD_POINTS = (100.0, 60.0, 0.0)  # at least good, at least average, below
CHANGE_DAYS = (7, 30)


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
    wide, columns = _pivoted(values, scorecard)
    if assignment is not None:
        mine = assignment.filter(assignment.scorecard == scorecard.name)
        wide = wide.semi_join(mine, [k for k in KEYS if k in mine.columns])
    wide, columns = with_subjective(wide, scorecard, columns=columns, subjective=subjective)
    scores = daily_scores(wide, scorecard, columns=columns)
    return score_changes(scores), contributions(wide, scorecard, columns=columns)


def health_contributions(values: ir.Table, scorecard: Scorecard) -> ir.Table:
    """Each measure's value, points, band, weights and contribution (see `health_scores`).

    `values` holds every measure of the scorecard, subjective ones included.
    """
    wide, columns = _pivoted(values, scorecard, subjective=True)
    return contributions(wide, scorecard, columns=columns)


def daily_scores(values: ir.Table, scorecard: Scorecard, *, columns: Mapping[str, str]) -> ir.Table:
    """The score, band, coverage and cap per row (account and day) of `values`.

    `values` has a column per measure of the scorecard (subjective ones too,
    see `with_subjective`); `columns` maps a measure's name to its column.
    Columns: account_id, day, scorecard, score, band, coverage, capped.
    """
    rows = scored_rows(values, scorecard, columns=columns)
    return rows.select(
        *KEYS,
        scorecard=ibis.literal(scorecard.name, "string"),
        score=rows.score,
        band=rows.band,
        coverage=rows.coverage,
        capped=rows.capped,
    )


def scored_rows(
    values: ir.Table, scorecard: Scorecard, *, columns: Mapping[str, str], prefix: str = ""
) -> ir.Table:
    """`values` with each measure's points and the row's score, band, coverage and cap.

    `values` and `columns` as for `daily_scores`. Added columns, each name
    after `prefix`: ``points_i`` (the i-th measure's points), ``with_data``
    (Σ_M wᵢ), ``score``, ``band``, ``coverage``, ``capped``. One projection
    per step, so that the SQL names each intermediate value once instead of
    repeating its expression wherever it is used.
    """
    measures = scorecard.measures

    def col(name: str) -> str:
        return f"{prefix}{name}"

    rows = values.mutate(
        **{
            col(f"points_{i}"): measure_points(values[columns[m.name]], m)
            for i, m in enumerate(measures)
        }
    )
    points = [rows[col(f"points_{i}")] for i in range(len(measures))]
    weighted, with_data = weighted_sums(points, measures)
    poor = [p <= scorecard.bands.red for p, m in zip(points, measures, strict=True) if m.critical]
    rows = rows.mutate(
        **{
            col("weighted"): weighted,
            col("with_data"): with_data,
            col("poor"): ibis.or_(*poor).fill_null(False) if poor else ibis.literal(False),
        }
    )
    total = sum(m.weight for m in measures)
    rows = rows.mutate(
        **{
            col("score"): weighted_score(rows[col("weighted")], rows[col("with_data")]),
            col("coverage"): (rows[col("with_data")] / total).cast("float64"),
        }
    )
    uncapped = band_of(rows[col("score")], scorecard.bands)
    capped = (rows[col("poor")] & (uncapped == GREEN)).fill_null(False)
    rows = rows.mutate(
        **{col("band"): ibis.cases((capped, YELLOW), else_=uncapped), col("capped"): capped}
    )
    return rows.drop(col("weighted"), col("poor"))


def weighted_sums(
    points: Sequence[ir.FloatingValue], measures: Sequence[Measure]
) -> tuple[ir.FloatingValue, ir.FloatingValue]:
    """(Σ_M wᵢ · pointsᵢ, Σ_M wᵢ) over the measures M with points."""
    weights = [float_constant(m.weight) for m in measures]
    weighted = sum(
        (p.fill_null(0.0) * w for p, w in zip(points, weights, strict=True)), ibis.literal(0.0)
    )
    with_data = sum(
        (ibis.cases((p.notnull(), w), else_=0.0) for p, w in zip(points, weights, strict=True)),
        ibis.literal(0.0),
    )
    return weighted, with_data


def weighted_score(weighted: ir.FloatingValue, with_data: ir.FloatingValue) -> ir.FloatingValue:
    """Σ_M wᵢ · pointsᵢ / Σ_M wᵢ, NULL without any measure with points."""
    score = ibis.cases((with_data > 0, weighted / with_data), else_=ibis.null("float64"))
    return score.cast("float64")


def contributions(
    values: ir.Table, scorecard: Scorecard, *, columns: Mapping[str, str]
) -> ir.Table:
    """Each measure's value, points, band, weights and contribution per row of `values`.

    `values` and `columns` as for `daily_scores`. Columns: account_id, day,
    measure, group, critical, value, points, band, weight, effective_weight,
    contribution (see `health_scores`).
    """
    rows = scored_rows(values, scorecard, columns=columns)
    parts = []
    for i, m in enumerate(scorecard.measures):
        points = rows[f"points_{i}"]
        weight = float_constant(m.weight)
        effective = ibis.cases((points.notnull(), 100.0 * weight / rows.with_data), else_=0.0)
        parts.append(
            rows.select(
                *KEYS,
                measure=ibis.literal(m.name, "string"),
                group=ibis.literal(m.group, "string"),
                critical=ibis.literal(m.critical, "boolean"),
                value=rows[columns[m.name]].cast("float64"),
                points=points,
                band=band_of(points, scorecard.bands),
                weight=weight,
                effective_weight=effective.cast("float64"),
                contribution=(points * effective / 100.0).cast("float64"),
            )
        )
    return ibis.union(*parts)


def with_subjective(
    values: ir.Table,
    scorecard: Scorecard,
    *,
    columns: Mapping[str, str],
    subjective: ir.Table | None,
) -> tuple[ir.Table, dict[str, str]]:
    """`values` with a column per subjective measure `columns` does not name yet, and the
    columns of every measure. Values as `subjective_values` gives them (NULL without
    `subjective`)."""
    found = dict(columns)
    for i, m in enumerate(scorecard.measures):
        if m.name in found:
            continue
        if not m.subjective:
            raise ValueError(f"no values for the measure {m.name!r}")
        found[m.name] = column = f"subjective_{i}"
        values = _with_subjective(values, subjective, m, column)
    return values, found


def band_of(points: ir.NumericValue, bands: Bands) -> ir.StringValue:
    """Red when points ≤ bands.red, Yellow when ≤ bands.yellow, else Green; NULL stays NULL."""
    return ibis.cases(
        (points.isnull(), ibis.null("string")),
        (points <= bands.red, RED),
        (points <= bands.yellow, YELLOW),
        else_=GREEN,
    )


def score_changes(
    scores: ir.Table,
    *,
    score: str = "score",
    prefix: str = "score_change_",
    days: Days | None = None,
) -> ir.Table:
    """Adds score_change_7d and score_change_30d: score − the score 7 (30) days before.

    NULL when the account has no row then. The score before is looked up with
    a window whose frame is exactly that day (a range over day numbers). With
    `days`, the days `scores` covers, each account's rows being consecutive
    days among them (as when an account exists over an interval of them), it
    is the row k rows back instead, for each k that can be 7 (30) days back:
    a cheaper window. `score` names the score column, `prefix` the changes.
    """
    changes = {}
    for back in CHANGE_DAYS:
        before = _score_before(scores, scores[score], back, days)
        changes[f"{prefix}{back}d"] = scores[score] - before
    return scores.mutate(**changes)


def _score_before(
    scores: ir.Table, score: ir.FloatingValue, back: int, days: Days | None
) -> ir.FloatingValue:
    if days is None:
        number = scores.day.epoch_days()
        frame = ibis.window(group_by="account_id", order_by=number, range=(-back, -back))
        return score.max().over(frame)
    listed = day_list(days)
    position = {day: i for i, day in enumerate(listed)}
    offsets = sorted(
        {
            i - position[d - dt.timedelta(back)]
            for i, d in enumerate(listed)
            if d - dt.timedelta(back) in position
        }
    )
    order = ibis.window(group_by="account_id", order_by="day")
    found = [
        ibis.cases(
            (
                scores.day.delta(scores.day.lag(k).over(order), unit="day") == back,
                score.lag(k).over(order),
            ),
            else_=ibis.null("float64"),
        )
        for k in offsets
    ]
    if not found:
        return ibis.null("float64")
    return ibis.coalesce(*found) if len(found) > 1 else found[0]


def measure_points(value: ir.FloatingValue, measure: Measure) -> ir.FloatingValue:
    """The measure's points (0–100) for `value` by its scheme; NULL stays NULL."""
    scheme = measure.scheme
    if measure.subjective or scheme is None:
        points = ibis.greatest(ibis.least(value, 100.0), 0.0)
    elif scheme.linear is not None:
        low, high = sorted(scheme.linear)
        if low == high:
            raise ValueError(
                f"measure {measure.name!r}: linear bounds must differ, got {scheme.linear}"
            )
        linear = ibis.greatest(ibis.least((value - low) / (high - low), 1.0), 0.0) * 100
        points = 100.0 - linear if scheme.lower_is_better else linear
    else:
        good, average, poor = (float_constant(p) for p in THRESHOLD_POINTS)
        if scheme.lower_is_better:
            points = ibis.cases(
                (value <= scheme.good, good), (value <= scheme.average, average), else_=poor
            )
        else:
            points = ibis.cases(
                (value >= scheme.good, good), (value >= scheme.average, average), else_=poor
            )
    # GREATEST and LEAST skip NULLs: a missing value must stay missing.
    return ibis.cases((value.isnull(), ibis.null("float64")), else_=points).cast("float64")


def float_constant(value: float) -> ir.FloatingValue:
    """`value` as a float64 in SQL too: PostgreSQL reads a bare 20.0 as NUMERIC."""
    return ibis.literal(repr(float(value))).cast("float64")


def _pivoted(
    values: ir.Table, scorecard: Scorecard, *, subjective: bool = False
) -> tuple[ir.Table, dict[str, str]]:
    """`measure_values`' rows as one row per account and day, a column per measure."""
    measures = [m for m in scorecard.measures if subjective or not m.subjective]
    columns = {m.name: f"measure_{i}" for i, m in enumerate(measures)}
    wide = values.group_by(KEYS).aggregate(
        **{
            column: values.value.max(where=values.measure == name)
            for name, column in columns.items()
        }
    )
    return wide, columns


def _with_subjective(
    rows: ir.Table, subjective: ir.Table | None, measure: Measure, column: str
) -> ir.Table:
    """`rows` with the subjective measure's value (see `subjective_values`) as `column`."""
    latest = (
        _latest_entries(rows.select(*KEYS), subjective, measure) if subjective is not None else None
    )
    if latest is None:
        return rows.mutate(**{column: ibis.null("float64")})
    joined = rows.left_join(latest, KEYS)
    return joined.select(*rows.columns, **{column: joined.points.cast("float64")})


def subjective_values(
    grid: ir.Table, subjective: ir.Table | None, scorecard: Scorecard
) -> ir.Table:
    """Values of the subjective measures on each (account_id, day) of `grid`.

    The value is the ``value_points`` of the latest entry recorded on or before
    the day and within the measure's ``expires_days`` (recorded day r counts on
    days r … r + expires_days − 1; no expires_days: it never expires). None:
    NULL. Columns: account_id, day, measure, value.
    """
    rows = grid.select(*KEYS)
    columns = {}
    for i, m in enumerate(scorecard.measures):
        if m.subjective:
            rows = _with_subjective(rows, subjective, m, f"value_{i}")
            columns[f"value_{i}"] = m.name
    return unpivoted(rows, columns)


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
