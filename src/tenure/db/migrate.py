"""Create and upgrade the app database schema with Alembic, configured in code.

The migration scripts ship inside the package (``tenure/db/migrations``), so an
installed Tenure upgrades its database without an ``alembic.ini``::

    upgrade("sqlite:///workspace/app.db")

New revision, once the tables in ``tenure.db.tables`` changed (review the
generated file, autogenerate misses renames and some constraints)::

    new_revision("sqlite:///scratch.db", "add tasks", rev_id="0002")
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from tenure.db.engine import create_engine_for
from tenure.db.tables import Base

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    """An Alembic configuration for the database at ``url``, without any ini file."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    # The value goes through configparser interpolation: a "%" (URL-encoded password) must double.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision``; a no-op when already there."""
    with _connection(url) as connection:
        command.upgrade(_bound_config(url, connection), revision)


def downgrade(url: str, revision: str) -> None:
    """Migrate the database at ``url`` down to ``revision`` (``"base"``: drop everything)."""
    with _connection(url) as connection:
        command.downgrade(_bound_config(url, connection), revision)


def current_revision(url: str) -> str | None:
    """The revision the database is at; None for a database never migrated."""
    with _connection(url) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with this version of Tenure."""
    return ScriptDirectory.from_config(alembic_config("")).get_current_head()


def schema_differences(url: str) -> list[Any]:
    """What differs between the tables in ``tenure.db.tables`` and the database at ``url``.

    Empty when the migrations create exactly what the models describe; run on
    a database upgraded to head, anything listed needs a new revision.
    """
    with _connection(url) as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def new_revision(url: str, message: str, *, rev_id: str) -> None:
    """Autogenerate a revision file from the difference between the models and ``url``."""
    with _connection(url) as connection:
        command.revision(
            _bound_config(url, connection), message=message, autogenerate=True, rev_id=rev_id
        )


def _bound_config(url: str, connection: Connection) -> Config:
    config = alembic_config(url)
    config.attributes["connection"] = connection
    return config


@contextmanager
def _connection(url: str) -> Iterator[Connection]:
    """One transaction on a short-lived engine, disposed of so no connection leaks."""
    engine = create_engine_for(url)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()
