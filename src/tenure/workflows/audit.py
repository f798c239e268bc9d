"""The audit log: every change a person or a playbook makes, with its old and new value."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.db import AuditEntry


class WorkflowError(ValueError):
    """A workflow request that cannot be done (unknown task, missing reason, ...)."""


def audit(
    session: Session,
    *,
    actor: str | None,
    action: str,
    entity: str,
    entity_id: object,
    old: object = None,
    new: object = None,
) -> None:
    """Add one audit entry (old/new as JSON) to the session's transaction."""
    session.add(
        AuditEntry(
            at=datetime.now(UTC),
            actor=actor,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            old=None if old is None else json.dumps(old, default=str),
            new=None if new is None else json.dumps(new, default=str),
        )
    )


def audit_entries(session: Session, *, entity: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    return list(session.scalars(query))
