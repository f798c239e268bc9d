"""ORM tables of the app database: results and workflow state (not facts).

Every change to a table here needs an Alembic revision in ``migrations/versions``;
``tenure.db.migrate.schema_differences`` (run by the tests) says when one is
missing.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, MetaData, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from tenure.db.types import UtcDateTime

# Named constraints: Alembic can only alter or drop a constraint it can name,
# and SQLite's batch mode rebuilds tables by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every app table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime()}  # noqa: RUF012 - SQLAlchemy's own API


class ImportStatus(enum.StrEnum):
    """Where an import run is: a long import can be logged as running first."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


def _count() -> Mapped[int]:
    return mapped_column(default=0, server_default=text("0"))


class ImportRun(Base):
    """One import of a source file into a fact table, with what it did to the rows.

    ``kind`` is the fact table (``accounts``, ``events``, ...), ``preset`` the
    column-mapping preset used (``hubspot``, ...), ``quarantine_file`` where
    the rejected rows were written.
    """

    __tablename__ = "import_runs"
    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(f"'{status}'" for status in ImportStatus) + ")",
            name="status",
        ),
        CheckConstraint(
            "inserted >= 0 AND updated >= 0 AND unchanged >= 0 AND rejected >= 0 AND warnings >= 0",
            name="counts_not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    source_file: Mapped[str] = mapped_column(Text)
    preset: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]
    inserted: Mapped[int] = _count()
    updated: Mapped[int] = _count()
    unchanged: Mapped[int] = _count()
    rejected: Mapped[int] = _count()
    warnings: Mapped[int] = _count()
    quarantine_file: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))

    def __repr__(self) -> str:
        return f"ImportRun(id={self.id!r}, kind={self.kind!r}, status={self.status!r})"
