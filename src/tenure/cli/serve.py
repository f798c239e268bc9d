"""`tenure serve` (the web app and API) and `tenure users` (accounts of people who log in)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Annotated

import typer

from tenure.cli.options import WorkspaceOption, reports_user_errors, workspace_settings
from tenure.config import Settings
from tenure.web.admin import users_session
from tenure.web.users import UserError, create_api_token, create_user, user_by_email
from tenure.workflows import run_scheduled

users_app = typer.Typer(help="Manage the people who log in to the web app.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(users_app, name="users")


def run_server(settings: Settings, *, host: str, port: int, schedule: bool = True) -> None:
    """Serve the workspace's app with uvicorn until interrupted.

    With `schedule`, compute and the playbooks run every `run_every_minutes` in a
    background thread (`run_scheduled`), starting now.
    """
    import uvicorn

    from tenure.web.app import create_app  # the web stack loads only when serving

    if schedule:
        scheduler = threading.Thread(
            target=run_scheduled, args=(settings,), name="tenure-scheduler", daemon=True
        )
        scheduler.start()
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        proxy_headers=True,
        log_level="warning",
        access_log=False,
    )


@reports_user_errors
def serve(
    workspace: WorkspaceOption = Path("."),
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    schedule: Annotated[
        bool,
        typer.Option(
            "--schedule/--no-schedule",
            help="Run compute and the playbooks every run_every_minutes in the background.",
        ),
    ] = True,
) -> None:
    """Serve the web app and REST API of a workspace (results of the latest compute).

    Example: tenure serve -w acme --host 0.0.0.0 --port 8000
    """
    settings = workspace_settings(workspace)
    typer.echo(f"Tenure at http://{host}:{port} (API docs at /docs); Ctrl+C stops it")
    run_server(settings, host=host, port=port, schedule=schedule)


def _password() -> str:
    from_env = os.environ.get("TENURE_PASSWORD")
    if from_env:
        return from_env
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("create")
@reports_user_errors
def users_create(
    email: Annotated[str, typer.Option(help="The email the user logs in with.")],
    role: Annotated[str, typer.Option(help="admin, manager, csm or viewer.")],
    name: Annotated[str | None, typer.Option(help="The user's name.")] = None,
    owner: Annotated[
        str | None,
        typer.Option(help="How the CRM names this user as account owner (default: --name)."),
    ] = None,
    workspace: WorkspaceOption = Path("."),
) -> None:
    """Add a user; the password comes from $TENURE_PASSWORD or a prompt.

    Example: tenure users create --email ana@acme.com --role csm --name "Ana Ruiz" -w acme
    """
    settings = workspace_settings(workspace)
    with users_session(settings) as db:
        try:
            user = create_user(
                db, email=email, role=role, password=_password(), name=name, owner_name=owner
            )
        except UserError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
    typer.echo(f"created {user.role} {user.email}")


@users_app.command("token")
@reports_user_errors
def users_token(
    email: Annotated[str, typer.Option(help="Whose token: the API acts as this user.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "api",
    workspace: WorkspaceOption = Path("."),
) -> None:
    """Create an API token (printed once; send it as `Authorization: Bearer TOKEN`)."""
    settings = workspace_settings(workspace)
    with users_session(settings) as db:
        user = user_by_email(db, email)
        if user is None:
            typer.echo(f"error: no user with email {email}", err=True)
            raise typer.Exit(2)
        typer.echo(create_api_token(db, user, name=name))
