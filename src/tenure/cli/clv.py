"""`tenure clv`: customer lifetime value of purchase histories (BG/NBD + Gamma-Gamma)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tenure.cli.options import JsonOption, print_json, reports_user_errors

if TYPE_CHECKING:  # scipy and pandas load only when the command runs
    from tenure.pipeline.analyses.clv import ClvReport


def register(app: typer.Typer) -> None:
    app.command("clv")(clv_command)


@reports_user_errors
def clv_command(
    file: Annotated[Path, typer.Argument(help="Transactions: a CSV or Parquet file.")],
    calibration_end: Annotated[
        datetime,
        typer.Option(
            "--calibration-end", formats=["%Y-%m-%d"], help="Last day of data the models see."
        ),
    ],
    customer: Annotated[str, typer.Option(help="Column of the customer id.")] = "customer_id",
    date: Annotated[str, typer.Option(help="Column of the purchase date.")] = "date",
    amount: Annotated[str, typer.Option(help="Column of the purchase amount.")] = "amount",
    horizon: Annotated[
        int, typer.Option(min=1, help="Months to predict and value (periods of 52/12 weeks).")
    ] = 12,
    discount_rate: Annotated[
        float, typer.Option(min=0.0, help="Discount rate per month (0.01 ≈ 12.7% a year).")
    ] = 0.01,
    margin: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Share of spend that is profit.")
    ] = 1.0,
    out: Annotated[
        Path | None,
        typer.Option(help="Write per-customer predictions here (.csv or .parquet)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Fit BG/NBD and Gamma-Gamma to transactions; predict each customer's value.

    Transactions on one day are merged; times are in weeks. Prints the fitted
    parameters and the top customers by CLV (all of them with --json, unless
    --out writes them to a file).

    Example: tenure clv orders.csv --calibration-end 2025-12-31 --out clv.parquet --json
    """
    from tenure.pipeline.analyses.clv import clv_analysis, read_transactions, write_predictions

    transactions = read_transactions(file, customer=customer, date=date, amount=amount)
    report = clv_analysis(
        transactions,
        calibration_end=calibration_end.date(),
        periods=horizon,
        discount_rate=discount_rate,
        margin=margin,
    )
    written = write_predictions(report.predictions, out) if out else None
    if as_json:
        print_json(clv_json(report, written))
    else:
        typer.echo(describe_clv(report, written))


def clv_json(report: ClvReport, written: Path | None) -> dict[str, Any]:
    bgnbd, spend = report.bgnbd, report.spend
    return {
        "calibration_end": report.calibration_end,
        "customers": report.customers,
        "repeat_buyers": report.repeat_buyers,
        "transactions": report.transactions,
        "r": bgnbd.r,
        "alpha": bgnbd.alpha,
        "a": bgnbd.a,
        "b": bgnbd.b,
        "log_likelihood": bgnbd.log_likelihood,
        "p": spend.p,
        "q": spend.q,
        "gamma": spend.gamma,
        "spend_log_likelihood": spend.log_likelihood,
        "horizon_months": report.periods,
        "discount_rate": report.discount_rate,
        "bgnbd": dataclasses.asdict(bgnbd),
        "gamma_gamma": dataclasses.asdict(spend),
        "seconds": report.seconds,
        "predictions": (
            written if written is not None else report.predictions.to_dict(orient="records")
        ),
    }


def describe_clv(report: ClvReport, written: Path | None, top: int = 10) -> str:
    b, s = report.bgnbd, report.spend
    lines = [
        f"{report.customers:,} customers ({report.repeat_buyers:,} repeat buyers), "
        f"{report.transactions:,} transactions up to {report.calibration_end}",
        f"BG/NBD: r = {b.r:.3f}, alpha = {b.alpha:.3f}, a = {b.a:.3f}, b = {b.b:.3f}, "
        f"log-likelihood = {b.log_likelihood:,.1f}",
        f"Gamma-Gamma: p = {s.p:.2f}, q = {s.q:.2f}, gamma = {s.gamma:.2f}",
        f"CLV over {report.periods} months, {report.discount_rate:.1%} a month discount: "
        f"total {report.predictions.clv.sum():,.2f}",
    ]
    best = report.predictions.nlargest(top, "clv")
    lines.append(f"top {len(best)} customers: customer  x  P(alive)  purchases  spend  CLV")
    lines += [
        f"  {row.customer_id}  {row.x:.0f}  {row.p_alive:.2f}  {row.expected_purchases:.2f}"
        f"  {row.expected_spend:.2f}  {row.clv:.2f}"
        for row in best.itertuples()
    ]
    if written is not None:
        lines.append(f"predictions for every customer written to {written}")
    return "\n".join(lines)
