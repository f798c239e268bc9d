from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ibis.backends import BaseBackend

from tenure.warehouse.connect import connect


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[BaseBackend]:
    con = connect(f"duckdb:///{tmp_path / 'warehouse.duckdb'}")
    yield con
    con.disconnect()


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a file under tmp_path from text (or bytes) and return its path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write
