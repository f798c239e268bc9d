"""CSM pulse, health overrides and churn records."""

from __future__ import annotations

import datetime as dt
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tenure.db import AccountDay, SubjectiveScore
from tenure.definitions import Definitions
from tenure.workflows import (
    WorkflowError,
    active_override,
    audit_entries,
    churn_records,
    latest_pulse,
    record_churn,
    record_pulse,
    set_override,
)
from tenure.workflows.facts import account_days

DEFINITIONS = Definitions(
    scorecards=[
        {
            "name": "Default",
            "measures": [
                {"name": "CSM pulse", "weight": 1, "subjective": True, "expires_days": 45},
            ],
        }
    ]
)
AT = datetime(2026, 10, 1, 15, tzinfo=UTC)


def test_a_pulse_becomes_the_subjective_measure_points(session: Session) -> None:
    pulse = record_pulse(
        session,
        DEFINITIONS,
        "A1",
        sentiment="High risk",
        reasons=["champion_left", "budget"],
        note="new CFO",
        author="Ana",
        at=AT,
    )
    assert (pulse.sentiment, pulse.points) == ("high risk", 20.0)
    assert json.loads(pulse.reasons) == ["champion_left", "budget"]
    score = session.scalars(select(SubjectiveScore)).one()
    assert (score.measure, score.value_points, score.account_id) == ("CSM pulse", 20.0, "A1")
    # Recorded on day r it counts on r … r + 44 (health.py's rule), so it expires on r + 45.
    assert pulse.expires_on == dt.date(2026, 11, 15)
    assert latest_pulse(session, "A1", on=dt.date(2026, 11, 14)) is pulse
    assert latest_pulse(session, "A1", on=dt.date(2026, 11, 15)) is None
    assert latest_pulse(session, "A1", on=dt.date(2026, 9, 30)) is None
    assert [e.action for e in audit_entries(session)] == ["pulse"]


def test_the_six_points_scale(session: Session) -> None:
    names = [
        "extremely satisfied",
        "very satisfied",
        "satisfied",
        "at risk",
        "high risk",
        "severe risk",
    ]
    points = [
        record_pulse(session, DEFINITIONS, "A1", sentiment=n, reasons=["x"]).points for n in names
    ]
    assert points == sorted(points, reverse=True)
    assert (points[0], points[-1]) == (100.0, 0.0)


def test_bad_pulses_are_refused(session: Session) -> None:
    with pytest.raises(WorkflowError, match="sentiment 'meh' is not one of"):
        record_pulse(session, DEFINITIONS, "A1", sentiment="meh", reasons=["x"])
    with pytest.raises(WorkflowError, match="reason code"):
        record_pulse(session, DEFINITIONS, "A1", sentiment="satisfied", reasons=[])


def test_an_override_needs_a_reason_and_expires(session: Session) -> None:
    with pytest.raises(WorkflowError, match="needs a reason"):
        set_override(session, "A1", band="red", reason="", expires_on=dt.date(2099, 1, 1))
    today = datetime.now(UTC).date()
    set_override(
        session,
        "A1",
        band="red",
        score=30,
        reason="exec escalation",
        expires_on=today + dt.timedelta(days=10),
        author="Ana",
    )
    set_override(
        session,
        "A1",
        band="yellow",
        reason="call went well",
        expires_on=today + dt.timedelta(days=5),
        author="Ana",
    )
    assert active_override(session, "A1", on=today).band == "yellow"  # type: ignore[union-attr]
    assert active_override(session, "A1", on=today + dt.timedelta(days=7)).band == "red"  # type: ignore[union-attr]
    assert active_override(session, "A1", on=today + dt.timedelta(days=10)) is None
    entries = audit_entries(session)
    assert json.loads(entries[1].old) == {"band": "red", "score": 30.0}  # type: ignore[arg-type]


def test_churn_records(session: Session) -> None:
    record_churn(
        session,
        "A1",
        churned_on=dt.date(2026, 9, 30),
        reasons=["price", "product_gap"],
        mrr_lost=1200.0,
        products=["Core", "Chat"],
        notes="went to a rival",
        author="Ana",
    )
    record_churn(session, "A2", churned_on=dt.date(2026, 10, 15), reasons=["bankrupt"])
    assert [r.account_id for r in churn_records(session)] == ["A2", "A1"]
    one = churn_records(session, account_id="A1")[0]
    assert (json.loads(one.reasons), one.mrr_lost, json.loads(one.products)) == (
        ["price", "product_gap"],
        1200.0,
        ["Core", "Chat"],
    )
    with pytest.raises(WorkflowError, match="negative"):
        record_churn(session, "A3", churned_on=dt.date(2026, 1, 1), reasons=["x"], mrr_lost=-1)


def test_playbooks_see_the_override_in_force(app_db: Engine) -> None:
    today = datetime.now(UTC).date()
    yesterday = today - dt.timedelta(days=1)
    with Session(app_db) as session, session.begin():
        for day in (yesterday, today):
            for account in ("A1", "A2"):
                session.add(
                    AccountDay(
                        account_id=account,
                        day=day,
                        stage="adoption",
                        health_score=80.0,
                        health_band="green",
                    )
                )
        set_override(
            session,
            "A1",
            band="red",
            score=20,
            reason="exec escalation",
            expires_on=today + dt.timedelta(days=3),
        )
    days = account_days(app_db, [yesterday, today])
    assert (days[today]["A1"].band, days[today]["A1"].score) == ("red", 20)
    assert days[yesterday]["A1"].band == "green"  # the override starts today
    assert days[today]["A2"].band == "green"
