from __future__ import annotations

from pathlib import Path

import pytest

from tenure.config import load_settings
from tenure.workspace import WorkspaceExistsError, init_workspace, template_text


def test_init_writes_the_template_and_the_data_folders(tmp_path: Path) -> None:
    settings = init_workspace(tmp_path / "acme")
    assert (tmp_path / "acme" / "tenure.yaml").read_text() == template_text()
    assert settings.quarantine_dir.is_dir()
    assert settings.generated_dir.is_dir()


def test_the_template_is_valid_and_has_the_seed_milestones(tmp_path: Path) -> None:
    init_workspace(tmp_path)
    definitions = load_settings(tmp_path).definitions
    names = {m.name for m in definitions.milestones}
    assert {"First purchase", "Setup complete", "100 messages sent", "Renewal"} <= names
    assert [stage.name for stage in definitions.lifecycle] == [
        "acquisition",
        "onboarding",
        "adoption",
        "retention",
        "expansion",
    ]


def test_init_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    init_workspace(tmp_path)
    (tmp_path / "tenure.yaml").write_text("name: Mine\n")
    with pytest.raises(WorkspaceExistsError, match="--force"):
        init_workspace(tmp_path)
    assert load_settings(tmp_path).name == "Mine"
    init_workspace(tmp_path, force=True)
    assert load_settings(tmp_path).name == "My SaaS company"
