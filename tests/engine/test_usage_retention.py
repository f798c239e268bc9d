"""User retention with every start and return option, worked out by hand (see usage_fixture)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from ibis.backends import BaseBackend
from usage_fixture import AS_OF, usage_sources

from tenure.engine.usage_retention import user_retention

M = dt.date
WEEK1, WEEK2 = M(2024, 1, 1), M(2024, 1, 8)


def retention(backend: BaseBackend, **options: Any) -> dict[tuple, tuple[int, int]]:
    src = usage_sources(backend)
    table = user_retention(
        src.contact_daily,
        start=M(2024, 1, 1),
        end=M(2024, 1, 14),
        as_of=AS_OF,
        events=backend.table("events"),
        **options,
    )
    return {
        (r["cohort"], r["period"]): (r["retained"], r["units"])
        for r in table.to_pyarrow().to_pylist()
    }


def test_first_ever_weekly_on_week_n(backend: BaseBackend) -> None:
    got = retention(backend)
    # Units: u1 (Jan 1), u2 (Jan 3) in week 1; u3 (Jan 8) in week 2; u4 started in
    # December. Period 2 of u2 ends Jan 23 > Jan 21: not counted. u1's Jan 22 is after as-of.
    assert got == {
        (WEEK1, 0): (2, 2), (WEEK1, 1): (1, 2), (WEEK1, 2): (0, 1),
        (WEEK2, 0): (1, 1), (WEEK2, 1): (0, 1),
    }  # fmt: skip


def test_on_or_after_week_n(backend: BaseBackend) -> None:
    got = retention(backend, mode="on_or_after")
    # u2 came back in its period 2 (Jan 17), so it counts in period 1 too.
    assert got[WEEK1, 1] == (2, 2)
    assert got[WEEK1, 2] == (0, 1)


def test_first_matching_starts_at_the_first_occurrence_in_range(backend: BaseBackend) -> None:
    got = retention(backend, start_mode="first_matching")
    # u4 joins week 1 at Jan 2 (its earlier sign-up is outside the range).
    assert got[WEEK1, 0] == (3, 3)
    assert got[WEEK1, 1] == (1, 3)


def test_recurring_counts_every_interval_with_the_start_event(backend: BaseBackend) -> None:
    got = retention(backend, start_mode="recurring")
    # Week 2 units: u3 (Jan 8) and u1 again (Jan 9; its period 1 ends Jan 22: not passed).
    assert got[WEEK2, 0] == (2, 2)
    assert got[WEEK2, 1] == (0, 1)
    assert got[WEEK1, 0] == (3, 3)  # u1, u2, u4


def test_a_named_return_event(backend: BaseBackend) -> None:
    got = retention(backend, return_event="report_viewed")
    assert got[WEEK1, 0] == (0, 2)
    assert got[WEEK1, 1] == (1, 2)  # u1 viewed a report on Jan 10


def test_a_named_start_event_first_ever(backend: BaseBackend) -> None:
    got = retention(backend, start_event="report_viewed", interval="day", periods=3)
    # u1 first viewed a report on Jan 10; its next activity (Jan 22) is after as-of.
    assert got == {
        (M(2024, 1, 10), 0): (1, 1), (M(2024, 1, 10), 1): (0, 1),
        (M(2024, 1, 10), 2): (0, 1), (M(2024, 1, 10), 3): (0, 1),
    }  # fmt: skip


def test_monthly_periods_count_whole_months(backend: BaseBackend) -> None:
    src = usage_sources(backend)
    table = user_retention(
        src.contact_daily,
        start=M(2023, 12, 1), end=M(2023, 12, 31), as_of=M(2024, 1, 31), interval="month",
    )  # fmt: skip
    # u4 starts Dec 20: period 0 runs to Jan 19 and holds Jan 2; period 1 has not passed.
    assert table.to_pyarrow().to_pylist() == [
        {"cohort": M(2023, 12, 1), "period": 0, "units": 1, "retained": 1, "retention": 1.0}
    ]


@pytest.mark.parametrize(
    "options",
    [{"interval": "year"}, {"mode": "after"}, {"start_mode": "sometimes"}, {"periods": -1}],
)
def test_bad_options_are_refused(backend: BaseBackend, options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"must be|need"):
        retention(backend, **options)
