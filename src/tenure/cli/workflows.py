"""`tenure run-once`, `tasks`, `pulse`, `playbooks`: the workflows from the command line."""

from __future__ import annotations

import dataclasses
import json
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

tasks_app = typer.Typer(help="CSM tasks created by playbooks or people.", no_args_is_help=True)
pulse_app = typer.Typer(
    help="The CSM pulse: how the CSM feels about an account.", no_args_is_help=True
)
playbooks_app = typer.Typer(help="Playbooks defined in tenure.yaml.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("run-once")(run_once)
    app.add_typer(tasks_app, name="tasks")
    app.add_typer(pulse_app, name="pulse")
    app.add_typer(playbooks_app, name="playbooks")


@reports_user_errors
def run_once(
    workspace: WorkspaceOption = Path("."),
    no_compute: Annotated[
        bool, typer.Option("--no-compute", help="Skip the compute step.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Compute, run the playbooks, send pending alerts; for cron (never two at once).

    Example: */30 * * * * tenure run-once -w /srv/acme
    """
    from tenure.workflows.scheduler import run_once as run

    report = run(workspace_settings(workspace), compute_first=not no_compute)
    if as_json:
        print_json(report)
        return
    span = f"{report.computed[0]} to {report.computed[1]}" if report.computed else "nothing new"
    rules = report.rules
    typer.echo(f"computed: {span}")
    if report.analyses is not None:
        typer.echo(
            f"analyses: {len(report.analyses.analyses)} stored as of {report.analyses.as_of}"
        )
    fired = sum(rules.fired.values())
    made = f"{rules.tasks} tasks, {rules.notifications} notifications"
    typer.echo(f"playbooks on {rules.as_of}: {fired} fired, {made}")
    d = report.deliveries
    tries = f"{d.attempts} attempts; {report.digests} digests"
    typer.echo(f"deliveries: {d.sent} sent, {d.failed} failed ({tries})")
    for note in rules.skipped:
        typer.echo(f"skipped: {note}")


@tasks_app.command("list")
@reports_user_errors
def tasks_list(
    owner: Annotated[str | None, typer.Option(help="Only this owner's tasks.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Closed tasks too.")] = False,
    workspace: WorkspaceOption = Path("."),
    as_json: JsonOption = False,
) -> None:
    """List open tasks by due day (--all: closed ones too).

    Example: tenure tasks list --owner ana@acme.com --json
    """
    from sqlalchemy.orm import Session

    from tenure.pipeline import open_app_db
    from tenure.workflows.tasks import list_tasks

    engine = open_app_db(workspace_settings(workspace))
    try:
        with Session(engine) as session:
            tasks = list_tasks(session, owner=owner, status=None if all_ else "open")
    finally:
        engine.dispose()
    columns = [
        "id",
        "account_id",
        "type",
        "reason",
        "title",
        "owner",
        "status",
        "due_on",
        "snoozed_until",
        "playbook",
        "outcome",
    ]
    rows = [{c: getattr(t, c) for c in columns} for t in tasks]
    if as_json:
        print_json(rows)
        return
    for r in rows:
        who = r["owner"] or "no owner"
        typer.echo(f"#{r['id']} {r['due_on']} [{r['type']}] {r['title']} ({who}; {r['reason']})")
    typer.echo(f"{len(rows)} tasks")


@pulse_app.command("record")
@reports_user_errors
def pulse_record(
    account: Annotated[str, typer.Argument(help="The account_id.")],
    sentiment: Annotated[
        str,
        typer.Option(
            help="extremely satisfied, very satisfied, satisfied, at risk, high risk "
            "or severe risk."
        ),
    ],
    reason: Annotated[list[str], typer.Option(help="A reason code (repeat for more).")],
    note: Annotated[str | None, typer.Option(help="Free-text note.")] = None,
    author: Annotated[str | None, typer.Option(help="Who records it (email or name).")] = None,
    workspace: WorkspaceOption = Path("."),
    as_json: JsonOption = False,
) -> None:
    """Record a CSM pulse; health scores use it until the measure expires.

    Example: tenure pulse record A-0042 --sentiment "at risk" --reason champion_left
    """
    from sqlalchemy.orm import Session

    from tenure.pipeline import open_app_db
    from tenure.workflows.pulse import record_pulse

    settings = workspace_settings(workspace)
    engine = open_app_db(settings)
    try:
        with Session(engine) as session, session.begin():
            pulse = record_pulse(
                session,
                settings.definitions,
                account,
                sentiment=sentiment,
                reasons=reason,
                note=note,
                author=author,
            )
            row = {
                c: getattr(pulse, c)
                for c in ("id", "account_id", "sentiment", "points", "expires_on")
            }
    finally:
        engine.dispose()
    if as_json:
        print_json(row)
    else:
        expires = row["expires_on"] or "never"
        typer.echo(
            f"pulse {row['sentiment']} ({row['points']:g} points) for {account}, expires {expires}"
        )


@playbooks_app.command("list")
@reports_user_errors
def playbooks_list(workspace: WorkspaceOption = Path("."), as_json: JsonOption = False) -> None:
    """List the playbooks of tenure.yaml: trigger, conditions and actions."""
    settings = workspace_settings(workspace)
    rows = [
        p.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        for p in settings.definitions.playbooks
    ]
    if as_json:
        print_json(rows)
        return
    for p in settings.definitions.playbooks:
        actions = ", ".join(next(iter(a.model_dump())) for a in p.actions)
        state = "" if p.enabled else " (disabled)"
        trigger = json.dumps(p.trigger.model_dump(mode="json", by_alias=True), ensure_ascii=False)
        typer.echo(f"{p.name}{state}: when {trigger} -> {actions}")


@playbooks_app.command("run")
@reports_user_errors
def playbooks_run(
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", formats=["%Y-%m-%d"], help="Default: the latest computed day."),
    ] = None,
    workspace: WorkspaceOption = Path("."),
    as_json: JsonOption = False,
) -> None:
    """Run the playbooks once over the computed results (idempotent; sends nothing).

    Example: tenure playbooks run -w acme --json
    """
    from tenure.workflows.rules import run_playbooks

    report = run_playbooks(workspace_settings(workspace), as_of=as_of.date() if as_of else None)
    if as_json:
        print_json(dataclasses.asdict(report))
        return
    for name, fired in report.fired.items():
        typer.echo(f"{name}: {fired} fired")
    typer.echo(
        f"{report.tasks} tasks, {report.notifications} notifications, {report.fields} fields set"
    )
    for note in report.skipped:
        typer.echo(f"skipped: {note}")
