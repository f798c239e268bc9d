"""The run lock: two runs never overlap; a crashed run's lock is taken over."""

from __future__ import annotations

import datetime as dt
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from tenure.db import RunLock
from tenure.workflows import AlreadyRunning, run_lock


def test_a_second_run_is_refused_while_the_first_holds_the_lock(app_db: Engine) -> None:
    with run_lock(app_db):
        with pytest.raises(AlreadyRunning), run_lock(app_db):
            pass
        other_thread: list[BaseException] = []

        def second() -> None:
            try:
                with run_lock(app_db):
                    pass
            except AlreadyRunning as exc:
                other_thread.append(exc)

        thread = threading.Thread(target=second)
        thread.start()
        thread.join()
        assert len(other_thread) == 1
    with run_lock(app_db) as holder:  # released: free again
        assert holder


def test_a_stale_lock_is_taken_over(app_db: Engine) -> None:
    with run_lock(app_db):
        with Session(app_db) as session, session.begin():
            past = datetime.now(UTC) - dt.timedelta(minutes=1)
            session.execute(update(RunLock).values(expires_at=past))
        with run_lock(app_db) as holder:
            assert holder
