"""The REST API on a computed workspace: filters, sorting, paging, the 360, health, KPIs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tenure.config import Settings
from tenure.db import (
    AccountDay,
    AccountProfile,
    HealthContribution,
    create_engine_for,
    session_factory,
)

from .conftest import END


@pytest.fixture
def api(client: TestClient, tokens: dict[str, str]) -> TestClient:
    client.headers["Authorization"] = f"Bearer {tokens['manager']}"
    return client


def snapshot(settings: Settings) -> list[tuple[AccountProfile, AccountDay | None]]:
    """Every profile with its last-day row, read straight from the app database."""
    engine = create_engine_for(settings.resolved_app_db_url)
    with session_factory(engine)() as db:
        days = {
            d.account_id: d for d in db.scalars(select(AccountDay).where(AccountDay.day == END))
        }
        rows = [(p, days.get(p.account_id)) for p in db.scalars(select(AccountProfile))]
    engine.dispose()
    return rows


def test_the_list_pages_through_every_account_once(api: TestClient, settings: Settings) -> None:
    first = api.get("/api/accounts", params={"per_page": 25}).json()
    assert first["as_of"] == END.isoformat()
    assert first["total"] == len(snapshot(settings)) == 60
    seen = []
    for page in range(1, 4):
        body = api.get("/api/accounts", params={"per_page": 25, "page": page}).json()
        seen += [a["account_id"] for a in body["accounts"]]
    assert sorted(seen) == sorted(p.account_id for p, _ in snapshot(settings))


def test_filters_match_the_results_tables(api: TestClient, settings: Settings) -> None:
    rows = snapshot(settings)
    for band in ("red", "yellow", "green"):
        expected = {p.account_id for p, d in rows if d and d.health_band == band}
        got = api.get("/api/accounts", params={"band": band, "per_page": 500}).json()
        assert {a["account_id"] for a in got["accounts"]} == expected
    segment = next(p.segment for p, _ in rows if p.segment)
    got = api.get("/api/accounts", params={"segment": segment, "per_page": 500}).json()
    assert got["total"] == sum(p.segment == segment for p, _ in rows)
    stage = next(d.stage for _, d in rows if d and d.stage)
    got = api.get("/api/accounts", params={"stage": stage, "per_page": 500}).json()
    assert got["total"] == sum(bool(d and d.stage == stage) for _, d in rows)
    until = END + timedelta(days=90)
    expected_renewals = {
        p.account_id for p, _ in rows if p.renewal_on and END <= p.renewal_on <= until
    }
    got = api.get("/api/accounts", params={"renewal_within_days": 90, "per_page": 500}).json()
    assert {a["account_id"] for a in got["accounts"]} == expected_renewals
    assert all(date.fromisoformat(a["renewal_on"]) <= until for a in got["accounts"])


def test_sorting_by_arr_descending(api: TestClient) -> None:
    arr = [
        a["arr"]
        for a in api.get("/api/accounts", params={"sort": "arr", "desc": True}).json()["accounts"]
    ]
    assert arr == sorted(arr, reverse=True)
    assert arr[0] > 0


def test_search_finds_an_account_by_part_of_its_name(api: TestClient, settings: Settings) -> None:
    profile = next(p for p, _ in snapshot(settings) if p.name)
    part = profile.name[1:6]  # type: ignore[index]
    got = api.get("/api/accounts", params={"q": part.upper()}).json()["accounts"]
    assert profile.account_id in {a["account_id"] for a in got}
    assert all(part.lower() in (a["name"] or "").lower() for a in got)


def test_a_csm_sees_the_own_book_first(
    client: TestClient, tokens: dict[str, str], owner: str, settings: Settings
) -> None:
    client.headers["Authorization"] = f"Bearer {tokens['csm']}"
    mine = client.get("/api/accounts", params={"per_page": 500}).json()
    assert mine["total"] == sum(p.owner == owner for p, _ in snapshot(settings))
    assert {a["owner"] for a in mine["accounts"]} == {owner}
    everyone = client.get("/api/accounts", params={"owner": "all"}).json()
    assert everyone["total"] == 60


def test_the_account_360(api: TestClient, settings: Settings) -> None:
    profile, day = next((p, d) for p, d in snapshot(settings) if d and d.health_score is not None)
    body = api.get(f"/api/accounts/{profile.account_id}").json()
    assert body["name"] == profile.name
    assert body["arr"] == pytest.approx(profile.arr)
    assert body["health_score"] == pytest.approx(day.health_score)  # type: ignore[union-attr]
    assert body["stage"] == day.stage  # type: ignore[union-attr]
    assert set(body["details"]) <= {
        "contacts",
        "subscriptions",
        "tickets",
        "nps",
        "touches",
        "usage",
    }
    assert body["details"]["subscriptions"]
    assert api.get("/api/accounts/no-such-account").status_code == 404


def test_health_history_and_explanation_add_up(api: TestClient, settings: Settings) -> None:
    profile, day = next((p, d) for p, d in snapshot(settings) if d and d.health_score is not None)
    body = api.get(f"/api/accounts/{profile.account_id}/health").json()
    assert len(body["history"]) == 45
    assert body["explained_on"] == END.isoformat()
    total = sum(c["contribution"] or 0 for c in body["contributions"])
    assert total == pytest.approx(day.health_score, abs=1e-6)  # type: ignore[union-attr]
    engine = create_engine_for(settings.resolved_app_db_url)
    with engine.connect() as connection:
        measures = (
            connection.execute(
                select(HealthContribution.measure).where(
                    HealthContribution.account_id == profile.account_id
                )
            )
            .scalars()
            .all()
        )
    engine.dispose()
    assert sorted(c["measure"] for c in body["contributions"]) == sorted(measures)


def test_milestones_and_kpis(api: TestClient) -> None:
    account = api.get("/api/accounts").json()["accounts"][0]["account_id"]
    milestones = api.get(f"/api/accounts/{account}/milestones").json()
    assert milestones
    assert {m["status"] for m in milestones} <= {
        "not_started",
        "achieved",
        "achieved_late",
        "on_track",
        "behind",
        "missed",
    }
    kpis = api.get("/api/kpis").json()
    assert kpis["as_of"] == END.isoformat()
    assert 0 <= kpis["kpis"]["grr"]["month"] <= 1


def test_bad_parameters_are_422_with_the_field(api: TestClient) -> None:
    response = api.get("/api/accounts", params={"band": "purple"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "band"]


def test_openapi_docs_health_and_metrics_are_served_locally(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/static/docs/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert client.get("/static/docs/swagger-ui-bundle.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/accounts", "/api/accounts/{account_id}", "/api/kpis"} <= set(paths)
    assert client.get("/healthz").json() == {"status": "ok"}
    client.get("/healthz")
    metrics = client.get("/metrics").text
    assert 'tenure_http_requests_total{method="GET",route="/healthz",status="200"}' in metrics
