"""The `tenure` command line: a thin layer over the Python API."""

from __future__ import annotations

import typer

from tenure.cli import churn_model, compute, data, demo, health, workspace

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
churn = typer.Typer(help="Churn: analysis and prediction.", no_args_is_help=True)
app.add_typer(churn, name="churn")
churn_model.register(churn)
health.register(app)
