"""Options and error handling shared by every command."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer

from tenure.config import ConfigError, Settings, load_settings
from tenure.pipeline import AppDatabaseError, UnknownWriteKeyError
from tenure.pipeline.analyses.common import AnalysisError
from tenure.pipeline.compute import NothingToCompute
from tenure.pipeline.plain import json_default
from tenure.sources.files import ImportFileError
from tenure.stats.errors import StatsInputError
from tenure.warehouse.connect import WarehouseError
from tenure.workflows import AlreadyRunning, WorkflowError
from tenure.workspace import WorkspaceExistsError

WorkspaceOption = Annotated[
    Path,
    typer.Option(
        "--workspace",
        "-w",
        envvar="TENURE_WORKSPACE",
        help="Workspace folder (default: $TENURE_WORKSPACE, else the current folder).",
        file_okay=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]

# Mistakes a user can make: reported in one clear line, never as a traceback.
USER_ERRORS = (
    AnalysisError,
    AppDatabaseError,
    ConfigError,
    ImportFileError,
    NothingToCompute,
    UnknownWriteKeyError,
    StatsInputError,
    WarehouseError,
    WorkflowError,
    WorkspaceExistsError,
    AlreadyRunning,
)

P = ParamSpec("P")
R = TypeVar("R")


def reports_user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a user mistake into `error: ...` on stderr and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except USER_ERRORS as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None

    return wrapper


def workspace_settings(workspace: Path) -> Settings:
    if not workspace.is_dir():
        raise ConfigError(f"{workspace}: no such workspace folder (create one with: tenure init)")
    return load_settings(workspace)


def print_json(value: object) -> None:
    """Print dataclasses, paths and datetimes as JSON."""
    typer.echo(json.dumps(value, default=json_default, indent=2))
