"""Success plans: goals → objectives → metrics with a target, and their progress over time.

A metric's values come from the engine's daily results or from readings entered
by hand, depending on its ``source``:

- ``health_score``, ``engagement``: the account's ``account_days`` column, one
  value a computed day;
- ``measure:NAME``: the value of health-score measure NAME in
  ``health_contributions`` (kept for the last day of each compute run);
- ``manual``: ``metric_readings`` (day, value, author).

Progress of a metric on day d = latest value on or before d / target
(``None`` without a value; not capped, so 1.2 means 20 % over target).
Every change writes the audit log (entities ``success_goal``,
``success_objective``, ``success_metric``, ``metric_reading``). Functions work
in the caller's session; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tenure.db import (
    AccountDay,
    HealthContribution,
    MetricReading,
    SuccessGoal,
    SuccessMetric,
    SuccessObjective,
)
from tenure.workflows.audit import WorkflowError, audit

ENGINE_SOURCES = ("health_score", "engagement")
MANUAL = "manual"
MEASURE_PREFIX = "measure:"
QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def check_source(source: str) -> str:
    """A valid metric source, or WorkflowError naming the choices."""
    if source == MANUAL or source in ENGINE_SOURCES:
        return source
    if source.startswith(MEASURE_PREFIX) and source[len(MEASURE_PREFIX) :].strip():
        return source
    raise WorkflowError(
        f"source: {source!r} is not one of manual, health_score, engagement, measure:NAME"
    )


def check_quarter(quarter: str | None) -> str | None:
    if quarter is None or quarter == "":
        return None
    if not QUARTER.match(quarter):
        raise WorkflowError(f"quarter: {quarter!r} is not a quarter like 2026Q4")
    return quarter


def _now() -> datetime:
    return datetime.now(UTC)


def _text(value: str, name: str) -> str:
    value = value.strip()
    if not value:
        raise WorkflowError(f"{name}: required")
    return value


def add_goal(session: Session, *, account_id: str, title: str, actor: str | None) -> SuccessGoal:
    goal = SuccessGoal(
        account_id=account_id, title=_text(title, "title"), created_by=actor, created_at=_now()
    )
    session.add(goal)
    session.flush()
    audit(
        session,
        actor=actor,
        action="create",
        entity="success_goal",
        entity_id=goal.id,
        new={"account_id": account_id, "title": goal.title},
    )
    return goal


def _goal(session: Session, goal_id: int) -> SuccessGoal:
    goal = session.get(SuccessGoal, goal_id)
    if goal is None:
        raise WorkflowError(f"there is no goal {goal_id}")
    return goal


def _objective(session: Session, objective_id: int) -> SuccessObjective:
    objective = session.get(SuccessObjective, objective_id)
    if objective is None:
        raise WorkflowError(f"there is no objective {objective_id}")
    return objective


def _metric(session: Session, metric_id: int) -> SuccessMetric:
    metric = session.get(SuccessMetric, metric_id)
    if metric is None:
        raise WorkflowError(f"there is no metric {metric_id}")
    return metric


def add_objective(
    session: Session, *, goal_id: int, title: str, quarter: str | None, actor: str | None
) -> SuccessObjective:
    _goal(session, goal_id)
    objective = SuccessObjective(
        goal_id=goal_id,
        title=_text(title, "title"),
        quarter=check_quarter(quarter),
        created_at=_now(),
    )
    session.add(objective)
    session.flush()
    audit(
        session,
        actor=actor,
        action="create",
        entity="success_objective",
        entity_id=objective.id,
        new={"goal_id": goal_id, "title": objective.title, "quarter": objective.quarter},
    )
    return objective


def add_metric(
    session: Session,
    *,
    objective_id: int,
    name: str,
    target: float,
    target_on: dt.date,
    source: str = MANUAL,
    unit: str | None = None,
    actor: str | None,
) -> SuccessMetric:
    _objective(session, objective_id)
    if target == 0:
        raise WorkflowError("target: must not be 0 (progress is value / target)")
    metric = SuccessMetric(
        objective_id=objective_id,
        name=_text(name, "name"),
        source=check_source(source),
        target=float(target),
        target_on=target_on,
        unit=unit or None,
        created_at=_now(),
    )
    session.add(metric)
    session.flush()
    audit(
        session,
        actor=actor,
        action="create",
        entity="success_metric",
        entity_id=metric.id,
        new=_metric_fields(metric),
    )
    return metric


def _metric_fields(metric: SuccessMetric) -> dict[str, object]:
    return {
        "objective_id": metric.objective_id,
        "name": metric.name,
        "source": metric.source,
        "target": metric.target,
        "target_on": metric.target_on,
        "unit": metric.unit,
    }


def update_metric(
    session: Session,
    metric_id: int,
    *,
    target: float | None = None,
    target_on: dt.date | None = None,
    actor: str | None,
) -> SuccessMetric:
    """Change a metric's target and/or target day (audited when something changes)."""
    metric = _metric(session, metric_id)
    old = _metric_fields(metric)
    if target is not None:
        if target == 0:
            raise WorkflowError("target: must not be 0 (progress is value / target)")
        metric.target = float(target)
    if target_on is not None:
        metric.target_on = target_on
    new = _metric_fields(metric)
    if new != old:
        audit(
            session,
            actor=actor,
            action="update",
            entity="success_metric",
            entity_id=metric.id,
            old=old,
            new=new,
        )
    return metric


def record_reading(
    session: Session, *, metric_id: int, on: dt.date, value: float, author: str | None
) -> MetricReading:
    """A hand-entered value of a manual metric (engine-bound metrics refuse readings)."""
    metric = _metric(session, metric_id)
    if metric.source != MANUAL:
        raise WorkflowError(
            f"metric {metric.name!r} reads {metric.source} from the computed results; "
            "only manual metrics take readings"
        )
    reading = MetricReading(
        metric_id=metric_id, on=on, value=float(value), author=author, recorded_at=_now()
    )
    session.add(reading)
    session.flush()
    audit(
        session,
        actor=author,
        action="create",
        entity="metric_reading",
        entity_id=reading.id,
        new={"metric_id": metric_id, "on": on, "value": reading.value},
    )
    return reading


def delete_goal(session: Session, goal_id: int, *, actor: str | None) -> None:
    """Delete a goal with its objectives, metrics and readings (audited)."""
    goal = _goal(session, goal_id)
    objectives = list(
        session.scalars(select(SuccessObjective.id).where(SuccessObjective.goal_id == goal_id))
    )
    metrics = list(
        session.scalars(select(SuccessMetric.id).where(SuccessMetric.objective_id.in_(objectives)))
    )
    session.execute(delete(MetricReading).where(MetricReading.metric_id.in_(metrics)))
    session.execute(delete(SuccessMetric).where(SuccessMetric.id.in_(metrics)))
    session.execute(delete(SuccessObjective).where(SuccessObjective.id.in_(objectives)))
    audit(
        session,
        actor=actor,
        action="delete",
        entity="success_goal",
        entity_id=goal.id,
        old={"account_id": goal.account_id, "title": goal.title},
    )
    session.delete(goal)
    session.flush()


# --- progress --------------------------------------------------------------------------------


def metric_series(
    session: Session, metric: SuccessMetric, account_id: str
) -> list[tuple[dt.date, float]]:
    """The metric's (day, value) pairs, oldest first (one per day: the last reading wins)."""
    if metric.source == MANUAL:
        rows = session.execute(
            select(MetricReading.on, MetricReading.value)
            .where(MetricReading.metric_id == metric.id)
            .order_by(MetricReading.on, MetricReading.id)
        )
    elif metric.source in ENGINE_SOURCES:
        column = getattr(AccountDay, metric.source)
        rows = session.execute(
            select(AccountDay.day, column)
            .where(AccountDay.account_id == account_id, column.is_not(None))
            .order_by(AccountDay.day)
        )
    else:
        measure = metric.source[len(MEASURE_PREFIX) :]
        rows = session.execute(
            select(HealthContribution.day, HealthContribution.value)
            .where(
                HealthContribution.account_id == account_id,
                HealthContribution.measure == measure,
                HealthContribution.value.is_not(None),
            )
            .order_by(HealthContribution.day)
        )
    by_day: dict[dt.date, float] = {}
    for day, value in rows:
        by_day[day] = float(value)
    return sorted(by_day.items())


def value_on(series: list[tuple[dt.date, float]], day: dt.date) -> tuple[dt.date, float] | None:
    """The latest (day, value) of the series on or before `day`."""
    found = None
    for point in series:
        if point[0] > day:
            break
        found = point
    return found


@dataclass
class MetricProgress:
    id: int
    name: str
    source: str
    unit: str | None
    target: float
    target_on: dt.date
    value: float | None
    value_on: dt.date | None
    progress: float | None  # value / target
    series: list[tuple[dt.date, float]] = field(default_factory=list)


def metric_progress(
    session: Session, metric: SuccessMetric, account_id: str, *, on: dt.date | None = None
) -> MetricProgress:
    """The metric's latest value on or before `on` (default: any day) and value / target."""
    series = metric_series(session, metric, account_id)
    latest = value_on(series, on) if on is not None else (series[-1] if series else None)
    return MetricProgress(
        id=metric.id,
        name=metric.name,
        source=metric.source,
        unit=metric.unit,
        target=metric.target,
        target_on=metric.target_on,
        value=None if latest is None else latest[1],
        value_on=None if latest is None else latest[0],
        progress=None if latest is None else latest[1] / metric.target,
        series=series,
    )


def success_plan(
    session: Session, account_id: str, *, on: dt.date | None = None
) -> list[dict[str, Any]]:
    """The account's goals, each with its objectives and their metrics' progress on `on`."""
    goals = session.scalars(
        select(SuccessGoal).where(SuccessGoal.account_id == account_id).order_by(SuccessGoal.id)
    )
    plan: list[dict[str, Any]] = []
    for goal in goals:
        objectives = []
        for objective in session.scalars(
            select(SuccessObjective)
            .where(SuccessObjective.goal_id == goal.id)
            .order_by(SuccessObjective.id)
        ):
            metrics = session.scalars(
                select(SuccessMetric)
                .where(SuccessMetric.objective_id == objective.id)
                .order_by(SuccessMetric.id)
            )
            objectives.append(
                {
                    "id": objective.id,
                    "title": objective.title,
                    "quarter": objective.quarter,
                    "metrics": [metric_progress(session, m, account_id, on=on) for m in metrics],
                }
            )
        plan.append({"id": goal.id, "title": goal.title, "objectives": objectives})
    return plan
