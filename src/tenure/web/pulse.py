"""Record the CSM pulse from a form or the API, through `tenure.workflows.record_pulse`.

One path for every pulse: the workflow stores it (sentiment, reason codes,
note), the subjective score the next compute reads, and an audit entry.
"""

from __future__ import annotations

import datetime as dt
import json

from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.db import Pulse, User
from tenure.definitions import Definitions
from tenure.web.users import now, writing
from tenure.workflows import WorkflowError
from tenure.workflows import record_pulse as workflow_pulse
from tenure.workflows.pulse import SENTIMENTS

LEVELS = list(SENTIMENTS)  # the six sentiments, best first


def actor(user: User) -> str:
    """How audit entries and records name a user."""
    return user.name or user.email


def reason_codes(text: str) -> list[str]:
    """Comma-separated reason codes, stripped, without empties or repeats."""
    return list(dict.fromkeys(code.strip() for code in text.split(",") if code.strip()))


def record_pulse(
    db: Session,
    definitions: Definitions,
    user: User,
    account_id: str,
    *,
    sentiment: str,
    reasons: list[str],
    note: str | None,
) -> tuple[Pulse, bool]:
    """Store the pulse and commit; (pulse, False) when the same one was recorded today.

    The same author, sentiment, reasons and note on the same day is a
    re-submitted form, not a new pulse. 400 on an unknown sentiment or no reason.
    """
    writing(db)
    author = actor(user)
    today = now().date()
    same = db.scalars(
        select(Pulse)
        .where(Pulse.account_id == account_id, Pulse.author == author)
        .order_by(Pulse.id.desc())
        .limit(1)
    ).first()
    key = sentiment.strip().lower().replace("_", " ")
    if (
        same is not None
        and same.recorded_at.date() == today
        and (same.sentiment, same.reasons, same.note) == (key, _json(reasons), note)
    ):
        return same, False
    try:
        pulse = workflow_pulse(
            db,
            definitions,
            account_id,
            sentiment=sentiment,
            reasons=reasons,
            note=note,
            author=author,
        )
    except WorkflowError as error:
        db.rollback()
        raise HTTPException(400, str(error)) from None
    db.commit()
    return pulse, True


def _json(reasons: list[str]) -> str:
    return json.dumps(reasons)


def parse_day(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, f"{field}: {value!r} is not a date (YYYY-MM-DD)") from None
