"""The app database: results and workflow state (SQLAlchemy 2 + Alembic)."""

from tenure.db.engine import AppDatabaseError, create_engine_for, session_factory, sqlite_url
from tenure.db.import_runs import recent_imports, record_import
from tenure.db.migrate import current_revision, head_revision, schema_differences, upgrade
from tenure.db.profiles import AccountProfile
from tenure.db.results import AccountDay, ComputeRun, HealthContribution, KpiValue, MilestoneState
from tenure.db.subjective import SubjectiveScore
from tenure.db.tables import Base, ImportRun, ImportStatus
from tenure.db.users import ApiToken, LoginAttempt, Role, User, UserSession

__all__ = [
    "AccountDay",
    "AccountProfile",
    "ApiToken",
    "AppDatabaseError",
    "Base",
    "ComputeRun",
    "HealthContribution",
    "ImportRun",
    "ImportStatus",
    "KpiValue",
    "LoginAttempt",
    "MilestoneState",
    "Role",
    "SubjectiveScore",
    "User",
    "UserSession",
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
