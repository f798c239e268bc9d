"""Value pyramid, touch model, CSM headcount, behaviour and migration on hand-computed fixtures."""

from __future__ import annotations

import datetime as dt
import json

import ibis
import pyarrow as pa
from ibis.backends import BaseBackend

from tenure.definitions import Behaviour, GrowthPotential, Touch, ValueSegment
from tenure.engine.behaviour import behaviour_segments
from tenure.engine.migration import (
    migration_outcomes,
    segment_migration,
    segment_snapshot,
    touched_accounts,
)
from tenure.engine.pyramid import (
    account_tiers,
    csm_book,
    csm_headcount,
    touch_model,
    value_pyramid,
)
from tenure.warehouse.schemas import FACT_TABLES

D = dt.datetime
AS_OF = dt.date(2024, 6, 30)
TIERS = [
    ValueSegment(name="High", min_arr=12000, accounts_per_csm=2,
                 touches=[Touch(kind="qbr", every_days=91)]),
    ValueSegment(name="Low", min_arr=0, accounts_per_csm=0,
                 touches=[Touch(kind="webinar", every_days=30)]),
]  # fmt: skip

# a1: 1,500 MRR (ARR 18,000) High, owner Ann; a2: 1,000 + 200 MRR (ARR 14,400) High, Ann;
# a3: 100 MRR (ARR 1,200) Low, Bob, 40 seats; a4: 50 MRR Low, no owner;
# a5: ended before AS_OF (not paying: not in the pyramid).
ACCOUNTS = [
    {"account_id": "a1", "owner": "Ann", "employees": 10},
    {"account_id": "a2", "owner": "Ann", "employees": 10},
    {"account_id": "a3", "owner": "Bob", "traits": json.dumps({"seats": 40})},
    {"account_id": "a4"},
    {"account_id": "a5", "owner": "Bob"},
]
SUBSCRIPTIONS = [
    {"subscription_id": "s1", "account_id": "a1", "mrr": 1500.0, "started_at": D(2023, 1, 1)},
    {"subscription_id": "s2", "account_id": "a2", "mrr": 1000.0, "started_at": D(2023, 1, 1)},
    {"subscription_id": "s3", "account_id": "a2", "mrr": 200.0, "started_at": D(2024, 3, 1)},
    {"subscription_id": "s4", "account_id": "a3", "mrr": 100.0, "started_at": D(2023, 5, 1)},
    {"subscription_id": "s5", "account_id": "a4", "mrr": 50.0, "started_at": D(2024, 1, 1)},
    {"subscription_id": "s6", "account_id": "a5", "mrr": 900.0,
     "started_at": D(2023, 1, 1), "ended_at": D(2024, 2, 1)},
]  # fmt: skip
TOUCHES = [
    # a1: a QBR on May 15 (within 91 days) and one in Jan 2023 (over a year ago).
    {"touch_id": "t1", "account_id": "a1", "kind": "qbr", "at": D(2024, 5, 15)},
    {"touch_id": "t2", "account_id": "a1", "kind": "qbr", "at": D(2023, 1, 10)},
    # a2: a QBR on Feb 1 (over 91 days ago, within the year).
    {"touch_id": "t3", "account_id": "a2", "kind": "qbr", "at": D(2024, 2, 1)},
    # a3: a webinar on Jun 20; a4 none.
    {"touch_id": "t4", "account_id": "a3", "kind": "webinar", "at": D(2024, 6, 20)},
]  # fmt: skip


def load(backend: BaseBackend) -> dict[str, ibis.Table]:
    tables = {}
    for name, rows in (
        ("accounts", ACCOUNTS),
        ("subscriptions", SUBSCRIPTIONS),
        ("touches", TOUCHES),
    ):
        schema = FACT_TABLES[name].schema.to_pyarrow()
        data = pa.Table.from_pylist(
            [{c: r.get(c) for c in schema.names} for r in rows], schema=schema
        )
        tables[name] = backend.create_table(name, data)
    return tables


def tiers_of(t: dict[str, ibis.Table], **kwargs: object) -> ibis.Table:
    return account_tiers(t["accounts"], t["subscriptions"], TIERS, as_of=AS_OF, **kwargs)  # type: ignore[arg-type]


def test_pyramid_counts_paying_accounts_per_tier(backend: BaseBackend) -> None:
    rows = value_pyramid(tiers_of(load(backend)), TIERS).to_pyarrow().to_pylist()
    total = 18000 + 14400 + 1200 + 600
    assert [(r["tier"], r["accounts"], r["arr"]) for r in rows] == [
        ("High", 2, 32400.0),
        ("Low", 2, 1800.0),
    ]
    assert rows[0]["account_share"] == 0.5
    assert abs(rows[0]["arr_share"] - 32400 / total) < 1e-12
    assert rows[1]["mean_arr"] == 900.0


def test_growth_potential_lifts_an_account_with_headroom(backend: BaseBackend) -> None:
    # a3: potential 40 seats × 600 = 24,000; value = 1,200 + 0.5 × 22,800 = 12,600 ≥ 12,000.
    growth = GrowthPotential(attribute="seats", arr_per_unit=600, weight=0.5)
    rows = tiers_of(load(backend), growth=growth).to_pyarrow().to_pylist()
    found = {r["account_id"]: (r["value"], r["tier"]) for r in rows}
    assert found["a3"] == (12600.0, "High")
    assert found["a4"] == (600.0, "Low")  # no seats trait: ARR alone
    # employees (a column): 10 × 600 = 6,000 is below a1's ARR: no headroom.
    by_column = tiers_of(
        load_again(backend), growth=GrowthPotential(attribute="employees", arr_per_unit=600)
    )
    assert {r["account_id"]: r["value"] for r in by_column.to_pyarrow().to_pylist()}[
        "a1"
    ] == 18000.0


def load_again(backend: BaseBackend) -> dict[str, ibis.Table]:
    return {name: backend.table(name) for name in ("accounts", "subscriptions", "touches")}


def test_touch_model_measures_the_cadence(backend: BaseBackend) -> None:
    t = load(backend)
    rows = touch_model(tiers_of(t), t["touches"], TIERS, as_of=AS_OF).to_pyarrow().to_pylist()
    found = {r["tier"]: r for r in rows}
    assert (found["High"]["kind"], found["High"]["accounts"]) == ("qbr", 2)
    assert found["High"]["touches_last_year"] == 2  # t1 and t3 (t2 is over a year old)
    assert found["High"]["on_cadence"] == 1  # only a1 within 91 days
    assert abs(found["High"]["expected_per_year"] - 2 * 365 / 91) < 1e-9
    assert (found["Low"]["touches_last_year"], found["Low"]["on_cadence_share"]) == (1, 0.5)


def test_headcount_and_csm_book(backend: BaseBackend) -> None:
    tiers = tiers_of(load(backend))
    head = {r["tier"]: r for r in csm_headcount(tiers, TIERS).to_pyarrow().to_pylist()}
    assert (head["High"]["required_csms"], head["High"]["assigned_csms"]) == (1.0, 1)
    assert head["High"]["gap"] == 0.0
    assert (head["Low"]["required_csms"], head["Low"]["unowned"]) == (None, 1)
    book = {
        (r["owner"], r["tier"]): (r["accounts"], r["fte"])
        for r in csm_book(tiers, TIERS).to_pyarrow().to_pylist()
    }
    assert book == {("Ann", "High"): (2, 1.0), ("Bob", "Low"): (1, 0.0), (None, "Low"): (1, 0.0)}


def days_table(backend: BaseBackend, rows: list[tuple[str, dt.date, float]]) -> ibis.Table:
    data = pa.table(
        {"account_id": [r[0] for r in rows], "day": pa.array([r[1] for r in rows], pa.date32()),
         "value": [r[2] for r in rows]}
    )  # fmt: skip
    return backend.create_table("days", data)


def test_behaviour_segments_by_hand(backend: BaseBackend) -> None:
    as_of = dt.date(2024, 12, 31)
    d = dt.date
    rows = [("once", d(2024, 12, 1), 1.0)]
    rows += [("twice", d(2024, 11, 1), 1.0), ("twice", d(2024, 12, 30), 1.0)]
    # gone: active in spring only, last active > 60 days ago; starts < 365 days ago: not seasonal.
    rows += [("gone", d(2024, 3, k), 1.0) for k in range(1, 6)]
    # season: a full year observed; 10 per active day in Jun-Aug, one day in Dec.
    rows += [("season", d(2023, 12, 31), 1.0), ("season", d(2024, 12, 20), 1.0)]
    rows += [("season", d(2024, m, k), 10.0) for m in (6, 7, 8) for k in (1, 10, 20)]
    # slow: 10 a day every 10 days Jan-Sep, then 1 a day: recent rate < half the earlier.
    rows += [("slow", d(2024, 1, 1) + dt.timedelta(days=10 * k), 10.0) for k in range(27)]
    rows += [("slow", d(2024, 10, 5) + dt.timedelta(days=10 * k), 1.0) for k in range(9)]
    # recurring: two full years, each with its activity in Jun-Aug (and a day in December).
    rows += [("recurring", d(y, m, 5), 10.0) for y in (2023, 2024) for m in (6, 7, 8)]
    rows += [("recurring", d(2022, 12, 31), 1.0), ("recurring", d(2024, 12, 30), 1.0)]
    # faded: spread over 2023, then only Jun-Aug 2024: the season does not recur.
    rows += [("faded", d(2022, 12, 31) + dt.timedelta(days=30 * k), 10.0) for k in range(13)]
    rows += [("faded", d(2024, m, 5), 10.0) for m in (6, 7, 8)]
    rows += [("faded", d(2024, 12, 30), 1.0)]
    # busy: every day of December, 5 each: the most frequent and recent.
    rows += [("busy", d(2024, 12, k), 5.0) for k in range(1, 32)]
    found = behaviour_segments(days_table(backend, rows), as_of=as_of, rules=Behaviour())
    segments = {r["account_id"]: r["segment"] for r in found.to_pyarrow().to_pylist()}
    assert segments == {
        "once": "one_time",
        "twice": "two_time",
        "gone": "inactive",
        "season": "seasonal",
        "recurring": "seasonal",
        "faded": "underperformer",
        "slow": "underperformer",
        "busy": "loyalist",
    }


def snapshot(
    backend: BaseBackend, subs: ibis.Table, name: str, pairs: dict[str, str], day: dt.date
) -> ibis.Table:
    segs = backend.create_table(
        name, pa.table({"account_id": list(pairs), "segment": list(pairs.values())})
    )
    return segment_snapshot(subs, segs, as_of=day)


def test_migration_matrix_with_new_and_churned(backend: BaseBackend) -> None:
    t = load(backend)
    start, end = dt.date(2024, 1, 15), AS_OF
    # On Jan 15 all five pay (a2 1,000 before its add-on; a5 until Feb 1); a5 churns by Jun 30.
    first = snapshot(
        backend,
        t["subscriptions"],
        "seg1",
        {"a1": "Green", "a2": "Yellow", "a3": "Red", "a5": "Green"},
        start,
    )
    second = snapshot(
        backend,
        t["subscriptions"],
        "seg2",
        {"a1": "Green", "a2": "Green", "a3": "Red", "a4": "Red"},
        end,
    )
    cells = segment_migration(first, second).to_pyarrow().to_pylist()
    found = {
        (c["from_segment"], c["to_segment"]): (
            c["accounts"],
            c["row_share"],
            c["mrr_start"],
            c["mrr_end"],
        )
        for c in cells
    }
    assert found == {
        ("Green", "Green"): (1, 0.5, 1500.0, 1500.0),
        ("Green", "(churned)"): (1, 0.5, 900.0, 0.0),
        ("Yellow", "Green"): (1, 1.0, 1000.0, 1200.0),
        ("Red", "Red"): (1, 1.0, 100.0, 100.0),
        ("(none)", "Red"): (1, 1.0, 50.0, 50.0),  # a4 paid on Jan 15 without a band
    }
    outcomes = migration_outcomes(first, second, order=["Green", "Yellow", "Red"])
    by_account = {r["account_id"]: r["outcome"] for r in outcomes.to_pyarrow().to_pylist()}
    assert by_account == {
        "a1": "same",
        "a2": "upgrade",
        "a3": "same",
        "a4": "unranked",
        "a5": "churned",
    }


def test_new_accounts_enter_from_new(backend: BaseBackend) -> None:
    t = load(backend)
    first = snapshot(backend, t["subscriptions"], "seg1", {"a1": "Green"}, dt.date(2023, 6, 1))
    second = snapshot(backend, t["subscriptions"], "seg2", {"a4": "Red"}, dt.date(2024, 1, 15))
    cells = {
        (c["from_segment"], c["to_segment"]): c["accounts"]
        for c in segment_migration(first, second).to_pyarrow().to_pylist()
    }
    # Jun 2023: a1, a2, a3, a5 pay; Jan 15 2024: a4 is new, the others still pay (no band).
    assert cells == {("(new)", "Red"): 1, ("Green", "(none)"): 1, ("(none)", "(none)"): 3}


def test_touched_accounts_between_the_dates(backend: BaseBackend) -> None:
    touches = load(backend)["touches"]
    qbr = touched_accounts(touches, start=dt.date(2024, 1, 31), end=AS_OF, kinds=["qbr"])
    assert sorted(qbr.account_id.to_pyarrow().to_pylist()) == ["a1", "a2"]
    after = touched_accounts(touches, start=dt.date(2024, 2, 1), end=AS_OF)
    assert sorted(after.account_id.to_pyarrow().to_pylist()) == ["a1", "a3"]
