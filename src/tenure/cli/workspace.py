"""`tenure init`, `tenure db upgrade`, `tenure summary`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tenure.cli.options import (
    JsonOption,
    WorkspaceOption,
    print_json,
    reports_user_errors,
    workspace_settings,
)
from tenure.pipeline import open_app_db, open_warehouse, upgrade_app_db
from tenure.warehouse.connect import ensure_fact_tables
from tenure.warehouse.summary import WarehouseSummary, warehouse_summary
from tenure.workspace import init_workspace

db_app = typer.Typer(help="The app database.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(summary)
    app.add_typer(db_app, name="db")


@reports_user_errors
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the new workspace.")],
    force: Annotated[bool, typer.Option(help="Overwrite an existing tenure.yaml.")] = False,
) -> None:
    """Create a workspace from the built-in B2B SaaS template.

    Example: tenure init acme && tenure import accounts hubspot.csv --preset hubspot -w acme
    """
    settings = init_workspace(directory, force=force)
    ensure_fact_tables(open_warehouse(settings))
    open_app_db(settings).dispose()
    typer.echo(f"created workspace {directory}: edit {directory / 'tenure.yaml'} to taste")


@db_app.command("upgrade")
@reports_user_errors
def db_upgrade(workspace: WorkspaceOption = Path(".")) -> None:
    """Migrate the app database to the latest schema."""
    revision = upgrade_app_db(workspace_settings(workspace))
    typer.echo(f"app database at revision {revision}")


@reports_user_errors
def summary(workspace: WorkspaceOption = Path("."), as_json: JsonOption = False) -> None:
    """Show what the warehouse holds: rows and dates per table, MRR, top events."""
    result = warehouse_summary(open_warehouse(workspace_settings(workspace)))
    if as_json:
        print_json(result)
    else:
        typer.echo(describe_summary(result))


def describe_summary(result: WarehouseSummary) -> str:
    lines = [f"{'table':<18}{'rows':>12}  {'from':<12}{'to':<12}"]
    for t in result.tables:
        first = t.first.date().isoformat() if t.first else "-"
        last = t.last.date().isoformat() if t.last else "-"
        lines.append(f"{t.name:<18}{t.rows:>12,}  {first:<12}{last:<12}")
    lines.append(f"churned accounts: {result.accounts_churned:,}")
    lines.append(f"MRR in force (at the latest subscription start): {result.current_mrr:,.0f}")
    if result.top_events:
        top = ", ".join(f"{name} ({n:,})" for name, n in result.top_events)
        lines.append(f"top events: {top}")
    return "\n".join(lines)
