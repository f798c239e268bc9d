"""What a warehouse holds, at a glance: for `tenure summary` and the demo."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ibis.backends import BaseBackend

from tenure.warehouse.connect import ensure_fact_tables

# The time column that dates each table's rows.
DATED_BY = {
    "accounts": "created_at",
    "contacts": "created_at",
    "subscriptions": "started_at",
    "events": "timestamp",
    "tickets": "created_at",
    "survey_responses": "responded_at",
    "touches": "at",
}


@dataclass(frozen=True)
class TableSummary:
    name: str
    rows: int
    first: datetime | None
    last: datetime | None


@dataclass
class WarehouseSummary:
    tables: list[TableSummary] = field(default_factory=list)
    accounts_churned: int = 0
    current_mrr: float = 0.0
    top_events: list[tuple[str, int]] = field(default_factory=list)


def warehouse_summary(con: BaseBackend, *, as_of: datetime | None = None) -> WarehouseSummary:
    """Row counts and date ranges per table, churned accounts, MRR in force, top events.

    MRR in force = Σ mrr of subscriptions started on or before `as_of` (default:
    the latest start) and not ended before it.
    """
    ensure_fact_tables(con)
    summary = WarehouseSummary()
    for name, column in DATED_BY.items():
        table = con.table(name)
        stats = (
            table.aggregate(rows=table.count(), first=table[column].min(), last=table[column].max())
            .to_pyarrow()
            .to_pylist()[0]
        )
        summary.tables.append(TableSummary(name, stats["rows"], stats["first"], stats["last"]))
    accounts = con.table("accounts")
    summary.accounts_churned = int(accounts.churned_at.count().execute())
    subscriptions = con.table("subscriptions")
    day = as_of or subscriptions.started_at.max().to_pyarrow().as_py()
    if day is not None:
        live = subscriptions.filter(
            (subscriptions.started_at <= day)
            & (subscriptions.ended_at.isnull() | (subscriptions.ended_at > day))
        )
        summary.current_mrr = float(live.mrr.sum().fill_null(0).execute())
    events = con.table("events")
    top = events.event.value_counts(name="n").order_by(lambda t: t.n.desc()).limit(8)
    summary.top_events = [(r["event"], r["n"]) for r in top.to_pyarrow().to_pylist()]
    return summary
