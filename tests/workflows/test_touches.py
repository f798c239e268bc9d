"""Touch compliance on hand-made profiles: overdue per CSM and the calendar."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.orm import Session

from tenure.db import AccountProfile
from tenure.workflows.touches import ProfileTouches, calendar, compliance, load_profiles

D = dt.date
ON = D(2026, 10, 31)
MODEL = {"High touch": [("call", 30), ("qbr", 91)], "Tech touch": [("webinar", 30)]}


def _profiles() -> list[ProfileTouches]:
    return [
        # call on 10-15: due 11-14, fine; qbr on 07-01: due 09-30, 31 days overdue
        ProfileTouches(
            "a1",
            "A1",
            "Ana",
            "High touch",
            D(2025, 1, 1),
            [("call", D(2026, 10, 15)), ("qbr", D(2026, 7, 1)), ("call", D(2026, 8, 1))],
        ),
        # never had a call: due since creation (2026-10-21 → 10 days); qbr on 10-20: fine
        ProfileTouches(
            "a2", "A2", "Ana", "High touch", D(2026, 10, 21), [("qbr", D(2026, 10, 20))]
        ),
        # webinar on 10-01: due 10-31, not overdue on the day itself
        ProfileTouches("b1", "B1", "Bo", "Tech touch", None, [("webinar", D(2026, 10, 1))]),
        # a segment without a touch model is left out
        ProfileTouches("c1", "C1", "Cy", "Other", None, []),
    ]


def test_overdue_per_csm() -> None:
    rows = {r.owner: r for r in compliance(_profiles(), MODEL, on=ON)}
    assert set(rows) == {"Ana", "Bo"}
    ana = rows["Ana"]
    assert (ana.accounts, ana.planned, ana.overdue, ana.overdue_accounts) == (2, 4, 2, 2)
    assert ana.compliance == 0.5
    assert [(d.account_id, d.kind, d.days_overdue, d.last_on) for d in ana.items] == [
        ("a1", "qbr", 31, D(2026, 7, 1)),
        ("a2", "call", 10, None),
    ]
    bo = rows["Bo"]
    assert (bo.planned, bo.overdue, bo.compliance) == (1, 0, 1.0)


def test_calendar_of_planned_and_done() -> None:
    rows = calendar(_profiles(), MODEL, on=ON, days=30)
    got = [(r["day"], r["status"], r["account_id"], r["kind"]) for r in rows]
    assert got == [
        (D(2026, 10, 1), "done", "b1", "webinar"),
        (D(2026, 10, 15), "done", "a1", "call"),
        (D(2026, 10, 20), "done", "a2", "qbr"),
        (D(2026, 10, 21), "overdue", "a2", "call"),
        (D(2026, 10, 31), "planned", "b1", "webinar"),
        (D(2026, 11, 14), "planned", "a1", "call"),
    ]  # a1's qbr was due 09-30 (outside), a2's next qbr on 2027-01-19 (outside)


def test_profiles_and_pending_touches_from_the_app_database(session: Session) -> None:
    from datetime import UTC, datetime

    from tenure.db import TOUCH, InboxRow, append_messages

    details = {"touches": [{"kind": "call", "at": "2026-10-15 12:00:00", "author": "Ana"}]}
    session.add(
        AccountProfile(
            account_id="a1",
            owner="Ana",
            segment="High touch",
            arr=1.0,
            as_of=ON,
            details=json.dumps(details),
        )
    )
    session.add(
        AccountProfile(
            account_id="gone",
            owner="Ana",
            segment="High touch",
            arr=1.0,
            as_of=ON,
            churned_on=D(2026, 9, 1),
        )
    )
    session.flush()
    touch = {"touch_id": "t", "account_id": "a1", "kind": "qbr", "at": "2026-10-30T12:00:00"}
    payload = {"type": TOUCH, "messageId": "m1", "touch": touch}
    append_messages(
        session.connection(),
        [InboxRow("m1", TOUCH, json.dumps(payload))],
        received_at=datetime.now(UTC),
        write_key_id=None,
    )
    [profile] = load_profiles(session)
    assert profile.account_id == "a1"
    assert sorted(profile.touches) == [("call", D(2026, 10, 15)), ("qbr", D(2026, 10, 30))]
