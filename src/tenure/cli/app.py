"""The `tenure` command line: a thin layer over the Python API."""

from __future__ import annotations

import typer

from tenure.cli import (
    analyses,
    churn_analysis,
    churn_model,
    clv,
    cohorts,
    compute,
    data,
    demo,
    health,
    qbr,
    segments,
    serve,
    survival,
    workflows,
    workspace,
    write_keys,
)

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
write_keys.register(app)
clv.register(app)
survival.register(app)
cohorts.register(app)
churn = typer.Typer(help="Churn: analysis and prediction.", no_args_is_help=True)
app.add_typer(churn, name="churn")
churn_analysis.register(churn)
churn_model.register(churn)
health.register(app)
segments.register(app)
workflows.register(app)
analyses.register(app)
qbr.register(app)
