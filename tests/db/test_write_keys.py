"""Write keys: stored hashed, shown once, revocable."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import Engine, select

from tenure.db import (
    UnknownWriteKeyError,
    WriteKey,
    active_write_key_id,
    create_write_key,
    list_write_keys,
    revoke_write_key,
)


def test_only_the_hash_of_a_key_is_stored(engine: Engine) -> None:
    new = create_write_key(engine, name="web app")
    assert new.key.startswith("tnr_wk_")
    assert len(new.key) > 40
    with engine.connect() as connection:
        stored = connection.execute(select(WriteKey.key_hash, WriteKey.prefix)).one()
    assert stored.key_hash == hashlib.sha256(new.key.encode()).hexdigest()
    assert new.key.startswith(stored.prefix)
    assert len(stored.prefix) < len(new.key) - 32


def test_keys_differ_and_authenticate(engine: Engine) -> None:
    first, second = create_write_key(engine), create_write_key(engine, name="b")
    assert first.key != second.key
    with engine.connect() as connection:
        assert active_write_key_id(connection, first.key) == first.id
        assert active_write_key_id(connection, second.key) == second.id
        assert active_write_key_id(connection, first.key + "x") is None
    assert [k.name for k in list_write_keys(engine)] == [first.name, "b"]


def test_a_revoked_key_no_longer_authenticates(engine: Engine) -> None:
    new = create_write_key(engine)
    revoked = revoke_write_key(engine, new.id)
    assert revoked.revoked_at is not None
    assert revoke_write_key(engine, new.id).revoked_at == revoked.revoked_at  # twice: a no-op
    with engine.connect() as connection:
        assert active_write_key_id(connection, new.key) is None
    assert list_write_keys(engine)[0].revoked_at == revoked.revoked_at


def test_revoking_an_unknown_key_says_so(engine: Engine) -> None:
    with pytest.raises(UnknownWriteKeyError, match="no write key has id 7"):
        revoke_write_key(engine, 7)
