"""`tenure churn evaluate` and `tenure churn backtest`: how well churn can be predicted."""

from __future__ import annotations

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
from tenure.stats.churn_model import ChurnEvaluation

HorizonOption = Annotated[
    int, typer.Option("--horizon-days", min=1, help="Churn within this many days counts.")
]


def register(churn: typer.Typer) -> None:
    churn.command()(evaluate)
    churn.command()(backtest)
    churn.command()(predict)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def describe_evaluation(result: ChurnEvaluation) -> str:
    lines = [
        f"accounts {result.accounts:,}, churned {result.churned:,}",
        f"roc_auc {_pct(result.roc_auc)}  pr_auc {_pct(result.pr_auc)}  brier {result.brier:.4f}",
        f"lift: top 10 % churn {result.lift.top_decile_rate:.1%} vs {result.lift.base_rate:.1%} "
        f"overall ({result.lift.top_decile_lift:.2f}x); top 10 % holds "
        f"{result.lift.cumulative_gains[0]:.0%} of churners, top 30 % "
        f"{result.lift.cumulative_gains[min(2, len(result.lift.cumulative_gains) - 1)]:.0%}",
        "calibration (decile: predicted -> observed, accounts)",
    ]
    lines += [
        f"  {row.decile:>2}: {row.predicted:6.1%} -> {row.observed:6.1%}  ({row.accounts:,})"
        for row in result.calibration
    ]
    return "\n".join(lines)


@reports_user_errors
def evaluate(
    file: Annotated[Path, typer.Argument(help="CSV or Parquet: one row per customer.")],
    label: Annotated[str, typer.Option("--label", help="The churned column (yes/no, 1/0).")],
    id_column: Annotated[
        str | None, typer.Option("--id", help="Customer id column (not a feature).")
    ] = None,
    folds: Annotated[int, typer.Option("--folds", help="Cross-validation folds.")] = 5,
    as_json: JsonOption = False,
) -> None:
    """Cross-validate a churn model on a table of customers: AUC, calibration, lift.

    Example: tenure churn evaluate customers.csv --label churned --id customer_id
    """
    from tenure.pipeline.analyses.churn_model import evaluate_file

    result = evaluate_file(file, label=label, id_column=id_column, folds=folds)
    if as_json:
        print_json(result)
    else:
        typer.echo(describe_evaluation(result))


@reports_user_errors
def backtest(
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", formats=["%Y-%m-%d"], help="Test day (default: last − horizon)."),
    ] = None,
    horizon_days: HorizonOption = 90,
    workspace: WorkspaceOption = Path("."),
    as_json: JsonOption = False,
) -> None:
    """Train on earlier days, predict churn after --as-of, compare with what happened.

    Example: tenure churn backtest -w acme --horizon-days 90
    """
    from tenure.pipeline.analyses.churn_model import churn_backtest

    result = churn_backtest(
        workspace_settings(workspace),
        as_of=as_of.date() if as_of else None,
        horizon_days=horizon_days,
    )
    if as_json:
        print_json(result)
        return
    typer.echo(
        f"test as of {result.as_of}, churn within {result.horizon_days} days; trained on "
        f"{result.train_rows:,} account-days as of "
        f"{', '.join(str(d) for d in result.train_days)}"
    )
    typer.echo(describe_evaluation(result.test))
    if result.oracle_roc_auc is not None:
        typer.echo(
            f"truth: oracle roc_auc {_pct(result.oracle_roc_auc)} (true hazards), "
            f"latent health {_pct(result.latent_health_roc_auc)}"
        )


@reports_user_errors
def predict(
    horizon_days: HorizonOption = 90,
    workspace: WorkspaceOption = Path("."),
    as_json: JsonOption = False,
) -> None:
    """Score every current customer and store it in the warehouse's churn_predictions.

    The `churn_risk` measure of a scorecard reads the stored probabilities.

    Example: tenure churn predict -w acme
    """
    from tenure.pipeline.analyses.churn_model import predict_churn

    rows = predict_churn(workspace_settings(workspace), horizon_days=horizon_days)
    risk = rows.column("churn_risk").to_pylist()
    day = rows.column("as_of")[0].as_py() if rows.num_rows else None
    if as_json:
        print_json({"as_of": day, "accounts": rows.num_rows, "mean_churn_risk": _mean(risk)})
        return
    typer.echo(
        f"{rows.num_rows:,} accounts scored as of {day}: churn within {horizon_days} days, "
        f"mean risk {_mean(risk):.1%}; stored in churn_predictions"
    )


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0
