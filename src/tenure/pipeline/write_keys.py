"""Write keys of a workspace: the plain functions behind `tenure write-keys` and the web UI."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine

from tenure.config import Settings
from tenure.db import NewWriteKey, WriteKey, create_write_key, list_write_keys, revoke_write_key
from tenure.pipeline.imports import open_app_db

T = TypeVar("T")


def _with_app_db(settings: Settings, work: Callable[[Engine], T]) -> T:
    engine = open_app_db(settings)
    try:
        return work(engine)
    finally:
        engine.dispose()


def create_workspace_write_key(settings: Settings, *, name: str | None = None) -> NewWriteKey:
    """A new write key for the workspace; the returned `key` is the only copy."""
    return _with_app_db(settings, lambda engine: create_write_key(engine, name=name))


def workspace_write_keys(settings: Settings) -> list[WriteKey]:
    """Every write key of the workspace (hashes are never shown, only the prefix)."""
    return _with_app_db(settings, list_write_keys)


def revoke_workspace_write_key(settings: Settings, key_id: int) -> WriteKey:
    """Revoke the key `key_id`: its senders get 401 from now on."""
    return _with_app_db(settings, lambda engine: revoke_write_key(engine, key_id))
