"""Sending one message: email (SMTP), Slack incoming webhooks, signed generic webhooks.

Generic webhooks are signed per the Standard Webhooks convention
(https://www.standardwebhooks.com): headers ``webhook-id``,
``webhook-timestamp`` (Unix seconds) and ``webhook-signature`` =
``v1,`` + base64(HMAC-SHA256(key, f"{id}.{timestamp}.{body}")), where the key
is the base64-decoded part of the secret after ``whsec_``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import smtplib
import time
import urllib.request
from email.message import EmailMessage
from email.utils import make_msgid

from tenure.config import AlertSettings, SmtpSettings

HTTP_TIMEOUT_SECONDS = 10


class ChannelError(ValueError):
    """A channel is not configured well enough to send (missing variable, unknown name)."""


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,`` + base64 HMAC-SHA256 of id.timestamp.body."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ChannelError(f"environment variable {name} is not set")
    return value


def send_email(smtp: SmtpSettings, *, to: str, subject: str, body: str, key: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = smtp.from_address, to, subject
    message["Message-ID"] = make_msgid(domain="tenure.local")
    message["X-Tenure-Delivery"] = key
    message.set_content(body)
    with smtplib.SMTP(smtp.host, smtp.port, timeout=HTTP_TIMEOUT_SECONDS) as client:
        if smtp.starttls:
            client.starttls()
        if smtp.username:
            client.login(smtp.username, _env(smtp.password_env) if smtp.password_env else "")
        client.send_message(message)


def post_json(url: str, payload: object, headers: dict[str, str] | None = None) -> None:
    """POST JSON; any status other than 2xx (or a network error) raises."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
        response.read()


def send_slack(alerts: AlertSettings, *, name: str, text: str) -> None:
    target = next((s for s in alerts.slack if s.name == name), None)
    if target is None:
        raise ChannelError(f"no Slack target named {name!r} in alerts.slack")
    post_json(_env(target.url_env), {"text": text})


def send_webhook(alerts: AlertSettings, *, name: str, key: str, payload: dict[str, object]) -> None:
    """POST a signed Standard Webhooks message; `key` is its stable id (retries reuse it)."""
    target = next((w for w in alerts.webhooks if w.name == name), None)
    if target is None:
        raise ChannelError(f"no webhook named {name!r} in alerts.webhooks")
    body = json.dumps(payload, separators=(",", ":")).encode()
    timestamp = int(time.time())
    message_id = "msg_" + hashlib.sha256(key.encode()).hexdigest()[:24]
    headers = {
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(_env(target.secret_env), message_id, timestamp, body),
    }
    request = urllib.request.Request(target.url, data=body, method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
        response.read()
