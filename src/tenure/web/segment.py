"""Segment's message spec: check one message of the HTTP tracking API and normalize it.

What is checked (a failure names the field): the message is a JSON object;
``type`` is one of ``TYPES`` (implied by the endpoint for single calls);
``userId`` or ``anonymousId`` is present (a string or a number); a track call
has an ``event`` name, a group call a ``groupId``; ``properties``, ``traits``
and ``context`` are objects; times are ISO 8601; the message is at most 32 KB.

Clock skew is corrected as Segment does: a device's clock may be wrong, but the
interval between when it made the event (``timestamp``) and when it sent it
(``sentAt``) is right, so the stored time is ``receivedAt − (sentAt − timestamp)``,
i.e. ``timestamp + (receivedAt − sentAt)``. Without ``sentAt`` the timestamp is
kept; without a timestamp, ``receivedAt`` is used.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import orjson

from tenure.db import InboxRow

TYPES = ("track", "identify", "group", "page", "screen", "alias")
MAX_MESSAGE_BYTES = 32 * 1024  # Segment: 32 KB per call
MAX_BATCH_BYTES = 500 * 1024  # Segment: 500 KB per batch request
MAX_ID_LENGTH = 255
_OBJECTS = ("properties", "traits", "context")


class RejectedMessageError(ValueError):
    """One message breaks the spec; `field` is the offending field (None: the whole message)."""

    def __init__(self, field: str | None, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.field = field
        self.code = code


class Received:
    """When the request arrived, and the batch-level fields every message inherits."""

    def __init__(
        self,
        at: datetime,
        sent_at: datetime | None = None,
        context: dict[str, Any] | None = None,
    ) -> None:
        self.at, self.sent_at, self.context = at, sent_at, context
        # Formatted once per request, not once per message.
        self.at_iso = at.isoformat()
        self.sent_at_iso = sent_at.isoformat() if sent_at else None


def normalize(message: Any, received: Received, *, kind: str | None = None) -> InboxRow:
    """The inbox row for `message`, or `RejectedMessageError` naming what is wrong.

    `kind` is the call type implied by the endpoint (``/v1/track``: ``track``);
    a batch message carries its own ``type``.
    """
    if not isinstance(message, dict):
        raise RejectedMessageError(None, "a message must be a JSON object")
    kind = kind or message.get("type")
    if kind not in TYPES:
        raise RejectedMessageError("type", f"must be one of {', '.join(TYPES)}; got {kind!r}")
    out = dict(message)
    out.pop("writeKey", None)
    out["type"] = kind
    user_id, anonymous_id = _id(message, "userId"), _id(message, "anonymousId")
    if user_id is None and anonymous_id is None:
        raise RejectedMessageError("userId", "userId or anonymousId is required")
    out["userId"], out["anonymousId"] = user_id, anonymous_id
    if kind == "track":
        event = message.get("event")
        if not isinstance(event, str) or not event.strip():
            raise RejectedMessageError("event", "a track call needs the event's name")
    elif kind == "group":
        out["groupId"] = _id(message, "groupId")
        if out["groupId"] is None:
            raise RejectedMessageError("groupId", "a group call needs the group (account) id")
    for name in _OBJECTS:
        if name in message and message[name] is not None and not isinstance(message[name], dict):
            raise RejectedMessageError(name, "must be a JSON object")
    if received.context:
        out["context"] = {**received.context, **(message.get("context") or {})}
    _times(message, out, received)
    message_id = _id(message, "messageId") or _derived_id(message)
    out["messageId"] = message_id
    payload = orjson.dumps(out)
    # The stored form adds under 1 KB of times: measure the message itself only near the limit.
    if len(payload) > MAX_MESSAGE_BYTES - 1024 and len(orjson.dumps(message)) > MAX_MESSAGE_BYTES:
        size = len(orjson.dumps(message))
        raise RejectedMessageError(
            None, f"message is {size:,} bytes, over the 32 KB limit", code="too_large"
        )
    return InboxRow(message_id, kind, payload.decode())


def parse_time(value: Any, field: str) -> datetime | None:
    """An ISO 8601 date-time as aware UTC (no offset: UTC); None when absent."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed
    raise RejectedMessageError(field, f"not an ISO 8601 date-time: {value!r}")


def _times(message: dict[str, Any], out: dict[str, Any], received: Received) -> None:
    original = message.get("timestamp", message.get("originalTimestamp"))
    timestamp = parse_time(original, "timestamp")
    own_sent_at = parse_time(message.get("sentAt"), "sentAt")
    sent_at = own_sent_at or received.sent_at
    if timestamp is None:
        out["timestamp"] = received.at_iso
    else:
        if sent_at is not None:
            timestamp = timestamp + (received.at - sent_at)
        out["timestamp"] = timestamp.astimezone(UTC).isoformat()
        out["originalTimestamp"] = original
    if own_sent_at is not None:
        out["sentAt"] = own_sent_at.isoformat()
    elif received.sent_at_iso is not None:
        out["sentAt"] = received.sent_at_iso
    out["receivedAt"] = received.at_iso


def _id(message: dict[str, Any], field: str) -> str | None:
    value = message.get(field)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RejectedMessageError(field, "must be a string or a number")
    text = value if isinstance(value, str) else str(value)
    if len(text) > MAX_ID_LENGTH:
        raise RejectedMessageError(field, f"longer than {MAX_ID_LENGTH} characters")
    return text


def _derived_id(message: dict[str, Any]) -> str:
    """A message without an id gets one from its content: a resend is then a duplicate."""
    content = orjson.dumps(message, option=orjson.OPT_SORT_KEYS)
    return "tnr-" + hashlib.sha256(content).hexdigest()[:32]
