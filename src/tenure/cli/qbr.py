"""`tenure qbr`: an account's quarterly business review as a PDF or HTML file."""

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
from tenure.workflows import WorkflowError


def register(app: typer.Typer) -> None:
    app.command("qbr")(reports_user_errors(qbr))


def qbr(
    account: Annotated[str, typer.Argument(help="The account_id.")],
    quarter: Annotated[str, typer.Option(help="The quarter, e.g. 2026Q4.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The file to write: .pdf or .html.", dir_okay=False)
    ],
    workspace: WorkspaceOption = Path("."),
    as_json: JsonOption = False,
) -> None:
    """Write the QBR of ACCOUNT for a quarter (.pdf needs Chromium at /usr/bin/chromium).

    Example: tenure qbr acc_000001 --quarter 2026Q4 --out qbr.pdf -w /srv/acme
    """
    from sqlalchemy.orm import Session

    from tenure.pipeline import open_app_db
    from tenure.workflows.qbr import qbr_data, render_html, render_pdf

    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        raise WorkflowError(f"--out: {out} must end in .pdf or .html")
    engine = open_app_db(workspace_settings(workspace))
    try:
        with Session(engine) as session:
            data = qbr_data(session, account, quarter)
    finally:
        engine.dispose()
    html = render_html(data)
    if suffix == ".pdf":
        out.write_bytes(render_pdf(html))
    else:
        out.write_text(html, encoding="utf-8")
    summary = {
        "account": account,
        "quarter": quarter,
        "out": out,
        "bytes": out.stat().st_size,
        "metrics": len(data["metrics"]),
        "health": data["health"]["score"],
    }
    if as_json:
        print_json(summary)
        return
    typer.echo(f"wrote {out} ({summary['bytes']:,} bytes): QBR {quarter} of {account}")
