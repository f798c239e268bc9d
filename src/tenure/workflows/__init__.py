"""Workflows: playbooks and tasks, alerts, CSM pulse and overrides, the scheduler."""

from tenure.workflows.alerts import deliver_pending, inbox, mark_read, notify, subscribe
from tenure.workflows.audit import WorkflowError, audit_entries
from tenure.workflows.pulse import (
    active_override,
    churn_records,
    latest_pulse,
    record_churn,
    record_pulse,
    set_override,
)
from tenure.workflows.rules import run_playbooks
from tenure.workflows.scheduler import AlreadyRunning, run_lock, run_once, run_scheduled
from tenure.workflows.tasks import (
    close_task,
    create_task,
    list_tasks,
    reassign_task,
    set_account_field,
    snooze_task,
)

__all__ = [
    "AlreadyRunning",
    "WorkflowError",
    "active_override",
    "audit_entries",
    "churn_records",
    "close_task",
    "create_task",
    "deliver_pending",
    "inbox",
    "latest_pulse",
    "list_tasks",
    "mark_read",
    "notify",
    "reassign_task",
    "record_churn",
    "record_pulse",
    "run_lock",
    "run_once",
    "run_playbooks",
    "run_scheduled",
    "set_account_field",
    "set_override",
    "snooze_task",
    "subscribe",
]
