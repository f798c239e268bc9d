"""A small computed workspace shared by the web tests, with one user per role.

Built the way tests/pipeline does it: 60 generated accounts over 3 months,
daily results for the last 45 days. Tests that change users or sessions make
their own users (unique emails), so they can share it.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select

from tenure.config import Settings, load_settings
from tenure.db import AccountProfile, AnalysisResult, Task, create_engine_for, session_factory
from tenure.pipeline.analyses.store import RefreshReport, refresh_analyses
from tenure.pipeline.compute import compute
from tenure.pipeline.generate import generate_into_workspace
from tenure.web.admin import users_session
from tenure.web.app import create_app
from tenure.web.users import create_api_token, create_user
from tenure.workspace import init_workspace

END = date(2026, 10, 31)
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("web")
    settings = init_workspace(folder)
    generate_into_workspace(settings, accounts=60, months=3, seed=5, end_date=END)
    compute(settings, start=END - timedelta(days=44), end=END)
    return folder


@pytest.fixture(scope="session")
def settings(workspace: Path) -> Settings:
    return load_settings(workspace)


@pytest.fixture(scope="session")
def empty_workspace(
    workspace: Path, users: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A copy of the workspace (with its users) taken before any analysis is stored."""
    copy = tmp_path_factory.mktemp("unrefreshed") / "ws"
    shutil.copytree(workspace, copy)
    engine = create_engine_for(load_settings(copy).resolved_app_db_url)
    with engine.begin() as connection:
        connection.execute(delete(AnalysisResult))
    engine.dispose()
    return copy


@pytest.fixture(scope="session")
def analyses(settings: Settings, empty_workspace: Path) -> RefreshReport:
    """The stored analyses of the workspace (`refresh_analyses`), as the pages read them."""
    return refresh_analyses(settings)


@pytest.fixture(scope="session")
def owner(settings: Settings) -> str:
    """The CRM owner of the most accounts: the CSM user's book."""
    engine = create_engine_for(settings.resolved_app_db_url)
    with session_factory(engine)() as db:
        owners = db.scalars(select(AccountProfile.owner)).all()
    engine.dispose()
    return max(set(owners), key=owners.count)


@pytest.fixture(scope="session")
def users(settings: Settings, owner: str) -> dict[str, str]:
    """Role -> email of a user with `PASSWORD`; the CSM owns `owner`'s accounts."""
    emails = {role: f"{role}@example.com" for role in ("admin", "manager", "csm", "viewer")}
    with users_session(settings) as db:
        for role, email in emails.items():
            create_user(
                db,
                email=email,
                role=role,
                password=PASSWORD,
                name=role.title(),
                owner_name=owner if role == "csm" else None,
            )
    return emails


@pytest.fixture(scope="session")
def fired(settings: Settings, users: dict[str, str]) -> int:
    """Run the workspace's playbooks once, so tasks and notifications exist; the task count."""
    from tenure.workflows import run_playbooks

    run_playbooks(settings)
    with users_session(settings) as db:
        return int(db.scalar(select(func.count(Task.id))) or 0)


@pytest.fixture(scope="session")
def tokens(settings: Settings, users: dict[str, str]) -> dict[str, str]:
    from tenure.web.users import user_by_email

    with users_session(settings) as db:
        return {
            role: create_api_token(db, user_by_email(db, email), name="tests")  # type: ignore[arg-type]
            for role, email in users.items()
        }


@pytest.fixture
def client(settings: Settings, users: dict[str, str]) -> Iterator[TestClient]:
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    app.state.engine.dispose()


def login(client: TestClient, email: str, password: str = PASSWORD) -> object:
    """Log in through the form, as a browser does (CSRF cookie and field)."""
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )


def csrf_of(client: TestClient, path: str = "/") -> str:
    page = client.get(path)
    return page.text.split('name="csrf_token" value="')[1].split('"')[0]


@pytest.fixture(scope="session")
def server(settings: Settings, users: dict[str, str], analyses: RefreshReport) -> Iterator[str]:
    """A real uvicorn server on the shared workspace, in a thread; yields its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(settings)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="off"
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)
    app.state.engine.dispose()
