"""`tenure compute`: bring lifecycle, milestones, health and KPIs up to date."""

from __future__ import annotations

from datetime import datetime
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


def register(app: typer.Typer) -> None:
    app.command()(compute)


@reports_user_errors
def compute(
    as_of: Annotated[
        datetime | None, typer.Option("--as-of", formats=["%Y-%m-%d"], help="One day.")
    ] = None,
    start: Annotated[
        datetime | None,
        typer.Option("--from", formats=["%Y-%m-%d"], help="First day of a range to fill."),
    ] = None,
    end: Annotated[
        datetime | None,
        typer.Option("--to", formats=["%Y-%m-%d"], help="Last day of a range to fill."),
    ] = None,
    full: Annotated[bool, typer.Option(help="Rebuild the daily rollups from all events.")] = False,
    workspace: WorkspaceOption = Path("."),
    as_json: JsonOption = False,
) -> None:
    """Compute every account's stage, milestones, health and the portfolio KPIs.

    Without dates it continues from the last computed day to the latest day with
    data. --from/--to fill daily snapshots for a whole range in one pass.

    Example: tenure compute --from 2025-11-01 --to 2026-10-31 -w acme
    """
    from tenure.pipeline.compute import compute as run
    from tenure.pipeline.report import compute_report, describe_compute

    if as_of is not None and (start is not None or end is not None):
        raise typer.BadParameter("give either --as-of or --from/--to, not both")
    result = run(
        workspace_settings(workspace),
        as_of=as_of.date() if as_of else None,
        start=start.date() if start else None,
        end=end.date() if end else None,
        full=full,
    )
    if as_json:
        print_json(compute_report(result))
    else:
        typer.echo(describe_compute(result))
