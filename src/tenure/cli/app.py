"""The `tenure` command line: a thin layer over the Python API."""

from __future__ import annotations

import typer

from tenure.cli import compute, data, demo, serve, workspace

app = typer.Typer(
    name="tenure",
    help="Tenure: customer retention and customer success, self-hosted.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
workspace.register(app)
data.register(app)
demo.register(app)
compute.register(app)
serve.register(app)
