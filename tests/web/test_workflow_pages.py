"""The workflow screens: tasks, inbox, playbooks, the account 360's CSM forms and the API."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tenure.config import Settings, load_settings
from tenure.db import (
    AuditEntry,
    ChurnRecord,
    HealthOverride,
    InboxMessage,
    InboxRow,
    Notification,
    PlaybookFiring,
    Pulse,
    SubjectiveScore,
    Task,
    append_messages,
    create_engine_for,
)
from tenure.pipeline import upgrade_app_db
from tenure.pipeline.imports import open_warehouse
from tenure.pipeline.inbox import drain_inbox
from tenure.web.admin import users_session
from tenure.workspace import init_workspace

from .conftest import csrf_of, login


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def open_task_of(settings: Settings, owner: str | None = None) -> Task:
    with users_session(settings) as db:
        query = select(Task).where(Task.status == "open").order_by(Task.id.desc())
        if owner is not None:
            query = query.where(Task.owner == owner)
        task = db.scalars(query).first()
        assert task is not None
        db.expunge(task)
        return task


def audit_of(settings: Settings, entity: str, entity_id: object) -> list[AuditEntry]:
    with users_session(settings) as db:
        query = select(AuditEntry).where(
            AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id)
        )
        return list(db.scalars(query))


def test_the_playbooks_created_tasks(fired: int) -> None:
    assert fired > 0


def test_a_csm_sees_their_own_tasks_first(
    client: TestClient, users: dict[str, str], owner: str, fired: int
) -> None:
    login(client, users["csm"])
    own = client.get("/api/tasks").json()
    assert own
    assert all(t["owner"] == owner and t["mine"] for t in own)
    everyone = client.get("/api/tasks", params={"owner": "all"}).json()
    assert len(everyone) > len(own)
    mine = [t["mine"] for t in everyone]
    assert mine == sorted(mine, reverse=True)  # every own task before any other
    page = client.get("/tasks")
    assert page.status_code == 200
    assert "My tasks" in page.text
    first = page.text.index('id="task-')
    assert f"Owner: {owner} (you)" in page.text[first : first + 3000]


def test_managers_see_every_owner_and_filter_by_type(
    client: TestClient, users: dict[str, str], fired: int
) -> None:
    login(client, users["manager"])
    every = client.get("/api/tasks").json()
    assert len({t["owner"] for t in every}) > 1
    kind = every[0]["type"]
    same = client.get("/api/tasks", params={"type": kind}).json()
    assert same
    assert {t["type"] for t in same} == {kind}
    page = client.get("/tasks", params={"type": kind, "owner": "all"})
    assert page.status_code == 200
    assert page.text.count('class="card task') == len(same)


def test_closing_a_task_records_the_outcome_and_an_audit_entry_once(
    client: TestClient, users: dict[str, str], settings: Settings, owner: str, fired: int
) -> None:
    login(client, users["csm"])
    task = open_task_of(settings, owner)
    token = csrf_of(client, "/tasks")
    form = {"csrf_token": token, "outcome": "Called the admin: fixed", "next": "/tasks"}
    missing = client.post(f"/tasks/{task.id}/close", data={"outcome": "x"})
    assert missing.status_code in (400, 403)  # no CSRF field: refused
    forged = client.post(f"/tasks/{task.id}/close", data={**form, "csrf_token": "forged"})
    assert forged.status_code == 403
    for _ in range(2):  # a re-submitted form changes nothing twice
        done = client.post(f"/tasks/{task.id}/close", data=form)
        assert done.status_code == 200
        assert "Task closed." in done.text
    with users_session(settings) as db:
        closed = db.get(Task, task.id)
        assert closed is not None
        assert (closed.status, closed.outcome) == ("closed", "Called the admin: fixed")
    entries = [e for e in audit_of(settings, "task", task.id) if e.action == "close"]
    assert len(entries) == 1
    assert entries[0].actor == "Csm"
    assert json.loads(entries[0].new or "{}")["outcome"] == "Called the admin: fixed"
    page = client.get(f"/accounts/{task.account_id}")
    assert "closed: Called the admin: fixed" in page.text  # the account's task list
    assert "Called the admin: fixed" in page.text.split('id="audit"')[1]  # and its audit log


def test_snooze_and_reassign_through_the_api(
    client: TestClient, tokens: dict[str, str], settings: Settings, fired: int
) -> None:
    task = open_task_of(settings)
    for _ in range(2):
        snoozed = client.post(
            f"/api/tasks/{task.id}/snooze",
            json={"until": "2099-01-31"},
            headers=bearer(tokens["csm"]),
        )
        assert snoozed.status_code == 200
        assert snoozed.json()["snoozed_until"] == "2099-01-31"
    moved = client.post(
        f"/api/tasks/{task.id}/reassign",
        json={"owner": "Someone Else"},
        headers=bearer(tokens["manager"]),
    )
    assert moved.json()["owner"] == "Someone Else"
    actions = [e.action for e in audit_of(settings, "task", task.id)]
    assert actions.count("snooze") == 1
    assert actions.count("reassign") == 1
    closed = client.post(
        f"/api/tasks/{task.id}/close", json={"outcome": ""}, headers=bearer(tokens["csm"])
    )
    assert closed.status_code == 422
    assert (
        client.post(
            "/api/tasks/999999/close", json={"outcome": "x"}, headers=bearer(tokens["csm"])
        ).status_code
        == 404
    )


def test_viewers_are_refused_every_change(
    client: TestClient,
    users: dict[str, str],
    tokens: dict[str, str],
    settings: Settings,
    fired: int,
) -> None:
    task = open_task_of(settings)
    for path, body in [
        (f"/api/tasks/{task.id}/snooze", {"until": "2099-01-01"}),
        (f"/api/tasks/{task.id}/reassign", {"owner": "x"}),
        (f"/api/tasks/{task.id}/close", {"outcome": "x"}),
        ("/api/inbox/1/read", {}),
    ]:
        assert client.post(path, json=body, headers=bearer(tokens["viewer"])).status_code == 403
    login(client, users["viewer"])
    page = client.get("/tasks", params={"owner": "all"})
    assert page.status_code == 200
    assert f'action="/tasks/{task.id}/close"' not in page.text
    token = csrf_of(client, "/tasks")
    account = task.account_id
    for path, form in [
        (f"/tasks/{task.id}/close", {"outcome": "x"}),
        (f"/tasks/{task.id}/snooze", {"until": "2099-01-01"}),
        (f"/tasks/{task.id}/reassign", {"owner": "x"}),
        ("/inbox/1/read", {}),
        (f"/accounts/{account}/pulse", {"sentiment": "satisfied", "reasons": "x"}),
        (
            f"/accounts/{account}/override",
            {"band": "red", "reason": "x", "expires_on": "2099-01-01"},
        ),
        (f"/accounts/{account}/churn", {"churned_on": "2026-10-01", "reasons": "price"}),
        (
            f"/accounts/{account}/touch",
            {"form_id": "abcdefgh12", "kind": "call", "day": "2026-10-01"},
        ),
    ]:
        assert client.post(path, data={"csrf_token": token, **form}).status_code == 403, path
    with users_session(settings) as db:
        still = db.get(Task, task.id)
        assert still is not None
        assert still.status == "open"


def test_the_inbox_lists_unread_first_and_marks_read(
    client: TestClient, users: dict[str, str], settings: Settings, owner: str, fired: int
) -> None:
    with users_session(settings) as db:
        unread = db.scalar(
            select(func.count(Notification.id)).where(
                Notification.recipient == owner, Notification.read_at.is_(None)
            )
        )
    assert unread, "the template's playbooks notify the account owner"
    login(client, users["csm"])
    page = client.get("/inbox")
    assert page.status_code == 200
    assert f'title="unread notifications">{unread}<' in page.text  # the header's count
    items = client.get("/api/inbox").json()
    assert items
    assert all(n["recipient"] == owner for n in items)
    first = items[0]["id"]
    token = csrf_of(client, "/inbox")
    assert client.post(f"/inbox/{first}/read", data={}).status_code in (400, 403)
    for _ in range(2):
        assert client.post(f"/inbox/{first}/read", data={"csrf_token": token}).status_code == 200
    after = client.get("/api/inbox").json()
    read = [n["read_at"] is not None for n in after]
    assert read == sorted(read)  # unread first
    assert sum(read) >= 1
    assert len(client.get("/api/inbox", params={"unread_only": True}).json()) == unread - 1
    login(client, users["manager"])  # not the manager's notification: not found for them
    token = csrf_of(client, "/inbox")
    assert client.post(f"/inbox/{first}/read", data={"csrf_token": token}).status_code == 404


def test_the_playbooks_page_counts_firings(
    client: TestClient, users: dict[str, str], settings: Settings, fired: int
) -> None:
    with users_session(settings) as db:
        counts = dict(
            db.execute(
                select(PlaybookFiring.playbook, func.count()).group_by(PlaybookFiring.playbook)
            ).all()
        )
    login(client, users["viewer"])
    page = client.get("/playbooks")
    assert page.status_code == 200
    for playbook in settings.definitions.playbooks:
        row = page.text.split(f"<strong>{playbook.name}</strong>")[1].split("</tr>")[0]
        assert f'<td class="num">{counts.get(playbook.name, 0):,}</td>' in row


def account_of_csm(client: TestClient) -> str:
    return str(client.get("/api/accounts").json()["accounts"][1]["account_id"])


def test_a_csm_records_a_pulse_with_reason_codes_once(
    client: TestClient, users: dict[str, str], settings: Settings
) -> None:
    login(client, users["csm"])
    account = account_of_csm(client)
    token = csrf_of(client, f"/accounts/{account}")
    form = {
        "csrf_token": token,
        "sentiment": "high risk",
        "reasons": "champion left, budget cuts",
        "note": "new VP",
    }
    for _ in range(2):
        saved = client.post(f"/accounts/{account}/pulse", data=form)
        assert "Pulse recorded" in saved.text
    with users_session(settings) as db:
        pulses = list(db.scalars(select(Pulse).where(Pulse.account_id == account)))
        scores = list(
            db.scalars(select(SubjectiveScore).where(SubjectiveScore.account_id == account))
        )
    assert [(p.sentiment, json.loads(p.reasons), p.note) for p in pulses] == [
        ("high risk", ["champion left", "budget cuts"], "new VP")
    ]
    assert [s.value_points for s in scores] == [20.0]
    assert "champion left, budget cuts" in saved.text.split('id="audit"')[1]
    bad = client.post(f"/accounts/{account}/pulse", data={**form, "reasons": " , "})
    assert bad.status_code == 400


def test_overrides_and_churn_records_are_for_managers(
    client: TestClient, users: dict[str, str], settings: Settings
) -> None:
    login(client, users["csm"])
    account = account_of_csm(client)
    token = csrf_of(client, f"/accounts/{account}")
    override = {"band": "red", "reason": "legal dispute", "expires_on": "2099-06-30", "score": "10"}
    churn = {"churned_on": "2026-10-15", "reasons": "price, product fit", "mrr_lost": "1200"}
    assert (
        'action="/accounts/' + account + '/override"' not in client.get(f"/accounts/{account}").text
    )
    assert (
        client.post(
            f"/accounts/{account}/override", data={"csrf_token": token, **override}
        ).status_code
        == 403
    )
    assert (
        client.post(f"/accounts/{account}/churn", data={"csrf_token": token, **churn}).status_code
        == 403
    )
    login(client, users["manager"])
    token = csrf_of(client, f"/accounts/{account}")
    no_reason = client.post(
        f"/accounts/{account}/override", data={"csrf_token": token, **override, "reason": " "}
    )
    assert no_reason.status_code == 400
    for _ in range(2):
        page = client.post(f"/accounts/{account}/override", data={"csrf_token": token, **override})
        assert "Health overridden to <strong>red</strong>" in page.text
        page = client.post(f"/accounts/{account}/churn", data={"csrf_token": token, **churn})
        assert "Churn record saved." in page.text
    with users_session(settings) as db:
        overrides = list(
            db.scalars(select(HealthOverride).where(HealthOverride.account_id == account))
        )
        churns = list(db.scalars(select(ChurnRecord).where(ChurnRecord.account_id == account)))
    assert [(o.band, o.score, o.reason, o.author) for o in overrides] == [
        ("red", 10.0, "legal dispute", "Manager")
    ]
    assert [(json.loads(c.reasons), c.mrr_lost) for c in churns] == [
        (["price", "product fit"], 1200.0)
    ]
    actions = [e.action for e in audit_of(settings, "account", account)]
    assert (actions.count("override"), actions.count("churn")) == (1, 1)
    audit = page.text.split('id="audit"')[1]
    assert "legal dispute" in audit
    assert "Manager" in audit


def test_a_logged_touch_waits_in_the_inbox_until_the_next_compute(
    client: TestClient, users: dict[str, str], settings: Settings
) -> None:
    login(client, users["csm"])
    account = account_of_csm(client)
    page = client.get(f"/accounts/{account}")
    token = csrf_of(client, f"/accounts/{account}")
    form_id = page.text.split('name="form_id" value="')[1].split('"')[0]
    form = {
        "csrf_token": token,
        "form_id": form_id,
        "kind": "qbr",
        "day": "2026-10-20",
        "notes": "Q4",
    }
    for _ in range(2):
        saved = client.post(f"/accounts/{account}/touch", data=form)
        assert "pending until the next compute" in saved.text
    with users_session(settings) as db:
        messages = list(db.scalars(select(InboxMessage).where(InboxMessage.type == "touch")))
    mine = [json.loads(m.payload)["touch"] for m in messages]
    mine = [t for t in mine if t["account_id"] == account]
    assert len(mine) == 1
    assert (mine[0]["kind"], mine[0]["at"][:10], mine[0]["author"]) == ("qbr", "2026-10-20", "Csm")
    future = client.post(
        f"/accounts/{account}/touch", data={**form, "form_id": "x" * 12, "day": "2999-01-01"}
    )
    assert future.status_code == 400


def test_the_drain_turns_a_touch_message_into_a_touches_row(tmp_path: Path) -> None:
    init_workspace(tmp_path / "w")
    settings = load_settings(tmp_path / "w")
    upgrade_app_db(settings)
    engine = create_engine_for(settings.resolved_app_db_url)
    touch = {
        "touch_id": "tenure-touch-1",
        "account_id": "acc-1",
        "kind": "call",
        "at": "2026-10-20T12:00:00",
        "author": "Ann",
        "notes": "renewal talk",
    }
    payload = {
        "type": "touch",
        "messageId": "m1",
        "timestamp": "2026-10-20T12:00:00+00:00",
        "touch": touch,
    }
    from datetime import UTC, datetime

    with engine.begin() as connection:
        append_messages(
            connection,
            [InboxRow("m1", "touch", json.dumps(payload))],
            received_at=datetime.now(UTC),
            write_key_id=None,
        )
    warehouse = open_warehouse(settings)
    try:
        report = drain_inbox(engine, warehouse)
        rows = warehouse.table("touches").to_pyarrow().to_pylist()
    finally:
        warehouse.disconnect()
        engine.dispose()
    assert report.touches.inserted == 1
    assert [
        (r["touch_id"], r["account_id"], r["kind"], str(r["at"]), r["author"], r["notes"])
        for r in rows
    ] == [("tenure-touch-1", "acc-1", "call", "2026-10-20 12:00:00", "Ann", "renewal talk")]


def test_the_pulse_api_goes_through_the_workflow_once(
    client: TestClient, tokens: dict[str, str], settings: Settings
) -> None:
    account = client.get("/api/accounts", headers=bearer(tokens["admin"])).json()["accounts"][2][
        "account_id"
    ]
    body = {"sentiment": "very satisfied", "reasons": ["great QBR"]}
    first = client.post(f"/api/accounts/{account}/pulse", json=body, headers=bearer(tokens["csm"]))
    again = client.post(f"/api/accounts/{account}/pulse", json=body, headers=bearer(tokens["csm"]))
    assert (first.status_code, first.json()["points"], first.json()["created"]) == (201, 80.0, True)
    assert again.json()["created"] is False
    bad = client.post(
        f"/api/accounts/{account}/pulse",
        json={"sentiment": "meh", "reasons": ["x"]},
        headers=bearer(tokens["csm"]),
    )
    assert bad.status_code == 400
    entries = audit_of(settings, "account", account)
    assert [json.loads(e.new or "{}").get("reasons") for e in entries].count(["great QBR"]) == 1


def test_the_workflow_api_is_in_the_openapi_description(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/tasks",
        "/api/tasks/{task_id}/snooze",
        "/api/tasks/{task_id}/reassign",
        "/api/tasks/{task_id}/close",
        "/api/inbox",
        "/api/inbox/{notification_id}/read",
    ):
        assert path in paths
    assert "/tasks" not in paths  # the pages are not API
