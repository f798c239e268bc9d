"""`tenure health backtest`: does the health score predict churn?"""

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

health = typer.Typer(help="Health score: how well it works.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(health, name="health")


def _auc(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


@health.command()
@reports_user_errors
def backtest(
    horizon_days: Annotated[
        int, typer.Option("--horizon-days", min=1, help="Churn within this many days counts.")
    ] = 90,
    workspace: WorkspaceOption = Path("."),
    as_json: JsonOption = False,
) -> None:
    """Stored health scores against churn in the following days: AUC, bands, measures.

    Needs daily snapshots at least --horizon-days before the last day with data
    (tenure compute --from D1 --to D2).

    Example: tenure health backtest -w acme --json
    """
    from tenure.pipeline.analyses.health_backtest import health_backtest

    result = health_backtest(workspace_settings(workspace), horizon_days=horizon_days)
    if as_json:
        print_json(result)
        return
    pooled = result.pooled
    typer.echo(
        f"{pooled.snapshots:,} snapshots on {len(result.days)} days "
        f"({result.days[-1]} .. {result.days[0]}), {pooled.churned:,} churned "
        f"within {result.horizon_days} days"
    )
    typer.echo(f"health roc_auc {_auc(pooled.roc_auc)} (100 - score, pooled)")
    typer.echo(
        f"on {result.latest_day}: health {_auc(result.health_roc_auc_latest)}, "
        f"churn model {_auc(result.model_roc_auc_latest)}"
    )
    typer.echo("churn rate by band (95 % interval):")
    for band in pooled.bands:
        typer.echo(
            f"  {band.group:<6} {band.rate:6.1%} [{band.low:.1%}, {band.high:.1%}]  "
            f"{band.churned:,} of {band.accounts:,}"
        )
    if pooled.measures:
        typer.echo("per-measure roc_auc (100 - points):")
        for measure in pooled.measures:
            typer.echo(f"  {measure.measure:<28} {_auc(measure.roc_auc)}  ({measure.snapshots:,})")
