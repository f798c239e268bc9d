"""User management outside a request (the CLI, the demo)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from tenure.config import Settings
from tenure.db import Role, session_factory
from tenure.pipeline import open_app_db
from tenure.web.users import create_user, set_password, user_by_email

DEMO_ADMIN = "admin@example.com"


@contextmanager
def users_session(settings: Settings) -> Iterator[Session]:
    """A session on the workspace's (migrated) app database, closed and disposed after."""
    engine = open_app_db(settings)
    try:
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def seed_demo_admin(settings: Settings) -> tuple[str, str]:
    """(email, password) of the demo's admin: created, or given a new password.

    The password is $TENURE_PASSWORD when set, else a new random one each run.
    """
    password = os.environ.get("TENURE_PASSWORD") or secrets.token_urlsafe(9)
    with users_session(settings) as db:
        user = user_by_email(db, DEMO_ADMIN)
        if user is None:
            create_user(db, email=DEMO_ADMIN, role=Role.ADMIN, password=password, name="Demo Admin")
        else:
            set_password(db, user, password)
    return DEMO_ADMIN, password
