"""What the analyses share: the user error, the warehouse's tables and its latest day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

ROLLUPS_NEEDED = ("contact_daily",)


class AnalysisError(ValueError):
    """An analysis cannot run as asked: a wrong option or data it needs is missing."""


def table(warehouse: BaseBackend, name: str) -> ir.Table:
    """A warehouse table, or a clear error naming what builds it."""
    if name not in warehouse.list_tables():
        hint = "run: tenure compute" if name in ROLLUPS_NEEDED else "import it first"
        raise AnalysisError(f"the warehouse has no {name} table ({hint})")
    return warehouse.table(name)


def latest_day(warehouse: BaseBackend) -> dt.date:
    """The latest day with data: of the activity rollup, else of subscriptions and accounts."""
    days: list[Any] = []
    if "contact_daily" in warehouse.list_tables():
        days.append(warehouse.table("contact_daily").day.max().to_pyarrow().as_py())
    for name, column in (("subscriptions", "started_at"), ("accounts", "churned_at")):
        if name in warehouse.list_tables():
            value = warehouse.table(name)[column].max().to_pyarrow().as_py()
            days.append(value.date() if isinstance(value, dt.datetime) else value)
    found = [d for d in days if d is not None]
    if not found:
        raise AnalysisError("the warehouse has no data yet (import or generate some first)")
    return max(found)


def rows_of(expr: ir.Table) -> list[dict[str, Any]]:
    """The rows of a (small) result as plain Python values."""
    result: pa.Table = expr.to_pyarrow()
    return result.to_pylist()
