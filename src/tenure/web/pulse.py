"""Record the CSM pulse: the scorecards' subjective measure, scored by the next compute."""

from __future__ import annotations

from fastapi import HTTPException
from sqlalchemy.orm import Session

from tenure.db import SubjectiveScore, User
from tenure.definitions import Definitions
from tenure.web.users import now, writing

LEVELS = {
    "Extremely satisfied": 100.0,
    "Satisfied": 75.0,
    "Neutral": 50.0,
    "At risk": 25.0,
    "Severe risk": 0.0,
}


def subjective_measure(definitions: Definitions) -> str | None:
    """The name of the first subjective measure of any scorecard (e.g. "CSM pulse")."""
    for scorecard in definitions.scorecards:
        for measure in scorecard.measures:
            if measure.subjective:
                return measure.name
    return None


def record_pulse(
    db: Session,
    definitions: Definitions,
    user: User,
    account_id: str,
    *,
    points: float,
    reason: str | None,
) -> str:
    """Store the pulse; 409 when no scorecard has a subjective measure."""
    measure = subjective_measure(definitions)
    if measure is None:
        raise HTTPException(409, "no scorecard has a subjective measure to record")
    writing(db)
    db.add(
        SubjectiveScore(
            account_id=account_id,
            measure=measure,
            value_points=points,
            recorded_at=now(),
            author=user.name or user.email,
            reason=reason or None,
        )
    )
    db.commit()
    return measure
