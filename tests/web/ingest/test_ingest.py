"""Segment-compatible ingestion over HTTP (TestClient): auth, limits, errors, dedup, clocks."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tenure.config import Settings
from tenure.db import InboxMessage, create_engine_for
from tenure.pipeline import revoke_workspace_write_key, workspace_write_keys


def inbox(settings: Settings) -> list[dict[str, Any]]:
    engine = create_engine_for(settings.resolved_app_db_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(InboxMessage).order_by(InboxMessage.id)).all()
    finally:
        engine.dispose()
    return [{**row._mapping, "payload": json.loads(row.payload)} for row in rows]


def track(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "type": "track",
        "userId": f"u{n}",
        "event": "Report Built",
        "messageId": f"m{n}",
    } | extra


def test_a_batch_is_committed_before_the_response(
    client: TestClient, settings: Settings, write_key: str
) -> None:
    batch = [
        track(1, properties={"rows": 3}),
        {"type": "identify", "userId": "u1", "traits": {"email": "a@acme.com"}, "messageId": "m2"},
        {"type": "group", "userId": "u1", "groupId": "acme", "messageId": "m3"},
        {"type": "page", "anonymousId": "anon-1", "name": "Pricing", "messageId": "m4"},
    ]
    response = client.post("/v1/batch", json={"batch": batch}, auth=(write_key, ""))
    assert (response.status_code, response.json()) == (200, {"success": True})
    rows = inbox(settings)
    assert [(r["message_id"], r["type"]) for r in rows] == [
        ("m1", "track"),
        ("m2", "identify"),
        ("m3", "group"),
        ("m4", "page"),
    ]
    key_id = workspace_write_keys(settings)[0].id
    assert {r["write_key_id"] for r in rows} == {key_id}
    assert all(r["processed_at"] is None for r in rows)
    assert rows[0]["payload"]["properties"] == {"rows": 3}
    assert rows[3]["payload"]["userId"] is None
    assert rows[3]["payload"]["anonymousId"] == "anon-1"


def test_single_calls_and_import_are_accepted(
    client: TestClient, settings: Settings, write_key: str
) -> None:
    auth = (write_key, "")
    assert client.post("/v1/track", json=track(1), auth=auth).status_code == 200
    identify = {"userId": "u1", "context": {"traits": {"name": "Ann"}}, "messageId": "i1"}
    assert client.post("/v1/identify", json=identify, auth=auth).status_code == 200
    group = {"userId": "u1", "groupId": 42, "messageId": "g1"}
    assert client.post("/v1/group", json=group, auth=auth).status_code == 200
    page = {"anonymousId": "a", "messageId": "p1"}
    assert client.post("/v1/page", json=page, auth=auth).status_code == 200
    assert client.post("/v1/import", json={"batch": [track(2)]}, auth=auth).status_code == 200
    rows = inbox(settings)
    assert [r["type"] for r in rows] == ["track", "identify", "group", "page", "track"]
    assert rows[2]["payload"]["groupId"] == "42"  # numeric ids become strings


def test_the_write_key_can_be_sent_in_the_body(
    client: TestClient, settings: Settings, write_key: str
) -> None:
    response = client.post("/v1/batch", json={"batch": [track(1)], "writeKey": write_key})
    assert response.status_code == 200
    assert "writeKey" not in inbox(settings)[0]["payload"]  # the key is never stored


@pytest.mark.parametrize(
    ("auth", "code"),
    [(None, "no_write_key"), (("tnr_wk_not-a-key", ""), "invalid_write_key")],
)
def test_a_missing_or_unknown_key_is_401(
    client: TestClient, settings: Settings, write_key: str, auth: Any, code: str
) -> None:
    response = client.post("/v1/batch", json={"batch": [track(1)]}, auth=auth)
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert inbox(settings) == []


def test_a_revoked_key_is_401(client: TestClient, settings: Settings, write_key: str) -> None:
    auth = (write_key, "")
    assert client.post("/v1/track", json=track(1), auth=auth).status_code == 200
    revoke_workspace_write_key(settings, workspace_write_keys(settings)[0].id)
    response = client.post("/v1/track", json=track(2), auth=auth)
    assert (response.status_code, response.json()["code"]) == (401, "invalid_write_key")
    assert [r["message_id"] for r in inbox(settings)] == ["m1"]


def test_a_gzip_body_is_accepted(client: TestClient, settings: Settings, write_key: str) -> None:
    body = gzip.compress(json.dumps({"batch": [track(1), track(2)]}).encode())
    response = client.post(
        "/v1/batch",
        content=body,
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        auth=(write_key, ""),
    )
    assert response.status_code == 200
    assert [r["message_id"] for r in inbox(settings)] == ["m1", "m2"]


@pytest.mark.parametrize(
    ("body", "encoding", "status", "code"),
    [
        (b"not gzip at all", "gzip", 400, "invalid_gzip"),
        (gzip.compress(b'{"batch": []}')[:-12], "gzip", 400, "invalid_gzip"),
        # 600 KB of JSON that compresses to almost nothing: refused once inflated past 500 KB.
        (gzip.compress(b'{"batch": [], "x": "' + b"a" * 600_000 + b'"}'), "gzip", 413, "too_large"),
        (b'{"batch": []}', "br", 415, "unsupported_encoding"),
    ],
)
def test_bad_encodings_are_refused(
    client: TestClient, write_key: str, body: bytes, encoding: str, status: int, code: str
) -> None:
    response = client.post(
        "/v1/batch", content=body, headers={"Content-Encoding": encoding}, auth=(write_key, "")
    )
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_oversized_requests_are_413(client: TestClient, settings: Settings, write_key: str) -> None:
    auth = (write_key, "")
    big_batch = {"batch": [track(n, properties={"pad": "x" * 20_000}) for n in range(26)]}
    assert len(json.dumps(big_batch)) > 500 * 1024
    response = client.post("/v1/batch", json=big_batch, auth=auth)
    assert (response.status_code, response.json()["code"]) == (413, "too_large")
    big_call = track(1, properties={"pad": "x" * 33_000})
    assert client.post("/v1/track", json=big_call, auth=auth).status_code == 413
    assert inbox(settings) == []


def test_an_oversized_message_in_a_batch_costs_only_itself(
    client: TestClient, settings: Settings, write_key: str
) -> None:
    batch = [track(0), track(1, properties={"pad": "x" * 33_000}), track(2)]
    response = client.post("/v1/batch", json={"batch": batch}, auth=(write_key, ""))
    assert response.status_code == 413
    body = response.json()
    assert body["accepted"] == 2
    assert [(e["index"], e["code"]) for e in body["errors"]] == [(1, "too_large")]
    assert [r["message_id"] for r in inbox(settings)] == ["m0", "m2"]


@pytest.mark.parametrize(
    "body", [b'{"batch": [', b"[1, 2]", b'{"batch": {"type": "track"}}'], ids=str
)
def test_malformed_json_is_400_and_stores_nothing(
    client: TestClient, settings: Settings, write_key: str, body: bytes
) -> None:
    response = client.post("/v1/batch", content=body, auth=(write_key, ""))
    assert response.status_code == 400
    assert response.json()["code"] in ("invalid_json", "invalid_batch")
    assert response.json()["success"] is False
    assert inbox(settings) == []


def test_bad_messages_are_named_and_the_valid_ones_kept(
    client: TestClient, settings: Settings, write_key: str
) -> None:
    batch = [
        track(0),
        {"type": "track", "userId": "u1", "messageId": "m1"},  # no event name
        {"type": "track", "event": "x", "messageId": "m2"},  # no user
        {"type": "group", "userId": "u3", "messageId": "m3"},  # no groupId
        {"type": "dance", "userId": "u4", "messageId": "m4"},
        track(5, timestamp="yesterday"),
        track(6, properties=[1, 2]),
        "not an object",
        track(8),
    ]
    response = client.post("/v1/batch", json={"batch": batch}, auth=(write_key, ""))
    assert response.status_code == 400
    body = response.json()
    assert (body["success"], body["accepted"]) == (False, 2)
    assert [(e["index"], e["field"]) for e in body["errors"]] == [
        (1, "event"),
        (2, "userId"),
        (3, "groupId"),
        (4, "type"),
        (5, "timestamp"),
        (6, "properties"),
        (7, None),
    ]
    assert [r["message_id"] for r in inbox(settings)] == ["m0", "m8"]


def test_a_single_call_without_an_event_name_is_400(client: TestClient, write_key: str) -> None:
    response = client.post("/v1/track", json={"userId": "u1"}, auth=(write_key, ""))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["index"], e["field"], e["code"]) for e in errors] == [(None, "event", "invalid")]


def test_a_message_id_is_stored_once(
    client: TestClient, settings: Settings, write_key: str
) -> None:
    auth = (write_key, "")
    first = client.post("/v1/batch", json={"batch": [track(1), track(1), track(2)]}, auth=auth)
    again = client.post("/v1/batch", json={"batch": [track(2), track(3)]}, auth=auth)
    assert first.status_code == again.status_code == 200
    assert [r["message_id"] for r in inbox(settings)] == ["m1", "m2", "m3"]


def test_a_message_without_an_id_gets_one_from_its_content(
    client: TestClient, settings: Settings, write_key: str
) -> None:
    message = {"type": "track", "userId": "u1", "event": "x", "timestamp": "2026-11-01T10:00:00Z"}
    for _ in range(2):  # a resend is a duplicate
        client.post("/v1/batch", json={"batch": [message]}, auth=(write_key, ""))
    client.post("/v1/batch", json={"batch": [message | {"event": "y"}]}, auth=(write_key, ""))
    ids = [r["message_id"] for r in inbox(settings)]
    assert len(ids) == 2
    assert all(i.startswith("tnr-") for i in ids)


def test_clock_skew_is_corrected_from_sent_at(
    client: TestClient, settings: Settings, write_key: str
) -> None:
    """A device clock 3 days fast: made 10 min before sending -> stored 10 min before receipt."""
    before = datetime.now(UTC)
    device_now = before + timedelta(days=3)
    made = device_now - timedelta(minutes=10)
    batch = [
        track(1, timestamp=made.isoformat(), sentAt=device_now.isoformat()),
        track(2, timestamp=made.isoformat()),  # the batch's sentAt applies
        track(3),  # no timestamp: the time received
        track(4, timestamp="2026-11-01T10:00:00Z", sentAt="2026-11-01T10:00:00+01:00"),
    ]
    body = {"batch": batch[1:], "sentAt": device_now.isoformat()}
    client.post("/v1/batch", json={"batch": batch[:1]}, auth=(write_key, ""))
    client.post("/v1/batch", json=body, auth=(write_key, ""))
    after = datetime.now(UTC)
    rows = {r["message_id"]: r["payload"] for r in inbox(settings)}

    def at(message: str, field: str) -> datetime:
        return datetime.fromisoformat(rows[message][field])

    for message in ("m1", "m2"):
        assert at(message, "timestamp") == at(message, "receivedAt") - timedelta(minutes=10)
        assert before - timedelta(minutes=10) <= at(message, "timestamp") <= after
        assert at(message, "originalTimestamp") == made
    assert at("m3", "timestamp") == at("m3", "receivedAt")
    # sentAt an hour *before* the timestamp (a +01:00 clock): stored an hour after receipt.
    assert at("m4", "timestamp") == at("m4", "receivedAt") + timedelta(hours=1)


def test_the_app_of_tenure_serve_ingests_too(settings: Settings, write_key: str) -> None:
    from tenure.web.app import create_app

    app = create_app(settings)
    with TestClient(app) as served:
        accepted = served.post("/v1/track", json=track(7), auth=(write_key, ""))
        refused = served.post("/v1/track", json=track(8), auth=("not-a-key", ""))
    app.state.engine.dispose()
    assert (accepted.status_code, refused.status_code) == (200, 401)
    assert [r["message_id"] for r in inbox(settings)] == ["m7"]
