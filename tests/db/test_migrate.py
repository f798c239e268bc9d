"""Migrations build the schema the models describe, on every backend."""

from __future__ import annotations

from sqlalchemy import inspect

from tenure.db import create_engine_for, current_revision, head_revision, schema_differences
from tenure.db import upgrade as upgrade_db
from tenure.db.migrate import downgrade


def _tables(url: str) -> set[str]:
    engine = create_engine_for(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_fresh_database_has_no_revision(db_url: str) -> None:
    assert current_revision(db_url) is None


def test_upgrade_fresh_database_to_head(db_url: str) -> None:
    upgrade_db(db_url)
    assert current_revision(db_url) == head_revision() == "0008"
    expected = {"alembic_version", "import_runs", "users", "tasks", "deliveries", "audit_log"}
    assert expected <= _tables(db_url)


def test_upgrade_twice_is_a_no_op(db_url: str) -> None:
    upgrade_db(db_url)
    upgrade_db(db_url)
    assert current_revision(db_url) == head_revision()


def test_models_match_migrations(db_url: str) -> None:
    upgrade_db(db_url)
    assert schema_differences(db_url) == []


def test_differences_are_reported(db_url: str) -> None:
    """The check above is not vacuous: a database without the tables differs."""
    upgrade_db(db_url)
    downgrade(db_url, "base")
    assert current_revision(db_url) is None
    assert "import_runs" not in _tables(db_url)
    differences = schema_differences(db_url)
    assert ("add_table", "import_runs") in {(kind, item.name) for kind, item in differences}


def test_downgrade_then_upgrade_again(db_url: str) -> None:
    upgrade_db(db_url)
    downgrade(db_url, "base")
    upgrade_db(db_url)
    assert schema_differences(db_url) == []
