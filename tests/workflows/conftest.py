"""App database fixtures for the workflow tests (a SQLite file, migrated to head)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tenure.db import create_engine_for, sqlite_url, upgrade


@pytest.fixture
def app_db(tmp_path: Path) -> Iterator[Engine]:
    url = sqlite_url(tmp_path / "app.db")
    upgrade(url)
    engine = create_engine_for(url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def session(app_db: Engine) -> Iterator[Session]:
    with Session(app_db) as session, session.begin():
        yield session
