"""A workspace is a folder: `tenure.yaml`, the warehouse, the app database and data.

DIR/
  tenure.yaml          definitions and settings
  warehouse.duckdb     the fact tables (default warehouse)
  app.db               results and workflow state (default app database)
  data/                files to import
  data/quarantine/     rejected input rows, one CSV per import
  data/generated/      synthetic data from `tenure generate`
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from tenure.config import CONFIG_FILE, Settings, load_settings

TEMPLATES = ("b2b_saas",)


class WorkspaceExistsError(FileExistsError):
    pass


def template_text(name: str = "b2b_saas") -> str:
    """The text of a built-in `tenure.yaml` template."""
    if name not in TEMPLATES:
        raise ValueError(f"unknown template {name!r}; choose one of {', '.join(TEMPLATES)}")
    return resources.files("tenure.templates").joinpath(f"{name}.yaml").read_text("utf-8")


def init_workspace(directory: Path, *, template: str = "b2b_saas", force: bool = False) -> Settings:
    """Create a workspace in `directory` from a built-in template and return its settings.

    Refuses to overwrite an existing `tenure.yaml` unless `force` is set.
    """
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / CONFIG_FILE
    if config.exists() and not force:
        raise WorkspaceExistsError(f"{config} already exists (use --force to overwrite it)")
    config.write_text(template_text(template), encoding="utf-8")
    settings = load_settings(directory)
    for folder in (settings.data_dir, settings.quarantine_dir, settings.generated_dir):
        folder.mkdir(parents=True, exist_ok=True)
    return settings
