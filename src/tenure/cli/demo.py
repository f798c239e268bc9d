"""`tenure demo`: a workspace full of realistic data, in one command."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from tenure.cli.options import WorkspaceOption, reports_user_errors
from tenure.cli.serve import run_server
from tenure.cli.workspace import describe_summary
from tenure.config import CONFIG_FILE, load_settings
from tenure.pipeline import open_warehouse
from tenure.pipeline.analyses.store import refresh_analyses
from tenure.pipeline.compute import compute
from tenure.pipeline.generate import generate_into_workspace
from tenure.pipeline.report import describe_compute
from tenure.warehouse.summary import warehouse_summary
from tenure.web.admin import seed_demo_admin
from tenure.workflows import run_playbooks
from tenure.workspace import init_workspace

HISTORY_DAYS = 365  # the whole generated year: about 38 s for the whole demo on 2 cores


def register(app: typer.Typer) -> None:
    app.command()(demo)


@reports_user_errors
def demo(
    accounts: Annotated[int, typer.Option(min=1, help="Number of demo accounts.")] = 1000,
    months: Annotated[int, typer.Option(min=1, help="Months of history.")] = 12,
    workspace: WorkspaceOption = Path("demo-workspace"),
    history_days: Annotated[
        int, typer.Option(min=1, help="Days of daily history to compute (ending on the last day).")
    ] = HISTORY_DAYS,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the web app when done.")
    ] = True,
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve on.")] = 8000,
) -> None:
    """Create a demo workspace with synthetic customers, compute a year of history, serve it.

    Running it again reuses the workspace: the same seed gives the same data, so
    the second import changes nothing.
    """
    fresh = not (workspace / CONFIG_FILE).exists()
    settings = init_workspace(workspace) if fresh else load_settings(workspace)
    typer.echo(f"{'created' if fresh else 'using'} workspace {workspace}")
    typer.echo(f"generating {accounts:,} accounts x {months} months of history ...")
    result = generate_into_workspace(settings, accounts=accounts, months=months, seed=0)
    loaded = sum(r.inserted + r.updated + r.unchanged for r in result.imports)
    rejected = sum(r.rejected for r in result.imports)
    typer.echo(f"generated and imported {loaded:,} rows ({rejected} rejected)\n")
    typer.echo(describe_summary(warehouse_summary(open_warehouse(settings))))
    end = result.generation.end_date
    start = max(result.generation.start_date, end - dt.timedelta(days=history_days - 1))
    typer.echo(f"\ncomputing daily stages, milestones and health from {start} to {end} ...")
    typer.echo(describe_compute(compute(settings, start=start, end=end)))
    rules = run_playbooks(settings)
    typer.echo(f"playbooks: {rules.tasks:,} tasks and {rules.notifications:,} notifications")
    stored = refresh_analyses(settings)
    typer.echo(
        f"analyses: {len(stored.analyses) - len(stored.failed)} of {len(stored.analyses)}"
        f" stored in {stored.seconds:.1f} s"
    )
    email, password = seed_demo_admin(settings)
    typer.echo(f"\nnext: tenure import accounts YOUR_FILE.csv --workspace {workspace}")
    typer.echo(f"\nTenure is ready at http://{host}:{port}")
    typer.echo(f"log in as {email} with password {password}")
    if serve:
        typer.echo(f"(Ctrl+C stops the server; tenure serve -w {workspace} starts it again)")
        run_server(settings, host=host, port=port, schedule=False)
