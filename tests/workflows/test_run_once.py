"""Done-when: a small generated workspace, its playbooks, real SMTP and HTTP receivers.

150 accounts × 6 months, computed for the last 17 days. A health drop of at
least 15 points in 14 days (read straight from account_days here) must give
exactly one task for the account's owner and one message per channel, with a
valid signature, and running everything again must change nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import shutil
import threading
import time
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from standardwebhooks import Webhook
from typer.testing import CliRunner

from tenure.cli import app
from tenure.config import load_settings
from tenure.db import (
    AccountDay,
    ComputeRun,
    Delivery,
    Notification,
    PlaybookFiring,
    Task,
    create_engine_for,
)
from tenure.pipeline.compute import compute
from tenure.pipeline.generate import generate_into_workspace
from tenure.warehouse.connect import connect
from tenure.workflows import (
    deliver_pending,
    run_lock,
    run_once,
    run_playbooks,
    run_scheduled,
    subscribe,
)
from tenure.workspace import init_workspace

from .receivers import http_receiver, smtp_server

pytestmark = pytest.mark.slow
END = dt.date(2026, 10, 31)
SECRET = "whsec_" + base64.b64encode(b"run-once test secret, 32 bytes!!").decode()


@pytest.fixture(scope="module")
def computed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ws")
    settings = init_workspace(folder)
    generate_into_workspace(settings, accounts=150, months=6, seed=3, end_date=END)
    compute(settings, start=END - dt.timedelta(days=16), end=END)
    return folder


@pytest.fixture
def workspace(computed: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    shutil.copytree(computed, folder)
    return folder


def configure(folder: Path, smtp_port: int, url: str) -> None:
    path = folder / "tenure.yaml"
    config = yaml.safe_load(path.read_text())
    config["definitions"]["playbooks"] = [
        {
            "name": "Health dropped",
            "trigger": {"health_drop": {"points": 15, "days": 14}},
            "actions": [
                {
                    "task": {
                        "type": "risk",
                        "title": "Find out what changed at {account}",
                        "steps": ["Read the notes", "Call the champion"],
                        "due_days": 2,
                    }
                },
                {"notify": {"channels": ["inbox", "email", "slack", "webhook"]}},
            ],
        },
    ]
    config["alerts"] = {
        "smtp": {"host": "127.0.0.1", "port": smtp_port, "from_address": "tenure@example.com"},
        "slack": [{"name": "cs", "url_env": "TEST_SLACK_URL"}],
        "webhooks": [{"name": "crm", "url": f"{url}/hook", "secret_env": "TEST_WEBHOOK_SECRET"}],
        "retry_base_seconds": 0.01,
    }
    path.write_text(yaml.safe_dump(config, sort_keys=False))


def expected_drops(folder: Path) -> dict[str, str]:
    """Accounts whose score fell ≥ 15 points from END − 14 to END, not churned: owner."""
    settings = load_settings(folder)
    engine = create_engine_for(settings.resolved_app_db_url)
    with engine.connect() as c:
        rows = c.execute(
            select(AccountDay.account_id, AccountDay.day, AccountDay.health_score).where(
                AccountDay.day.in_([END, END - dt.timedelta(days=14)])
            )
        ).all()
    engine.dispose()
    score = {(a, d): s for a, d, s in rows}
    warehouse = connect(settings.resolved_warehouse_url)
    accounts = warehouse.table("accounts").to_pyarrow().to_pylist()
    warehouse.disconnect()
    owners = {
        a["account_id"]: a["owner"]
        for a in accounts
        if a["churned_at"] is None or a["churned_at"].date() > END
    }
    return {
        a: owners[a]
        for a in owners
        if score.get((a, END)) is not None
        and score.get((a, END - dt.timedelta(days=14))) is not None
        and score[(a, END - dt.timedelta(days=14))] - score[(a, END)] >= 15
    }


def email_of(owner: str) -> str:
    return re.sub(r"\W+", ".", owner.lower()) + "@example.com"


def counts(folder: Path) -> tuple[int, ...]:
    engine = create_engine_for(load_settings(folder).resolved_app_db_url)
    with Session(engine) as s:
        result = tuple(
            s.scalar(select(func.count()).select_from(t)) or 0
            for t in (Task, Notification, Delivery, PlaybookFiring)
        )
    engine.dispose()
    return result


def test_a_health_drop_gives_one_task_and_one_message_per_channel(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_WEBHOOK_SECRET", SECRET)
    expected = expected_drops(workspace)
    assert expected, "the seed should give at least one health drop"
    with smtp_server() as (port, mails), http_receiver() as http:
        monkeypatch.setenv("TEST_SLACK_URL", f"{http.url}/slack")
        configure(workspace, port, http.url)
        settings = load_settings(workspace)
        engine = create_engine_for(settings.resolved_app_db_url)
        with Session(engine) as session, session.begin():
            for owner in set(expected.values()):
                subscribe(session, owner, email=email_of(owner))
        engine.dispose()
        report = run_once(settings, compute_first=False)
        before = counts(workspace)
        again = run_playbooks(settings)
        resent = deliver_pending(create_engine_for(settings.resolved_app_db_url), settings.alerts)
        after = counts(workspace)

    assert report.rules.fired == {"Health dropped": len(expected)}
    assert (report.deliveries.sent, report.deliveries.failed) == (3 * len(expected), 0)
    assert before == after
    assert (again.tasks, again.notifications, sum(again.fired.values()), resent.attempts) == (
        0,
        0,
        0,
        0,
    )

    engine = create_engine_for(settings.resolved_app_db_url)
    with Session(engine) as session:
        tasks = session.scalars(select(Task)).all()
        notes = session.scalars(select(Notification)).all()
    engine.dispose()
    assert sorted((t.account_id, t.owner, t.type) for t in tasks) == sorted(
        (a, o, "risk") for a, o in expected.items()
    )
    assert all(json.loads(t.steps)[0] == {"title": "Read the notes", "done": False} for t in tasks)
    assert sorted((n.account_id, n.recipient) for n in notes) == sorted(expected.items())
    assert sorted(m["To"] for m in mails) == sorted(email_of(o) for o in expected.values())
    hooks = [r for r in http.received if r.path == "/hook"]
    assert sorted(
        Webhook(SECRET).verify(r.body, r.headers)["data"]["account_id"] for r in hooks
    ) == sorted(expected)
    assert len([r for r in http.received if r.path == "/slack"]) == len(expected)


def test_the_cli(workspace: Path) -> None:
    runner = CliRunner()
    ran = runner.invoke(app, ["playbooks", "run", "-w", str(workspace), "--json"])
    assert ran.exit_code == 0, ran.output
    report = json.loads(ran.output)
    listed = runner.invoke(app, ["tasks", "list", "-w", str(workspace), "--json"])
    tasks = json.loads(listed.output)
    assert len(tasks) == report["tasks"] > 0
    owner = tasks[0]["owner"]
    mine = json.loads(
        runner.invoke(
            app, ["tasks", "list", "--owner", owner, "-w", str(workspace), "--json"]
        ).output
    )
    assert {t["owner"] for t in mine} == {owner}
    assert len(mine) == sum(t["owner"] == owner for t in tasks)
    names = json.loads(
        runner.invoke(app, ["playbooks", "list", "-w", str(workspace), "--json"]).output
    )
    assert [p["name"] for p in names] == [
        p.name for p in load_settings(workspace).definitions.playbooks
    ]
    pulse = runner.invoke(
        app,
        [
            "pulse",
            "record",
            tasks[0]["account_id"],
            "--sentiment",
            "at risk",
            "--reason",
            "champion_left",
            "-w",
            str(workspace),
        ],
    )
    expires = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=45)  # the template's expiry
    assert pulse.exit_code == 0
    assert f"(40 points) for {tasks[0]['account_id']}, expires {expires}" in pulse.output
    bad = runner.invoke(
        app, ["pulse", "record", "A", "--sentiment", "meh", "--reason", "x", "-w", str(workspace)]
    )
    assert bad.exit_code == 2
    assert "sentiment 'meh'" in bad.output


def test_run_once_refuses_to_overlap_and_the_scheduler_skips_its_turn(workspace: Path) -> None:
    settings = load_settings(workspace)
    engine = create_engine_for(settings.resolved_app_db_url)
    with Session(engine) as s:
        runs = s.scalar(select(func.count()).select_from(ComputeRun))
    stop = threading.Event()
    with run_lock(engine):
        result = CliRunner().invoke(app, ["run-once", "-w", str(workspace)])
        assert result.exit_code == 2
        assert "another run holds the lock" in result.output
        thread = threading.Thread(
            target=run_scheduled,
            args=(settings,),
            kwargs={"every": dt.timedelta(seconds=0.05), "stop": stop},
        )
        thread.start()
        time.sleep(0.5)
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(ComputeRun)) == runs
    engine.dispose()
