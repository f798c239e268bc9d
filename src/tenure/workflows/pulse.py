"""CSM input: the pulse (six-point sentiment), manual health overrides, churn records.

A pulse is stored twice: in ``pulses`` with its sentiment, reason codes and
note, and as a ``SubjectiveScore`` of the scorecards' subjective measures,
which health scores read until the measure's ``expires_days`` have passed
(recorded on day r, it counts on days r … r + expires_days − 1).
"""

from __future__ import annotations

import datetime as dt
import json
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.db import ChurnRecord, HealthOverride, Pulse, SubjectiveScore
from tenure.definitions import Definitions
from tenure.workflows.audit import WorkflowError, audit

# Sentiment -> points (0–100) of the subjective measure.
SENTIMENTS: dict[str, float] = {
    "extremely satisfied": 100.0,
    "very satisfied": 80.0,
    "satisfied": 60.0,
    "at risk": 40.0,
    "high risk": 20.0,
    "severe risk": 0.0,
}
BANDS = ("red", "yellow", "green")


def pulse_measures(definitions: Definitions) -> dict[str, int | None]:
    """The subjective measures of every scorecard and their expiry in days."""
    return {
        m.name: m.expires_days for c in definitions.scorecards for m in c.measures if m.subjective
    }


def record_pulse(
    session: Session,
    definitions: Definitions,
    account_id: str,
    *,
    sentiment: str,
    reasons: list[str],
    note: str | None = None,
    author: str | None = None,
    at: datetime | None = None,
) -> Pulse:
    """Record a CSM pulse; it counts in health until the subjective measure expires."""
    key = sentiment.strip().lower().replace("_", " ")
    if key not in SENTIMENTS:
        raise WorkflowError(f"sentiment {sentiment!r} is not one of: {', '.join(SENTIMENTS)}")
    if not reasons:
        raise WorkflowError("a pulse needs at least one reason code")
    at = at or datetime.now(UTC)
    measures = pulse_measures(definitions)
    score_id = None
    for measure in measures:
        score = SubjectiveScore(
            account_id=account_id,
            measure=measure,
            value_points=SENTIMENTS[key],
            recorded_at=at,
            author=author,
            reason=", ".join(reasons),
        )
        session.add(score)
        session.flush()
        score_id = score_id or score.id
    days = [d for d in measures.values() if d is not None]
    expires = at.date() + dt.timedelta(days=min(days)) if days else None
    pulse = Pulse(
        account_id=account_id,
        sentiment=key,
        points=SENTIMENTS[key],
        reasons=json.dumps(reasons),
        note=note,
        author=author,
        recorded_at=at,
        expires_on=expires,
        subjective_score_id=score_id,
    )
    session.add(pulse)
    session.flush()
    audit(
        session,
        actor=author,
        action="pulse",
        entity="account",
        entity_id=account_id,
        new={"sentiment": key, "reasons": reasons, "note": note},
    )
    return pulse


def latest_pulse(session: Session, account_id: str, *, on: dt.date) -> Pulse | None:
    """The newest pulse recorded on or before `on` that has not expired then."""
    query = select(Pulse).where(Pulse.account_id == account_id).order_by(Pulse.recorded_at.desc())
    for pulse in session.scalars(query):
        if pulse.recorded_at.date() <= on and (pulse.expires_on is None or on < pulse.expires_on):
            return pulse
    return None


def set_override(
    session: Session,
    account_id: str,
    *,
    band: str,
    reason: str,
    expires_on: dt.date,
    score: float | None = None,
    author: str | None = None,
) -> HealthOverride:
    """A manual health band (and score) with a required reason, until `expires_on`."""
    if band not in BANDS:
        raise WorkflowError(f"band {band!r} is not one of {', '.join(BANDS)}")
    if not reason.strip():
        raise WorkflowError("a health override needs a reason")
    if score is not None and not 0 <= score <= 100:
        raise WorkflowError("an override score is 0–100")
    old = active_override(session, account_id, on=datetime.now(UTC).date())
    row = HealthOverride(
        account_id=account_id,
        band=band,
        score=score,
        reason=reason,
        author=author,
        created_at=datetime.now(UTC),
        expires_on=expires_on,
    )
    session.add(row)
    session.flush()
    audit(
        session,
        actor=author,
        action="override",
        entity="account",
        entity_id=account_id,
        old={"band": old.band, "score": old.score} if old else None,
        new={"band": band, "score": score, "reason": reason, "expires_on": expires_on},
    )
    return row


def active_override(session: Session, account_id: str, *, on: dt.date) -> HealthOverride | None:
    """The newest override in force on `on` (created on or before it, expiring after it)."""
    query = (
        select(HealthOverride)
        .where(HealthOverride.account_id == account_id, HealthOverride.expires_on > on)
        .order_by(HealthOverride.created_at.desc(), HealthOverride.id.desc())
    )
    return next((o for o in session.scalars(query) if o.created_at.date() <= on), None)


def record_churn(
    session: Session,
    account_id: str,
    *,
    churned_on: dt.date,
    reasons: list[str],
    mrr_lost: float | None = None,
    products: list[str] | None = None,
    notes: str | None = None,
    author: str | None = None,
) -> ChurnRecord:
    """Why an account left: reason codes (one or more), MRR lost, products, exit notes."""
    if not reasons:
        raise WorkflowError("a churn record needs at least one reason code")
    if mrr_lost is not None and mrr_lost < 0:
        raise WorkflowError("MRR lost cannot be negative")
    row = ChurnRecord(
        account_id=account_id,
        churned_on=churned_on,
        reasons=json.dumps(reasons),
        mrr_lost=mrr_lost,
        products=json.dumps(products or []),
        notes=notes,
        recorded_by=author,
        recorded_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    audit(
        session,
        actor=author,
        action="churn",
        entity="account",
        entity_id=account_id,
        new={"churned_on": churned_on, "reasons": reasons, "mrr_lost": mrr_lost},
    )
    return row


def churn_records(session: Session, *, account_id: str | None = None) -> list[ChurnRecord]:
    query = select(ChurnRecord).order_by(ChurnRecord.churned_on.desc(), ChurnRecord.id)
    if account_id is not None:
        query = query.where(ChurnRecord.account_id == account_id)
    return list(session.scalars(query))
