"""Ingestion tables: the write keys that may send events, and the event inbox.

An event accepted over HTTP (Segment's tracking API, see docs/ingestion.md) is
committed to ``inbox`` before the sender gets its 200; ``compute`` later drains
the inbox into the warehouse facts and stamps each row's ``processed_at``.
``message_id`` is unique, so a message sent twice is stored once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenure.db.tables import Base


class WriteKey(Base):
    """A key that can only send events; stored as the SHA-256 of the key, never the key."""

    __tablename__ = "write_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(32))  # the key's first characters, to recognize it
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class InboxMessage(Base):
    """One accepted message (track, identify, group, page, ...), as JSON text.

    ``payload`` is the message as received, with ``timestamp`` corrected for the
    sender's clock skew and ``receivedAt``/``sentAt``/``originalTimestamp``
    added. ``processed_at`` is empty until the message reached the warehouse.
    """

    __tablename__ = "inbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(16))
    write_key_id: Mapped[int | None] = mapped_column(ForeignKey("write_keys.id"))
    received_at: Mapped[datetime]
    payload: Mapped[str] = mapped_column(Text)
    processed_at: Mapped[datetime | None] = mapped_column(index=True)
