"""Cohort analyses on a generated workspace: shapes, invariants and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tenure.config import load_settings
from tenure.pipeline.analyses.cohorts import KINDS, cohort_analysis
from tenure.pipeline.analyses.common import AnalysisError


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_runs_on_a_generated_workspace(generated_workspace: Path, kind: str) -> None:
    result = cohort_analysis(load_settings(generated_workspace), kind=kind)  # type: ignore[arg-type]
    assert result.rows
    assert result.start <= result.end


def test_account_cohorts_start_full_and_never_grow_in_logos(generated_workspace: Path) -> None:
    result = cohort_analysis(load_settings(generated_workspace), kind="accounts", by="segment")
    for row in result.rows:
        assert 0 <= row["accounts"] <= row["cohort_accounts"]
        if row["months_since_start"] == 0:
            assert row["logo_retention"] == 1.0
    accounts = pd.read_parquet(generated_workspace / "data" / "generated" / "accounts.parquet")
    segments = {json.loads(traits)["segment"] for traits in accounts.traits}
    assert {row["group"] for row in result.rows} <= segments
    assert len({row["group"] for row in result.rows}) > 1


def test_user_retention_on_or_after_is_at_least_on(generated_workspace: Path) -> None:
    settings = load_settings(generated_workspace)
    on = cohort_analysis(settings, kind="users", interval="week", periods=4)
    after = cohort_analysis(settings, kind="users", interval="week", periods=4, mode="on_or_after")
    key = {(r["cohort"], r["period"]): r for r in on.rows}
    for row in after.rows:
        same = key[row["cohort"], row["period"]]
        assert row["units"] == same["units"]
        assert row["retained"] >= same["retained"]


def test_a_wrong_option_is_a_user_error(generated_workspace: Path) -> None:
    with pytest.raises(AnalysisError, match="interval"):
        cohort_analysis(load_settings(generated_workspace), kind="users", interval="year")  # type: ignore[arg-type]
