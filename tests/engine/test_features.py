"""Churn features and outcomes on a hand-computed fixture (DuckDB), and the churn_risk measure."""

from __future__ import annotations

from datetime import date, datetime

import ibis
import pyarrow as pa
import pytest

from tenure.definitions import Measure, Metric, Scheme, Scorecard
from tenure.engine.features import churn_features, churn_outcomes
from tenure.engine.measures import MeasureSources, measure_values
from tenure.engine.rollups import activity_daily, contact_daily
from tenure.pipeline.analyses.churn_model import FeatureSources
from tenure.warehouse.schemas import (
    ACCOUNTS,
    CONTACTS,
    EVENTS,
    SUBSCRIPTIONS,
    SURVEY_RESPONSES,
    TICKETS,
    TOUCHES,
)

AS_OF = date(2024, 6, 30)


def facts(table, rows: list[dict]) -> ibis.Table:  # type: ignore[no-untyped-def]
    schema = table.schema.to_pyarrow()
    return ibis.memtable(
        pa.table({c: [r.get(c) for r in rows] for c in schema.names}, schema=schema)
    )


def ev(contact: str, name: str, at: datetime) -> dict:
    return {
        "message_id": f"{contact}{name}{at}",
        "account_id": "A",
        "contact_id": contact,
        "event": name,
        "timestamp": at,
    }


@pytest.fixture
def sources() -> FeatureSources:
    events = facts(
        EVENTS,
        [
            ev("c1", "login", datetime(2024, 6, 30, 23)),  # last 30 days
            ev("c1", "login", datetime(2024, 6, 1)),  # day 30 of the window ([6-01, 6-30])
            ev("c2", "report_viewed", datetime(2024, 6, 1, 5)),
            ev("c1", "login", datetime(2024, 5, 31)),  # previous 30 days
            ev("c1", "login", datetime(2024, 7, 1)),  # after as_of: never counted
        ],
    )
    return FeatureSources(
        accounts=facts(
            ACCOUNTS,
            [
                {
                    "account_id": "A",
                    "plan": "pro",
                    "industry": "retail",
                    "region": "EU",
                    "employees": 50,
                    "created_at": datetime(2024, 1, 1),
                    "churned_at": datetime(2024, 8, 15),
                },
                {"account_id": "B", "created_at": datetime(2024, 6, 30, 12)},
                {
                    "account_id": "C",
                    "created_at": datetime(2023, 1, 1),
                    "churned_at": datetime(2024, 6, 30, 9),
                },  # gone by the end of the day
                {"account_id": "D", "created_at": datetime(2024, 7, 1)},  # not yet
            ],
        ),
        subscriptions=facts(
            SUBSCRIPTIONS,
            [
                {
                    "subscription_id": "s1",
                    "account_id": "A",
                    "mrr": 100.0,
                    "started_at": datetime(2024, 1, 1),
                    "ended_at": datetime(2024, 8, 15),
                    "billing_period": "annual",
                },
                {
                    "subscription_id": "s2",
                    "account_id": "A",
                    "mrr": 20.0,
                    "started_at": datetime(2024, 5, 1),
                    "billing_period": "monthly",
                },
            ],
        ),
        contacts=facts(
            CONTACTS,
            [
                {"contact_id": "c1", "account_id": "A", "created_at": datetime(2024, 1, 1)},
                {"contact_id": "c2", "account_id": "A"},
                {"contact_id": "c3", "account_id": "A", "created_at": datetime(2024, 7, 2)},
            ],
        ),
        tickets=facts(
            TICKETS,
            [
                {"ticket_id": "t1", "account_id": "A", "created_at": datetime(2024, 1, 5)},
                {
                    "ticket_id": "t2",
                    "account_id": "A",
                    "created_at": datetime(2024, 6, 1),
                    "solved_at": datetime(2024, 6, 2),
                },
            ],
        ),
        survey_responses=facts(
            SURVEY_RESPONSES,
            [
                {
                    "response_id": "r1",
                    "account_id": "A",
                    "survey": "nps",
                    "score": 4,
                    "responded_at": datetime(2024, 6, 10),
                },
                {
                    "response_id": "r2",
                    "account_id": "A",
                    "survey": "nps",
                    "score": 10,
                    "responded_at": datetime(2024, 7, 1),
                },
            ],
        ),
        touches=facts(
            TOUCHES,
            [
                {"touch_id": "x1", "account_id": "A", "kind": "call", "at": datetime(2024, 4, 2)},
                {"touch_id": "x2", "account_id": "A", "kind": "call", "at": datetime(2024, 4, 1)},
            ],
        ),
        activity_daily=activity_daily(events),
        contact_daily=contact_daily(events),
    )


def test_features_by_hand(sources: FeatureSources) -> None:
    rows = churn_features(sources, as_of=AS_OF).to_pandas().set_index("account_id")
    assert sorted(rows.index) == ["A", "B"]
    a = rows.loc["A"]
    assert a.tenure_days == 181
    assert (a.plan, a.industry, a.region, a.employees) == ("pro", "retail", "EU", 50)
    assert a.mrr == 120.0
    assert a.mrr_change_90d == 20.0
    assert a.days_to_renewal == 365 - 181  # the annual term's anniversary, not its end
    assert (a.contacts, a.contacts_active_30d) == (2, 2)
    assert (a.events_30d, a.events_prev_30d) == (3, 1)
    assert (a.active_days_30d, a.event_kinds_30d) == (2, 2)
    assert (a.open_tickets, a.tickets_90d) == (1, 1)
    assert (a.latest_nps, a.days_since_nps) == (4, 20)
    assert a.touches_90d == 1  # [2 April, 30 June]
    b = rows.loc["B"]
    assert (b.tenure_days, b.mrr, b.events_30d, b.contacts) == (0, 0.0, 0, 0)


def test_outcomes(sources: FeatureSources) -> None:
    rows = churn_outcomes(sources.accounts, as_of=AS_OF, horizon_days=45).to_pandas()
    assert dict(zip(rows.account_id, rows.churned, strict=True)) == {"A": 0, "B": 0}
    rows = churn_outcomes(sources.accounts, as_of=AS_OF, horizon_days=46).to_pandas()
    assert dict(zip(rows.account_id, rows.churned, strict=True)) == {"A": 1, "B": 0}


def test_the_churn_risk_measure_reads_the_latest_prediction(sources: FeatureSources) -> None:
    predictions = ibis.memtable(
        pa.table(
            {
                "account_id": ["A", "A"],
                "as_of": pa.array([date(2024, 6, 1), date(2024, 6, 20)], pa.date32()),
                "churn_risk": [0.25, 0.5],
            }
        )
    )
    measured = MeasureSources(
        accounts=sources.accounts,
        activity_daily=sources.activity_daily,
        contact_daily=sources.contact_daily,
        churn_predictions=predictions,
    )
    card = Scorecard(
        name="c",
        measures=[
            Measure(
                name="risk",
                weight=1,
                metric=Metric(kind="churn_risk", days=14),
                scheme=Scheme(linear=(50, 0), lower_is_better=False),
            )
        ],
    )
    days = [
        date(2024, 5, 31),
        date(2024, 6, 1),
        date(2024, 6, 19),
        date(2024, 6, 20),
        date(2024, 7, 3),
        date(2024, 7, 4),
    ]
    rows = measure_values(measured, card, days=days).to_pandas()
    a = rows[rows.account_id == "A"].sort_values("day").value
    # None before the first; each prediction counts for 14 days (1 June: to 14 June).
    assert a.isna().tolist() == [True, False, True, False, False, True]
    assert a.dropna().tolist() == [25.0, 50.0, 50.0]
