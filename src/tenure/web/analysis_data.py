"""Stored analyses for the pages and the API: read `analysis_results`, shape them for charts.

Nothing here runs an analysis: `tenure analyses refresh` (and every scheduled
compute) stores them; a page only reads its rows and rearranges the JSON.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.db import AnalysisResult

DAYS_PER_MONTH = 365.25 / 12
CHURN_DIMENSIONS = {  # stored churn.NAME -> its label
    "plan": "plan",
    "industry": "industry",
    "segment": "segment",
    "owner": "CSM",
    "tenure": "tenure",
}


@dataclass
class Stored:
    """One stored analysis: its data, or why there is none (``missing`` or ``error``)."""

    name: str
    as_of: date | None = None
    computed_at: datetime | None = None
    data: Any = None
    error: str | None = None

    @property
    def ready(self) -> bool:
        return self.data is not None and self.error is None


def load(db: Session, *names: str) -> dict[str, Stored]:
    """The named analyses; a name never stored yet comes back with neither data nor error."""
    rows = db.scalars(select(AnalysisResult).where(AnalysisResult.name.in_(names))).all()
    found = {name: Stored(name) for name in names}
    for row in rows:
        data = json.loads(row.payload)
        error = data.get("error") if isinstance(data, dict) else None
        found[row.name] = Stored(
            row.name, row.as_of, row.computed_at, None if error else data, error
        )
    return found


def listing(db: Session) -> list[dict[str, Any]]:
    """Every stored analysis: name, as_of, computed_at, seconds, error (or None)."""
    rows = db.scalars(select(AnalysisResult).order_by(AnalysisResult.name)).all()
    result = []
    for row in rows:
        data = json.loads(row.payload)
        result.append(
            {
                "name": row.name,
                "as_of": row.as_of,
                "computed_at": row.computed_at,
                "seconds": row.seconds,
                "error": data.get("error") if isinstance(data, dict) else None,
            }
        )
    return result


def payload(db: Session, name: str) -> Any:
    """The stored JSON of one analysis, or None."""
    row = db.get(AnalysisResult, name)
    return None if row is None else json.loads(row.payload)


def heatmap(rows: list[dict[str, Any]], value: str, size: str) -> dict[str, Any]:
    """Cohort rows as a heatmap: a row per start month, a column per month since start."""
    cohorts = sorted({r["cohort"] for r in rows})
    months = list(range(max((r["months_since_start"] for r in rows), default=-1) + 1))
    z: list[list[float | None]] = [[None] * len(months) for _ in cohorts]
    sizes: dict[str, Any] = {}
    for r in rows:
        z[cohorts.index(r["cohort"])][r["months_since_start"]] = r[value]
        if r["months_since_start"] == 0:
            sizes[r["cohort"]] = r[size]
    return {
        "y": [c[:7] for c in cohorts],
        "x": months,
        "z": z,
        "sizes": [sizes.get(c) for c in cohorts],
    }


def survival_at(curve: dict[str, Any], day: float) -> float:
    """S(day) of a stored Kaplan–Meier curve (1 before the first step)."""
    i = bisect.bisect_right(curve["days"], day) - 1
    return 1.0 if i < 0 else curve["survival"][i]


def survival_table(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Per group: accounts, churned, median lifetime (months), 12-month retention, CLV."""
    values = {v["group"]: v for v in data["values"]}
    table = []
    for curve in data["curves"]:
        median = curve["median_days"]
        value = values.get(curve["group"], {})
        table.append(
            {
                "group": curve["group"],
                "accounts": curve["accounts"],
                "churned": curve["churned"],
                "median_months": None if median is None else median / DAYS_PER_MONTH,
                "retention_12m": survival_at(curve, 12 * DAYS_PER_MONTH),
                "arpa": value.get("arpa"),
                "lifetime_months": value.get("expected_lifetime_months"),
                "clv": value.get("clv"),
            }
        )
    return table


def survival_chart(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The curves with days in months, for the chart."""
    return [
        {
            "group": c["group"],
            "months": [d / DAYS_PER_MONTH for d in c["days"]],
            "survival": c["survival"],
            "lower": c["lower"],
            "upper": c["upper"],
        }
        for c in data["curves"]
    ]


def reasons_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Primary churn reasons: MRR lost and accounts per month and reason, and totals."""
    primary = [r for r in rows if r.get("role", "primary") == "primary"]
    months = sorted({r["month"][:7] for r in primary})
    totals: dict[str, dict[str, float]] = {}
    series: dict[str, list[float]] = {}
    for r in primary:
        reason = r["reason"] or "(none given)"
        series.setdefault(reason, [0.0] * len(months))[months.index(r["month"][:7])] += (
            r["mrr_lost"] or 0.0
        )
        total = totals.setdefault(reason, {"accounts": 0, "mrr_lost": 0.0})
        total["accounts"] += r["accounts"]
        total["mrr_lost"] += r["mrr_lost"] or 0.0
    ordered = sorted(totals, key=lambda k: -totals[k]["mrr_lost"])
    return {
        "months": months,
        "series": [{"reason": k, "mrr_lost": series[k]} for k in ordered],
        "totals": [{"reason": k, **totals[k]} for k in ordered],
    }


def migration_matrix(rows: list[dict[str, Any]], order: list[str]) -> dict[str, Any]:
    """Transition cells keyed (from, to), with the segments in `order` first, then the rest."""
    seen = {r["from_segment"] for r in rows} | {r["to_segment"] for r in rows}
    labels = [s for s in order if s in seen] + sorted(seen - set(order))
    cells: dict[str, dict[str, Any]] = {}
    for r in rows:
        cells.setdefault(r["from_segment"], {})[r["to_segment"]] = r
    totals = {f: sum(r["accounts"] for r in rows if r["from_segment"] == f) for f in labels}
    return {
        "from": [f for f in labels if totals[f]],
        "to": [t for t in labels if any(r["to_segment"] == t for r in rows)],
        "cells": cells,
        "totals": totals,
    }


def _leading_number(group: str) -> tuple[int, str]:
    digits = group[: len(group) - len(group.lstrip("0123456789"))]
    return (int(digits) if digits else -1, group)


def churn_groups(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Groups in their natural order: by leading number when all have one (tenure buckets)."""
    if groups and all(g["group"][:1].isdigit() for g in groups):
        return sorted(groups, key=lambda g: _leading_number(g["group"]))
    return groups
