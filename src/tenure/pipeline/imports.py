"""Import files into a workspace's warehouse and log each run in the app database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ibis.backends import BaseBackend
from sqlalchemy import Engine

from tenure.config import Settings
from tenure.db import (
    ImportStatus,
    create_engine_for,
    current_revision,
    record_import,
    upgrade,
)
from tenure.sources.files import ImportReport, import_file
from tenure.warehouse.connect import connect


def open_warehouse(settings: Settings) -> BaseBackend:
    return connect(settings.resolved_warehouse_url)


def open_app_db(settings: Settings) -> Engine:
    """The app database, migrated to the latest schema (migrations run on start)."""
    upgrade_app_db(settings)
    return create_engine_for(settings.resolved_app_db_url)


def upgrade_app_db(settings: Settings) -> str | None:
    """Migrate the app database to the latest schema; returns its revision."""
    url = settings.resolved_app_db_url
    upgrade(url)
    return current_revision(url)


def import_into_workspace(
    settings: Settings,
    kind: str,
    path: Path,
    *,
    preset: str | None = None,
    encoding: str = "utf-8",
    warehouse: BaseBackend | None = None,
    app_db: Engine | None = None,
) -> ImportReport:
    """Import one file; rejected rows go to the workspace's quarantine folder."""
    started = datetime.now(UTC)
    warehouse = warehouse or open_warehouse(settings)
    report = import_file(
        path,
        kind,
        warehouse,
        preset=preset,
        encoding=encoding,
        quarantine_dir=settings.quarantine_dir,
    )
    engine = app_db or open_app_db(settings)
    try:
        record_import(
            engine,
            kind=kind,
            source_file=path.resolve(),
            preset=preset,
            started_at=started,
            finished_at=datetime.now(UTC),
            status=ImportStatus.SUCCEEDED,
            inserted=report.inserted,
            updated=report.updated,
            unchanged=report.unchanged,
            rejected=report.rejected,
            warnings=report.unknown_accounts.rows if report.unknown_accounts else 0,
            quarantine_file=report.quarantine_file,
        )
    finally:
        if app_db is None:
            engine.dispose()
    return report
