"""Lifecycle, stickiness and DAU/MAU, worked out by hand (see usage_fixture)."""

from __future__ import annotations

import datetime as dt

import pytest
from ibis.backends import BaseBackend
from usage_fixture import usage_sources

from tenure.engine.usage_activity import contact_lifecycle, dau_mau, stickiness

M = dt.date


def test_weekly_lifecycle_and_pulse(backend: BaseBackend) -> None:
    src = usage_sources(backend)

    rows = contact_lifecycle(src.contact_daily, start=M(2024, 1, 1), end=M(2024, 1, 21))

    got = {r["period"]: r for r in rows.to_pyarrow().to_pylist()}
    assert sorted(got) == [M(2024, 1, 1), M(2024, 1, 8), M(2024, 1, 15)]
    counts = {
        p: (r["new"], r["returning"], r["resurrecting"], r["dormant"]) for p, r in got.items()
    }
    # Week 1: u1, u2 new; u4 (first seen in December, idle the week before) resurrects.
    assert counts[M(2024, 1, 1)] == (2, 0, 1, 0)
    # Week 2: u3 new, u1 returns; u2 and u4 go dormant.
    assert counts[M(2024, 1, 8)] == (1, 1, 0, -2)
    # Week 3: u2 resurrects; u1 and u3 go dormant.
    assert counts[M(2024, 1, 15)] == (0, 0, 1, -2)
    assert got[M(2024, 1, 1)]["pulse"] is None
    assert got[M(2024, 1, 8)]["pulse"] == pytest.approx(0.5)
    assert got[M(2024, 1, 15)]["pulse"] == pytest.approx(0.5)


def test_weekly_stickiness_distribution(backend: BaseBackend) -> None:
    src = usage_sources(backend)

    rows = stickiness(src.contact_daily, start=M(2024, 1, 1), end=M(2024, 1, 7))

    got = [
        (r["active_days"], r["contacts"], r["active_contacts"])
        for r in rows.to_pyarrow().to_pylist()
    ]
    # u1 active 3 days (Jan 1–3); u2 and u4 one day each.
    assert got == [(1, 2, 3), (3, 1, 3)]
    shares = [(r["share"], r["share_at_least"]) for r in rows.to_pyarrow().to_pylist()]
    assert shares == [pytest.approx((2 / 3, 1.0)), pytest.approx((1 / 3, 1 / 3))]


def test_dau_mau(backend: BaseBackend) -> None:
    src = usage_sources(backend)

    (jan,) = (
        dau_mau(src.contact_daily, start=M(2024, 1, 1), end=M(2024, 1, 31)).to_pyarrow().to_pylist()
    )

    # Contact-days in January: u1 6, u2 2, u3 1, u4 1.
    contact_days = 6 + 2 + 1 + 1  # u1: Jan 1, 2, 3, 9, 10, 22
    assert jan["mau"] == 4
    assert jan["dau"] == pytest.approx(contact_days / 31)
    assert jan["dau_mau"] == pytest.approx(contact_days / 31 / 4)


def test_stickiness_needs_weeks_or_months(backend: BaseBackend) -> None:
    src = usage_sources(backend)
    with pytest.raises(ValueError, match="week or month"):
        stickiness(src.contact_daily, start=M(2024, 1, 1), end=M(2024, 1, 7), interval="day")
