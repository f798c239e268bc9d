"""`tenure churn rates` and `tenure churn reasons`: churn analysis."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from tenure.cli.cohorts import render
from tenure.cli.options import (
    JsonOption,
    WorkspaceOption,
    print_json,
    reports_user_errors,
    workspace_settings,
)

FromOption = Annotated[
    datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="First day.")
]
ToOption = Annotated[
    datetime | None,
    typer.Option("--to", formats=["%Y-%m-%d"], help="Last day (default: latest data)."),
]


def register(churn: typer.Typer) -> None:
    churn.command("rates")(rates)
    churn.command("reasons")(reasons)


@reports_user_errors
def rates(
    by: Annotated[
        str,
        typer.Option(
            help="industry, size, owner (csm), sales_rep, plan, product, tenure, renewals, "
            "or a trait such as segment."
        ),
    ],
    start: FromOption = None,
    end: ToOption = None,
    alpha: Annotated[float, typer.Option(help="Significance level and 1 − confidence.")] = 0.05,
    method: Annotated[str, typer.Option(help="wilson or beta (Clopper–Pearson).")] = "wilson",
    workspace: WorkspaceOption = Path("."),
    as_json: JsonOption = False,
) -> None:
    """Churn rate per group with confidence intervals; flags groups unlike the rest.

    The period defaults to the 365 days ending with the latest data. A group is
    flagged higher or lower when Fisher's exact test against the rest, Holm-
    corrected over the groups, is significant at --alpha.

    Example: tenure churn rates --by plan -w acme
    """
    from tenure.pipeline.analyses.churn import churn_rates

    result = churn_rates(
        workspace_settings(workspace),
        by=by,
        start=start.date() if start else None,
        end=end.date() if end else None,
        alpha=alpha,
        method=method,  # type: ignore[arg-type]
    )
    if as_json:
        print_json(result)
        return
    overall = "" if result.churn_rate is None else f": {result.churn_rate:.1%} overall"
    typer.echo(f"churn by {result.dimension}, {result.start} to {result.end}{overall}")
    rows = [
        {
            "group": g.group,
            "at_risk": g.trials,
            "churned": g.successes,
            "rate": g.rate,
            "ci_low": g.ci_low,
            "ci_high": g.ci_high,
            "p_adjusted": g.p_adjusted,
            "flag": g.direction,
        }
        for g in result.groups
    ]
    typer.echo(render(rows, list(rows[0]) if rows else ["group"]))


@reports_user_errors
def reasons(
    start: FromOption = None,
    end: ToOption = None,
    workspace: WorkspaceOption = Path("."),
    as_json: JsonOption = False,
) -> None:
    """Churned accounts and MRR lost per month and reason (primary = first code).

    Example: tenure churn reasons --from 2026-01-01 -w acme
    """
    from tenure.pipeline.analyses.churn import churn_reasons_by_month

    result = churn_reasons_by_month(
        workspace_settings(workspace),
        start=start.date() if start else None,
        end=end.date() if end else None,
    )
    if as_json:
        print_json(result)
        return
    typer.echo(f"churn reasons, {result.start} to {result.end}")
    typer.echo(render(result.rows, ["month", "role", "reason", "accounts", "mrr_lost"]))
