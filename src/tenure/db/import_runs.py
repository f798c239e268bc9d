"""The import log: one ``import_runs`` row per file imported into the warehouse.

The importer reports what it did (rows inserted, updated, unchanged, rejected);
the web UI and ``tenure import --history`` read it back.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tenure.db.tables import ImportRun, ImportStatus


def record_import(
    target: Session | Engine,
    *,
    kind: str,
    source_file: str | Path,
    started_at: datetime,
    finished_at: datetime | None = None,
    status: ImportStatus | str = ImportStatus.SUCCEEDED,
    preset: str | None = None,
    inserted: int = 0,
    updated: int = 0,
    unchanged: int = 0,
    rejected: int = 0,
    warnings: int = 0,
    quarantine_file: str | Path | None = None,
) -> ImportRun:
    """Log one import and return its row (with its ``id``).

    Given a session, the row joins the caller's transaction (flushed, not
    committed), so the log and the caller's other writes commit together.
    Given an engine, the row is committed at once.
    """
    run = ImportRun(
        kind=kind,
        source_file=str(source_file),
        preset=preset,
        started_at=started_at,
        finished_at=finished_at,
        inserted=inserted,
        updated=updated,
        unchanged=unchanged,
        rejected=rejected,
        warnings=warnings,
        quarantine_file=None if quarantine_file is None else str(quarantine_file),
        status=ImportStatus(status).value,  # an unknown status fails here, not in the database
    )
    if isinstance(target, Session):
        target.add(run)
        target.flush()
        return run
    with Session(target, expire_on_commit=False) as session, session.begin():
        session.add(run)
    return run


def recent_imports(
    source: Session | Engine, limit: int = 20, *, kind: str | None = None
) -> list[ImportRun]:
    """The latest import runs, newest first, optionally of one ``kind`` only."""
    query = select(ImportRun).order_by(ImportRun.started_at.desc(), ImportRun.id.desc())
    if kind is not None:
        query = query.where(ImportRun.kind == kind)
    query = query.limit(limit)
    if isinstance(source, Session):
        return list(source.scalars(query))
    with Session(source) as session:
        return list(session.scalars(query))
