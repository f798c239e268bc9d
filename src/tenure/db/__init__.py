"""The app database: results and workflow state (SQLAlchemy 2 + Alembic)."""

from tenure.db.alert_tables import AlertSubscription, Delivery, Notification
from tenure.db.analyses import AnalysisResult
from tenure.db.engine import AppDatabaseError, create_engine_for, session_factory, sqlite_url
from tenure.db.import_runs import recent_imports, record_import
from tenure.db.inbox import (
    TOUCH,
    InboxRow,
    PendingMessage,
    append_messages,
    inbox_counts,
    mark_processed,
    pending_messages,
    pending_touches,
)
from tenure.db.ingestion import InboxMessage, WriteKey
from tenure.db.migrate import current_revision, head_revision, schema_differences, upgrade
from tenure.db.plan_tables import MetricReading, SuccessGoal, SuccessMetric, SuccessObjective
from tenure.db.profiles import AccountProfile
from tenure.db.results import AccountDay, ComputeRun, HealthContribution, KpiValue, MilestoneState
from tenure.db.subjective import SubjectiveScore
from tenure.db.tables import Base, ImportRun, ImportStatus
from tenure.db.users import ApiToken, LoginAttempt, Role, User, UserSession
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
from tenure.db.write_keys import (
    NewWriteKey,
    UnknownWriteKeyError,
    active_write_key_id,
    create_write_key,
    list_write_keys,
    revoke_write_key,
)

__all__ = [
    "TOUCH",
    "AccountDay",
    "AccountField",
    "AccountProfile",
    "AlertSubscription",
    "AnalysisResult",
    "ApiToken",
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
    "InboxMessage",
    "InboxRow",
    "KpiValue",
    "LoginAttempt",
    "MetricReading",
    "MilestoneState",
    "NewWriteKey",
    "Notification",
    "PendingMessage",
    "PlaybookFiring",
    "Pulse",
    "Role",
    "RunLock",
    "SubjectiveScore",
    "SuccessGoal",
    "SuccessMetric",
    "SuccessObjective",
    "Task",
    "UnknownWriteKeyError",
    "User",
    "UserSession",
    "WriteKey",
    "active_write_key_id",
    "append_messages",
    "create_engine_for",
    "create_write_key",
    "current_revision",
    "head_revision",
    "inbox_counts",
    "list_write_keys",
    "mark_processed",
    "pending_messages",
    "pending_touches",
    "recent_imports",
    "record_import",
    "revoke_write_key",
    "schema_differences",
    "session_factory",
    "sqlite_url",
    "upgrade",
]
