"""Milestone dates, statuses (as of a day and as intervals), time to value, completion."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest
from facts_fixtures import event, load_sources
from ibis.backends import BaseBackend

from tenure.config import load_settings
from tenure.definitions import Definitions
from tenure.engine.lifecycle import lifecycle_stage, stage_entries, stage_rule_days
from tenure.engine.milestones import (
    STATUSES,
    milestone_completion,
    milestone_dates,
    milestone_status,
    milestone_status_history,
    time_to_value,
)
from tenure.engine.rollups import activity_daily, contact_daily, contact_event_first
from tenure.engine.rules import Sources
from tenure.sources.synthetic import generate
from tenure.workspace import init_workspace

D, T = dt.date, dt.datetime
DATES_SCHEMA = pa.schema(
    [("account_id", pa.string()), ("milestone", pa.string()), ("stage", pa.string()),
     ("required", pa.bool_()), ("is_value", pa.bool_()), ("anchor_day", pa.date32()),
     ("due_day", pa.date32()), ("halfway_day", pa.date32()), ("achieved_on", pa.date32())]
)  # fmt: skip


def dates_table(backend: BaseBackend, rows: list[tuple[Any, ...]]) -> ir.Table:
    """A `milestone_dates`-shaped table: (account, milestone, anchor, window, achieved)."""
    records = []
    for account, milestone, anchor, window, achieved, *value in rows:
        due = None if window is None else anchor + dt.timedelta(days=window)
        half = None if window is None else anchor + dt.timedelta(days=window // 2)
        records.append(
            {"account_id": account, "milestone": milestone, "stage": "onboarding",
             "required": True, "is_value": bool(value), "anchor_day": anchor, "due_day": due,
             "halfway_day": half, "achieved_on": achieved}
        )  # fmt: skip
    return backend.create_table("dates", pa.Table.from_pylist(records, schema=DATES_SCHEMA))


STATUS_ROWS = [
    # Anchored 1 March with 14 days: halfway the 8th, due the 15th.
    ("A", "on time", D(2024, 3, 1), 14, D(2024, 3, 10)),
    ("A", "late", D(2024, 3, 1), 14, D(2024, 3, 20)),
    ("A", "never", D(2024, 3, 1), 14, None),
    ("A", "open", D(2024, 3, 1), None, None),
    ("A", "open done", D(2024, 3, 1), None, D(2024, 3, 5)),
    # 7 days: halfway the 4th (3 of 7 days gone is not more than half), due the 8th.
    ("A", "week", D(2024, 3, 1), 7, None),
    ("B", "week", D(2024, 3, 10), 7, D(2024, 3, 10)),
]
# Status per milestone of A on some days (B's "week" in the last column).
EXPECTED = {
    D(2024, 2, 29): ["not_started"] * 6 + ["not_started"],
    D(2024, 3, 1): ["on_track"] * 6 + ["not_started"],
    D(2024, 3, 4): ["on_track"] * 6 + ["not_started"],
    D(2024, 3, 5): ["on_track"] * 4 + ["achieved", "behind", "not_started"],
    D(2024, 3, 8): ["on_track"] * 4 + ["achieved", "behind", "not_started"],
    D(2024, 3, 9): ["behind"] * 3 + ["on_track", "achieved", "missed", "not_started"],
    D(2024, 3, 10): ["achieved", "behind", "behind", "on_track", "achieved", "missed", "achieved"],
    D(2024, 3, 15): ["achieved", "behind", "behind", "on_track", "achieved", "missed", "achieved"],
    D(2024, 3, 16): ["achieved", "missed", "missed", "on_track", "achieved", "missed", "achieved"],
    D(2024, 3, 19): ["achieved", "missed", "missed", "on_track", "achieved", "missed", "achieved"],
    D(2024, 3, 20): ["achieved", "achieved_late", "missed", "on_track", "achieved", "missed",
                     "achieved"],
}  # fmt: skip


def test_status_as_of_any_day_agrees_with_the_history_intervals(backend: BaseBackend) -> None:
    dates = dates_table(backend, STATUS_ROWS)
    days = [D(2024, 2, 27) + dt.timedelta(days=k) for k in range(26)]  # 27 Feb – 23 March
    daily = ibis.union(*(milestone_status(dates, as_of=day) for day in days))
    statuses = {
        (r["as_of"], r["account_id"], r["milestone"]): (r["status"], r["achieved_on"])
        for r in daily.to_pyarrow().to_pylist()
    }
    keys = [(account, milestone) for account, milestone, *_ in STATUS_ROWS]
    for day, expected in EXPECTED.items():
        assert [statuses[(day, *key)][0] for key in keys] == expected, day
    # An achievement after the as-of day is not known yet.
    assert statuses[(D(2024, 3, 19), "A", "late")][1] is None
    assert statuses[(D(2024, 3, 20), "A", "late")][1] == D(2024, 3, 20)

    history = milestone_status_history(dates, start=days[0], end=days[-1])
    intervals = history.to_pyarrow().to_pylist()
    from_history = {
        (r["valid_from"] + dt.timedelta(days=k), r["account_id"], r["milestone"]): r["status"]
        for r in intervals
        for k in range((r["valid_to"] - r["valid_from"]).days + 1)
    }
    assert from_history == {key: status for key, (status, _) in statuses.items()}
    assert len(intervals) <= 4 * len(STATUS_ROWS)


def test_history_of_a_range_inside_the_story(backend: BaseBackend) -> None:
    dates = dates_table(backend, STATUS_ROWS[1:2])  # "late": behind 9–15, missed 16–19
    history = milestone_status_history(dates, start=D(2024, 3, 12), end=D(2024, 3, 18))
    found = sorted(
        (r["valid_from"], r["valid_to"], r["status"]) for r in history.to_pyarrow().to_pylist()
    )
    assert found == [
        (D(2024, 3, 12), D(2024, 3, 15), "behind"),
        (D(2024, 3, 16), D(2024, 3, 18), "missed"),
    ]
    with pytest.raises(ValueError, match="empty range"):
        milestone_status_history(dates, start=D(2024, 3, 2), end=D(2024, 3, 1))


DEFINITIONS = Definitions.model_validate(
    {
        "lifecycle": [
            {"name": "acquisition"},
            {"name": "onboarding", "enters": {"subscription": "started"}},
            {"name": "adoption", "enters": {"event": "setup_completed"}},
        ],
        "milestones": [
            {"name": "First purchase", "stage": "acquisition", "anchor": "account_created",
             "within_days": 30, "rule": {"subscription": "started"}},
            {"name": "Setup", "stage": "onboarding", "within_days": 14,
             "rule": {"event": "setup_completed"}},
            {"name": "Messages", "stage": "adoption", "anchor": "stage_entered",
             "within_days": 7, "value": True, "rule": {"event": "message_sent", "at_least": 2}},
            {"name": "Upgrade", "stage": "adoption", "required": False,
             "rule": {"subscription": "upgraded"}},
        ],
    }
)  # fmt: skip


def test_milestone_dates_from_each_anchor(backend: BaseBackend) -> None:
    sources = load_sources(
        backend,
        accounts=[
            {"account_id": "A", "created_at": T(2024, 1, 10, 8)},
            {"account_id": "B", "created_at": T(2024, 1, 10, 8)},
        ],
        subscriptions=[{"account_id": "A", "mrr": 10.0, "started_at": T(2024, 1, 20)}],
        events=[
            *event("A", "a1", "setup_completed", D(2024, 1, 25)),
            *event("A", "a1", "message_sent", D(2024, 1, 26)),
            *event("A", "a2", "message_sent", D(2024, 2, 5)),
        ],
    )
    dates = milestone_dates(DEFINITIONS, sources)
    found = sorted(
        (r["milestone"], r["account_id"], r["anchor_day"], r["due_day"], r["halfway_day"],
         r["achieved_on"], r["required"], r["is_value"], r["stage"])
        for r in dates.to_pyarrow().to_pylist()
    )  # fmt: skip
    assert found == [
        ("First purchase", "A", D(2024, 1, 10), D(2024, 2, 9), D(2024, 1, 25), D(2024, 1, 20),
         True, False, "acquisition"),
        ("First purchase", "B", D(2024, 1, 10), D(2024, 2, 9), D(2024, 1, 25), None,
         True, False, "acquisition"),
        # Anchored at adoption's entry (setup on the 25th); the 2nd message on 5 Feb.
        ("Messages", "A", D(2024, 1, 25), D(2024, 2, 1), D(2024, 1, 28), D(2024, 2, 5),
         True, True, "adoption"),
        ("Setup", "A", D(2024, 1, 20), D(2024, 2, 3), D(2024, 1, 27), D(2024, 1, 25),
         True, False, "onboarding"),
        ("Upgrade", "A", D(2024, 1, 20), None, None, None, False, False, "adoption"),
    ]  # fmt: skip
    status = milestone_status(dates, as_of=D(2024, 2, 2)).to_pyarrow().to_pylist()
    assert sorted((r["milestone"], r["account_id"], r["status"]) for r in status) == [
        ("First purchase", "A", "achieved"),
        ("First purchase", "B", "behind"),
        ("Messages", "A", "missed"),
        ("Setup", "A", "achieved"),
        ("Upgrade", "A", "on_track"),
    ]


def test_dates_kept_from_before_a_day_equal_a_fresh_evaluation(backend: BaseBackend) -> None:
    sources = load_sources(
        backend,
        accounts=[
            {"account_id": "A", "created_at": T(2024, 1, 10, 8)},
            {"account_id": "B", "created_at": T(2024, 1, 10, 8)},
        ],
        subscriptions=[
            {"account_id": "A", "mrr": 10.0, "started_at": T(2024, 1, 20)},
            {"account_id": "B", "mrr": 10.0, "started_at": T(2024, 1, 12)},
        ],
        events=[
            *event("A", "a1", "setup_completed", D(2024, 1, 25)),
            *event("A", "a1", "message_sent", D(2024, 1, 26)),
            *event("B", "b1", "setup_completed", D(2024, 2, 1)),  # after the cut
            *event("A", "a2", "message_sent", D(2024, 2, 5)),
            *event("B", "b1", "message_sent", D(2024, 2, 6), count=2),
        ],
    )
    cut = D(2024, 1, 30)
    early = replace(
        sources,
        activity_daily=sources.activity_daily.filter(sources.activity_daily.day < cut),
        contact_daily=sources.contact_daily.filter(sources.contact_daily.day < cut),
    )
    before = backend.create_table("before", milestone_dates(DEFINITIONS, early))
    stages_before = backend.create_table("stages_before", stage_rule_days(DEFINITIONS, early))

    def rows(table: ir.Table) -> list[str]:
        return sorted(map(str, table.to_pyarrow().to_pylist()))

    kept = milestone_dates(DEFINITIONS, sources, previous=before, since=cut)
    assert rows(kept) == rows(milestone_dates(DEFINITIONS, sources))
    assert rows(kept) != rows(before)  # B set up and both sent their messages
    stages = stage_rule_days(DEFINITIONS, sources, previous=stages_before, since=cut)
    assert rows(stages) == rows(stage_rule_days(DEFINITIONS, sources))


def test_time_to_value_and_completion_per_cohort(backend: BaseBackend) -> None:
    dates = dates_table(
        backend,
        [
            # January cohort: 5, 10 and 30 days (the last one late), one never.
            ("a1", "Value", D(2024, 1, 5), 21, D(2024, 1, 10), True),
            ("a2", "Value", D(2024, 1, 15), 21, D(2024, 1, 25), True),
            ("a3", "Value", D(2024, 1, 20), 21, D(2024, 2, 19), True),
            ("a4", "Value", D(2024, 1, 31), 21, None, True),
            # February: a5 achieves after the as-of day; neither window has closed.
            ("a5", "Value", D(2024, 2, 10), 21, D(2024, 3, 2), True),
            ("a6", "Value", D(2024, 2, 25), 21, None, True),
            # March: anchored after the as-of day.
            ("a7", "Value", D(2024, 3, 5), 21, D(2024, 3, 6), True),
            ("a1", "Open", D(2024, 1, 5), None, None),
        ],
    )
    as_of = D(2024, 3, 1)
    ttv = sorted(time_to_value(dates, as_of=as_of).to_pyarrow().to_pylist(), key=str)
    assert ttv == [
        {"cohort": D(2024, 1, 1), "accounts": 4, "achieved": 3, "median_days": 10.0,
         "p75_days": 20.0},
        {"cohort": D(2024, 2, 1), "accounts": 2, "achieved": 0, "median_days": None,
         "p75_days": None},
    ]  # fmt: skip
    completion = milestone_completion(dates, as_of=as_of).to_pyarrow().to_pylist()
    assert sorted(completion, key=lambda r: (r["milestone"], r["cohort"])) == [
        {"milestone": "Open", "cohort": D(2024, 1, 1), "eligible": 1, "achieved": 0,
         "on_time": 0, "completion_rate": 0.0},
        {"milestone": "Value", "cohort": D(2024, 1, 1), "eligible": 4, "achieved": 3,
         "on_time": 2, "completion_rate": 0.75},
        {"milestone": "Value", "cohort": D(2024, 2, 1), "eligible": 0, "achieved": 0,
         "on_time": 0, "completion_rate": None},
    ]  # fmt: skip


@pytest.mark.slow
def test_every_template_milestone_runs_on_generated_data(tmp_path: Path) -> None:
    summary = generate(tmp_path / "data", accounts=100, months=6, seed=2)
    definitions = load_settings(init_workspace(tmp_path / "ws").workspace).definitions
    con = ibis.duckdb.connect()
    facts = {
        name: con.read_parquet(tmp_path / "data" / f"{name}.parquet", table_name=name)
        for name in ("accounts", "contacts", "subscriptions", "tickets", "survey_responses")
    }
    events = con.read_parquet(tmp_path / "data" / "events" / "*.parquet", table_name="events")
    sources = Sources(
        **facts,
        activity_daily=con.create_table("activity_daily", activity_daily(events)),
        contact_daily=con.create_table("contact_daily", contact_daily(events)),
        contact_event_first=con.create_table("contact_event_first", contact_event_first(events)),
    )
    entries = con.create_table("stage_entries", stage_entries(definitions, sources))
    dates = con.create_table(
        "milestone_dates", milestone_dates(definitions, sources, stage_entries=entries)
    )
    status = milestone_status(dates, as_of=summary.end_date).to_pyarrow().to_pylist()

    assert {r["milestone"] for r in status} == {m.name for m in definitions.milestones}
    assert {r["status"] for r in status} <= set(STATUSES)
    assert all(r["achieved_on"] >= r["anchor_day"] for r in status if r["achieved_on"])
    # Every paying account made its first purchase; on time when created within the
    # generated history (older accounts' contracts show only from their last renewal).
    paying = set(facts["subscriptions"].account_id.to_pyarrow().to_pylist())
    first = {r["account_id"]: r for r in status if r["milestone"] == "First purchase"}
    assert all(first[a]["status"] in ("achieved", "achieved_late") for a in paying)
    recent = [first[a] for a in paying if first[a]["anchor_day"] >= summary.start_date]
    assert len(recent) > 10
    assert all(r["status"] == "achieved" for r in recent)
    # Accounts that signed up within the history (and had their 14 days) mostly set up.
    setup = [
        r["status"] for r in status if r["milestone"] == "Setup complete"
        and r["anchor_day"] >= summary.start_date and r["due_day"] < summary.end_date
    ]  # fmt: skip
    done = sum(s in ("achieved", "achieved_late") for s in setup)
    assert done > 0.5 * len(setup), (done, len(setup))

    by_account: dict[str, list[dt.date]] = {}
    for r in sorted(entries.to_pyarrow().to_pylist(), key=lambda r: r["position"]):
        by_account.setdefault(r["account_id"], []).append(r["entered_on"])
    assert all(days == sorted(days) for days in by_account.values())
    current = lifecycle_stage(entries, as_of=summary.end_date).to_pyarrow()
    assert current.num_rows == summary.accounts
    ttv = time_to_value(dates, as_of=summary.end_date).to_pyarrow().to_pylist()
    assert ttv
    assert all(r["median_days"] >= 0 for r in ttv if r["median_days"] is not None)
