"""NPS over the latest response per contact in a window, worked out by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest
from ibis.backends import BaseBackend

from tenure.engine.kpis import account_nps, portfolio_nps
from tenure.warehouse.schemas import SURVEY_RESPONSES

D = dt.datetime
AS_OF = dt.date(2024, 6, 30)
# 180 days ending with June 30 (inclusive): from 2024-01-03 00:00 to 2024-07-01 00:00.


def response(rid: str, account: str, contact: str | None, score: int, at: D,
             survey: str = "nps") -> dict[str, Any]:  # fmt: skip
    return {"response_id": rid, "account_id": account, "contact_id": contact,
            "survey": survey, "score": score, "responded_at": at}  # fmt: skip


RESPONSES = [
    response("r1", "A", "c1", 3, D(2024, 2, 1)),
    response("r2", "A", "c1", 10, D(2024, 5, 1)),  # c1's latest: promoter
    response("r3", "A", "c2", 9, D(2024, 6, 30, 23)),  # on the as-of day: promoter
    response("r4", "A", "c3", 6, D(2024, 3, 1)),  # detractor
    response("r5", "B", "c4", 10, D(2024, 1, 2, 23, 59)),  # just before the window
    response("r6", "B", "c4", 8, D(2024, 4, 1)),  # passive
    response("r7", "B", "c5", 2, D(2024, 3, 3)),  # detractor ...
    response("r8", "B", "c5", 10, D(2024, 7, 1)),  # ... as this one is after the as-of day
    response("r9", "B", "c6", 10, D(2024, 5, 1), survey="csat"),  # not NPS
    response("r10", "B", "c6", 7, D(2024, 1, 3)),  # first instant of the window: passive
    response("r11", "B", "c7", 0, D(2023, 12, 1)),  # outside the window
    response("r12", "B", None, 9, D(2024, 4, 10)),  # no contact: counts on its own
]


@pytest.fixture
def responses(backend: BaseBackend) -> ir.Table:
    data = pa.Table.from_pylist(RESPONSES, schema=SURVEY_RESPONSES.schema.to_pyarrow())
    return backend.create_table("survey_responses", data)


def test_portfolio_nps_counts_each_contacts_latest_response(responses: ir.Table) -> None:
    (got,) = portfolio_nps(responses, as_of=AS_OF).to_pyarrow().to_pylist()

    # c1 P, c2 P, c3 D, c4 Pa, c5 D, c6 Pa, r12 P: 7 respondents, 3 P, 2 Pa, 2 D.
    assert got["as_of"] == AS_OF
    assert (got["respondents"], got["promoters"], got["passives"], got["detractors"]) == (
        7, 3, 2, 2,
    )  # fmt: skip
    assert got["nps"] == pytest.approx(100 * (3 - 2) / 7)  # 14.29


def test_account_nps(responses: ir.Table) -> None:
    got = {r["account_id"]: r for r in account_nps(responses, as_of=AS_OF).to_pyarrow().to_pylist()}

    assert set(got) == {"A", "B"}
    # A: c1 P, c2 P, c3 D: (2 − 1) / 3.  B: c4 Pa, c5 D, c6 Pa, r12 P: (1 − 1) / 4.
    assert (got["A"]["respondents"], got["A"]["nps"]) == (3, pytest.approx(100 / 3))
    assert (got["B"]["respondents"], got["B"]["nps"]) == (4, pytest.approx(0.0))


def test_the_window_is_an_option(responses: ir.Table) -> None:
    (got,) = portfolio_nps(responses, as_of=AS_OF, window_days=30).to_pyarrow().to_pylist()

    # June only: c2's 9.
    assert (got["respondents"], got["promoters"], got["nps"]) == (1, 1, pytest.approx(100.0))


def test_no_respondents_no_score(responses: ir.Table) -> None:
    (got,) = portfolio_nps(responses, as_of=dt.date(2020, 1, 1)).to_pyarrow().to_pylist()

    assert (got["respondents"], got["promoters"], got["nps"]) == (0, 0, None)


def test_the_window_must_be_a_day_or_more() -> None:
    responses = ibis.table(SURVEY_RESPONSES.schema, name="survey_responses")
    with pytest.raises(ValueError, match="window_days"):
        portfolio_nps(responses, as_of=AS_OF, window_days=0)
