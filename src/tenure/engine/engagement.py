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

import ibis
import ibis.expr.types as ir

from tenure.definitions import Measure, Metric, Scheme, Scorecard
from tenure.engine.health import health_contributions
from tenure.engine.measures import (
    DEFAULT_FEATURE_EVENT,
    Days,
    MeasureSources,
    day_list,
    finished_value,
    metric_deltas,
    running_totals,
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
    values = engagement_values(sources, card, days=days, core_features=core_features)
    c = health_contributions(values, card)
    has = c.points.notnull()
    sums = c.group_by(["account_id", "day"]).aggregate(
        weighted=(c.points * c.weight).sum(),
        with_data=ibis.cases((has, c.weight), else_=0.0).sum(),
    )
    total = usage + team + features + participation
    score = ibis.cases((sums.with_data > 0, sums.weighted / sums.with_data), else_=ibis.null())
    return sums.select(
        "account_id", "day", engagement=score.cast("float64"), coverage=sums.with_data / total
    )


def engagement_values(
    sources: MeasureSources, card: Scorecard, *, days: Days, core_features: int | None = None
) -> ir.Table:
    """The engagement measures' values: (account_id, day, measure, value).

    As `measure_values`, except feature breadth = distinct features / core
    features, and participation = community events + tickets opened.
    """
    metrics = {m.name: m.metric for m in card.measures if m.metric is not None}
    first = day_list(days)[0]
    streams = {
        name: metric_deltas(sources, metric, first_day=first) for name, metric in metrics.items()
    }
    streams[PARTICIPATION] = _participation(sources, metrics[PARTICIPATION])
    totals = running_totals(streams, sources.accounts, days=days)
    values = totals.select("account_id", "day", "measure", value=finished_value(totals, metrics))
    catalog = _core_features(sources, metrics[FEATURES]) if core_features is None else core_features
    share = values.value / ibis.cases((catalog > 0, catalog), else_=ibis.null("float64"))
    return values.mutate(
        value=ibis.cases((values.measure == FEATURES, share), else_=values.value).cast("float64")
    )


def _core_features(sources: MeasureSources, metric: Metric) -> ir.IntegerScalar:
    rows = sources.activity_daily
    rows = rows.filter(rows.event == (metric.event or DEFAULT_FEATURE_EVENT))
    return rows.detail.nunique().as_scalar()


def _participation(sources: MeasureSources, metric: Metric) -> ir.Table:
    """Deltas of community events (metric.event) plus tickets opened, over the window."""
    community = metric_deltas(sources, metric)
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
