"""An ingestion app on a real SQLite app database in a fresh workspace, and its write key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tenure.config import Settings
from tenure.pipeline import create_workspace_write_key
from tenure.web.ingest import ingest_app
from tenure.workspace import init_workspace


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return init_workspace(tmp_path / "ws")


@pytest.fixture
def write_key(settings: Settings) -> str:
    return create_workspace_write_key(settings, name="tests").key


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(ingest_app(settings)) as client:
        yield client
