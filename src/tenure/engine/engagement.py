"""Engagement score: how much, how widely and how actively an account uses the product.

A composite of four measures over the last `window` days (default 28),
scored like health measures (linear points, see `tenure.engine.health`) and
weighted (weights are keyword options; defaults below):

- usage (40): active days in the window; points = 100 · min(days / 20, 1)
  (20 active days in 28 ≈ every working day = 100);
- team breadth (20): share of contacts active in the window;
  points = 100 · share (NULL without contacts);
- feature breadth (20): distinct core features used in the window / core
  features in the product; points = 100 · share. The product's core features
  are the distinct ``detail`` values of ``core_feature_used`` ever rolled up,
  unless `core_features` gives their number;
- participation (20): community posts (``community_event``) plus support
  tickets opened in the window; points = 100 · min(count / 4, 1).

engagement = Σ_M wᵢ · pointsᵢ / Σ_M wᵢ over the measures M with data, coverage
= Σ_M wᵢ / Σ wᵢ (as for health). Missing data only arises for team breadth (no
contacts) and feature breadth (no core features known): no activity is 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import ibis
import ibis.expr.types as ir

from tenure.definitions import Measure, Metric, Scheme, Scorecard
from tenure.engine.health import measure_points, weighted_score, weighted_sums
from tenure.engine.measures import KEYS, Days, day_list, measure_columns
from tenure.engine.metrics import (
    DEFAULT_FEATURE_EVENT,
    MeasureSources,
    metric_deltas,
    windowed,
)

USAGE, TEAM, FEATURES, PARTICIPATION = "Usage", "Team breadth", "Feature breadth", "Participation"
DEFAULT_WEIGHTS = {USAGE: 40.0, TEAM: 20.0, FEATURES: 20.0, PARTICIPATION: 20.0}
FULL_USAGE_DAYS = 20
FULL_PARTICIPATION = 4
COMMUNITY_EVENT = "community_post"


def engagement_scorecard(
    *,
    window: int = 28,
    usage: float = 40.0,
    team: float = 20.0,
    features: float = 20.0,
    participation: float = 20.0,
    community_event: str = COMMUNITY_EVENT,
) -> Scorecard:
    """The engagement measures as a scorecard (feature breadth's value is a share, 0–1).

    Participation's metric names only the community event: its value also
    counts tickets opened (see `engagement_scores`).
    """

    def measure(name: str, weight: float, metric: Metric, high: float) -> Measure:
        return Measure(name=name, weight=weight, metric=metric, scheme=Scheme(linear=(0, high)))

    return Scorecard(
        name="Engagement",
        measures=[
            measure(USAGE, usage, Metric(kind="active_days", days=window), FULL_USAGE_DAYS),
            measure(TEAM, team, Metric(kind="share_of_contacts_active", days=window), 1),
            measure(FEATURES, features, Metric(kind="distinct_features", days=window), 1),
            measure(
                PARTICIPATION,
                participation,
                Metric(kind="event_count", days=window, event=community_event),
                FULL_PARTICIPATION,
            ),
        ],
    )


def engagement_scores(
    sources: MeasureSources,
    *,
    days: Days,
    window: int = 28,
    usage: float = DEFAULT_WEIGHTS[USAGE],
    team: float = DEFAULT_WEIGHTS[TEAM],
    features: float = DEFAULT_WEIGHTS[FEATURES],
    participation: float = DEFAULT_WEIGHTS[PARTICIPATION],
    core_features: int | None = None,
    community_event: str = COMMUNITY_EVENT,
) -> ir.Table:
    """Engagement per existing account and day (formulas in the module docstring).

    Columns: ``account_id``, ``day``, ``engagement`` (0–100, NULL without any
    data), ``coverage`` (share of the weight with data).
    """
    card = engagement_scorecard(
        window=window,
        usage=usage,
        team=team,
        features=features,
        participation=participation,
        community_event=community_event,
    )
    columns = {m.name: f"value_{i}" for i, m in enumerate(card.measures)}
    metrics = {columns[m.name]: m.metric for m in card.measures if m.metric is not None}
    first = day_list(days)[0]
    deltas = {columns[PARTICIPATION]: participation_deltas(sources, card, first_day=first)}
    values = measure_columns(sources, metrics, days=days, deltas=deltas)
    catalog = core_feature_count(sources, card) if core_features is None else core_features
    return engagement_of(values, card, columns=columns, core_features=catalog)


def engagement_of(
    values: ir.Table,
    card: Scorecard,
    *,
    columns: Mapping[str, str],
    core_features: int | ir.IntegerScalar,
) -> ir.Table:
    """Engagement per row of `values`: one row per account and day, a value per measure.

    `columns` maps each measure of `card` (`engagement_scorecard`) to its
    column in `values`; feature breadth's column holds the distinct features
    used (a share of `core_features` here), participation's the community
    events plus tickets opened (`participation_deltas`). Columns:
    ``account_id``, ``day``, ``engagement``, ``coverage``.
    """
    catalog: int | ir.NumericValue = core_features
    if isinstance(core_features, ir.Scalar):
        # One row joined on: a scalar subquery would run once per reference.
        values = values.cross_join(core_features.name("core_features").as_table())
        catalog = values.core_features
    rows = engaged_rows(values, card, columns=columns, core_features=catalog)
    return rows.select(*KEYS, "engagement", coverage=rows.engagement_coverage)


def engaged_rows(
    values: ir.Table,
    card: Scorecard,
    *,
    columns: Mapping[str, str],
    core_features: int | ir.NumericValue,
) -> ir.Table:
    """`values` with ``engagement`` and ``engagement_coverage`` (see `engagement_of`).

    `core_features` is a number or a column of `values`.
    """
    catalog = ibis.cases((core_features > 0, core_features), else_=ibis.null("float64"))
    points = {}
    for i, m in enumerate(card.measures):
        value = values[columns[m.name]]
        if m.name == FEATURES:
            value = value / catalog
        points[f"engagement_points_{i}"] = measure_points(value.cast("float64"), m)
    rows = values.mutate(**points)
    weighted, with_data = weighted_sums([rows[c] for c in points], card.measures)
    rows = rows.mutate(engagement_weighted=weighted, engagement_with_data=with_data)
    total = sum(m.weight for m in card.measures)
    rows = rows.mutate(
        engagement=weighted_score(rows.engagement_weighted, rows.engagement_with_data),
        engagement_coverage=(rows.engagement_with_data / total).cast("float64"),
    )
    return rows.drop(*points, "engagement_weighted", "engagement_with_data")


def core_feature_count(sources: MeasureSources, card: Scorecard) -> ir.IntegerScalar:
    """The product's core features: distinct details of the feature event ever rolled up."""
    metric = _metric(card, FEATURES)
    rows = sources.activity_daily
    rows = rows.filter(rows.event == (metric.event or DEFAULT_FEATURE_EVENT))
    return rows.detail.nunique().as_scalar()


def participation_deltas(
    sources: MeasureSources, card: Scorecard, *, first_day: dt.date | None = None
) -> ir.Table:
    """Deltas of community events (the metric's event) plus tickets opened, over the window."""
    metric = _metric(card, PARTICIPATION)
    community = metric_deltas(sources, metric, first_day=first_day)
    if sources.tickets is None:
        return community
    tickets = sources.tickets.filter(sources.tickets.account_id.notnull())
    opened = tickets.select("account_id", day=tickets.created_at.date())
    return community.union(metric_deltas_of(windowed(opened, 1.0, metric.days)))


def metric_deltas_of(deltas: ir.Table) -> ir.Table:
    """`deltas` with the column types of `metric_deltas`."""
    return deltas.select(
        "account_id",
        day=deltas.day.cast("date"),
        amount=deltas.amount.cast("float64"),
        count=deltas["count"].cast("float64"),
    )


def _metric(card: Scorecard, name: str) -> Metric:
    metric = next(m.metric for m in card.measures if m.name == name)
    if metric is None:
        raise ValueError(f"the engagement measure {name!r} needs a metric")
    return metric
