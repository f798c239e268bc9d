"""Health scores on every backend: points, shared-out weights, bands, cap, changes, subjective."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tenure.definitions import Bands, Measure, Metric, Scheme, Scorecard
from tenure.engine.health import (
    comparison_days,
    group_scores,
    health_scores,
    scorecard_assignment,
)
from tenure.engine.measures import MeasureSources, measure_values
from tenure.engine.rollups import activity_daily, contact_daily
from tenure.sources.synthetic import generate
from tenure.warehouse.connect import connect
from tenure.workspace import init_workspace

D = date(2024, 3, 31)
SERIAL = itertools.count()  # a fresh table name per load
ACTIVE = Metric(kind="active_days")


def load_values(backend, rows: Sequence[tuple[str, date, str, float | None]]):
    return backend.create_table(
        f"values_{next(SERIAL)}",
        pa.table(
            {
                "account_id": pa.array([r[0] for r in rows], pa.string()),
                "day": pa.array([r[1] for r in rows], pa.date32()),
                "measure": pa.array([r[2] for r in rows], pa.string()),
                "value": pa.array([r[3] for r in rows], pa.float64()),
            }
        ),
    )


def by_account(table, *keys: str) -> dict:
    """Rows by their key: one value for one key column, else a tuple."""
    rows = table.to_pyarrow().to_pylist()
    return {(r[keys[0]] if len(keys) == 1 else tuple(r[k] for k in keys)): r for r in rows}


THREE = Scorecard(
    name="Three",
    measures=[
        Measure(
            name="usage", weight=50, group="Product", metric=ACTIVE, scheme=Scheme(linear=(2, 16))
        ),
        Measure(
            name="features",
            weight=30,
            group="Product",
            metric=ACTIVE,
            scheme=Scheme(good=3, average=1),
        ),
        Measure(
            name="tickets",
            weight=20,
            group="Support",
            critical=True,
            metric=ACTIVE,
            scheme=Scheme(good=0, average=2, lower_is_better=True),
        ),
    ],
)
THREE_VALUES = [
    ("A", D, "usage", 9.0),
    ("A", D, "features", 2.0),
    ("A", D, "tickets", None),
    ("B", D, "usage", 16.0),
    ("B", D, "features", 5.0),
    ("B", D, "tickets", 1.0),
    ("C", D, "usage", 16.0),
    ("C", D, "features", 3.0),
    ("C", D, "tickets", 5.0),
    ("N", D, "usage", None),
    ("N", D, "features", None),
    ("N", D, "tickets", None),
]


def test_three_measures_with_one_missing(backend) -> None:
    scores, contributions = health_scores(load_values(backend, THREE_VALUES), THREE)
    found = by_account(scores, "account_id")
    # A: usage linear (9 − 2) / (16 − 2) = 0.5 -> 50 points; features 2 ≥ average 1 -> 60;
    # tickets missing: its weight 20 is shared out over the other 80.
    # score = (50·50 + 30·60) / 80 = 4300 / 80 = 53.75 -> Yellow; coverage = 80 / 100.
    assert found["A"]["score"] == pytest.approx(53.75)
    assert (found["A"]["band"], found["A"]["coverage"], found["A"]["capped"]) == (
        "Yellow",
        pytest.approx(0.8),
        False,
    )
    # B: 100, 100 and tickets 1 ≤ average 2 (lower is better) -> 60:
    # (5000 + 3000 + 20·60) / 100 = 92 -> Green.
    assert (found["B"]["score"], found["B"]["band"]) == (pytest.approx(92.0), "Green")
    # C: 100, 100 and 5 tickets > 2 -> 0 points, Poor and critical:
    # (5000 + 3000 + 0) / 100 = 80 would be Green, capped to Yellow; the score stays 80.
    assert (found["C"]["score"], found["C"]["band"], found["C"]["capped"]) == (
        pytest.approx(80.0),
        "Yellow",
        True,
    )
    # N: no data at all.
    assert (found["N"]["score"], found["N"]["band"], found["N"]["coverage"]) == (None, None, 0)
    parts = by_account(contributions, "account_id", "measure")
    # effective weights of A: 100·50/80 = 62.5 and 100·30/80 = 37.5 -> 31.25 + 22.5 = 53.75
    assert [parts["A", m]["effective_weight"] for m in ("usage", "features", "tickets")] == [
        pytest.approx(62.5),
        pytest.approx(37.5),
        0.0,
    ]
    assert [parts["A", m]["band"] for m in ("usage", "features", "tickets")] == [
        "Red",
        "Yellow",
        None,
    ]
    for account in "ABC":
        total = sum(p["contribution"] or 0 for (a, _), p in parts.items() if a == account)
        assert total == pytest.approx(found[account]["score"])


def test_group_scores(backend) -> None:
    _, contributions = health_scores(load_values(backend, THREE_VALUES), THREE)
    found = by_account(group_scores(contributions), "account_id", "group")
    # A Product: (50·50 + 30·60) / 80 = 53.75, full coverage; Support has no data.
    assert (found["A", "Product"]["score"], found["A", "Product"]["coverage"]) == (
        pytest.approx(53.75),
        1.0,
    )
    assert (found["A", "Support"]["score"], found["A", "Support"]["coverage"]) == (None, 0.0)
    # B Support: 1 ticket -> 60 points.
    assert found["B", "Support"]["score"] == pytest.approx(60.0)


def one_measure(scheme: Scheme, bands: Bands | None = None) -> Scorecard:
    return Scorecard(
        name="One",
        measures=[Measure(name="m", weight=1, metric=ACTIVE, scheme=scheme)],
        bands=bands or Bands(),
    )


def points_and_bands(backend, card: Scorecard, values: list[float]) -> list[tuple[float, str]]:
    rows = [(f"a{k:02}", D, "m", v) for k, v in enumerate(values)]
    scores, _ = health_scores(load_values(backend, rows), card)
    found = by_account(scores, "account_id")
    return [(round(found[r[0]]["score"], 6), found[r[0]]["band"]) for r in rows]


def test_band_boundaries_are_inclusive_tops(backend) -> None:
    # linear [0, 100]: points = value. Red ≤ 50 < Yellow ≤ 75 < Green.
    card = one_measure(Scheme(linear=(0, 100)))
    assert points_and_bands(backend, card, [0, 50, 50.5, 51, 75, 76, 100]) == [
        (0, "Red"),
        (50, "Red"),
        (50.5, "Yellow"),
        (51, "Yellow"),
        (75, "Yellow"),
        (76, "Green"),
        (100, "Green"),
    ]


def test_configured_bands(backend) -> None:
    card = one_measure(Scheme(linear=(0, 100)), bands=Bands(red=30, yellow=60))
    assert [b for _, b in points_and_bands(backend, card, [30, 31, 60, 61])] == [
        "Red",
        "Yellow",
        "Yellow",
        "Green",
    ]


def test_linear_and_threshold_points(backend) -> None:
    # linear [2, 16]: (v − 2) / 14, clamped: 1 -> 0, 9 -> 50, 30 -> 100
    linear = one_measure(Scheme(linear=(2, 16)))
    assert [p for p, _ in points_and_bands(backend, linear, [1, 9, 30])] == [0, 50, 100]
    # lower is better, linear [0, 10]: 100 − 100·v/10: 2 -> 80, −5 -> 100, 12 -> 0
    lower = one_measure(Scheme(linear=(0, 10), lower_is_better=True))
    assert [p for p, _ in points_and_bands(backend, lower, [2, -5, 12])] == [80, 100, 0]
    # thresholds good 9, average 7: 9 and 10 -> 100, 7 -> 60, 6 -> 0
    nps = one_measure(Scheme(good=9, average=7))
    assert [p for p, _ in points_and_bands(backend, nps, [10, 9, 7, 6])] == [100, 100, 60, 0]
    # lower is better, good 0 average 2: 0 -> 100, 2 -> 60, 3 -> 0
    tickets = one_measure(Scheme(good=0, average=2, lower_is_better=True))
    assert [p for p, _ in points_and_bands(backend, tickets, [0, 2, 3])] == [100, 60, 0]


def test_changes_against_7_and_30_days_before(backend) -> None:
    card = one_measure(Scheme(linear=(0, 100)))
    days = comparison_days([D])  # 1 Mar, 24 Mar, 31 Mar
    assert days == [date(2024, 3, 1), date(2024, 3, 24), D]
    rows = [
        ("A", days[0], "m", 40.0),
        ("A", days[1], "m", 50.0),
        ("A", D, "m", 65.0),
        ("B", days[1], "m", 70.0),
        ("B", D, "m", 60.0),
    ]
    scores, _ = health_scores(load_values(backend, rows), card)
    found = by_account(scores, "account_id", "day")
    # A: 65 − 50 = 15 over 7 days, 65 − 40 = 25 over 30 days.
    assert (found["A", D]["score_change_7d"], found["A", D]["score_change_30d"]) == (15, 25)
    # B: −10 over 7 days; no score on 1 Mar -> NULL.
    assert (found["B", D]["score_change_7d"], found["B", D]["score_change_30d"]) == (-10, None)
    assert found["A", days[1]]["score_change_7d"] is None  # nothing on 17 Mar


def test_subjective_measure_expires(backend) -> None:
    card = Scorecard(
        name="Pulse",
        measures=[
            Measure(name="usage", weight=50, metric=ACTIVE, scheme=Scheme(linear=(0, 100))),
            Measure(name="pulse", weight=50, subjective=True, expires_days=45),
        ],
    )
    days = [date(2024, 2, 29), date(2024, 3, 1), date(2024, 3, 16), date(2024, 3, 17)]
    values = load_values(backend, [(a, d, "usage", 60.0) for a in "AB" for d in days])
    entries = backend.create_table(
        "subjective",
        pa.table(
            {
                "account_id": ["A", "A", "B"],
                "measure": ["pulse", "pulse", "pulse"],
                "value_points": [80.0, 20.0, 90.0],
                "recorded_at": [
                    datetime(2024, 1, 15, 10),
                    datetime(2024, 2, 1, 17),
                    datetime(2024, 3, 1, 9),
                ],
            }
        ),
    )
    scores, contributions = health_scores(values, card, subjective=entries)
    found = by_account(scores, "account_id", "day")
    # A's latest entry (1 Feb, 20 points) counts for 45 days: 1 Feb … 16 Mar (1 Feb + 44).
    # 16 Mar: (60 + 20) / 2 = 40 -> Red, coverage 1; 17 Mar: expired, and the older
    # 15 Jan entry does not come back: usage only, 60, coverage 0.5.
    assert (found["A", days[2]]["score"], found["A", days[2]]["coverage"]) == (40, 1)
    assert (found["A", days[3]]["score"], found["A", days[3]]["coverage"]) == (60, 0.5)
    # B's entry of 1 Mar counts from that day on: (60 + 90) / 2 = 75.
    assert [found["B", d]["score"] for d in days] == [60, 75, 75, 75]
    pulse = by_account(contributions, "account_id", "day", "measure")["A", days[2], "pulse"]
    assert (pulse["value"], pulse["points"], pulse["contribution"]) == (20, 20, 10)


def test_subjective_measure_without_entries_is_missing(backend) -> None:
    card = Scorecard(
        name="Pulse",
        measures=[
            Measure(name="usage", weight=75, metric=ACTIVE, scheme=Scheme(linear=(0, 100))),
            Measure(name="pulse", weight=25, subjective=True),
        ],
    )
    scores, _ = health_scores(load_values(backend, [("A", D, "usage", 80.0)]), card)
    assert by_account(scores, "account_id")["A"]["coverage"] == 0.75


STAGED = [
    Scorecard(name="Onboarding", stages=["onboarding"], measures=THREE.measures),
    Scorecard(name="Enterprise", segments=["High touch"], measures=THREE.measures),
    Scorecard(name="Default", measures=THREE.measures),
]


def test_first_matching_scorecard_applies(backend) -> None:
    accounts = backend.create_table(
        "account_segments",
        pa.table(
            {
                "account_id": ["A", "B", "C", "N"],
                "stage": ["onboarding", "adoption", "adoption", None],
                "segment": ["High touch", "High touch", "Tech touch", None],
            }
        ),
    )
    found = by_account(scorecard_assignment(accounts, STAGED), "account_id")
    assert {a: r["scorecard"] for a, r in found.items()} == {
        "A": "Onboarding",
        "B": "Enterprise",
        "C": "Default",
        "N": "Default",
    }
    # Without a catch-all scorecard, C and N get none, and so no score.
    assignment = scorecard_assignment(accounts, STAGED[:2])
    assert sorted(by_account(assignment, "account_id")) == ["A", "B"]
    scores, _ = health_scores(load_values(backend, THREE_VALUES), STAGED[1], assignment=assignment)
    assert [(r["account_id"], r["scorecard"]) for r in scores.to_pyarrow().to_pylist()] == [
        ("B", "Enterprise")
    ]


def ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks (ties share the mean of their positions)."""
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    _, first, counts = np.unique(sorted_values, return_index=True, return_counts=True)
    mean_rank = first + (counts - 1) / 2
    out = np.empty(len(values))
    out[order] = np.repeat(mean_rank, counts)
    return out


def test_health_finds_the_generators_latent_health(tmp_path: Path) -> None:
    """The template scorecard on generated data ranks accounts like their hidden health."""
    summary = generate(tmp_path / "data", accounts=150, months=6, seed=3)
    con = connect(f"duckdb:///{tmp_path / 'warehouse.duckdb'}")
    tables = {
        name: con.create_table(name, con.read_parquet(tmp_path / "data" / f"{name}.parquet"))
        for name in ("accounts", "contacts", "tickets", "survey_responses")
    }
    events = con.read_parquet(str(tmp_path / "data" / "events" / "*.parquet"))
    sources = MeasureSources(
        activity_daily=con.create_table("activity_daily", activity_daily(events)),
        contact_daily=con.create_table("contact_daily", contact_daily(events)),
        **tables,
    )
    card = init_workspace(tmp_path / "workspace").definitions.scorecards[0]  # the template's
    end = summary.end_date
    values = measure_values(sources, card, days=(end - timedelta(59), end))
    scores, _ = health_scores(values, card)
    month_ends = scores.filter(scores.day.isin([date(2026, 9, 30), end]), scores.score.notnull())
    found = month_ends.to_pyarrow().to_pylist()
    truth = pq.read_table(tmp_path / "data" / "truth" / "account_months.parquet").to_pylist()
    latent = {(r["account_id"], r["month"]): r["latent_health"] for r in truth}
    pairs = [
        (r["score"], latent[r["account_id"], r["day"].replace(day=1)])
        for r in found
        if (r["account_id"], r["day"].replace(day=1)) in latent
    ]
    score, health = (np.array(p) for p in zip(*pairs, strict=True))
    rho = np.corrcoef(ranks(score), ranks(health))[0, 1]
    assert len(pairs) > 200
    assert rho > 0.4  # 0.46 with seed 3
    con.disconnect()
