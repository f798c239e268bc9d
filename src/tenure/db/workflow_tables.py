"""Workflow state: playbook firings, tasks, account fields, the audit log, CSM input.

People are referred to by their email or name (``accounts.owner`` holds the
CSM); they become links to the users table once it exists.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from tenure.db.tables import Base

OPEN = "open"


class PlaybookFiring(Base):
    """One playbook firing for one account and reason: the record that makes rules idempotent."""

    __tablename__ = "playbook_firings"
    __table_args__ = (UniqueConstraint("playbook", "account_id", "reason", "fired_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    playbook: Mapped[str] = mapped_column(String(255))
    account_id: Mapped[str] = mapped_column(String(255), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    fired_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]


class Task(Base):
    """A CSM task; at most one open task per account, type and reason."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index(
            "uq_tasks_open_account_type_reason",
            "account_id",
            "type",
            "reason",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[str] = mapped_column(String(255), index=True)
    type: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(Text)
    steps: Mapped[str] = mapped_column(Text, default="[]")  # JSON: [{"title", "done"}]
    owner: Mapped[str | None] = mapped_column(String(255), index=True)
    playbook: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=OPEN)  # open, closed
    due_on: Mapped[date | None] = mapped_column(Date)
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class AccountField(Base):
    """A value set on an account by a playbook or a person (e.g. risk_flag = yes)."""

    __tablename__ = "account_fields"

    account_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    field: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str | None] = mapped_column(String(255))


class AuditEntry(Base):
    """Who changed what, when: old and new values as JSON text."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str | None] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(255))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)


class Pulse(Base):
    """A CSM pulse: sentiment, its points, reason codes and notes (see SubjectiveScore)."""

    __tablename__ = "pulses"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[str] = mapped_column(String(255), index=True)
    sentiment: Mapped[str] = mapped_column(String(32))
    points: Mapped[float] = mapped_column(Float)
    reasons: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of reason codes
    note: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(255))
    recorded_at: Mapped[datetime]
    expires_on: Mapped[date | None] = mapped_column(Date)
    subjective_score_id: Mapped[int | None]


class HealthOverride(Base):
    """A manual health score/band for an account, with its reason, until it expires."""

    __tablename__ = "health_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[str] = mapped_column(String(255), index=True)
    score: Mapped[float | None] = mapped_column(Float)
    band: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]
    expires_on: Mapped[date] = mapped_column(Date)


class ChurnRecord(Base):
    """Why an account left: reason codes, MRR lost, products, exit-interview notes."""

    __tablename__ = "churn_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[str] = mapped_column(String(255), index=True)
    churned_on: Mapped[date] = mapped_column(Date)
    reasons: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    mrr_lost: Mapped[float | None] = mapped_column(Float)
    products: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str | None] = mapped_column(String(255))
    recorded_at: Mapped[datetime]


class RunLock(Base):
    """A named lock row: two scheduled runs never overlap (stale after `expires_at`)."""

    __tablename__ = "run_locks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(255))
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]
