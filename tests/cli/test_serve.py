"""`tenure users`, `tenure serve` and `tenure demo --no-serve` as a user meets them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tenure.cli import app
from tenure.config import load_settings
from tenure.web.admin import users_session
from tenure.web.users import authenticate, token_user


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    assert CliRunner().invoke(app, ["init", str(folder)]).exit_code == 0
    return folder


def test_users_create_takes_the_password_from_the_environment(workspace: Path) -> None:
    runner = CliRunner()
    args = ["users", "create", "--email", "Ana@Acme.com", "--role", "csm", "--name", "Ana",
            "-w", str(workspace)]  # fmt: skip
    result = runner.invoke(app, args, env={"TENURE_PASSWORD": "long enough"})
    assert result.exit_code == 0, result.output
    assert "created csm ana@acme.com" in result.output
    with users_session(load_settings(workspace)) as db:
        user = authenticate(db, email="ana@acme.com", password="long enough", ip="test")
        assert user is not None
        assert (user.role, user.owner_name) == ("csm", "Ana")
    again = runner.invoke(app, args, env={"TENURE_PASSWORD": "long enough"})
    assert again.exit_code == 2
    assert "already exists" in again.output


def test_users_create_prompts_twice_without_the_variable(workspace: Path) -> None:
    args = ["users", "create", "--email", "v@acme.com", "--role", "viewer", "-w", str(workspace)]
    result = CliRunner().invoke(app, args, input="pass-word-1\npass-word-1\n", env={})
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("role", "password", "message"),
    [("owner", "long enough", "unknown role 'owner'"), ("admin", "short", "at least 8")],
)
def test_bad_users_exit_2_with_the_reason(
    workspace: Path, role: str, password: str, message: str
) -> None:
    args = ["users", "create", "--email", "x@acme.com", "--role", role, "-w", str(workspace)]
    result = CliRunner().invoke(app, args, env={"TENURE_PASSWORD": password})
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_users_token_prints_a_working_token(workspace: Path) -> None:
    runner = CliRunner()
    create = ["users", "create", "--email", "m@acme.com", "--role", "manager", "-w", str(workspace)]
    assert runner.invoke(app, create, env={"TENURE_PASSWORD": "long enough"}).exit_code == 0
    result = runner.invoke(app, ["users", "token", "--email", "m@acme.com", "-w", str(workspace)])
    assert result.exit_code == 0, result.output
    with users_session(load_settings(workspace)) as db:
        user = token_user(db, result.output.strip())
        assert user is not None
        assert user.email == "m@acme.com"
    unknown = runner.invoke(app, ["users", "token", "--email", "no@acme.com", "-w", str(workspace)])
    assert unknown.exit_code == 2


def test_serve_explains_a_missing_workspace(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "-w", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "no such workspace folder" in result.output


def test_demo_without_serving_prints_the_url_and_a_login_that_works(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    args = ["demo", "--accounts", "15", "--months", "2", "--history-days", "7", "--no-serve",
            "-w", str(folder)]  # fmt: skip
    result = CliRunner().invoke(app, args, env={"TENURE_PASSWORD": ""})
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8000" in result.output
    found = re.search(r"log in as (\S+) with password (\S+)", result.output)
    assert found is not None
    assert "computing daily stages, milestones and health from" in result.output
    stored = re.search(r"analyses: (\d+) of (\d+) stored", result.output)
    assert stored is not None
    assert int(stored.group(2)) == 13  # every analysis stored, some may report too little data
    with users_session(load_settings(folder)) as db:
        user = authenticate(db, email=found.group(1), password=found.group(2), ip="test")
        assert user is not None
        assert user.role == "admin"
