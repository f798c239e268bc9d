"""The daily snapshot rows: each account's stage, health and engagement per day.

Every scorecard and the engagement score read one table of measure columns
(`measure_columns`: one row per existing account and day, a column per
distinct metric), computed once for the days of the range and the days 7 and
30 before them (for the changes of the health score) and materialized. Each
snapshot row is then computed from its own row of that table (the account's
scorecard picked by a join, not by a union of per-scorecard tables), the
changes by a window, and the rows of the range are fetched in one query,
sorted by the app table's key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from tenure.definitions import Metric, Scorecard
from tenure.engine.engagement import (
    PARTICIPATION,
    core_feature_count,
    engaged_rows,
    engagement_scorecard,
    participation_deltas,
)
from tenure.engine.health import (
    comparison_days,
    contributions,
    score_changes,
    scored_rows,
    with_subjective,
)
from tenure.engine.lifecycle import stages_on_days
from tenure.engine.measures import KEYS, MeasureSources, day_list, measure_columns

HEALTH = ["health_score", "health_band", "coverage", "capped", "change_7d", "change_30d"]
COLUMNS = [*KEYS, "stage", "stage_entered_on", *HEALTH, "engagement"]
# A scorecard's measures: {measure name: its column in the shared table}.
Card = tuple[Scorecard, dict[str, str]]


@dataclass
class _Columns:
    """The shared measure columns: one per distinct metric, and who reads which."""

    metrics: dict[str, Metric] = field(default_factory=dict)
    named: dict[Hashable, str] = field(default_factory=dict)

    def of(self, card: Scorecard, *, own: Sequence[str] = ()) -> dict[str, str]:
        """{measure name: column} of the card's measured measures; `own` are not shared."""
        found = {}
        for m in card.measures:
            if m.metric is None:
                continue
            key: Hashable = (card.name, m.name) if m.name in own else m.metric
            if key not in self.named:
                self.named[key] = f"metric_{len(self.named)}"
                self.metrics[self.named[key]] = m.metric
            found[m.name] = self.named[key]
        return found


def account_days(
    sources: MeasureSources,
    scorecards: Sequence[Scorecard],
    *,
    entries: ir.Table,
    span: tuple[dt.date, dt.date],
    assignment: ir.Table | None = None,
    subjective: ir.Table | None = None,
    materialized: Callable[[ir.Table], ir.Table] = lambda table: table,
) -> tuple[pa.Table, pa.Table]:
    """The snapshot rows of the days of `span` and the health contributions of its last day.

    Rows: one per existing account and day (columns `COLUMNS`); health comes
    from the account's scorecard (`assignment`, see `scorecard_assignment`;
    without one, the first scorecard scores every account), stage from
    `entries` (`stage_entries`). `materialized` stores the shared measure
    columns (read by every score) and the assignment, and returns them as tables.
    """
    engagement = engagement_scorecard()
    shared = _Columns()
    cards = [(card, shared.of(card)) for card in scorecards]
    engaged = shared.of(engagement, own=[PARTICIPATION])
    days = day_list(comparison_days(span) if scorecards else span)
    participation = participation_deltas(sources, engagement, first_day=days[0])
    values = materialized(
        measure_columns(
            sources, shared.metrics, days=days, deltas={engaged[PARTICIPATION]: participation}
        )
    )
    if cards and assignment is None:
        assignment = values.select("account_id").distinct().mutate(scorecard=scorecards[0].name)
    if assignment is not None:
        assignment = materialized(assignment)  # read by the rows and the contributions
    rows = values.cross_join(core_feature_count(sources, engagement).name("catalog").as_table())
    if assignment is not None:
        rows = rows.left_join(assignment, [k for k in KEYS if k in assignment.columns])
    daily = _scored(rows, cards, engaged, subjective)
    snapshot = _snapshot(daily, entries, span=span, days=days)
    explained = [
        _explained(values, card, columns, assignment, subjective, day=span[1])
        for card, columns in cards
    ]
    explanations = ibis.union(*explained).to_pyarrow() if explained else pa.table({})
    return snapshot.to_pyarrow(), explanations


def _scored(
    rows: ir.Table, cards: list[Card], engaged: dict[str, str], subjective: ir.Table | None
) -> ir.Table:
    """Engagement and health per row (account_id, day) of the shared table.

    `rows` has the measure columns, ``catalog`` (core features) and, with
    scorecards, the account's ``scorecard``.
    """
    rows = engaged_rows(rows, engagement_scorecard(), columns=engaged, core_features=rows.catalog)
    for k, (card, columns) in enumerate(cards):
        rows, columns = with_subjective(rows, card, columns=columns, subjective=subjective)
        rows = scored_rows(rows, card, columns=columns, prefix=f"card_{k}_")
    if not cards:
        return rows.select(
            *KEYS,
            "engagement",
            health_score=ibis.null("float64"),
            health_band=ibis.null("string"),
            coverage=ibis.null("float64"),
            capped=ibis.literal(False),
        )

    def picked(name: str, otherwise: ir.Value) -> ir.Value:
        """The column of the account's scorecard."""
        chosen = [
            (rows.scorecard == card.name, rows[f"card_{k}_{name}"])
            for k, (card, _) in enumerate(cards)
        ]
        return ibis.cases(*chosen, else_=otherwise)

    return rows.select(
        *KEYS,
        "engagement",
        health_score=picked("score", ibis.null("float64")),
        health_band=picked("band", ibis.null("string")).lower(),
        coverage=picked("coverage", ibis.null("float64")),
        capped=picked("capped", ibis.literal(False)),
    )


def _snapshot(
    daily: ir.Table, entries: ir.Table, *, span: tuple[dt.date, dt.date], days: list[dt.date]
) -> ir.Table:
    """The rows of `span` with the health changes and the stage, as `COLUMNS`, sorted.

    `daily` has a row per existing account and day of `days`: each account's
    rows are consecutive days of `days`, so the changes can look rows back.
    """
    daily = score_changes(daily, score="health_score", prefix="change_", days=days)
    daily = daily.filter(daily.day.between(*span))
    staged = stages_on_days(entries, daily)
    return staged.select(*COLUMNS).order_by(KEYS)


def _explained(
    values: ir.Table,
    card: Scorecard,
    columns: dict[str, str],
    assignment: ir.Table | None,
    subjective: ir.Table | None,
    *,
    day: dt.date,
) -> ir.Table:
    """The contributions on `day` of the accounts `card` scores."""
    rows = values.filter(values.day == day)
    if assignment is not None:
        mine = assignment.filter(assignment.scorecard == card.name)
        rows = rows.semi_join(mine, [k for k in KEYS if k in mine.columns])
    rows, columns = with_subjective(rows, card, columns=columns, subjective=subjective)
    return contributions(rows, card, columns=columns)
