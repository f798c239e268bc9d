"""The daily snapshot rows: each account's stage, health and engagement per day."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa

KEYS = ["account_id", "day"]
HEALTH = ["health_score", "health_band", "coverage", "capped", "change_7d", "change_30d"]
COLUMNS = [*KEYS, "stage", "stage_entered_on", *HEALTH, "engagement"]


def stages_by_day(
    scores: pa.Table, engagement: pa.Table, entries: pa.Table, *, first: dt.date, last: dt.date
) -> pa.Table:
    """One row per existing account and day of [first, last] (the engagement grid),
    with the stage entered last on or before the day and the health score of the day.
    """
    grid = engagement.to_pandas()[["account_id", "day", "engagement"]]
    grid["day"] = pd.to_datetime(grid["day"])
    grid = grid[(grid.day >= pd.Timestamp(first)) & (grid.day <= pd.Timestamp(last))]
    if scores.num_rows:
        health = scores.to_pandas().rename(
            columns={
                "score": "health_score",
                "band": "health_band",
                "score_change_7d": "change_7d",
                "score_change_30d": "change_30d",
            }
        )
        health["day"] = pd.to_datetime(health["day"])
        grid = grid.merge(health[KEYS + HEALTH], on=KEYS, how="left")
    else:
        for column in HEALTH:
            grid[column] = None
    grid = _with_stage(grid, entries.to_pandas())
    grid["capped"] = grid["capped"].fillna(False).astype(bool)
    grid["health_band"] = grid["health_band"].str.lower()
    grid["day"] = grid["day"].dt.date
    # Sorted by the app table's key: SQLite appends to its B-tree instead of splitting it.
    grid = grid.sort_values(["account_id", "day"])
    return pa.Table.from_pandas(grid[COLUMNS], preserve_index=False)


def _with_stage(grid: pd.DataFrame, entries: pd.DataFrame) -> pd.DataFrame:
    """merge_asof: the stage of highest position entered on or before each day."""
    if entries.empty:
        return grid.assign(stage=None, stage_entered_on=None)
    entries = entries.assign(entered=pd.to_datetime(entries.entered_on))
    entries = entries.sort_values(["entered", "position"])
    # Of stages entered the same day, the highest position wins: keep it last.
    entries = entries.drop_duplicates(["account_id", "entered"], keep="last")
    merged = pd.merge_asof(
        grid.sort_values("day"),
        entries[["account_id", "entered", "stage", "entered_on"]].sort_values("entered"),
        left_on="day",
        right_on="entered",
        by="account_id",
    )
    return merged.rename(columns={"entered_on": "stage_entered_on"}).drop(columns="entered")
