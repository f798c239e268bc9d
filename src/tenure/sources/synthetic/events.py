"""Product events: onboarding steps per new contact, then daily usage sessions.

Usage is drawn per contact and day, as a matrix: the chance that a contact is
active on a day grows over their first weeks (ramp), is lower at weekends,
follows the account's season, and scales with latent health. An active day is
a session: a login, then a Poisson number of further events whose mix depends
on the contact's role. Feature breadth (how many distinct features show up)
also grows with health. Everything is numpy over whole months; no Python loop
runs per event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from tenure.sources.synthetic import catalog
from tenure.sources.synthetic.lifecycle import Lifecycle
from tenure.sources.synthetic.people import CHAMPION, Roster
from tenure.sources.synthetic.population import Population, month_index
from tenure.sources.synthetic.tables import fact_table, fixed_width_ids, lookup, timestamps
from tenure.sources.synthetic.timeline import DAY_US, Timeline, weekday_of

HOUR_US = 3_600_000_000
DAILY_ACTIVITY = 0.40  # chance a typical contact is active on a weekday at full health
WEEKEND_FACTOR = 0.15
RAMP_DAYS = 14.0
MAX_SESSION_EVENTS = 40

_C = catalog.EVENT_CODE
_PROPERTY_KINDS = (
    ("feature", _C["core_feature_used"], catalog.FEATURES),
    ("report", _C["report_viewed"], catalog.REPORTS),
    ("channel", _C["message_sent"], catalog.CHANNELS),
    ("integration", _C["integration_added"], catalog.INTEGRATIONS),
)


def property_values() -> tuple[list[str | None], np.ndarray, np.ndarray]:
    """The distinct `properties` JSON strings, and per event code their offset and count.

    Code 0 is null; an event's property code is offset[event] + choice.
    """
    values: list[str | None] = [None]
    offset = np.zeros(len(catalog.EVENTS), dtype=np.int64)
    count = np.zeros(len(catalog.EVENTS), dtype=np.int64)
    for key, code, choices in _PROPERTY_KINDS:
        offset[code], count[code] = len(values), len(choices)
        values += [json.dumps({key: c}, separators=(",", ":")) for c in choices]
    return values, offset, count


@dataclass(frozen=True)
class EventBatch:
    """Events as parallel numpy arrays (contact = index into the roster)."""

    timestamp_us: np.ndarray
    contact: np.ndarray
    event: np.ndarray
    prop: np.ndarray

    def select(self, mask: np.ndarray) -> EventBatch:
        return EventBatch(self.timestamp_us[mask], self.contact[mask], self.event[mask],
                          self.prop[mask])  # fmt: skip

    @staticmethod
    def concat(batches: list[EventBatch]) -> EventBatch:
        return EventBatch(*(np.concatenate([getattr(b, f) for b in batches])
                            for f in ("timestamp_us", "contact", "event", "prop")))  # fmt: skip


def _property_codes(rng: np.random.Generator, event: np.ndarray, breadth: np.ndarray) -> np.ndarray:
    """Property code per event; features are skewed to the first `breadth` of them."""
    _, offset, count = property_values()
    u = rng.random(event.size)
    choice = np.minimum((u * count[event]).astype(np.int64), np.maximum(count[event] - 1, 0))
    is_feature = event == _C["core_feature_used"]
    feature = (breadth * rng.random(event.size) ** 1.5).astype(np.int64)
    choice = np.where(is_feature, feature, choice)
    return np.where(count[event] > 0, offset[event] + choice, 0)


def onboarding_events(
    rng: np.random.Generator, people: Roster, pop: Population, life: Lifecycle, tl: Timeline
) -> EventBatch:
    """Sign-up and onboarding milestones of every contact who joins during the history."""
    new = np.flatnonzero(people.created_us >= tl.start_us)
    c, t0 = new, people.created_us[new]
    account = people.account[c]
    month = np.clip(month_index(t0, tl), 0, tl.months - 1)
    health = np.nan_to_num(life.health[account, month], nan=0.6)
    founder = (people.role[c] == CHAMPION) & (t0 == pop.created_us[account])
    poor = pop.poor_onboarding[account]
    n = c.size
    steps = [
        (np.ones(n, bool), 0, _C["signed_up"]),
        (founder, 1_000_000, _C["account_created"]),
        (rng.random(n) < 0.85, rng.exponential(1.5, n) * DAY_US, _C["profile_completed"]),
        (rng.random(n) < 0.25 + 0.5 * health, rng.exponential(4, n) * DAY_US,
         _C["tutorial_completed"]),
        (founder & (rng.random(n) < np.where(poor, 0.5, 0.93)),
         rng.gamma(2.0, np.where(poor, 12.0, 3.0)) * DAY_US, _C["setup_completed"]),
        (founder & (rng.random(n) < 0.6 * health), rng.exponential(10, n) * DAY_US,
         _C["integration_added"]),
    ]  # fmt: skip
    batches = []
    for mask, delay, code in steps:
        ts = t0 + np.asarray(delay, dtype=np.int64) + rng.integers(0, 60_000_000, n)
        ok = mask & (ts < people.until_us[c]) & (ts < tl.end_us)
        event = np.full(int(ok.sum()), code, dtype=np.int64)
        batches.append(EventBatch(ts[ok], c[ok], event, np.zeros(event.size, np.int64)))
    out = EventBatch.concat(batches)
    breadth = np.ones(out.event.size)
    return EventBatch(out.timestamp_us, out.contact, out.event,
                      _property_codes(rng, out.event, breadth))  # fmt: skip


def _active_days(
    rng: np.random.Generator, people: Roster, c: np.ndarray, days: np.ndarray,
    level: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(contact, day) index pairs of active contact-days for contacts `c` in this month."""
    created, until = people.created_us[c][:, None], people.until_us[c][:, None]
    age = (days[None, :] - created) / DAY_US
    weekday = np.where(weekday_of(days) >= 5, WEEKEND_FACTOR, 1.0)
    ramp = 0.35 + 0.65 * (1.0 - np.exp(-np.maximum(age, 0) / RAMP_DAYS))
    p = (level[:, None] * weekday[None, :] * ramp).astype(np.float32)
    p[(age < 1) | (days[None, :] + DAY_US > until)] = 0.0
    contact, day = np.nonzero(rng.random(p.shape, dtype=np.float32) < p)
    return contact, day


def usage_events(
    rng: np.random.Generator, month: int, people: Roster, pop: Population, life: Lifecycle,
    tl: Timeline,
) -> EventBatch:  # fmt: skip
    """Sessions of every contact active in simulated month `month`."""
    bounds = tl.bounds_us()
    start, end = bounds[month], bounds[month + 1]
    c = np.flatnonzero((people.created_us < end) & (people.until_us > start))
    a = people.account[c]
    health = np.nan_to_num(life.health[a, month], nan=0.0)
    drive = health**1.5 / 0.6
    season = pop.season_factor(tl.calendar_months()[month : month + 1])[a, 0]
    level = DAILY_ACTIVITY * people.propensity[c] * pop.engagement[a] * season * drive
    days = tl.day_starts_us(month)
    ci, di = _active_days(rng, people, c, days, np.minimum(level, 0.95))
    per_session = 1 + np.minimum(rng.poisson(1.0 + 5.0 * drive[ci]), MAX_SESSION_EVENTS)
    cell = np.repeat(np.arange(ci.size), per_session)
    position = np.arange(cell.size) - np.repeat(np.cumsum(per_session) - per_session, per_session)
    contact, account = c[ci][cell], a[ci][cell]
    offset = np.array(catalog.REGION_UTC_OFFSET)[pop.region[account]] * HOUR_US
    local_start = np.clip(rng.normal(13.0, 2.5, ci.size), 6.0, 20.0) * HOUR_US
    ts = (days[di][cell] - offset + local_start.astype(np.int64)[cell]
          + position * 90_000_000 + rng.integers(0, 90_000_000, cell.size))  # fmt: skip
    event = _session_mix(rng, people.role[contact], position)
    breadth = np.clip(np.round(1 + 7 * health * pop.breadth[a]), 1, len(catalog.FEATURES))
    prop = _property_codes(rng, event, breadth[ci][cell])
    keep = (ts >= start) & (ts < end) & (ts < people.until_us[contact])
    keep &= ts > people.created_us[contact]
    return EventBatch(ts[keep], contact[keep], event[keep], prop[keep])


def _session_mix(rng: np.random.Generator, role: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Event code of each session event: a login first, then the role's usage mix."""
    u = rng.random(role.size)
    event = np.zeros(role.size, dtype=np.int64)
    for r, mix in enumerate(catalog.ROLE_EVENT_MIX):
        mask = role == r
        event[mask] = np.searchsorted(np.cumsum(mix) / sum(mix), u[mask], side="right")
    return np.where(position == 0, _C["login"], np.minimum(event, len(mix) - 1))


def event_table(
    batch: EventBatch, label: str, people: Roster, account_ids: pa.Array, contact_ids: pa.Array
) -> pa.Table:
    """One month's `events` fact table, sorted by time, ids ``evt_<label>_<n>``.

    Sign-up events also carry the visitor's anonymous id from before sign-up.
    """
    order = np.argsort(batch.timestamp_us, kind="stable")
    contact, event = batch.contact[order], batch.event[order]
    signed_up = np.flatnonzero(event == _C["signed_up"])
    anonymous = pa.concat_arrays(
        [pa.nulls(1, pa.string()), fixed_width_ids("anon_", contact[signed_up], 9)]
    )
    anonymous_code = np.zeros(event.size, dtype=np.int64)
    anonymous_code[signed_up] = np.arange(1, signed_up.size + 1)
    return fact_table("events", {
        "message_id": fixed_width_ids(f"evt_{label}_", np.arange(event.size), 9),
        "account_id": account_ids.take(pa.array(people.account[contact])),
        "contact_id": contact_ids.take(pa.array(contact)),
        "anonymous_id": anonymous.take(pa.array(anonymous_code)),
        "event": lookup(catalog.EVENTS, event),
        "timestamp": timestamps(batch.timestamp_us[order]),
        "properties": lookup(property_values()[0], batch.prop[order]),
    })  # fmt: skip
