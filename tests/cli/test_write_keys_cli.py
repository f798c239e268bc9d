"""`tenure write-keys create|list|revoke`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tenure.cli import app
from tenure.workspace import init_workspace


def test_create_list_revoke(tmp_path: Path) -> None:
    workspace = str(tmp_path)
    init_workspace(tmp_path)
    runner = CliRunner()
    created = runner.invoke(app, ["write-keys", "create", "-w", workspace, "--name", "site"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip()
    assert key.startswith("tnr_wk_")
    listed = runner.invoke(app, ["write-keys", "list", "-w", workspace, "--json"])
    [row] = json.loads(listed.stdout)
    assert (row["id"], row["name"], row["revoked_at"]) == (1, "site", None)
    assert key.startswith(row["prefix"])
    assert key not in listed.stdout  # never shown again
    revoked = runner.invoke(app, ["write-keys", "revoke", "1", "-w", workspace])
    assert revoked.exit_code == 0
    assert "revoked write key 1" in revoked.stdout
    listed = runner.invoke(app, ["write-keys", "list", "-w", workspace])
    assert "revoked" in listed.stdout


def test_revoking_an_unknown_key_is_a_user_error(tmp_path: Path) -> None:
    init_workspace(tmp_path)
    result = CliRunner().invoke(app, ["write-keys", "revoke", "9", "-w", str(tmp_path)])
    assert result.exit_code == 2
    assert "no write key has id 9" in result.stderr
