"""QBR data of a hand-built account, its HTML sections and its PDF."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy.orm import Session

from tenure.db import AccountDay, AccountProfile, HealthContribution, MilestoneState
from tenure.workflows import WorkflowError, plans
from tenure.workflows.qbr import (
    CHROMIUM,
    next_quarter,
    qbr_data,
    quarter_bounds,
    render_html,
    render_pdf,
)

D = dt.date


def test_quarters() -> None:
    assert quarter_bounds("2026Q4") == (D(2026, 10, 1), D(2026, 12, 31))
    assert quarter_bounds("2027Q1") == (D(2027, 1, 1), D(2027, 3, 31))
    assert quarter_bounds("2026Q2") == (D(2026, 4, 1), D(2026, 6, 30))
    assert next_quarter("2026Q4") == "2027Q1"
    assert next_quarter("2026Q2") == "2026Q3"
    with pytest.raises(WorkflowError, match="like 2026Q4"):
        quarter_bounds("Q4 2026")


def _account(session: Session) -> None:
    details = {
        "usage": [
            {"week": "2026-09-21", "events": 10, "days": 2},
            {"week": "2026-10-05", "events": 30, "days": 3},
            {"week": "2026-10-12", "events": 20, "days": 4},
        ],
        "tickets": [
            {"ticket_id": "t1", "created_at": "2026-10-03 10:00:00", "priority": "high"},
            {"ticket_id": "t0", "created_at": "2026-09-03 10:00:00", "priority": "low"},
        ],
        "nps": [
            {"score": 9, "comment": "Great onboarding", "responded_at": "2026-10-20 09:00:00"},
            {"score": 3, "comment": None, "responded_at": "2026-10-21 09:00:00"},
        ],
        "touches": [
            {"kind": "call", "at": "2026-10-10 12:00:00", "author": "Ana", "notes": "Kickoff"},
            {"kind": "qbr", "at": "2026-07-01 12:00:00", "author": "Ana", "notes": None},
        ],
    }
    session.add(
        AccountProfile(
            account_id="a1",
            name="Acme <Labs>",
            owner="Ana",
            segment="High touch",
            arr=60000.0,
            as_of=D(2026, 10, 31),
            details=json.dumps(details),
        )
    )
    for day, score, band in [
        (D(2026, 9, 30), 50.0, "yellow"),
        (D(2026, 10, 1), 55.0, "yellow"),
        (D(2026, 10, 31), 72.0, "green"),
    ]:
        session.add(AccountDay(account_id="a1", day=day, health_score=score, health_band=band))
    for measure, contribution in [("Active days", 40.0), ("NPS", 32.0)]:
        session.add(
            HealthContribution(
                account_id="a1",
                day=D(2026, 10, 31),
                measure=measure,
                weight=50.0,
                contribution=contribution,
            )
        )
    session.add(
        MilestoneState(
            account_id="a1",
            milestone="Integration added",
            stage="adoption",
            required=True,
            is_value=False,
            anchor_day=D(2026, 9, 1),
            due_day=D(2026, 10, 15),
            achieved_on=D(2026, 10, 12),
            status="achieved",
            as_of=D(2026, 10, 31),
        )
    )
    goal = plans.add_goal(session, account_id="a1", title="Grow pipeline", actor="Ana")
    q4 = plans.add_objective(
        session, goal_id=goal.id, title="250 leads", quarter="2026Q4", actor="Ana"
    )
    plans.add_objective(
        session, goal_id=goal.id, title="Open the Berlin office", quarter="2027Q1", actor="Ana"
    )
    leads = plans.add_metric(
        session, objective_id=q4.id, name="Leads", target=250, target_on=D(2026, 12, 31), actor=None
    )
    for day, value in [(D(2026, 9, 15), 40), (D(2026, 10, 20), 150), (D(2027, 1, 5), 300)]:
        plans.record_reading(session, metric_id=leads.id, on=day, value=value, author="Ana")
    session.flush()


def test_qbr_data_of_a_hand_built_account(session: Session) -> None:
    _account(session)
    data = qbr_data(session, "a1", "2026Q4")
    health = data["health"]
    assert (health["start_day"], health["start_score"]) == (D(2026, 10, 1), 55.0)
    assert (health["day"], health["score"], health["band"]) == (D(2026, 10, 31), 72.0, "green")
    assert health["change"] == 17.0
    assert [c["measure"] for c in health["contributions"]] == ["Active days", "NPS"]
    assert [u["week"] for u in data["usage"]] == [D(2026, 10, 5), D(2026, 10, 12)]
    assert [t["ticket_id"] for t in data["tickets"]] == ["t1"]
    assert [a["score"] for a in data["nps"]] == [9, 3]
    assert [t["kind"] for t in data["touches"]] == ["call"]
    [metric] = data["metrics"]
    # value at the quarter's start = the reading before 1 Oct; now = the latest up to 31 Dec
    assert (metric["start_value"], metric["value"], metric["progress"]) == (40, 150, 0.6)
    assert data["next_quarter"] == "2027Q1"
    assert [o["title"] for o in data["next_objectives"]] == ["Open the Berlin office"]
    assert data["milestones"][0]["status"] == "achieved"
    with pytest.raises(WorkflowError, match="no account 'zz'"):
        qbr_data(session, "zz", "2026Q4")


def test_html_has_every_section_and_escapes(session: Session) -> None:
    _account(session)
    html = render_html(qbr_data(session, "a1", "2026Q4"))
    for section in ("health", "plan", "usage", "milestones", "support", "touches", "next"):
        assert f'<section id="{section}">' in html
    assert "Acme &lt;Labs&gt;" in html
    assert "Acme <Labs>" not in html
    assert "@page { size: A4" in html
    assert "60 %" in html  # Leads progress
    assert "Open the Berlin office" in html
    assert "Great onboarding" in html


def test_pdf_needs_chromium(tmp_path: object) -> None:
    with pytest.raises(WorkflowError, match="PDF export needs Chromium"):
        render_pdf("<p>x</p>", chromium=CHROMIUM.with_name("no-such-chromium"))


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium")
def test_pdf_export(session: Session) -> None:
    _account(session)
    pdf = render_pdf(render_html(qbr_data(session, "a1", "2026Q4")))
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 10_000
