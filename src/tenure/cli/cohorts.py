"""`tenure cohorts`: account, revenue and user retention cohorts, lifecycle, stickiness."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from tenure.cli.options import (
    JsonOption,
    WorkspaceOption,
    print_json,
    reports_user_errors,
    workspace_settings,
)

DateOption = {"formats": ["%Y-%m-%d"]}


def register(app: typer.Typer) -> None:
    app.command()(cohorts)


@reports_user_errors
def cohorts(
    kind: Annotated[
        str, typer.Option(help="accounts, revenue, users, lifecycle or stickiness.")
    ] = "accounts",
    by: Annotated[
        str | None,
        typer.Option(help="Split account cohorts by an attribute: a column or trait (segment)."),
    ] = None,
    interval: Annotated[str, typer.Option(help="day, week or month (users and after).")] = "week",
    periods: Annotated[int, typer.Option(min=0, help="Periods to follow (users).")] = 8,
    start: Annotated[
        datetime | None, typer.Option("--from", help="First start day.", **DateOption)
    ] = None,
    end: Annotated[
        datetime | None, typer.Option("--to", help="Last day (default: latest data).", **DateOption)
    ] = None,
    start_event: Annotated[str | None, typer.Option(help="Start event (default: any).")] = None,
    return_event: Annotated[str | None, typer.Option(help="Return event (default: any).")] = None,
    start_mode: Annotated[
        str, typer.Option(help="first_ever, first_matching or recurring.")
    ] = "first_ever",
    mode: Annotated[str, typer.Option(help="on (period N) or on_or_after.")] = "on",
    workspace: WorkspaceOption = Path("."),
    as_json: JsonOption = False,
) -> None:
    """Retention cohorts: accounts (logos), revenue (MRR), users, lifecycle, stickiness.

    Example: tenure cohorts --kind revenue --by segment -w acme
    """
    from tenure.pipeline.analyses.cohorts import cohort_analysis

    result = cohort_analysis(
        workspace_settings(workspace),
        kind=kind,  # type: ignore[arg-type]
        by=by,
        interval=interval,  # type: ignore[arg-type]
        periods=periods,
        start=start.date() if start else None,
        end=end.date() if end else None,
        start_event=start_event,
        return_event=return_event,
        start_mode=start_mode,  # type: ignore[arg-type]
        mode=mode,  # type: ignore[arg-type]
    )
    if as_json:
        print_json(result)
        return
    typer.echo(f"{result.kind} cohorts, {result.start} to {result.end}")
    columns = COLUMNS[result.kind]
    if by and result.kind in ("accounts", "revenue"):
        columns = ["group", *columns]
    typer.echo(render(result.rows, columns))
    if result.summary:
        typer.echo("\n" + render(result.summary, ["period", "dau", "mau", "dau_mau"]))


COLUMNS = {
    "accounts": ["cohort", "months_since_start", "cohort_accounts", "accounts", "logo_retention"],
    "revenue": ["cohort", "months_since_start", "cohort_mrr", "mrr", "revenue_retention"],
    "users": ["cohort", "period", "units", "retained", "retention"],
    "lifecycle": ["period", "new", "returning", "resurrecting", "dormant", "pulse"],
    "stickiness": ["period", "active_days", "contacts", "share", "share_at_least"],
}


def render(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """Rows as an aligned text table."""
    cells = [[_text(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines) if rows else "(no rows)"


def _text(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:,.0f}"
    return str(value)
