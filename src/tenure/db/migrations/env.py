"""Alembic environment of the app database; run by ``tenure.db.migrate``, not imported.

The configuration is built in code (``tenure.db.migrate.alembic_config``), so
no ``alembic.ini`` is needed. A caller can hand over an open connection in
``config.attributes["connection"]`` to run inside its own transaction;
otherwise an engine is made from ``sqlalchemy.url`` the same way the app makes
one. SQLite cannot ALTER most things, so its migrations run in batch mode
(copy the table, alter the copy, swap).
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from tenure.db import (  # noqa: F401  (registers their tables)
    alert_tables,
    analyses,
    ingestion,
    plan_tables,
    profiles,
    results,
    subjective,
    users,
    workflow_tables,
)
from tenure.db.engine import create_engine_for
from tenure.db.tables import Base
from tenure.db.types import UtcDateTime

config = context.config


def run_offline() -> None:
    """Write the SQL to stdout instead of running it (``alembic upgrade --sql``)."""
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=Base.metadata,
        literal_binds=True,
        render_as_batch=bool(url and url.startswith("sqlite")),
    )
    with context.begin_transaction():
        context.run_migrations()


def render_item(kind: str, item: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write app column types as their plain SQLAlchemy type in new revisions.

    A revision must keep working when the app's code changes later, so it
    never imports ``tenure``: ``UtcDateTime`` is stored as a timezone-aware
    ``DateTime``, and Python-side conversion is none of the schema's business.
    """
    if kind == "type" and isinstance(item, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
        render_item=render_item,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    engine = create_engine_for(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.begin() as connection:
            run_on(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
