"""Contacts: the people at each account, with roles, arrival and departure.

Each account gets a handful to dozens of contacts, scaling with company size.
The first is the champion who signed up; bigger accounts have an exec sponsor.
When the lifecycle says the champion left, that contact stops (its activity
ends) and a new champion joins a few weeks later.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tenure.sources.synthetic import catalog
from tenure.sources.synthetic.lifecycle import Lifecycle
from tenure.sources.synthetic.population import Population
from tenure.sources.synthetic.timeline import DAY_US, Timeline

NEVER = np.iinfo(np.int64).max
CHAMPION, EXEC_SPONSOR, ADMIN, USER = range(4)
ROLE_ACTIVITY = (1.6, 0.35, 1.2, 1.0)  # activity multiplier per role
INITIAL_SHARE = 0.55  # contacts there from the start; the rest join over two years


@dataclass(frozen=True)
class Roster:
    """All contacts, sorted by account then arrival; numpy arrays indexed by contact."""

    account: np.ndarray  # int64 account index
    created_us: np.ndarray  # int64
    until_us: np.ndarray  # int64: end of activity (departure or churn), NEVER if none
    left: np.ndarray  # bool: left the company (a departed champion)
    role: np.ndarray  # int64 index into catalog.ROLES
    propensity: np.ndarray  # float64: how active the person is (mean ~1 before role)
    first_name: np.ndarray  # int64 index into catalog.FIRST_NAMES
    last_name: np.ndarray  # int64 index into catalog.LAST_NAMES
    title: np.ndarray  # int64 index into catalog.ROLE_TITLES[role]
    offsets: np.ndarray  # int64 per account: index of its first contact (+ total at end)

    @property
    def size(self) -> int:
        return int(self.account.size)


def _initial_contacts(rng: np.random.Generator, pop: Population) -> dict[str, np.ndarray]:
    """Contacts before any champion change: counts scale with employees**0.4."""
    size = 1.5 * pop.employees**0.4 * rng.lognormal(0.0, 0.25, pop.size)
    counts = np.clip(np.round(size), 2, 80).astype(np.int64)
    account = np.repeat(np.arange(pop.size), counts)
    rank = np.arange(account.size) - np.repeat(np.cumsum(counts) - counts, counts)
    n = account.size
    initial = (rank == 0) | (rng.random(n) < INITIAL_SHARE)
    delay = np.where(initial, rng.random(n) * 7, rng.random(n) * 730) * DAY_US
    created = pop.created_us[account] + np.where(rank == 0, 0, delay).astype(np.int64)
    sponsor = (rank == 2) & ((pop.plan[account] >= 2) | (rng.random(n) < 0.4))
    role = np.select(
        [rank == 0, rank == 1, sponsor, rng.random(n) < 0.1],
        [CHAMPION, ADMIN, EXEC_SPONSOR, ADMIN],
        USER,
    )
    return {"account": account, "created_us": created, "role": role,
            "left_us": np.full(n, NEVER, dtype=np.int64)}  # fmt: skip


def _champion_changes(
    rng: np.random.Generator, people: dict[str, np.ndarray], life: Lifecycle
) -> dict[str, np.ndarray]:
    """Mark departed champions and add their successors (in time order)."""
    accounts, months = np.nonzero(life.champion_left)
    when = life.event_us[accounts, months]
    order = np.argsort(when, kind="stable")
    first = np.searchsorted(people["account"], np.arange(life.alive.shape[0]))
    current = {int(a): int(first[a]) for a in np.unique(accounts)}
    base = people["account"].size
    left_us = [*people["left_us"].tolist()]
    new_account: list[int] = []
    new_created: list[int] = []
    for a, t in zip(accounts[order].tolist(), when[order].tolist(), strict=True):
        left_us[current[a]] = min(left_us[current[a]], t)
        current[a] = base + len(new_account)
        new_account.append(a)
        new_created.append(t + int(rng.uniform(7, 45) * DAY_US))
        left_us.append(int(NEVER))
    return {
        "account": np.concatenate([people["account"], np.array(new_account, dtype=np.int64)]),
        "created_us": np.concatenate([people["created_us"], np.array(new_created, np.int64)]),
        "role": np.concatenate([people["role"], np.full(len(new_account), CHAMPION)]),
        "left_us": np.array(left_us, dtype=np.int64),
    }


def roster(
    rng: np.random.Generator, pop: Population, life: Lifecycle, timeline: Timeline
) -> Roster:
    """Every contact who joined before the history ends and before the account churned."""
    people = _champion_changes(rng, _initial_contacts(rng, pop), life)
    churn = np.where(life.churn_us >= 0, life.churn_us, NEVER)[people["account"]]
    keep = (people["created_us"] < np.minimum(churn, timeline.end_us)) & (
        people["created_us"] < people["left_us"]
    )
    order = np.lexsort((people["created_us"], people["account"]))
    order = order[keep[order]]
    account, role = people["account"][order], people["role"][order]
    n = account.size
    titles = np.array([len(catalog.ROLE_TITLES[r]) for r in range(len(catalog.ROLES))])
    return Roster(
        account=account,
        created_us=people["created_us"][order],
        until_us=np.minimum(people["left_us"][order], churn[order]),
        left=people["left_us"][order] < NEVER,
        role=role,
        propensity=rng.gamma(1.3, 1 / 1.3, n) * np.array(ROLE_ACTIVITY)[role],
        first_name=rng.integers(0, len(catalog.FIRST_NAMES), n),
        last_name=rng.integers(0, len(catalog.LAST_NAMES), n),
        title=(rng.random(n) * titles[role]).astype(np.int64),
        offsets=np.searchsorted(account, np.arange(pop.size + 1)),
    )
