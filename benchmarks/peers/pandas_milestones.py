"""The peer: what a customer success analyst would write in pandas.

The same daily rollup (events per account, day and event) and the same
event-count milestone statuses as the engine, straightforwardly: read the
events, group by, cumulative sums from each account's contract start, the
first day a count is reached, and the status as of a day.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from tenure.definitions import EventRule, Milestone


def rollup(folder: Path) -> pd.DataFrame:
    events = pd.read_parquet(folder / "events", columns=["account_id", "event", "timestamp"])
    events = events[events.account_id.notna()]
    events["day"] = events.timestamp.dt.normalize()
    return events.groupby(["account_id", "day", "event"]).size().rename("events").reset_index()


def milestone_statuses(
    folder: Path, daily: pd.DataFrame, milestones: list[Milestone], *, as_of: date
) -> pd.DataFrame:
    subscriptions = pd.read_parquet(folder / "subscriptions.parquet")
    anchors = subscriptions.groupby("account_id").started_at.min().dt.normalize().rename("anchor")
    day = pd.Timestamp(as_of)
    frames = []
    for milestone in milestones:
        rule = milestone.rule
        assert isinstance(rule, EventRule)
        assert milestone.within_days is not None
        rows = daily[(daily.event == rule.event) & (daily.day <= day)].join(
            anchors, on="account_id"
        )
        rows = rows[rows.day >= rows.anchor].sort_values(["account_id", "day"])
        rows["total"] = rows.groupby("account_id").events.cumsum()
        achieved = rows[rows.total >= rule.at_least].groupby("account_id").day.min()
        frame = anchors[anchors <= day].to_frame().join(achieved.rename("achieved_on"))
        frame["due"] = frame.anchor + pd.Timedelta(days=milestone.within_days)
        half = frame.anchor + pd.Timedelta(days=milestone.within_days / 2)
        frame["status"] = "on_track"
        frame.loc[day > half, "status"] = "behind"
        frame.loc[day > frame.due, "status"] = "missed"
        done = frame.achieved_on.notna()
        frame.loc[done, "status"] = "achieved"
        frame.loc[done & (frame.achieved_on > frame.due), "status"] = "achieved_late"
        frame["milestone"] = milestone.name
        frames.append(frame.reset_index())
    return pd.concat(frames, ignore_index=True)
