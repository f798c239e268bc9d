"""`tenure write-keys create|list|revoke`: the keys event senders authenticate with."""

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
from tenure.pipeline import (
    create_workspace_write_key,
    revoke_workspace_write_key,
    workspace_write_keys,
)

keys_app = typer.Typer(help="Write keys for Segment-compatible ingestion.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="write-keys")


@keys_app.command("create")
@reports_user_errors
def create(
    name: Annotated[str | None, typer.Option(help="What the key is for, e.g. 'web app'.")] = None,
    workspace: WorkspaceOption = Path("."),
    as_json: JsonOption = False,
) -> None:
    """Create a write key and print it once: only its hash is stored.

    Example: tenure write-keys create --name "web app" -w acme
    """
    new = create_workspace_write_key(workspace_settings(workspace), name=name)
    if as_json:
        print_json(new)
        return
    typer.echo(new.key)
    typer.echo(
        f"write key {new.id} ({new.name}): shown once, store it now; "
        "send it as the HTTP Basic username to /v1/batch",
        err=True,
    )


@keys_app.command("list")
@reports_user_errors
def list_keys(workspace: WorkspaceOption = Path("."), as_json: JsonOption = False) -> None:
    """List the write keys: id, name, prefix, created, revoked.

    Example: tenure write-keys list -w acme
    """
    keys = workspace_write_keys(workspace_settings(workspace))
    rows = [
        {
            "id": k.id,
            "name": k.name,
            "prefix": k.prefix,
            "created_at": k.created_at,
            "revoked_at": k.revoked_at,
        }
        for k in keys
    ]
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo("no write keys yet (create one with: tenure write-keys create)")
    for row in rows:
        state = f"revoked {row['revoked_at']:%Y-%m-%d %H:%M}" if row["revoked_at"] else "active"
        typer.echo(
            f"{row['id']:>4}  {row['prefix']}…  {row['name']}  "
            f"created {row['created_at']:%Y-%m-%d %H:%M}  {state}"
        )


@keys_app.command("revoke")
@reports_user_errors
def revoke(
    key_id: Annotated[int, typer.Argument(help="The key's id, from tenure write-keys list.")],
    workspace: WorkspaceOption = Path("."),
    as_json: JsonOption = False,
) -> None:
    """Revoke a write key: requests that send it get 401 from now on.

    Example: tenure write-keys revoke 3 -w acme
    """
    key = revoke_workspace_write_key(workspace_settings(workspace), key_id)
    if as_json:
        print_json({"id": key.id, "name": key.name, "revoked_at": key.revoked_at})
    else:
        typer.echo(f"revoked write key {key.id} ({key.name})")
