"""The event inbox: append accepted messages, read the pending ones, mark them processed.

Appending is one ``INSERT ... ON CONFLICT (message_id) DO NOTHING`` per
request (on SQLite one multi-row statement, on PostgreSQL an ``executemany``),
and one commit, and a message id seen before is skipped, not an error.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Insert, Table, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tenure.db.ingestion import InboxMessage

INBOX: Table = InboxMessage.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class InboxRow:
    """A message to append: what the HTTP layer validated and normalized."""

    message_id: str
    type: str
    payload: str  # JSON text


@dataclass(frozen=True)
class PendingMessage:
    id: int
    type: str
    payload: str


def _insert(dialect: str) -> Insert:
    if dialect == "postgresql":
        return postgresql.insert(INBOX).on_conflict_do_nothing(index_elements=["message_id"])
    if dialect == "sqlite":
        return sqlite.insert(INBOX).on_conflict_do_nothing(index_elements=["message_id"])
    raise ValueError(f"the inbox needs SQLite or PostgreSQL, not {dialect}")


def append_messages(
    connection: Connection,
    rows: Sequence[InboxRow],
    *,
    received_at: datetime,
    write_key_id: int | None,
) -> int:
    """Append `rows` in the caller's transaction; returns how many were new (not duplicates)."""
    if not rows:
        return 0
    if connection.dialect.name == "sqlite":
        return _append_sqlite(connection, rows, received_at, write_key_id)
    parameters = [
        {
            "message_id": row.message_id,
            "type": row.type,
            "payload": row.payload,
            "received_at": received_at,
            "write_key_id": write_key_id,
        }
        for row in rows
    ]
    # psycopg's batched executemany does not count its inserts: count the ids they return.
    inserted = _insert(connection.dialect.name).returning(INBOX.c.id)
    return len(connection.execute(inserted, parameters).all())


_SQLITE_ROWS_PER_STATEMENT = 1000  # 5 parameters each: far below SQLite's 32,766


@functools.cache
def _sqlite_append(rows: int) -> str:
    values = ", ".join(["(?, ?, ?, ?, ?)"] * rows)
    return (
        "INSERT INTO inbox (message_id, type, payload, received_at, write_key_id)"
        f" VALUES {values} ON CONFLICT (message_id) DO NOTHING"
    )


def _append_sqlite(
    connection: Connection, rows: Sequence[InboxRow], received_at: datetime, key: int | None
) -> int:
    """The hot path: one multi-row INSERT per batch, the time converted once.

    One statement rather than a row-by-row ``executemany``: sqlite3 lets go of
    the GIL at every row it steps, and while other requests parse in other
    threads each row would wait its turn to get it back.
    """
    column_type = INBOX.c.received_at.type.dialect_impl(connection.dialect)
    convert = column_type.bind_processor(connection.dialect)
    received = convert(received_at) if convert else received_at
    inserted = 0
    for start in range(0, len(rows), _SQLITE_ROWS_PER_STATEMENT):
        part = rows[start : start + _SQLITE_ROWS_PER_STATEMENT]
        parameters = tuple(
            value
            for row in part
            for value in (row.message_id, row.type, row.payload, received, key)
        )
        result = connection.exec_driver_sql(_sqlite_append(len(part)), parameters)
        inserted += max(result.rowcount, 0)
    return inserted


def pending_messages(engine: Engine, *, limit: int) -> list[PendingMessage]:
    """The oldest `limit` messages not yet processed, in arrival order."""
    query = (
        select(InboxMessage.id, InboxMessage.type, InboxMessage.payload)
        .where(InboxMessage.processed_at.is_(None))
        .order_by(InboxMessage.id)
        .limit(limit)
    )
    with engine.connect() as connection:
        return [PendingMessage(*row) for row in connection.execute(query)]


def mark_processed(engine: Engine, ids: Iterable[int], *, chunk: int = 500) -> None:
    """Stamp `processed_at` on the messages with these ids (by id: a concurrent append is safe)."""
    ids = list(ids)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            connection.execute(
                update(InboxMessage)
                .where(InboxMessage.id.in_(part))
                .values(processed_at=now)
                .execution_options(synchronize_session=False)
            )


def inbox_counts(engine: Engine) -> dict[str, Any]:
    """Messages in the inbox: total and still pending."""
    with engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(INBOX)).scalar_one()
        pending = connection.execute(
            select(func.count()).select_from(INBOX).where(InboxMessage.processed_at.is_(None))
        ).scalar_one()
    return {"messages": total, "pending": pending}


TOUCH = "touch"  # the message type of a touch logged in the web app


def pending_touches(session: Session, account_id: str) -> list[dict[str, Any]]:
    """Touches of `account_id` logged in the app and not yet drained into the warehouse."""
    query = (
        select(InboxMessage.payload)
        .where(InboxMessage.type == TOUCH, InboxMessage.processed_at.is_(None))
        .order_by(InboxMessage.id)
    )
    touches = [json.loads(payload)["touch"] for payload in session.scalars(query)]
    return [t for t in touches if t.get("account_id") == account_id]
