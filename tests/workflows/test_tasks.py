"""Tasks: never twice while open; snooze, reassign, close with an outcome; all audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from tenure.workflows import (
    WorkflowError,
    audit_entries,
    close_task,
    create_task,
    list_tasks,
    reassign_task,
    set_account_field,
    snooze_task,
)


def make(session: Session, reason: str = "milestone Setup complete: missed") -> object:
    return create_task(
        session,
        account_id="A1",
        type_="lifecycle",
        reason=reason,
        title="Get A1 through setup",
        owner="Ana",
        due_on=dt.date(2026, 11, 3),
        steps=["Call", "Book"],
    )


def test_the_same_open_task_is_created_once(session: Session) -> None:
    first = make(session)
    assert first is not None
    assert make(session) is None
    assert make(session, reason="another reason") is not None
    assert len(list_tasks(session)) == 2


def test_a_closed_task_frees_its_key(session: Session) -> None:
    task = make(session)
    close_task(session, task.id, "customer finished setup", actor="Ana")  # type: ignore[attr-defined]
    assert make(session) is not None
    assert [t.status for t in list_tasks(session, status=None)] == ["closed", "open"]


def test_snooze_reassign_close_are_audited(session: Session) -> None:
    task = make(session)
    snooze_task(session, task.id, dt.date(2026, 11, 10), actor="Ana")  # type: ignore[attr-defined]
    assert list_tasks(session, today=dt.date(2026, 11, 5)) == []
    assert len(list_tasks(session, today=dt.date(2026, 11, 10))) == 1
    reassign_task(session, task.id, "Bo", actor="Ana")  # type: ignore[attr-defined]
    assert [t.id for t in list_tasks(session, owner="Bo")] == [task.id]  # type: ignore[attr-defined]
    with pytest.raises(WorkflowError, match="outcome"):
        close_task(session, task.id, " ", actor="Bo")  # type: ignore[attr-defined]
    close_task(session, task.id, "done", actor="Bo")  # type: ignore[attr-defined]
    with pytest.raises(WorkflowError, match="already closed"):
        close_task(session, task.id, "again", actor="Bo")  # type: ignore[attr-defined]
    actions = [(e.action, e.actor, e.old, e.new) for e in audit_entries(session, entity="task")]
    assert [a[0] for a in actions] == ["create", "snooze", "reassign", "close"]
    assert actions[2][2:] == ('"Ana"', '"Bo"')


def test_unknown_type_and_task_are_clear_errors(session: Session) -> None:
    with pytest.raises(WorkflowError, match="task type 'chore'"):
        create_task(session, account_id="A1", type_="chore", reason="r", title="t", owner=None)
    with pytest.raises(WorkflowError, match="no task 99"):
        snooze_task(session, 99, dt.date(2026, 1, 1), actor=None)


def test_account_fields_change_only_when_the_value_does(session: Session) -> None:
    assert set_account_field(session, "A1", "risk_flag", "yes", actor="p")
    assert not set_account_field(session, "A1", "risk_flag", "yes", actor="p")
    assert set_account_field(session, "A1", "risk_flag", "no", actor="Ana")
    changes = [(e.old, e.new) for e in audit_entries(session, entity="account_field")]
    assert changes == [(None, '"yes"'), ('"yes"', '"no"')]
