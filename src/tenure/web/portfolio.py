"""The portfolio dashboard's figures, read from the results of the latest compute."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from tenure.db import AccountDay, AccountProfile, MilestoneState
from tenure.web.queries import BANDS, latest_day

TREND_WEEKS = 12


def band_trend(db: Session, day: date) -> list[dict[str, Any]]:
    """Accounts per band and mean health, weekly over the last `TREND_WEEKS` weeks."""
    days = [day - timedelta(weeks=w) for w in range(TREND_WEEKS, -1, -1)]
    rows = db.execute(
        select(
            AccountDay.day,
            AccountDay.health_band,
            func.count(),
            func.avg(AccountDay.health_score),
        )
        .where(AccountDay.day.in_(days))
        .group_by(AccountDay.day, AccountDay.health_band)
    ).all()
    trend: dict[date, dict[str, Any]] = {}
    for d, band, n, mean in rows:
        entry = trend.setdefault(d, {"day": d, "total": 0, "weighted": 0.0, "scored": 0})
        entry[band or "unscored"] = n
        entry["total"] += n
        if mean is not None:
            entry["weighted"] += mean * n
            entry["scored"] += n
    out = []
    for d in sorted(trend):
        e = trend[d]
        e["mean_health"] = e.pop("weighted") / e["scored"] if e["scored"] else None
        out.append(e)
    return out


def health_histogram(db: Session, day: date) -> list[float]:
    return list(
        db.scalars(
            select(AccountDay.health_score).where(
                AccountDay.day == day, AccountDay.health_score.is_not(None)
            )
        )
    )


def milestone_funnel(db: Session, order: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Per milestone (in `order`, the definitions' order; others last): accounts started,
    achieved (on time or late), missed, in progress (on track or behind)."""
    rows = db.execute(
        select(
            MilestoneState.milestone,
            MilestoneState.status,
            func.count(),
            func.min(MilestoneState.anchor_day),
        ).group_by(MilestoneState.milestone, MilestoneState.status)
    ).all()
    counts: dict[str, Counter[str]] = {}
    for milestone, status, n, _ in rows:
        counts.setdefault(milestone, Counter())[status] += n
    funnel = []
    for milestone, c in counts.items():
        started = sum(n for s, n in c.items() if s != "not_started")
        achieved = c["achieved"] + c["achieved_late"]
        funnel.append(
            {
                "milestone": milestone,
                "started": started,
                "achieved": achieved,
                "missed": c["missed"],
                "in_progress": c["on_track"] + c["behind"],
                "rate": achieved / started if started else None,
            }
        )
    rank = {name: i for i, name in enumerate(order)}
    return sorted(funnel, key=lambda f: (rank.get(f["milestone"], len(rank)), f["milestone"]))


def renewals(db: Session, day: date, *, days: int = 90, limit: int = 10) -> list[dict[str, Any]]:
    rows = db.execute(
        select(AccountProfile, AccountDay.health_band, AccountDay.health_score)
        .outerjoin(
            AccountDay,
            and_(AccountDay.account_id == AccountProfile.account_id, AccountDay.day == day),
        )
        .where(AccountProfile.renewal_on.between(day, day + timedelta(days=days)))
        .order_by(AccountProfile.renewal_on, AccountProfile.arr.desc())
        .limit(limit)
    )
    return [
        {
            "account_id": p.account_id,
            "name": p.name,
            "owner": p.owner,
            "arr": p.arr,
            "renewal_on": p.renewal_on,
            "health_band": band,
            "health_score": score,
        }
        for p, band, score in rows
    ]


def band_changes(db: Session, day: date, *, days: int = 7, limit: int = 10) -> list[dict[str, Any]]:
    """Accounts whose band today differs from `days` days before, biggest ARR first."""
    before = aliased(AccountDay)
    rows = db.execute(
        select(AccountProfile, AccountDay, before.health_band)
        .join(AccountDay, AccountDay.account_id == AccountProfile.account_id)
        .join(
            before,
            and_(
                before.account_id == AccountDay.account_id, before.day == day - timedelta(days=days)
            ),
        )
        .where(AccountDay.day == day, AccountDay.health_band != before.health_band)
        .order_by(AccountProfile.arr.desc())
        .limit(limit)
    )
    return [
        {
            "account_id": p.account_id,
            "name": p.name,
            "owner": p.owner,
            "arr": p.arr,
            "from": old,
            "to": now.health_band,
            "worse": BANDS.index(now.health_band or "red") < BANDS.index(old or "red"),
        }
        for p, now, old in rows
    ]


def dashboard(db: Session, *, milestone_order: Sequence[str] = ()) -> dict[str, Any] | None:
    day = latest_day(db)
    if day is None:
        return None
    return {
        "day": day,
        "trend": band_trend(db, day),
        "histogram": health_histogram(db, day),
        "funnel": milestone_funnel(db, milestone_order),
        "renewals": renewals(db, day),
        "changes": band_changes(db, day),
    }
