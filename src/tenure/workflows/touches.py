"""Touch compliance: overdue touches per CSM and the communication calendar.

The touch model is the value segments' ``touches`` (``tenure.yaml``:
``value_segments[].touches: [{kind, every_days}]``). For an account of segment
S, for each touch kind K of S with cadence N days:

- last(K) = the day of its latest touch of kind K (the profile's ``touches``,
  plus touches logged in the app and not yet imported, when given);
- next due(K) = last(K) + N, or the account's creation day (else the as-of day)
  when it never had a K touch;
- overdue on day d when next due(K) < d; days overdue = d − next due(K).

The calendar lists, between d − window and d + window, the planned touches (each
next due day, overdue ones on their due day) and the done touches (each
touch's day). Churned accounts are left out. The profile keeps each account's
10 latest touches: a kind whose latest touch is older than those counts as
never touched.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.db import TOUCH, AccountProfile, InboxMessage
from tenure.definitions import Definitions

NOBODY = "(no CSM)"


@dataclass(frozen=True)
class ProfileTouches:
    """What compliance needs of one account."""

    account_id: str
    name: str | None
    owner: str | None
    segment: str | None
    created_on: dt.date | None
    touches: list[tuple[str, dt.date]]  # (kind, day)


@dataclass(frozen=True)
class DueTouch:
    account_id: str
    name: str | None
    owner: str
    segment: str
    kind: str
    every_days: int
    last_on: dt.date | None
    due_on: dt.date
    days_overdue: int  # 0 when not overdue


@dataclass
class CsmCompliance:
    owner: str
    accounts: int = 0
    planned: int = 0  # (account, kind) pairs the touch model asks for
    overdue: int = 0
    overdue_accounts: int = 0
    items: list[DueTouch] = field(default_factory=list)  # overdue ones, most overdue first

    @property
    def compliance(self) -> float | None:
        """Share of planned (account, kind) pairs that are not overdue."""
        return None if self.planned == 0 else 1 - self.overdue / self.planned


def _day(value: object) -> dt.date | None:
    if value is None or value == "":
        return None
    return dt.date.fromisoformat(str(value)[:10])


def cadences(definitions: Definitions) -> dict[str, list[tuple[str, int]]]:
    """{segment: [(kind, every_days)]} from the value segments' touch model."""
    return {s.name: [(t.kind, t.every_days) for t in s.touches] for s in definitions.value_segments}


def due_touches(
    profiles: Iterable[ProfileTouches], model: dict[str, list[tuple[str, int]]], *, on: dt.date
) -> list[DueTouch]:
    """The next due touch of each account and kind of its segment's model (see module)."""
    found = []
    for p in profiles:
        kinds = model.get(p.segment or "", [])
        for kind, every in kinds:
            days = [d for k, d in p.touches if k == kind and d <= on]
            last = max(days) if days else None
            due = last + dt.timedelta(days=every) if last else (p.created_on or on)
            found.append(
                DueTouch(
                    account_id=p.account_id,
                    name=p.name,
                    owner=p.owner or NOBODY,
                    segment=p.segment or "",
                    kind=kind,
                    every_days=every,
                    last_on=last,
                    due_on=due,
                    days_overdue=max(0, (on - due).days),
                )
            )
    return found


def compliance(
    profiles: Iterable[ProfileTouches], model: dict[str, list[tuple[str, int]]], *, on: dt.date
) -> list[CsmCompliance]:
    """Per CSM: accounts, planned pairs, overdue pairs and accounts, the overdue list."""
    profiles = list(profiles)
    by_owner: dict[str, CsmCompliance] = {}
    for p in profiles:
        if model.get(p.segment or ""):
            owner = p.owner or NOBODY
            by_owner.setdefault(owner, CsmCompliance(owner)).accounts += 1
    late_accounts: dict[str, set[str]] = defaultdict(set)
    for due in due_touches(profiles, model, on=on):
        row = by_owner[due.owner]
        row.planned += 1
        if due.days_overdue > 0:
            row.overdue += 1
            row.items.append(due)
            late_accounts[due.owner].add(due.account_id)
    for owner, row in by_owner.items():
        row.overdue_accounts = len(late_accounts[owner])
        row.items.sort(key=lambda d: (-d.days_overdue, d.account_id, d.kind))
    return sorted(by_owner.values(), key=lambda r: (-r.overdue, r.owner))


def calendar(
    profiles: Iterable[ProfileTouches],
    model: dict[str, list[tuple[str, int]]],
    *,
    on: dt.date,
    days: int = 30,
) -> list[dict[str, Any]]:
    """Planned (next due) and done touches between on − days and on + days, by day."""
    profiles = list(profiles)
    low, high = on - dt.timedelta(days=days), on + dt.timedelta(days=days)
    rows: list[dict[str, Any]] = []
    for due in due_touches(profiles, model, on=on):
        if low <= due.due_on <= high:
            rows.append(
                {
                    "day": due.due_on,
                    "status": "overdue" if due.days_overdue > 0 else "planned",
                    "account_id": due.account_id,
                    "name": due.name,
                    "owner": due.owner,
                    "kind": due.kind,
                }
            )
    for p in profiles:
        for kind, day in p.touches:
            if low <= day <= high:
                rows.append(
                    {
                        "day": day,
                        "status": "done",
                        "account_id": p.account_id,
                        "name": p.name,
                        "owner": p.owner or NOBODY,
                        "kind": kind,
                    }
                )
    return sorted(rows, key=lambda r: (r["day"], r["owner"], r["account_id"], r["kind"]))


def load_profiles(session: Session, *, pending: bool = True) -> list[ProfileTouches]:
    """Active accounts' touches from ``account_profiles`` (plus touches logged in the app
    and not yet imported, when `pending`)."""
    logged: dict[str, list[tuple[str, dt.date]]] = defaultdict(list)
    if pending:
        query = select(InboxMessage.payload).where(
            InboxMessage.type == TOUCH, InboxMessage.processed_at.is_(None)
        )
        for payload in session.scalars(query):
            touch = json.loads(payload).get("touch", {})
            day = _day(touch.get("at"))
            if touch.get("account_id") and touch.get("kind") and day:
                logged[touch["account_id"]].append((touch["kind"], day))
    found = []
    active = select(AccountProfile).where(AccountProfile.churned_on.is_(None))
    for profile in session.scalars(active):
        details = json.loads(profile.details or "{}")
        touches = [
            (t["kind"], day)
            for t in details.get("touches", [])
            if t.get("kind") and (day := _day(t.get("at"))) is not None
        ]
        found.append(
            ProfileTouches(
                account_id=profile.account_id,
                name=profile.name,
                owner=profile.owner,
                segment=profile.segment,
                created_on=profile.created_on,
                touches=touches + logged.get(profile.account_id, []),
            )
        )
    return found
