"""Alerts against a real SMTP server and real HTTP receivers that verify signatures."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from tenure.config import AlertSettings
from tenure.db import Delivery
from tenure.workflows import deliver_pending, inbox, mark_read, notify, subscribe
from tenure.workflows.alerts import plan_digests
from tenure.workflows.channels import sign

from .receivers import http_receiver, smtp_server

SECRET = "whsec_" + base64.b64encode(b"a test secret of 32 bytes......!").decode()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_WEBHOOK_SECRET", SECRET)
    return


def settings(smtp_port: int | None, url: str | None, *, attempts: int = 5) -> AlertSettings:
    os.environ["TEST_SLACK_URL"] = f"{url}/slack"
    return AlertSettings(
        smtp={"host": "127.0.0.1", "port": smtp_port, "from_address": "tenure@example.com"}
        if smtp_port
        else None,
        slack=[{"name": "cs", "url_env": "TEST_SLACK_URL"}] if url else [],
        webhooks=[{"name": "crm", "url": f"{url}/hook", "secret_env": "TEST_WEBHOOK_SECRET"}]
        if url
        else [],
        retry_attempts=attempts,
        retry_base_seconds=0.01,
    )


def test_signing_matches_the_standard_webhooks_package() -> None:
    body = b'{"type":"tenure.notification","data":{"account_id":"A1"}}'
    timestamp = 1_790_000_000
    signature = sign(SECRET, "msg_1", timestamp, body)
    wh = Webhook(SECRET)
    assert signature == wh.sign(
        "msg_1", dt.datetime.fromtimestamp(timestamp, dt.UTC), body.decode()
    )
    # A wrong secret gives another signature.
    other = "whsec_" + base64.b64encode(b"x" * 32).decode()
    assert sign(other, "msg_1", timestamp, body) != signature


def test_the_spec_example() -> None:
    """The example of the Standard Webhooks specification (spec/standard-webhooks.md)."""
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def _notify(app_db: Engine, alerts: AlertSettings, key: str, recipient: str) -> None:
    with Session(app_db) as session, session.begin():
        notify(
            session,
            alerts,
            key=key,
            account_id="A1",
            recipient=recipient,
            title="Health dropped: Acme",
            body="health 80 → 55",
            channels=["inbox", "email", "slack", "webhook"],
            playbook="Health dropped",
        )


def test_each_channel_gets_exactly_one_message_and_never_twice(app_db: Engine, env: None) -> None:
    with smtp_server() as (port, mails), http_receiver() as http:
        alerts = settings(port, http.url)
        with Session(app_db) as session, session.begin():
            subscribe(session, "Ana Ruiz", email="ana@example.com")
            subscribe(session, "boss@example.com", scope="all")
            subscribe(session, "Cy", email="cy@example.com")  # mine: not Ana's accounts
        _notify(app_db, alerts, "k1", "Ana Ruiz")
        _notify(app_db, alerts, "k1", "Ana Ruiz")  # the same key: nothing new
        first = deliver_pending(app_db, alerts)
        second = deliver_pending(app_db, alerts)
    assert (first.sent, first.failed, second.sent, second.attempts) == (4, 0, 0, 0)
    assert sorted(m["To"] for m in mails) == ["ana@example.com", "boss@example.com"]
    assert {m["Subject"] for m in mails} == {"Health dropped: Acme"}
    paths = sorted(r.path for r in http.received)
    assert paths == ["/hook", "/slack"]
    hook = next(r for r in http.received if r.path == "/hook")
    payload = Webhook(SECRET).verify(hook.body, hook.headers)  # raises when the signature is wrong
    assert payload["data"]["account_id"] == "A1"
    slack = next(r for r in http.received if r.path == "/slack")
    assert json.loads(slack.body) == {"text": "*Health dropped: Acme*\nhealth 80 → 55"}
    with Session(app_db) as session, session.begin():
        items = inbox(session, "Ana Ruiz", unread_only=True)
        assert [n.title for n in items] == ["Health dropped: Acme"]
        assert [n.id for n in inbox(session, None)] == [items[0].id]
        assert inbox(session, "Cy") == []
        mark_read(session, items[0].id)
        assert inbox(session, "Ana Ruiz", unread_only=True) == []


def test_a_receiver_failing_twice_gets_one_delivery_after_retries(
    app_db: Engine, env: None
) -> None:
    waits: list[float] = []
    with http_receiver(fail_first=2) as http:
        alerts = settings(None, http.url).model_copy(update={"slack": []})
        _notify(app_db, alerts, "k2", "Ana")
        report = deliver_pending(app_db, alerts, sleep=waits.append)
        again = deliver_pending(app_db, alerts, sleep=waits.append)
    assert (report.sent, report.attempts, again.attempts) == (1, 3, 0)
    assert waits == [0.01, 0.02]  # exponential backoff
    assert len(http.received) == 1
    Webhook(SECRET).verify(http.received[0].body, http.received[0].headers)
    with Session(app_db) as session:
        delivery = session.scalars(select(Delivery)).one()
    assert (delivery.status, delivery.attempts) == ("sent", 3)
    assert "503" in (delivery.last_error or "")


def test_a_receiver_that_keeps_failing_is_given_up_on(app_db: Engine, env: None) -> None:
    with http_receiver(fail_first=10) as http:
        alerts = settings(None, http.url, attempts=3).model_copy(update={"slack": []})
        _notify(app_db, alerts, "k3", "Ana")
        report = deliver_pending(app_db, alerts, sleep=lambda _: None)
        deliver_pending(app_db, alerts, sleep=lambda _: None)
    assert (report.sent, report.failed, http.failures, len(http.received)) == (0, 1, 3, 0)


def test_a_daily_digest_instead_of_one_mail_each(app_db: Engine, env: None) -> None:
    with smtp_server() as (port, mails):
        alerts = settings(port, None)
        with Session(app_db) as session, session.begin():
            subscribe(session, "Ana", email="ana@example.com", digest=True)
        _notify(app_db, alerts, "k4", "Ana")
        _notify(app_db, alerts, "k5", "Ana")
        deliver_pending(app_db, alerts)
        assert mails == []
        today = dt.datetime.now(dt.UTC).date()
        with Session(app_db) as session, session.begin():
            assert plan_digests(session, alerts, day=today) == 1
            assert plan_digests(session, alerts, day=today) == 0
        deliver_pending(app_db, alerts)
    assert [m["To"] for m in mails] == ["ana@example.com"]
    assert "2 alerts" in mails[0]["Subject"]
