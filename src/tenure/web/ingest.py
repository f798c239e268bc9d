"""Segment-compatible ingestion: ``POST /v1/batch``, ``/v1/track``, ``/v1/identify``, ...

Existing Segment (and RudderStack) clients send their events to Tenure
unchanged. A request is authenticated by a write key (the HTTP Basic username,
or ``writeKey`` in the body), may be gzip-compressed, and every valid message
in it is committed to the app database's ``inbox`` before the response; the
next ``compute`` moves them into the warehouse. See docs/ingestion.md.

Partial batches: Segment drops a whole request only when its JSON is malformed.
Here too a bad message never costs the valid ones: they are committed, and the
response is 400 (413 if every rejected message was too large) listing each
rejected message's index, field and reason, with the count accepted. A client
that resends the whole batch loses nothing either: accepted ids are skipped.
"""

from __future__ import annotations

import base64
import binascii
import threading
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import APIRouter, FastAPI, Request, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from tenure.config import Settings
from tenure.db import InboxRow, active_write_key_id, append_messages, create_engine_for
from tenure.pipeline import upgrade_app_db
from tenure.web.segment import (
    MAX_BATCH_BYTES,
    MAX_MESSAGE_BYTES,
    Received,
    RejectedMessageError,
    normalize,
    parse_time,
)

SHOWN_ERRORS = 100
router = APIRouter(prefix="/v1", tags=["ingestion"])


class IngestError(Exception):
    """The whole request is refused (bad key, bad JSON, too large, ...)."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.field = status, code, field

    def body(self) -> dict[str, Any]:
        return {"success": False, "code": self.code, "field": self.field, "message": str(self)}


@dataclass
class Outcome:
    accepted: int
    new: int
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> int:
        if not self.errors:
            return 200
        return 413 if all(e["code"] == "too_large" for e in self.errors) else 400

    def body(self) -> dict[str, Any]:
        if not self.errors:
            return {"success": True}
        return {
            "success": False,
            "code": "invalid_messages",
            "message": f"{len(self.errors)} message(s) rejected, {self.accepted} accepted",
            "accepted": self.accepted,
            "errors": self.errors[:SHOWN_ERRORS],
        }


class Ingestion:
    """Checks and commits requests into the inbox of one app database."""

    def __init__(self, app_db: Engine) -> None:
        self.app_db = app_db
        # SQLite has one writer at a time: queue here rather than spin on its busy lock.
        self._write_lock = threading.Lock() if app_db.dialect.name == "sqlite" else None

    def accept(
        self, raw: bytes, *, kind: str | None, encoding: str, basic_key: str | None
    ) -> Outcome:
        """Decode, authenticate, check every message and commit the valid ones."""
        received_at = datetime.now(UTC)
        limit = MAX_MESSAGE_BYTES if kind else MAX_BATCH_BYTES
        body = _parsed(_decoded(raw, encoding, limit))
        key = basic_key or body.get("writeKey")
        if not isinstance(key, str) or not key:
            raise IngestError(
                401, "no_write_key", "send a write key as the HTTP Basic username or as writeKey"
            )
        with self.app_db.connect() as connection:
            key_id = active_write_key_id(connection, key)
        if key_id is None:
            raise IngestError(401, "invalid_write_key", "unknown or revoked write key")
        messages, received = _messages(body, kind, received_at)
        rows: list[InboxRow] = []
        errors: list[dict[str, Any]] = []
        for index, message in enumerate(messages):
            try:
                rows.append(normalize(message, received, kind=kind))
            except RejectedMessageError as exc:
                errors.append(
                    {"index": None if kind else index, "field": exc.field, "code": exc.code}
                    | {"message": str(exc)}
                )
        with self._write_lock or nullcontext(), self.app_db.begin() as connection:
            new = append_messages(connection, rows, received_at=received_at, write_key_id=key_id)
        return Outcome(len(rows), new, errors)


def _decoded(raw: bytes, encoding: str, limit: int) -> bytes:
    if encoding in ("", "identity"):
        if len(raw) > limit:
            raise _too_large(limit)
        return raw
    if encoding != "gzip":
        raise IngestError(415, "unsupported_encoding", f"Content-Encoding {encoding!r}: use gzip")
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(raw, limit + 1)
    except zlib.error as exc:
        raise IngestError(400, "invalid_gzip", f"the body is not valid gzip: {exc}") from None
    if len(data) > limit or inflater.unconsumed_tail:
        raise _too_large(limit)
    if not inflater.eof:
        raise IngestError(400, "invalid_gzip", "the gzip body is truncated")
    return data


def _too_large(limit: int) -> IngestError:
    return IngestError(413, "too_large", f"the request is over the {limit // 1024} KB limit")


def _parsed(data: bytes) -> dict[str, Any]:
    try:
        body = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise IngestError(400, "invalid_json", f"malformed JSON: {exc}") from None
    if not isinstance(body, dict):
        raise IngestError(400, "invalid_json", "the body must be a JSON object")
    return body


def _messages(
    body: dict[str, Any], kind: str | None, received_at: datetime
) -> tuple[list[Any], Received]:
    if kind:
        return [body], Received(received_at)
    batch = body.get("batch")
    if not isinstance(batch, list):
        raise IngestError(400, "invalid_batch", "batch must be a list of messages", "batch")
    context = body.get("context")
    try:
        sent_at = parse_time(body.get("sentAt"), "sentAt")
    except RejectedMessageError as exc:
        raise IngestError(400, "invalid_batch", str(exc), "sentAt") from None
    return batch, Received(received_at, sent_at, context if isinstance(context, dict) else None)


def _basic_key(request: Request) -> str | None:
    """The write key sent as the HTTP Basic username (the password is empty)."""
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "basic" or not credentials:
        return None
    try:
        decoded = base64.b64decode(credentials, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise IngestError(401, "invalid_write_key", "malformed Basic credentials") from None
    return decoded.partition(":")[0] or None


async def _body(request: Request, limit: int) -> bytes:
    """The raw body, refused with 413 as soon as it passes `limit` bytes."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


async def _ingest(request: Request, kind: str | None) -> Response:
    ingestion: Ingestion = request.app.state.tenure_ingestion
    try:
        raw = await _body(request, MAX_MESSAGE_BYTES if kind else MAX_BATCH_BYTES)
        # Parsing and the commit run in a worker thread: the event loop keeps reading requests.
        outcome = await run_in_threadpool(
            ingestion.accept,
            raw,
            kind=kind,
            encoding=request.headers.get("content-encoding", "").strip().lower(),
            basic_key=_basic_key(request),
        )
    except IngestError as exc:
        return _json(exc.status, exc.body())
    return _json(outcome.status, outcome.body())


@router.post("/batch", summary="Send a batch of messages (Segment's batch call)")
async def batch(request: Request) -> Response:
    """`{"batch": [message, ...], "sentAt": ...}`: at most 500 KB, 32 KB per message."""
    return await _ingest(request, None)


@router.post("/import", summary="Same as /v1/batch (Segment's import endpoint)")
async def import_(request: Request) -> Response:
    return await _ingest(request, None)


@router.post("/track", summary="Record an event")
async def track(request: Request) -> Response:
    return await _ingest(request, "track")


@router.post("/identify", summary="Record who a user is and their traits")
async def identify(request: Request) -> Response:
    return await _ingest(request, "identify")


@router.post("/group", summary="Link a user to an account (group) and record its traits")
async def group(request: Request) -> Response:
    return await _ingest(request, "group")


@router.post("/page", summary="Record a page view")
async def page(request: Request) -> Response:
    return await _ingest(request, "page")


@router.post("/screen", summary="Record a screen view (mobile)")
async def screen(request: Request) -> Response:
    return await _ingest(request, "screen")


@router.post("/alias", summary="Merge two user identities (stored; not used yet)")
async def alias(request: Request) -> Response:
    return await _ingest(request, "alias")


def mount_ingestion(app: FastAPI, app_db: Engine) -> None:
    """Add the ``/v1`` ingestion routes to `app`, writing into `app_db` (already migrated)."""
    app.state.tenure_ingestion = Ingestion(app_db)
    app.include_router(router)


def ingest_app(settings: Settings) -> FastAPI:
    """A FastAPI app with only the ingestion routes (tests, the benchmark)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app_db.dispose()

    upgrade_app_db(settings)
    app_db = create_engine_for(settings.resolved_app_db_url)
    app = FastAPI(title="Tenure ingestion", lifespan=lifespan)
    mount_ingestion(app, app_db)
    return app
