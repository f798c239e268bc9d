"""`tenure segments ...`: value pyramid, CSM headcount, behavioural segments, migration."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer

from tenure.cli.options import (
    JsonOption,
    WorkspaceOption,
    print_json,
    reports_user_errors,
    workspace_settings,
)
from tenure.pipeline.analyses import segments as analyses

P = ParamSpec("P")
R = TypeVar("R")
AsOf = Annotated[
    datetime | None,
    typer.Option("--as-of", formats=["%Y-%m-%d"], help="Day (default: the last day with data)."),
]

segments = typer.Typer(help="Value pyramid, CSM headcount, behavioural segments, migration.")


def register(app: typer.Typer) -> None:
    app.add_typer(segments, name="segments")


def _user_errors(command: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except analyses.SegmentsError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None

    return reports_user_errors(wrapper)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


@segments.command()
@_user_errors
def pyramid(
    as_of: AsOf = None, workspace: WorkspaceOption = Path("."), as_json: JsonOption = False
) -> None:
    """Paying accounts and ARR per value tier, and how each tier's touch cadence is kept.

    Example: tenure segments pyramid --as-of 2026-10-31 -w acme
    """
    report = analyses.pyramid(workspace_settings(workspace), as_of=as_of.date() if as_of else None)
    if as_json:
        return print_json(report)
    typer.echo(
        f"value pyramid on {report.as_of}"
        + (f" (adjusted by {report.adjusted_by})" if report.adjusted_by else "")
    )
    for t in report.tiers:
        typer.echo(
            f"  {t['tier']}: {t['accounts']} accounts ({_pct(t['account_share'])}), "
            f"ARR {t['arr']:,.0f} ({_pct(t['arr_share'])})"
        )
    for t in report.touches:
        typer.echo(
            f"  {t['tier']} {t['kind']} every {t['every_days']} d: "
            f"{t['touches_last_year']} in a year (planned {t['expected_per_year']:.0f}), "
            f"on cadence {_pct(t['on_cadence_share'])}"
        )


@segments.command()
@_user_errors
def headcount(
    as_of: AsOf = None,
    tolerance: Annotated[float, typer.Option(min=0, max=1, help="Load band counted as ok.")] = 0.1,
    workspace: WorkspaceOption = Path("."),
    as_json: JsonOption = False,
) -> None:
    """CSMs required per tier (accounts / ratio) against those assigned; each CSM's load.

    Example: tenure segments headcount -w acme --json
    """
    report = analyses.headcount(
        workspace_settings(workspace), as_of=as_of.date() if as_of else None, tolerance=tolerance
    )
    if as_json:
        return print_json(report)
    typer.echo(
        f"CSM headcount on {report.as_of}: {report.required_total:.1f} "
        f"required, {report.assigned_total} assigned"
    )
    for t in report.tiers:
        required = "pooled" if t["required_csms"] is None else f"{t['required_csms']:.1f} required"
        typer.echo(
            f"  {t['tier']}: {t['accounts']} accounts, {required}, "
            f"{t['assigned_csms']} CSMs assigned, {t['unowned']} "
            f"unowned"
        )
    for c in report.csms:
        typer.echo(
            f"  {c['owner'] or '(no owner)'}: {c['accounts']} accounts, "
            f"ARR {c['arr']:,.0f}, load {c['load']:.2f} ({c['status']})"
        )


@segments.command()
@_user_errors
def behaviour(
    as_of: AsOf = None,
    accounts: Annotated[
        bool, typer.Option("--accounts", help="Also list every account (JSON).")
    ] = False,
    workspace: WorkspaceOption = Path("."),
    as_json: JsonOption = False,
) -> None:
    """Behavioural (RFM) segments of the paying accounts from their product usage.

    Example: tenure segments behaviour --as-of 2026-10-31 -w acme
    """
    report = analyses.behaviour(
        workspace_settings(workspace), as_of=as_of.date() if as_of else None, per_account=accounts
    )
    if as_json:
        return print_json(report)
    typer.echo(f"behavioural segments on {report.as_of}")
    for s in report.segments:
        typer.echo(
            f"  {s['segment']}: {s['accounts']} accounts ({_pct(s['share'])}), MRR {s['mrr']:,.0f}"
        )


@segments.command()
@_user_errors
def migration(
    start: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="First date.")],
    end: Annotated[
        datetime | None,
        typer.Option(
            "--to", formats=["%Y-%m-%d"], help="Second date (default: the last day with data)."
        ),
    ] = None,
    kind: Annotated[str, typer.Option(help="value, behaviour or health.")] = "value",
    touch: Annotated[
        list[str] | None,
        typer.Option("--touch", help="Touch kinds of the comparison (repeat; default any)."),
    ] = None,
    workspace: WorkspaceOption = Path("."),
    as_json: JsonOption = False,
) -> None:
    """Each account's segment at two dates as a transition matrix; touched vs untouched.

    Example: tenure segments migration --from 2026-04-30 --kind value --touch qbr -w acme
    """
    if kind not in ("value", "behaviour", "health"):
        raise typer.BadParameter("--kind is one of value, behaviour, health")
    report = analyses.migration(
        workspace_settings(workspace), kind=kind,  # type: ignore[arg-type]
        start=start.date(), end=end.date() if end else None, touch_kinds=touch or [],
    )  # fmt: skip
    if as_json:
        return print_json(report)
    typer.echo(f"{kind} migration {report.start} -> {report.end}")
    for c in report.matrix:
        typer.echo(
            f"  {c['from_segment']} -> {c['to_segment']}: {c['accounts']} "
            f"({_pct(c['row_share'])}), MRR {c['mrr_start']:,.0f} "
            f"-> {c['mrr_end']:,.0f}"
        )
    label = ", ".join(report.touch_kinds) or "any touch"
    for o in report.comparison:
        if o.difference is None:
            typer.echo(f"  {o.outcome}: no matched accounts")
            continue
        typer.echo(
            f"  {o.outcome} with {label}: {_pct(o.treated_share)} "
            f"of {o.treated_accounts} vs {_pct(o.control_share)} "
            f"of {o.control_accounts} matched; difference {o.difference:+.1%} "
            f"(95% CI {o.ci_low:+.1%} to {o.ci_high:+.1%})"
        )
