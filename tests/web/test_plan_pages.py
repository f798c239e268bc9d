"""Success plan forms, QBR pages and touch compliance on the shared web workspace."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from tenure.cli.app import app as cli
from tenure.config import Settings
from tenure.db import AccountProfile, AuditEntry, SuccessGoal
from tenure.web.admin import users_session
from tenure.workflows.qbr import CHROMIUM

from .conftest import csrf_of, login


def an_account(settings: Settings) -> str:
    with users_session(settings) as db:
        account = db.scalars(select(AccountProfile.account_id).order_by("account_id")).first()
    assert account is not None
    return account


def test_plan_forms_need_csrf_and_a_writer(
    client: TestClient, settings: Settings, users: dict[str, str]
) -> None:
    account = an_account(settings)
    login(client, users["viewer"])
    page = client.get(f"/accounts/{account}/plan")
    assert page.status_code == 200
    assert "Add goal" not in page.text
    token = csrf_of(client)
    refused = client.post(
        f"/accounts/{account}/plan/goals", data={"csrf_token": token, "title": "No"}
    )
    assert refused.status_code == 403
    client.cookies.clear()
    login(client, users["csm"])
    token = csrf_of(client)
    forged = client.post(
        f"/accounts/{account}/plan/goals", data={"csrf_token": "forged", "title": "No"}
    )
    assert forged.status_code == 403
    done = client.post(
        f"/accounts/{account}/plan/goals",
        data={"csrf_token": token, "title": "Grow the pipeline"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    with users_session(settings) as db:
        goal = db.scalars(select(SuccessGoal).where(SuccessGoal.title == "Grow the pipeline")).one()
        goal_id = goal.id
    client.post(
        f"/accounts/{account}/plan/objectives",
        data={"csrf_token": token, "goal_id": goal_id, "title": "250 leads", "quarter": "2026Q4"},
    )
    bad = client.post(
        f"/accounts/{account}/plan/objectives",
        data={"csrf_token": token, "goal_id": goal_id, "title": "x", "quarter": "Q4"},
    )
    assert bad.status_code == 400
    assert "like 2026Q4" in bad.text
    page = client.get(f"/accounts/{account}/plan")
    objective_id = int(page.text.split('name="objective_id" value="')[1].split('"')[0])
    client.post(
        f"/accounts/{account}/plan/metrics",
        data={
            "csrf_token": token,
            "objective_id": objective_id,
            "name": "Leads",
            "target": "250",
            "target_on": "2026-12-31",
        },
    )
    page = client.get(f"/accounts/{account}/plan")
    metric_id = int(page.text.split('id="metric-')[1].split('"')[0])
    reading = client.post(
        f"/accounts/{account}/plan/metrics/{metric_id}/readings",
        data={"csrf_token": token, "on": "2026-10-20", "value": "100"},
    )
    assert reading.status_code == 200
    assert "40%" in reading.text  # 100 / 250, on the plan page after the redirect
    with users_session(settings) as db:
        entities = set(db.scalars(select(AuditEntry.entity).where(AuditEntry.actor == "Csm")).all())
    assert {"success_goal", "success_objective", "success_metric", "metric_reading"} <= entities

    qbr = client.get(f"/accounts/{account}/qbr?quarter=2026Q4")
    assert qbr.status_code == 200
    assert '<section id="plan">' in qbr.text
    assert "Leads" in qbr.text
    assert client.get(f"/accounts/{account}/qbr?quarter=2026Q9").status_code == 400
    assert client.get("/accounts/nope/qbr?quarter=2026Q4").status_code == 404


def test_touches_page(client: TestClient, users: dict[str, str]) -> None:
    login(client, users["viewer"])
    page = client.get("/touches")
    assert page.status_code == 200
    assert 'id="compliance"' in page.text
    assert 'id="calendar"' in page.text
    assert "Planned touches" in page.text


def test_pages_need_a_login(client: TestClient, settings: Settings) -> None:
    account = an_account(settings)
    for path in ("/touches", f"/accounts/{account}/plan", f"/accounts/{account}/qbr"):
        assert client.get(path, follow_redirects=False).status_code == 303, path


def test_cli_writes_html(settings: Settings, tmp_path: Path) -> None:
    account = an_account(settings)
    out = tmp_path / "qbr.html"
    args = ["qbr", account, "--quarter", "2026Q4", "--out", str(out), "-w", str(settings.workspace)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert '<section id="health">' in out.read_text()
    bad = CliRunner().invoke(cli, [*args[:5], str(tmp_path / "qbr.txt"), *args[6:]])
    assert bad.exit_code == 2
    assert ".pdf or .html" in bad.output


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium")
def test_qbr_pdf(client: TestClient, settings: Settings, users: dict[str, str]) -> None:
    login(client, users["viewer"])
    pdf = client.get(f"/accounts/{an_account(settings)}/qbr.pdf?quarter=2026Q4")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert len(pdf.content) > 10_000
