"""The docs keep up with the code: an undocumented command, column or setting fails."""

from __future__ import annotations

from pathlib import Path

import typer
import typer.main

from tenure.cli import app
from tenure.config import Settings
from tenure.sources.files.presets import PRESETS
from tenure.warehouse.schemas import FACT_TABLES

DOCS = Path(__file__).parent.parent / "docs"


def command_paths(group: typer.Typer) -> list[str]:
    root = typer.main.get_command(group)
    paths = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        paths += [f"{name} {sub}" for sub in subcommands] if subcommands else [name]
    return paths


def test_every_command_is_in_the_cli_reference() -> None:
    text = (DOCS / "cli.md").read_text()
    missing = [p for p in command_paths(app) if f"## `tenure {p}" not in text]
    assert not missing


def test_every_column_is_in_the_data_model() -> None:
    text = (DOCS / "data-model.md").read_text()
    for table in FACT_TABLES.values():
        section = text.split(f"## {table.name}\n", 1)[1].split("\n## ", 1)[0]
        assert all(f"| `{c.name}` | {c.dtype} |" in section for c in table.columns), table.name


def test_every_setting_is_in_the_configuration_page() -> None:
    text = (DOCS / "configuration.md").read_text()
    settings = [name for name in Settings.model_fields if name != "workspace"]
    assert all(f"| `{name}` |" in text for name in settings)


def test_every_preset_is_in_the_import_guide() -> None:
    text = (DOCS / "importing.md").read_text()
    for preset in PRESETS.values():
        for kind in preset.aliases:
            assert f"| {preset.name} | {kind} |" in text
