"""`tenure import` and `tenure generate`: getting data in."""

from __future__ import annotations

import dataclasses
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
from tenure.pipeline import import_into_workspace
from tenure.sources.files import ImportReport
from tenure.warehouse.schemas import IMPORT_KINDS

SHOWN_REJECTIONS = 50


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
    app.command()(generate)


@reports_user_errors
def import_command(
    kind: Annotated[str, typer.Argument(help=f"One of: {', '.join(IMPORT_KINDS)}.")],
    file: Annotated[Path, typer.Argument(help="A CSV, Parquet or JSON Lines file.")],
    preset: Annotated[
        str | None,
        typer.Option(help="Column names of an export: hubspot, salesforce, zendesk, delighted."),
    ] = None,
    encoding: Annotated[str, typer.Option(help="Text encoding of a CSV or JSON file.")] = "utf-8",
    workspace: WorkspaceOption = Path("."),
    as_json: JsonOption = False,
) -> None:
    """Import a file into the warehouse; re-importing the same file changes nothing.

    Rejected rows are listed with their line, column and reason and written to a
    quarantine file in data/quarantine/; the valid rows still load. Exits with 1
    when rows were rejected.

    Example: tenure import tickets zendesk-tickets.csv --preset zendesk -w acme
    """
    settings = workspace_settings(workspace)
    report = import_into_workspace(settings, kind, file, preset=preset, encoding=encoding)
    if as_json:
        print_json({**dataclasses.asdict(report), "rejected": report.rejected})
    else:
        typer.echo(describe_import(report))
    if report.rejections:
        raise typer.Exit(1)


def describe_import(report: ImportReport) -> str:
    lines = [f"{report.summary()} ({report.rows_read:,} rows read, {report.seconds:.1f} s)"]
    if report.extra_columns:
        lines.append(f"extra columns kept as JSON: {', '.join(report.extra_columns)}")
    unknown = report.unknown_accounts
    if unknown:
        ids = ", ".join(unknown.accounts)
        at = ", ".join(str(n) for n in unknown.first_lines[:5])
        lines.append(
            f"warning: {unknown.rows:,} rows name accounts not in the warehouse (kept): "
            f"{ids}{' ...' if len(unknown.accounts) < unknown.rows else ''}; "
            f"first on {report.unit}s {at}"
        )
    for rejection in report.rejections[:SHOWN_REJECTIONS]:
        lines.append(f"rejected {rejection.describe(report.unit)}")
    if len(report.rejections) > SHOWN_REJECTIONS:
        lines.append(f"... and {len(report.rejections) - SHOWN_REJECTIONS:,} more problems")
    if report.quarantine_file:
        lines.append(f"rejected rows saved to {report.quarantine_file}")
    return "\n".join(lines)


@reports_user_errors
def generate(
    accounts: Annotated[int, typer.Option(min=1, help="Number of accounts.")] = 1000,
    months: Annotated[int, typer.Option(min=1, max=120, help="Months of history.")] = 12,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same data.")] = 0,
    end_date: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last day of the history.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Only write the Parquet files to this folder.")
    ] = None,
    workspace: WorkspaceOption = Path("."),
    as_json: JsonOption = False,
) -> None:
    """Generate a realistic B2B SaaS history with known truth, and import it.

    Example: tenure generate --accounts 10000 --months 12 --seed 1 -w bench
    """
    from tenure.pipeline.generate import generate_into_workspace
    from tenure.sources.synthetic import generate as generate_files

    day = end_date.date() if end_date else None
    if out is not None:
        summary = generate_files(out, accounts=accounts, months=months, seed=seed, end_date=day)
        print_json(summary) if as_json else typer.echo(f"wrote {out}: {summary}")
        return
    settings = workspace_settings(workspace)
    result = generate_into_workspace(
        settings, accounts=accounts, months=months, seed=seed, end_date=day
    )
    if as_json:
        print_json(result)
        return
    typer.echo(f"generated {result.generation}")
    for report in result.imports:
        typer.echo(describe_import(report))
