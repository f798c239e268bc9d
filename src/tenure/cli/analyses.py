"""`tenure analyses refresh`: run the stored analyses the web pages show."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tenure.cli.options import (
    JsonOption,
    WorkspaceOption,
    print_json,
    reports_user_errors,
    workspace_settings,
)

if TYPE_CHECKING:  # the analyses (lifelines, the engine) load only when the command runs
    from tenure.pipeline.analyses.store import RefreshReport

analyses = typer.Typer(help="Stored analyses: what the web's analysis pages show.")


def register(app: typer.Typer) -> None:
    app.add_typer(analyses, name="analyses")


@analyses.command()
@reports_user_errors
def refresh(
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", formats=["%Y-%m-%d"], help="Day (default: the latest with data)."),
    ] = None,
    workspace: WorkspaceOption = Path("."),
    as_json: JsonOption = False,
) -> None:
    """Run cohorts, churn, survival and segment analyses; store them for the web pages.

    An analysis that cannot run (not enough data, a definition missing) stores
    its error and the others still run.

    Example: tenure analyses refresh -w acme
    """
    from tenure.pipeline.analyses.store import refresh_analyses

    report = refresh_analyses(workspace_settings(workspace), as_of.date() if as_of else None)
    if as_json:
        return print_json(report)
    typer.echo(describe_refresh(report))


def describe_refresh(report: RefreshReport) -> str:
    lines = [
        f"analyses as of {report.as_of}: {len(report.analyses)} stored in {report.seconds:.1f} s"
    ]
    for a in report.analyses:
        outcome = f"error: {a.error}" if a.error else "ok"
        lines.append(f"  {a.name:<20} {a.seconds:6.2f} s  {outcome}")
    return "\n".join(lines)
