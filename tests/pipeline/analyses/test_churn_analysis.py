"""Churn analyses on a generated workspace, against counts taken straight from its files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from tenure.config import load_settings
from tenure.pipeline.analyses.churn import churn_rates, churn_reasons_by_month
from tenure.pipeline.analyses.common import AnalysisError

START, END = dt.date(2025, 11, 1), dt.date(2026, 10, 31)


def generated_accounts(workspace: Path) -> pd.DataFrame:
    return pd.read_parquet(workspace / "data" / "generated" / "accounts.parquet")


def test_churn_by_plan_counts_match_the_generated_accounts(generated_workspace: Path) -> None:
    result = churn_rates(load_settings(generated_workspace), by="plan", start=START, end=END)

    accounts = generated_accounts(generated_workspace)
    begin, after = pd.Timestamp(START), pd.Timestamp(END + dt.timedelta(days=1))
    risk = accounts[
        (accounts.created_at.isna() | (accounts.created_at < begin))
        & (accounts.churned_at.isna() | (accounts.churned_at >= begin))
    ]
    churned = risk.churned_at.notna() & (risk.churned_at < after)
    expected = risk.assign(churned=churned).groupby("plan").churned.agg(["sum", "count"])
    got = {g.group: (g.successes, g.trials) for g in result.groups}
    assert got == {plan: (int(r["sum"]), int(r["count"])) for plan, r in expected.iterrows()}
    assert result.at_risk == len(risk)
    assert all(g.ci_low <= g.rate <= g.ci_high for g in result.groups)


def test_churn_reasons_count_each_churned_account_once_as_primary(
    generated_workspace: Path,
) -> None:
    result = churn_reasons_by_month(load_settings(generated_workspace), start=START, end=END)

    accounts = generated_accounts(generated_workspace)
    churned = accounts[
        (accounts.churned_at >= pd.Timestamp(START)) & (accounts.churned_at < pd.Timestamp(END))
    ]
    primary = [r for r in result.rows if r["role"] == "primary"]
    assert sum(r["accounts"] for r in primary) == len(churned)
    firsts = churned.churn_reasons.fillna("(none)").str.split(";").str[0].str.strip()
    by_reason: dict[str, int] = {}
    for r in primary:
        by_reason[r["reason"]] = by_reason.get(r["reason"], 0) + r["accounts"]
    assert by_reason == firsts.value_counts().to_dict()
    assert all(r["mrr_lost"] >= 0 for r in result.rows)


def test_an_unknown_interval_method_is_a_user_error(generated_workspace: Path) -> None:
    with pytest.raises(AnalysisError, match="interval method"):
        churn_rates(load_settings(generated_workspace), by="plan", method="normal")  # type: ignore[arg-type]
