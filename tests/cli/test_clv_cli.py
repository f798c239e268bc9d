"""`tenure clv` on the CDNOW sample as a file, and its errors on bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tenure.cli import app
from tenure.datasets import load_cdnow_sample


@pytest.fixture(scope="module")
def cdnow_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clv") / "cdnow.csv"
    load_cdnow_sample().to_csv(path, index=False)
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["clv", *args])
    return result.exit_code, result.output


def test_clv_json_reproduces_the_papers(cdnow_csv: Path) -> None:
    code, output = run(str(cdnow_csv), "--calibration-end", "1997-09-30", "--json")
    assert code == 0, output
    data = json.loads(output)
    assert [round(data[k], 3) for k in ("r", "alpha", "a", "b")] == [0.243, 4.414, 0.793, 2.426]
    assert round(data["log_likelihood"], 1) == -9582.4
    assert [round(data[k], 2) for k in ("p", "q", "gamma")] == [6.25, 3.74, 15.44]
    assert (data["customers"], data["repeat_buyers"]) == (2357, 946)
    predictions = pd.DataFrame(data["predictions"])
    assert len(predictions) == 2357
    assert set(predictions.columns) >= {"customer_id", "p_alive", "expected_purchases", "clv"}
    assert predictions.customer_id.is_unique


def test_clv_writes_predictions_and_renames_columns(tmp_path: Path) -> None:
    source = load_cdnow_sample().rename(
        columns={"customer_id": "buyer", "date": "day", "amount": "usd"}
    )
    path = tmp_path / "orders.parquet"
    source.to_parquet(path)
    out = tmp_path / "out" / "clv.csv"
    code, output = run(
        str(path), "--calibration-end", "1997-09-30", "--customer", "buyer", "--date", "day",
        "--amount", "usd", "--out", str(out), "--horizon", "6", "--json",
    )  # fmt: skip
    assert code == 0, output
    data = json.loads(output)
    assert data["predictions"] == str(out)
    written = pd.read_csv(out, dtype={"customer_id": str})
    assert len(written) == 2357
    assert written.clv.ge(0).all()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("who,date,amount\na,2024-01-01,3\n", "missing column(s) 'customer_id'"),
        (
            "customer_id,date,amount\na,2024-01-01,3\nb,01/13/2024x,4\n",
            "line 3: column 'date': not a date (use YYYY-MM-DD) ('01/13/2024x')",
        ),
        (
            "customer_id,date,amount\na,2024-01-01,3\nb,2024-01-02,4\nc,2024-01-03,four\n",
            "line 4: column 'amount': not a number ('four')",
        ),
        (
            "customer_id,date,amount\na,2024-01-01,-3\n",
            "line 2: column 'amount': must not be negative",
        ),
        ("customer_id,date,amount\n,2024-01-01,3\n", "line 2: column 'customer_id'"),
    ],
    ids=["missing-column", "bad-date", "bad-amount", "negative", "no-customer"],
)
def test_bad_files_are_reported_with_their_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(content)
    code, output = run(str(path), "--calibration-end", "2024-12-31")
    assert code == 2
    assert message in output
    assert "Traceback" not in output


def test_too_few_repeat_buyers_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("customer_id,date,amount\na,2024-01-01,3\nb,2024-01-02,4\n")
    code, output = run(str(path), "--calibration-end", "2024-12-31")
    assert code == 2
    assert "error:" in output
