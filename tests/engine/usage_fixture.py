"""Four contacts' activity around January 2024, shared by the usage tests.

Weeks start on Monday: Jan 1, 8, 15 and 22 2024 are Mondays.

- u1: login Jan 1, 2, 3, 9 and 22; report_viewed Jan 10;
- u2: login Jan 3 and 17;
- u3: login Jan 8;
- u4: signed_up Dec 20 2023, login Jan 2.
"""

from __future__ import annotations

import datetime as dt

from facts_fixtures import event, load_sources
from ibis.backends import BaseBackend

from tenure.engine.rules import Sources

M = dt.date
AS_OF = M(2024, 1, 21)


def usage_sources(backend: BaseBackend) -> Sources:
    rows = [
        *(event("A", "u1", "login", M(2024, 1, d)) for d in (1, 2, 3, 9, 22)),
        event("A", "u1", "report_viewed", M(2024, 1, 10)),
        *(event("A", "u2", "login", M(2024, 1, d)) for d in (3, 17)),
        event("B", "u3", "login", M(2024, 1, 8)),
        event("B", "u4", "signed_up", M(2023, 12, 20)),
        event("B", "u4", "login", M(2024, 1, 2)),
    ]
    return load_sources(backend, events=[r for group in rows for r in group])
