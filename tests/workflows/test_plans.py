"""Success plans: CRUD, audit, progress = latest value / target on hand-entered values."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenure.db import AccountDay, AuditEntry, MetricReading, SuccessMetric, SuccessObjective
from tenure.workflows import WorkflowError, plans

D = dt.date


def _plan(session: Session) -> SuccessMetric:
    goal = plans.add_goal(session, account_id="a1", title="More pipeline", actor="ana")
    objective = plans.add_objective(
        session, goal_id=goal.id, title="250 leads in Q4", quarter="2026Q4", actor="ana"
    )
    return plans.add_metric(
        session,
        objective_id=objective.id,
        name="Leads",
        target=250,
        target_on=D(2026, 12, 31),
        actor="ana",
    )


def test_progress_is_the_latest_value_over_the_target(session: Session) -> None:
    metric = _plan(session)
    for day, value in [(D(2026, 10, 1), 50), (D(2026, 11, 1), 100), (D(2026, 10, 15), 75)]:
        plans.record_reading(session, metric_id=metric.id, on=day, value=value, author="ana")
    latest = plans.metric_progress(session, metric, "a1")
    assert (latest.value, latest.value_on, latest.progress) == (100, D(2026, 11, 1), 0.4)
    mid = plans.metric_progress(session, metric, "a1", on=D(2026, 10, 20))
    assert (mid.value, mid.progress) == (75, 0.3)
    before = plans.metric_progress(session, metric, "a1", on=D(2026, 9, 30))
    assert before.value is None
    assert before.progress is None
    assert [v for _, v in latest.series] == [50, 75, 100]  # by day, not by entry


def test_engine_bound_metric_reads_account_days(session: Session) -> None:
    goal = plans.add_goal(session, account_id="a1", title="Healthy", actor=None)
    objective = plans.add_objective(
        session, goal_id=goal.id, title="Green", quarter=None, actor=None
    )
    metric = plans.add_metric(
        session,
        objective_id=objective.id,
        name="Health",
        source="health_score",
        target=80,
        target_on=D(2026, 12, 31),
        actor=None,
    )
    for day, score in [(D(2026, 10, 1), 40.0), (D(2026, 10, 2), 60.0)]:
        session.add(AccountDay(account_id="a1", day=day, health_score=score))
    session.add(AccountDay(account_id="other", day=D(2026, 10, 3), health_score=99.0))
    session.flush()
    progress = plans.metric_progress(session, metric, "a1")
    assert (progress.value, progress.progress) == (60.0, 0.75)
    with pytest.raises(WorkflowError, match="only manual metrics"):
        plans.record_reading(session, metric_id=metric.id, on=D(2026, 10, 2), value=1, author=None)


def test_update_delete_and_audit(session: Session) -> None:
    metric = _plan(session)
    plans.record_reading(session, metric_id=metric.id, on=D(2026, 10, 1), value=50, author="ana")
    plans.update_metric(session, metric.id, target=200, actor="bo")
    plans.update_metric(session, metric.id, target=200, actor="bo")  # no change, no entry
    assert plans.metric_progress(session, metric, "a1").progress == 0.25
    plan = plans.success_plan(session, "a1")
    assert [g["title"] for g in plan] == ["More pipeline"]
    assert plan[0]["objectives"][0]["metrics"][0].target == 200
    actions = session.execute(
        select(AuditEntry.entity, AuditEntry.action).order_by(AuditEntry.id)
    ).all()
    assert actions == [
        ("success_goal", "create"),
        ("success_objective", "create"),
        ("success_metric", "create"),
        ("metric_reading", "create"),
        ("success_metric", "update"),
    ]
    plans.delete_goal(session, plan[0]["id"], actor="bo")
    assert plans.success_plan(session, "a1") == []
    for table in (MetricReading, SuccessMetric, SuccessObjective):
        assert session.scalar(select(func.count()).select_from(table)) == 0
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None
    assert (last.action, last.entity, last.actor) == (
        "delete",
        "success_goal",
        "bo",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"source": "weather"}, "source: 'weather'"),
        ({"target": 0}, "target: must not be 0"),
        ({"name": "  "}, "name: required"),
    ],
)
def test_bad_metrics_are_refused(session: Session, change: dict[str, object], message: str) -> None:
    goal = plans.add_goal(session, account_id="a1", title="G", actor=None)
    objective = plans.add_objective(session, goal_id=goal.id, title="O", quarter=None, actor=None)
    fields: dict[str, object] = {"name": "M", "target": 1.0, "source": "manual"} | change
    with pytest.raises(WorkflowError, match=message):
        plans.add_metric(
            session,
            objective_id=objective.id,
            target_on=D(2026, 12, 31),
            actor=None,
            **fields,  # type: ignore[arg-type]
        )


def test_bad_quarter_and_unknown_goal(session: Session) -> None:
    with pytest.raises(WorkflowError, match="no goal 99"):
        plans.add_objective(session, goal_id=99, title="O", quarter=None, actor=None)
    goal = plans.add_goal(session, account_id="a1", title="G", actor=None)
    with pytest.raises(WorkflowError, match="2026Q5"):
        plans.add_objective(session, goal_id=goal.id, title="O", quarter="2026Q5", actor=None)
