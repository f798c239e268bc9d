"""`tenure survival`: how long accounts stay, by attribute, and what drives churn."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tenure.cli.options import (
    JsonOption,
    WorkspaceOption,
    print_json,
    reports_user_errors,
    workspace_settings,
)

if TYPE_CHECKING:  # lifelines loads only when the command runs
    from tenure.pipeline.analyses.survival import SurvivalReport
    from tenure.stats.survival import RetentionCurve

DAYS_PER_MONTH = 365.25 / 12

DEFAULT_DRIVERS = "industry,region,plan,segment"


def register(app: typer.Typer) -> None:
    app.command()(survival)


@reports_user_errors
def survival(
    by: Annotated[
        str | None,
        typer.Option(help="Account attribute to split by: industry, plan, region, owner, ..."),
    ] = None,
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", formats=["%Y-%m-%d"], help="Day to censor at (default: latest)."),
    ] = None,
    drivers: Annotated[
        bool, typer.Option("--drivers", help="Fit a Cox model of churn on attributes.")
    ] = False,
    attributes: Annotated[
        str, typer.Option(help="Comma-separated attributes for --drivers.")
    ] = DEFAULT_DRIVERS,
    horizon: Annotated[
        float, typer.Option(min=1.0, help="Months the expected lifetime (for CLV) runs to.")
    ] = 60.0,
    observed_from: Annotated[
        datetime | None,
        typer.Option(
            "--observed-from",
            formats=["%Y-%m-%d"],
            help="First day the data records churns (default: the first event day).",
        ),
    ] = None,
    complete_history: Annotated[
        bool,
        typer.Option(
            "--complete-history",
            help="The warehouse holds every churn ever (no late entry at the first event day).",
        ),
    ] = False,
    workspace: WorkspaceOption = Path("."),
    as_json: JsonOption = False,
) -> None:
    """Kaplan–Meier retention curves, median lifetimes, log-rank test and subscription CLV.

    Lifetimes run from account creation (else the first subscription) to churn,
    or are censored at --as-of. Accounts that were customers before the first
    event day enter the risk set then (left truncation), unless --complete-history.

    Example: tenure survival --by plan --drivers -w acme --json
    """
    from tenure.pipeline.analyses.survival import survival_analysis, survival_json

    if observed_from is not None and complete_history:
        raise typer.BadParameter("give either --observed-from or --complete-history, not both")
    since = observed_from.date() if observed_from else "events"
    names = [a.strip() for a in attributes.split(",") if a.strip()]
    report = survival_analysis(
        workspace_settings(workspace),
        by=by,
        as_of=as_of.date() if as_of else None,
        observed_from=None if complete_history else since,
        drivers=names if drivers else None,
        horizon_months=horizon,
    )
    if as_json:
        print_json(survival_json(report))
    else:
        typer.echo(describe_survival(report))


def _median(curve: RetentionCurve) -> str:
    days = curve.median_days
    return "not reached" if math.isinf(days) else f"{days / DAYS_PER_MONTH:.1f} months"


def describe_survival(report: SurvivalReport) -> str:
    lines = [
        f"{report.accounts:,} accounts, {report.churned:,} churned, as of {report.as_of}"
        + (f" (observed from {report.observed_from})" if report.observed_from else "")
    ]
    lines.append("group  accounts  churned  median lifetime  12-month retention  CLV")
    for curve, value in zip(report.curves, report.values, strict=True):
        lines.append(
            f"  {curve.group}  {curve.accounts:,}  {curve.churned:,}  {_median(curve)}"
            f"  {curve.survival_at(12 * DAYS_PER_MONTH):.1%}  {value.clv:,.0f}"
            f" ({value.expected_lifetime_months:.1f} months × {value.arpa:,.0f} ARPA)"
        )
    if report.log_rank is not None:
        test = report.log_rank
        lines.append(
            f"log-rank test across {report.by}: chi2 = {test.statistic:.2f}, "
            f"df = {test.degrees_of_freedom}, p = {test.p_value:.3g}"
        )
    if report.drivers is not None:
        d = report.drivers
        refs = ", ".join(f"{k}={v}" for k, v in d.references.items())
        lines.append(f"churn drivers (Cox; concordance {d.concordance:.3f}; reference: {refs}):")
        for ratio in sorted(d.ratios, key=lambda r: r.p_value):
            lines.append(
                f"  {ratio.covariate}: hazard ratio {ratio.hazard_ratio:.2f}"
                f" [{ratio.lower:.2f}, {ratio.upper:.2f}], p = {ratio.p_value:.3g}"
            )
        lines += [f"  warning: {w}" for w in d.warnings]
    lines.append(f"({report.seconds:.2f} s)")
    return "\n".join(lines)
