"""Portfolio KPIs as Ibis expressions: MRR and its movements, revenue retention, NPS, CLV.

Each function takes fact tables (see docs/data-model.md) and returns a table
expression, one row per period (or per period and account); the formulas are
in each function's docstring and in docs/definitions.md.
"""

from tenure.engine.kpis.calendar import Months, month_calendar
from tenure.engine.kpis.clv import subscription_clv
from tenure.engine.kpis.mrr import (
    MOVEMENTS,
    account_mrr,
    first_paid_month,
    mrr_bridge,
    mrr_movements,
)
from tenure.engine.kpis.nps import account_nps, latest_nps_responses, portfolio_nps
from tenure.engine.kpis.retention import revenue_retention

__all__ = [
    "MOVEMENTS",
    "Months",
    "account_mrr",
    "account_nps",
    "first_paid_month",
    "latest_nps_responses",
    "month_calendar",
    "mrr_bridge",
    "mrr_movements",
    "portfolio_nps",
    "revenue_retention",
    "subscription_clv",
]
