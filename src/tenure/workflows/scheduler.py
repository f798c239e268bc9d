"""The scheduler: compute, then the playbooks, then the deliveries; never two runs at once.

`run_once` is what `tenure run-once` (cron) does; `run_scheduled` repeats it
in-process (the web app starts it in a thread). A lock row in the app database
(``run_locks``) keeps runs from overlapping, across processes and machines
sharing the database; a lock older than `LOCK_TIMEOUT` is taken to be left by
a crashed run and is taken over.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tenure.config import Settings
from tenure.db import RunLock
from tenure.pipeline import open_app_db
from tenure.pipeline.analyses.store import RefreshReport, refresh_analyses
from tenure.pipeline.compute import NothingToCompute, compute
from tenure.workflows.alerts import DeliveryReport, deliver_pending, plan_digests
from tenure.workflows.rules import RulesReport, run_playbooks

LOCK_NAME = "run-once"
log = logging.getLogger(__name__)
LOCK_TIMEOUT = dt.timedelta(hours=2)


class AlreadyRunning(RuntimeError):
    """Another run holds the lock."""


@contextmanager
def run_lock(app_db: Engine, name: str = LOCK_NAME) -> Iterator[str]:
    """Hold the named lock row for the block; raises AlreadyRunning when it is taken."""
    holder = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    now = datetime.now(UTC)
    with Session(app_db) as session, session.begin():
        session.execute(delete(RunLock).where(RunLock.name == name, RunLock.expires_at < now))
    try:
        with Session(app_db) as session, session.begin():
            session.add(
                RunLock(name=name, holder=holder, acquired_at=now, expires_at=now + LOCK_TIMEOUT)
            )
    except IntegrityError:
        raise AlreadyRunning(f"another run holds the lock {name!r}") from None
    try:
        yield holder
    finally:
        with Session(app_db) as session, session.begin():
            session.execute(delete(RunLock).where(RunLock.name == name, RunLock.holder == holder))


@dataclass
class RunReport:
    computed: tuple[dt.date, dt.date] | None
    rules: RulesReport
    digests: int
    deliveries: DeliveryReport
    analyses: RefreshReport | None = None  # refreshed when compute added days


def run_once(settings: Settings, *, compute_first: bool = True) -> RunReport:
    """Compute (continuing from the last day), refresh the stored analyses when days were
    added, run the playbooks, send what is pending."""
    app_db = open_app_db(settings)
    try:
        with run_lock(app_db):
            span = None
            stored = None
            if compute_first:
                try:
                    result = compute(settings)
                    span = (result.first_day, result.last_day)
                except NothingToCompute:
                    span = None
                if span is not None:
                    stored = refresh_analyses(settings)
            rules = run_playbooks(settings)
            now = datetime.now(UTC)
            digests = 0
            if now.hour >= settings.alerts.digest_hour:
                with Session(app_db) as session, session.begin():
                    digests = plan_digests(
                        session, settings.alerts, day=now.date() - dt.timedelta(days=1)
                    )
            deliveries = deliver_pending(app_db, settings.alerts)
            return RunReport(span, rules, digests, deliveries, stored)
    finally:
        app_db.dispose()


def run_scheduled(
    settings: Settings, *, every: dt.timedelta | None = None, stop: threading.Event | None = None
) -> None:
    """Call `run_once` every `every` (default: run_every_minutes) until `stop` is set.

    A run that finds another one running skips its turn; a run that fails is
    logged and the next one is tried at its time (a server must outlive a bad
    import or an unreachable warehouse).
    """
    every = every or dt.timedelta(minutes=settings.run_every_minutes)
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            run_once(settings)
        except AlreadyRunning:
            pass
        except Exception:
            log.exception("scheduled run failed; trying again in %s", every)
        stop.wait(every.total_seconds())
