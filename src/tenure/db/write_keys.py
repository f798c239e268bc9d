"""Write keys: create, list, revoke, and check the key an event sender presents.

A key is ``tnr_wk_`` plus 32 random bytes (URL-safe base64). Only its SHA-256
is stored. A slow password hash (argon2, bcrypt) protects *low-entropy*
secrets from guessing once the hashes leak; a 256-bit random token cannot be
guessed however fast the hash, and a fast hash lets every ingestion request
be checked with one indexed lookup instead of ~50 ms of deliberate work.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, select

from tenure.db.engine import session_factory
from tenure.db.ingestion import WriteKey

KEY_PREFIX = "tnr_wk_"
SHOWN_PREFIX = len(KEY_PREFIX) + 6


class UnknownWriteKeyError(ValueError):
    """No write key has the id asked for."""


@dataclass(frozen=True)
class NewWriteKey:
    """A key just created: ``key`` is shown once and cannot be recovered later."""

    id: int
    name: str
    key: str
    prefix: str
    created_at: datetime


def hash_write_key(key: str) -> str:
    """SHA-256 of the key, hex: what ``write_keys.key_hash`` stores."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_write_key(engine: Engine, *, name: str | None = None) -> NewWriteKey:
    """Make a new random key, store its hash and return the key itself (once)."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    row = WriteKey(
        key_hash=hash_write_key(key),
        prefix=key[:SHOWN_PREFIX],
        name=name or f"key created {now:%Y-%m-%d %H:%M}",
        created_at=now,
    )
    with session_factory(engine).begin() as session:
        session.add(row)
        session.flush()
    return NewWriteKey(row.id, row.name, key, row.prefix, now)


def list_write_keys(engine: Engine) -> list[WriteKey]:
    """Every key, oldest first, revoked ones included (with ``revoked_at``)."""
    with session_factory(engine)() as session:
        return list(session.scalars(select(WriteKey).order_by(WriteKey.id)))


def revoke_write_key(engine: Engine, key_id: int) -> WriteKey:
    """Revoke a key: requests that present it get 401 from now on. Revoking twice is a no-op."""
    with session_factory(engine).begin() as session:
        key = session.get(WriteKey, key_id)
        if key is None:
            raise UnknownWriteKeyError(
                f"no write key has id {key_id} (see: tenure write-keys list)"
            )
        if key.revoked_at is None:
            key.revoked_at = datetime.now(UTC)
    return key


def active_write_key_id(connection: Connection, key: str) -> int | None:
    """The id of the unrevoked key ``key``, or None when it is unknown or revoked."""
    query = select(WriteKey.id).where(
        WriteKey.key_hash == hash_write_key(key), WriteKey.revoked_at.is_(None)
    )
    return connection.execute(query).scalar()
