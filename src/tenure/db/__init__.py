"""The app database: results and workflow state (SQLAlchemy 2 + Alembic)."""

from tenure.db.alert_tables import AlertSubscription, Delivery, Notification
from tenure.db.engine import AppDatabaseError, create_engine_for, session_factory, sqlite_url
from tenure.db.import_runs import recent_imports, record_import
from tenure.db.migrate import current_revision, head_revision, schema_differences, upgrade
from tenure.db.results import AccountDay, ComputeRun, HealthContribution, KpiValue, MilestoneState
from tenure.db.subjective import SubjectiveScore
from tenure.db.tables import Base, ImportRun, ImportStatus
from tenure.db.workflow_tables import (
    AccountField,
    AuditEntry,
    ChurnRecord,
    HealthOverride,
    PlaybookFiring,
    Pulse,
    RunLock,
    Task,
)

__all__ = [
    "AccountDay",
    "AccountField",
    "AlertSubscription",
    "AppDatabaseError",
    "AuditEntry",
    "Base",
    "ChurnRecord",
    "ComputeRun",
    "Delivery",
    "HealthContribution",
    "HealthOverride",
    "ImportRun",
    "ImportStatus",
    "KpiValue",
    "MilestoneState",
    "Notification",
    "PlaybookFiring",
    "Pulse",
    "RunLock",
    "SubjectiveScore",
    "Task",
    "create_engine_for",
    "current_revision",
    "head_revision",
    "recent_imports",
    "record_import",
    "schema_differences",
    "session_factory",
    "sqlite_url",
    "upgrade",
]
