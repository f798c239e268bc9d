"""The results of a compute run as plain data (for `tenure compute --json`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from tenure.pipeline.compute import ComputeResult


def compute_report(result: ComputeResult) -> dict[str, Any]:
    """`accounts` (stage, milestones, health with contributions) as of the last day, `kpis`."""
    milestones: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in result.milestones.to_pylist():
        milestones[row["account_id"]].append(
            {
                "name": row["milestone"],
                "status": row["status"],
                "achieved_at": row["achieved_on"],
                "due_at": row["due_day"],
            }
        )
    contributions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in result.contributions.to_pylist():
        contributions[row["account_id"]].append(
            {k: row[k] for k in ("measure", "value", "points", "weight", "contribution")}
        )
    accounts = [
        {
            "account_id": row["account_id"],
            "stage": row["stage"],
            "stage_entered_on": row["stage_entered_on"],
            "engagement": row["engagement"],
            "milestones": milestones.get(row["account_id"], []),
            "health": {
                "score": row["health_score"],
                "band": row["health_band"],
                "coverage": row["coverage"],
                "capped": row["capped"],
                "change_7d": row["change_7d"],
                "change_30d": row["change_30d"],
                "contributions": contributions.get(row["account_id"], []),
            },
        }
        for row in result.accounts.to_pylist()
        if row["day"] == result.last_day
    ]
    return {
        "first_day": result.first_day,
        "as_of": result.last_day,
        "accounts": accounts,
        "kpis": kpi_object(result),
        "seconds": result.seconds,
    }


def kpi_object(result: ComputeResult) -> dict[str, Any]:
    """{name: {period: value}} with cohort values as {name: {period: {cohort: value}}}."""
    kpis: dict[str, dict[str, Any]] = defaultdict(dict)
    for row in result.kpis.to_pylist():
        if row["cohort"]:
            kpis[row["name"]].setdefault(row["period"], {})[row["cohort"]] = row["value"]
        else:
            kpis[row["name"]][row["period"]] = row["value"]
    return dict(kpis)


def describe_compute(result: ComputeResult) -> str:
    today = [r for r in result.accounts.to_pylist() if r["day"] == result.last_day]
    bands = Counter(r["health_band"] or "unscored" for r in today)
    stages = Counter(r["stage"] or "none" for r in today)
    statuses = Counter(result.milestones["status"].to_pylist())
    kpis = kpi_object(result)
    span = f"{result.first_day} to {result.last_day}"
    lines = [
        f"computed {span}: {result.accounts.num_rows:,} account-days, "
        f"{len(today):,} accounts on {result.last_day}",
        "health: " + _counts(sorted(bands.items())),
        "stages: " + _counts(stages.most_common()),
        "milestones: " + _counts(statuses.most_common()),
    ]
    month = {name: kpis.get(name, {}).get("month") for name in ("grr", "nrr", "logo_churn_rate")}
    if all(v is not None for v in month.values()):
        lines.append(
            f"last month: GRR {month['grr']:.1%}, NRR {month['nrr']:.1%}, "
            f"logo churn {month['logo_churn_rate']:.1%}"
        )
    nps = kpis.get("nps", {}).get("180d")
    if nps is not None:
        lines.append(f"NPS (180 days): {nps:.0f}")
    lines.append("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in result.seconds.items()))
    return "\n".join(lines)


def _counts(pairs: list[tuple[str, int]]) -> str:
    return ", ".join(f"{name} {n:,}" for name, n in pairs) or "none"
