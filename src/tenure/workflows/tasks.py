"""Tasks: create (never twice while open), snooze, reassign, close; set account fields.

Each function works inside the caller's session and transaction (the web app's
request, or the CLI's ``with session.begin()``) and writes an audit entry.
"""

from __future__ import annotations

import datetime as dt
import json
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.db import AccountField, Task
from tenure.db.workflow_tables import OPEN
from tenure.workflows.audit import WorkflowError, audit

TASK_TYPES = ("risk", "expansion", "lifecycle", "activity", "objective")


def open_task(session: Session, account_id: str, type_: str, reason: str) -> Task | None:
    query = select(Task).where(
        Task.account_id == account_id,
        Task.type == type_,
        Task.reason == reason,
        Task.status == OPEN,
    )
    return session.scalars(query).first()


def create_task(
    session: Session,
    *,
    account_id: str,
    type_: str,
    reason: str,
    title: str,
    owner: str | None,
    due_on: dt.date | None = None,
    steps: list[str] | None = None,
    playbook: str | None = None,
    actor: str | None = None,
) -> Task | None:
    """A new open task, or None when the same open task (account, type, reason) exists."""
    if type_ not in TASK_TYPES:
        raise WorkflowError(f"task type {type_!r} is not one of {', '.join(TASK_TYPES)}")
    if open_task(session, account_id, type_, reason) is not None:
        return None
    task = Task(
        account_id=account_id,
        type=type_,
        reason=reason,
        title=title,
        owner=owner,
        due_on=due_on,
        steps=json.dumps([{"title": s, "done": False} for s in steps or []]),
        playbook=playbook,
        status=OPEN,
        created_at=datetime.now(UTC),
    )
    session.add(task)
    session.flush()
    audit(
        session,
        actor=actor or playbook,
        action="create",
        entity="task",
        entity_id=task.id,
        new={"account_id": account_id, "type": type_, "reason": reason, "owner": owner},
    )
    return task


def _task(session: Session, task_id: int) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise WorkflowError(f"no task {task_id}")
    return task


def snooze_task(session: Session, task_id: int, until: dt.date, *, actor: str | None) -> Task:
    task = _task(session, task_id)
    old, task.snoozed_until = task.snoozed_until, until
    audit(
        session, actor=actor, action="snooze", entity="task", entity_id=task_id, old=old, new=until
    )
    return task


def reassign_task(session: Session, task_id: int, owner: str, *, actor: str | None) -> Task:
    task = _task(session, task_id)
    old, task.owner = task.owner, owner
    audit(
        session,
        actor=actor,
        action="reassign",
        entity="task",
        entity_id=task_id,
        old=old,
        new=owner,
    )
    return task


def close_task(session: Session, task_id: int, outcome: str, *, actor: str | None) -> Task:
    """Close a task with its outcome (required: what happened)."""
    if not outcome.strip():
        raise WorkflowError("closing a task needs an outcome")
    task = _task(session, task_id)
    if task.status != OPEN:
        raise WorkflowError(f"task {task_id} is already {task.status}")
    task.status, task.outcome, task.closed_at = "closed", outcome, datetime.now(UTC)
    audit(
        session,
        actor=actor,
        action="close",
        entity="task",
        entity_id=task_id,
        old=OPEN,
        new={"status": "closed", "outcome": outcome},
    )
    return task


def list_tasks(
    session: Session,
    *,
    owner: str | None = None,
    status: str | None = OPEN,
    today: dt.date | None = None,
) -> list[Task]:
    """Tasks by due day; `today` hides those snoozed past it."""
    query = select(Task).order_by(Task.due_on, Task.id)
    if owner is not None:
        query = query.where(Task.owner == owner)
    if status is not None:
        query = query.where(Task.status == status)
    tasks = list(session.scalars(query))
    if today is not None:
        tasks = [t for t in tasks if t.snoozed_until is None or t.snoozed_until <= today]
    return tasks


def set_account_field(
    session: Session, account_id: str, field: str, value: str | None, *, actor: str | None
) -> bool:
    """Set a field of an account; False when it already had that value."""
    row = session.get(AccountField, (account_id, field))
    if row is not None and row.value == value:
        return False
    old = row.value if row is not None else None
    if row is None:
        row = AccountField(account_id=account_id, field=field)
        session.add(row)
    row.value, row.updated_at, row.updated_by = value, datetime.now(UTC), actor
    audit(
        session,
        actor=actor,
        action="set",
        entity="account_field",
        entity_id=f"{account_id}/{field}",
        old=old,
        new=value,
    )
    return True
