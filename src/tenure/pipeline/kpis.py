"""Portfolio KPIs as of a day, as rows (as_of, name, period, cohort, value) for the app.

Revenue KPIs are for the last complete month on or before the day (`month`)
and the twelve months ending with it (`t12m`); NPS and engagement are as of
the day; time to value and milestone completion are per start cohort (YYYY-MM).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from tenure.config import Settings
from tenure.engine.kpis import portfolio_nps, revenue_retention, subscription_clv
from tenure.engine.milestones import milestone_completion, time_to_value
from tenure.engine.rules import Sources

RETENTION = [
    "grr",
    "nrr",
    "logo_churn_rate",
    "churn_on_renewal",
    "start_mrr",
    "end_mrr",
    "accounts_at_start",
    "accounts_lost",
]
COLUMNS = {
    "as_of": pa.date32(),
    "name": pa.string(),
    "period": pa.string(),
    "cohort": pa.string(),
    "value": pa.float64(),
}


def last_complete_month(day: dt.date) -> dt.date:
    """The first day of the last month that ended on or before `day`."""
    following = day + dt.timedelta(days=1)
    month = dt.date(following.year, following.month, 1)
    return (month - dt.timedelta(days=1)).replace(day=1)


def kpi_rows(
    sources: Sources, dates: ir.Table, settings: Settings, *, as_of: dt.date, engagement: pa.Table
) -> pa.Table:
    month = last_complete_month(as_of)
    rows: list[dict[str, Any]] = []

    def add(name: str, period: str, value: Any, cohort: str = "") -> None:
        number = (
            None if value is None or (isinstance(value, float) and math.isnan(value)) else value
        )
        rows.append(
            {
                "as_of": as_of,
                "name": name,
                "period": period,
                "cohort": cohort,
                "value": None if number is None else float(number),
            }
        )

    subscriptions = sources.subscriptions
    for period, window in (("month", 1), ("t12m", 12)):
        found = revenue_retention(subscriptions, months=(month, month), window_months=window)
        for row in found.to_pyarrow().to_pylist():
            for name in RETENTION:
                add(name, period, row[name])
    for row in portfolio_nps(sources.survey_responses, as_of=as_of).to_pyarrow().to_pylist():
        add("nps", "180d", row["nps"])
        add("nps_respondents", "180d", row["respondents"])
    clv = subscription_clv(subscriptions, months=(month, month), gross_margin=settings.gross_margin)
    for row in clv.to_pyarrow().to_pylist():
        add("subscription_clv", "month", row["clv"])
        add("arpa", "month", row["arpa"])
    on_day = engagement.filter(pc.equal(engagement["day"], pa.scalar(as_of, pa.date32())))
    add("engagement", "day", pc.mean(on_day["engagement"]).as_py())
    for row in time_to_value(dates, as_of=as_of).to_pyarrow().to_pylist():
        cohort = row["cohort"].strftime("%Y-%m")
        add("ttv_median_days", "cohort", row["median_days"], cohort)
        add("ttv_p75_days", "cohort", row["p75_days"], cohort)
    for row in milestone_completion(dates, as_of=as_of).to_pyarrow().to_pylist():
        name = f"completion: {row['milestone']}"[:64]
        add(name, "cohort", row["completion_rate"], row["cohort"].strftime("%Y-%m"))
    return pa.Table.from_pylist(rows, schema=pa.schema(COLUMNS))
