"""The inbox table on SQLite and PostgreSQL: append with de-duplication, pending, processed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from tenure.db import (
    InboxRow,
    append_messages,
    create_write_key,
    inbox_counts,
    mark_processed,
    pending_messages,
)

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def row(message_id: str) -> InboxRow:
    return InboxRow(message_id, "track", f'{{"messageId": "{message_id}"}}')


def test_a_message_id_is_appended_once(engine: Engine) -> None:
    key = create_write_key(engine)
    with engine.begin() as connection:
        new = append_messages(
            connection, [row("a"), row("b"), row("a")], received_at=NOW, write_key_id=key.id
        )
    assert new == 2
    with engine.begin() as connection:
        new = append_messages(connection, [row("b"), row("c")], received_at=NOW, write_key_id=None)
    assert new == 1
    assert [m.payload for m in pending_messages(engine, limit=10)] == [
        '{"messageId": "a"}',
        '{"messageId": "b"}',
        '{"messageId": "c"}',
    ]
    assert inbox_counts(engine) == {"messages": 3, "pending": 3}


def test_processed_messages_are_no_longer_pending(engine: Engine) -> None:
    with engine.begin() as connection:
        append_messages(
            connection, [row(str(n)) for n in range(5)], received_at=NOW, write_key_id=None
        )
    first = pending_messages(engine, limit=2)
    mark_processed(engine, [m.id for m in first], chunk=1)
    assert [m.payload for m in pending_messages(engine, limit=10)] == [
        f'{{"messageId": "{n}"}}' for n in (2, 3, 4)
    ]
    assert inbox_counts(engine) == {"messages": 5, "pending": 3}
