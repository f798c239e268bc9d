"""The analysis pages and /api/analyses: stored results, their empty and error states."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tenure.config import Settings, load_settings
from tenure.db import AnalysisResult, create_engine_for, session_factory
from tenure.pipeline.analyses.store import ANALYSES, RefreshReport
from tenure.web.app import create_app

from .conftest import END, login

# page -> (its h1, the chart or table containers it must hold)
PAGES = {
    "cohorts": ("Cohorts", ['id="chart-logo"', 'id="chart-revenue"']),
    "survival": ("Survival by plan", ['id="chart-survival"', "Median lifetime", "CLV"]),
    "churn": (
        "Churn",
        [
            *(f'id="chart-rates-{d}"' for d in ("plan", "industry", "segment", "owner", "tenure")),
            'id="chart-reasons"',
        ],
    ),
    "segments": (
        "Segments",
        [
            'id="chart-pyramid"',
            'id="chart-behaviour"',
            "Touch model",
            "Headcount planner",
            "Load per CSM",
        ],
    ),
    "migration": ("Value-tier migration", ['class="list matrix"']),
}


def chart_data(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html, re.S)
    assert found, "no chart data"
    return json.loads(found.group(1))


@pytest.mark.parametrize("role", ["viewer", "csm"])
def test_each_page_shows_its_stored_analysis(
    client: TestClient, users: dict[str, str], analyses: RefreshReport, role: str
) -> None:
    login(client, users[role])
    home = client.get("/").text
    for name, (heading, containers) in PAGES.items():
        assert f'href="/analyses/{name}"' in home  # in the top bar
        page = client.get(f"/analyses/{name}")
        assert page.status_code == 200, name
        assert f"<h1>{heading}</h1>" in page.text
        assert f"as of {END}" in page.text
        assert "computed " in page.text
        assert "tenure analyses refresh" not in page.text  # no empty state
        for container in containers:
            assert container in page.text, (name, container)


def test_charts_carry_the_stored_numbers(
    client: TestClient, users: dict[str, str], settings: Settings, analyses: RefreshReport
) -> None:
    login(client, users["manager"])
    engine = create_engine_for(settings.resolved_app_db_url)
    with session_factory(engine)() as db:
        churn = json.loads(db.get(AnalysisResult, "churn.plan").payload)  # type: ignore[union-attr]
        cohorts = json.loads(db.get(AnalysisResult, "cohorts.accounts").payload)  # type: ignore[union-attr]
    engine.dispose()
    data = chart_data(client.get("/analyses/churn").text)
    assert data["rates-plan"] == {"groups": churn["groups"], "overall": churn["churn_rate"]}
    logo = chart_data(client.get("/analyses/cohorts").text)["logo"]
    assert isinstance(logo, dict)
    first = min(r["cohort"] for r in cohorts["rows"])
    row = [r for r in cohorts["rows"] if r["cohort"] == first]
    assert logo["y"][0] == first[:7]
    assert logo["z"][0][: len(row)] == [
        r["logo_retention"] for r in sorted(row, key=lambda r: r["months_since_start"])
    ]
    table = client.get("/analyses/migration").text
    churn_page = client.get("/analyses/churn").text
    for group in churn["groups"]:
        assert f"<td>{group['group']}</td>" in churn_page
    assert "(new)" in table


@pytest.fixture
def empty_client(empty_workspace: Path) -> Iterator[TestClient]:
    app = create_app(load_settings(empty_workspace))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    app.state.engine.dispose()


def test_pages_before_any_refresh_say_what_to_run(
    empty_client: TestClient, users: dict[str, str]
) -> None:
    login(empty_client, users["viewer"])
    for name, (heading, containers) in PAGES.items():
        page = empty_client.get(f"/analyses/{name}")
        assert page.status_code == 200, name
        assert f"<h1>{heading}</h1>" in page.text
        assert "tenure analyses refresh" in page.text
        assert "chart-data" not in page.text
        assert containers[0] not in page.text
    assert empty_client.get("/api/analyses").json() == []
    assert empty_client.get("/api/analyses/churn.plan").status_code == 404


def test_a_stored_error_is_explained(
    empty_client: TestClient, users: dict[str, str], empty_workspace: Path
) -> None:
    settings = load_settings(empty_workspace)
    engine = create_engine_for(settings.resolved_app_db_url)
    from datetime import UTC, datetime

    with session_factory(engine)() as db, db.begin():
        db.merge(AnalysisResult(
            name="survival.plan", as_of=END, computed_at=datetime.now(UTC), seconds=0.1,
            payload=json.dumps({"error": "no accounts started on or before 2020-01-01"}),
        ))  # fmt: skip
    engine.dispose()
    login(empty_client, users["viewer"])
    page = empty_client.get("/analyses/survival").text
    assert "survival curves could not be computed" in page
    assert "no accounts started on or before 2020-01-01" in page
    listed = empty_client.get("/api/analyses").json()
    assert [(a["name"], a["error"]) for a in listed] == [
        ("survival.plan", "no accounts started on or before 2020-01-01")
    ]


def test_api_lists_and_returns_stored_analyses(
    client: TestClient, tokens: dict[str, str], analyses: RefreshReport
) -> None:
    headers = {"Authorization": f"Bearer {tokens['viewer']}"}
    listed = client.get("/api/analyses", headers=headers)
    assert listed.status_code == 200
    assert [a["name"] for a in listed.json()] == sorted(ANALYSES)
    assert {a["as_of"] for a in listed.json()} == {str(END)}
    assert all(a["error"] is None for a in listed.json())
    churn = client.get("/api/analyses/churn.plan", headers=headers)
    assert churn.status_code == 200
    assert churn.json()["dimension"] == "plan"
    assert churn.json()["groups"]
    missing = client.get("/api/analyses/nope", headers=headers)
    assert missing.status_code == 404
    assert "tenure analyses refresh" in missing.json()["detail"]


def test_unauthenticated_requests_are_refused(client: TestClient) -> None:
    assert client.get("/api/analyses").status_code == 401
    assert client.get("/api/analyses/churn.plan").status_code == 401
    page = client.get("/analyses/churn", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/analyses/churn"
