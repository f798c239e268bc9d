"""Support tickets and survey responses, driven by latent health.

Unhealthy accounts open more tickets and more urgent ones, rate support worse
and answer NPS surveys with lower scores: the noisy signals a health score is
built from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from tenure.sources.synthetic import catalog
from tenure.sources.synthetic.lifecycle import Lifecycle, alive_window
from tenure.sources.synthetic.people import Roster
from tenure.sources.synthetic.population import Population
from tenure.sources.synthetic.tables import fact_table, fixed_width_ids, lookup, timestamps
from tenure.sources.synthetic.timeline import DAY_US, Timeline

HOUR_US = 3_600_000_000
NPS_MONTHLY_RESPONSE = 0.06  # share of established contacts answering NPS in a month
CSAT_SHARE = 0.25  # share of solved tickets followed by a CSAT response


@dataclass(frozen=True)
class Tickets:
    """One entry per ticket."""

    account: np.ndarray
    contact: np.ndarray
    created_us: np.ndarray
    solved_us: np.ndarray  # -1 while unsolved at the end of the history
    priority: np.ndarray
    health: np.ndarray  # latent health of the account when it was opened


def _pick_contact(
    rng: np.random.Generator, people: Roster, account: np.ndarray, at_us: np.ndarray
) -> np.ndarray:
    """A random contact of each account; its first contact if the pick was not there yet."""
    first, last = people.offsets[account], people.offsets[account + 1]
    pick = first + (rng.random(account.size) * (last - first)).astype(np.int64)
    there = (people.created_us[pick] <= at_us) & (people.until_us[pick] > at_us)
    return np.where(there, pick, first)


def tickets(
    rng: np.random.Generator, people: Roster, pop: Population, life: Lifecycle, tl: Timeline
) -> Tickets:
    """Tickets of every month: Poisson counts rising as health falls and with size."""
    bounds, parts = tl.bounds_us(), []
    contacts = np.diff(people.offsets)
    for t in range(tl.months):
        lo, hi = alive_window(pop, life, bounds[t], bounds[t + 1])
        share = np.clip((hi - lo) / (bounds[t + 1] - bounds[t]), 0, 1)
        health = np.nan_to_num(life.health[:, t], nan=1.0)
        rate = 0.12 * contacts**0.6 * (0.4 + 3.0 * (1 - health) ** 2) * share
        rate = rate + 0.8 * (pop.created_month == t)
        account = np.repeat(np.arange(pop.size), rng.poisson(rate * (hi > lo)))
        created = lo[account] + (rng.random(account.size) * (hi - lo)[account]).astype(np.int64)
        parts.append((account, created, health[account]))
    account, created, health = (np.concatenate(p) for p in zip(*parts, strict=True))
    shares = np.cumsum(catalog.TICKET_PRIORITY_SHARE)
    priority = np.searchsorted(shares, rng.random(account.size) ** (0.6 + 0.8 * health))
    priority = np.minimum(priority, len(shares) - 1)
    hours = rng.lognormal(np.log(np.array(catalog.TICKET_SOLVE_HOURS)[priority]), 1.0)
    solved = created + (hours * HOUR_US).astype(np.int64)
    order = np.argsort(created, kind="stable")
    return Tickets(
        account=account[order],
        contact=_pick_contact(rng, people, account[order], created[order]),
        created_us=created[order],
        solved_us=np.where(solved < tl.end_us, solved, -1)[order],
        priority=priority[order],
        health=health[order],
    )


def ticket_table(
    rng: np.random.Generator, tix: Tickets, account_ids: pa.Array, contact_ids: pa.Array,
    tl: Timeline,
) -> pa.Table:  # fmt: skip
    """The `tickets` fact table; satisfaction is rated on some solved tickets."""
    n = tix.account.size
    solved = tix.solved_us >= 0
    closed = solved & (tix.solved_us < tl.end_us - 4 * DAY_US)
    open_status = rng.integers(0, len(catalog.TICKET_OPEN_STATUSES), n)
    status = np.where(closed, 4, np.where(solved, 3, open_status))
    rated = solved & (rng.random(n) < 0.35)
    good = rng.random(n) < 0.35 + 0.6 * tix.health - 0.1 * (tix.priority == 3)
    category = rng.integers(0, len(catalog.TICKET_CATEGORIES), n)
    channel = rng.integers(0, len(catalog.TICKET_CHANNELS), n)
    props = [f'{{"category":"{c}","channel":"{h}"}}' for c in catalog.TICKET_CATEGORIES
             for h in catalog.TICKET_CHANNELS]  # fmt: skip
    return fact_table("tickets", {
        "ticket_id": fixed_width_ids("tkt_", np.arange(n), 7),
        "account_id": account_ids.take(pa.array(tix.account)),
        "contact_id": contact_ids.take(pa.array(tix.contact)),
        "created_at": timestamps(tix.created_us),
        "solved_at": timestamps(tix.solved_us, null=~solved),
        "priority": lookup(catalog.TICKET_PRIORITIES, tix.priority),
        "status": lookup((*catalog.TICKET_OPEN_STATUSES, "solved", "closed"), status),
        "satisfaction": lookup([None, "bad", "good"], np.where(rated, 1 + good, 0)),
        "properties": lookup(props, category * len(catalog.TICKET_CHANNELS) + channel),
    })  # fmt: skip


def _nps(
    rng: np.random.Generator, people: Roster, life: Lifecycle, tl: Timeline
) -> dict[str, np.ndarray]:
    """NPS answers: some established contacts each month, score ~ N(1 + 9.2 health, 1.6)."""
    bounds, parts = tl.bounds_us(), []
    for t in range(tl.months):
        start, end = bounds[t], bounds[t + 1]
        eligible = (people.created_us < start - 30 * DAY_US) & (people.until_us > end)
        c = np.flatnonzero(eligible & (rng.random(people.size) < NPS_MONTHLY_RESPONSE))
        health = life.health[people.account[c], t]
        score = np.clip(np.round(rng.normal(1 + 9.2 * health, 1.6)), 0, 10)
        at = start + (rng.random(c.size) * (end - start)).astype(np.int64)
        parts.append((c, score.astype(np.int64), at, np.full(c.size, t)))
    c, score, at, month = (np.concatenate(p) for p in zip(*parts, strict=True))
    return {"contact": c, "score": score, "at": at, "month": month,
            "survey": np.zeros(c.size, np.int64)}  # fmt: skip


def _csat(rng: np.random.Generator, tix: Tickets, tl: Timeline) -> dict[str, np.ndarray]:
    """CSAT answers (1..5) after some solved tickets."""
    at = tix.solved_us + (rng.uniform(1, 48, tix.solved_us.size) * HOUR_US).astype(np.int64)
    answered = (tix.solved_us >= 0) & (rng.random(at.size) < CSAT_SHARE) & (at < tl.end_us)
    score = np.clip(np.round(1 + 4 * tix.health + rng.normal(0, 0.8, at.size)), 1, 5)
    month = np.searchsorted(tl.bounds_us(), at, side="right") - 1
    return {"contact": tix.contact[answered], "score": score[answered].astype(np.int64),
            "at": at[answered], "month": month[answered],
            "survey": np.ones(int(answered.sum()), np.int64)}  # fmt: skip


def survey_table(
    rng: np.random.Generator, people: Roster, life: Lifecycle, tix: Tickets,
    account_ids: pa.Array, contact_ids: pa.Array, tl: Timeline,
) -> pa.Table:  # fmt: skip
    """The `survey_responses` fact table: monthly NPS waves plus post-ticket CSAT."""
    nps, csat = _nps(rng, people, life, tl), _csat(rng, tix, tl)
    cols = {k: np.concatenate([nps[k], csat[k]]) for k in nps}
    order = np.argsort(cols["at"], kind="stable")
    cols = {k: v[order] for k, v in cols.items()}
    n = order.size
    band = np.where(cols["score"] <= 6, 0, np.where(cols["score"] <= 8, 1, 2))
    band = np.where(cols["survey"] == 1, np.minimum(cols["score"] - 1, 4) // 2, band)
    pool = [c for group in catalog.NPS_COMMENTS for c in group]
    starts = np.cumsum([0] + [len(g) for g in catalog.NPS_COMMENTS])[:-1]
    sizes = np.array([len(g) for g in catalog.NPS_COMMENTS])
    pick = starts[band] + (rng.random(n) * sizes[band]).astype(np.int64)
    comment = np.where(rng.random(n) < 0.3, pick + 1, 0)
    campaigns = [f'{{"campaign":"{s}-{d:%Y-%m}"}}' for s in ("nps", "csat")
                 for d in tl.month_starts]  # fmt: skip
    return fact_table("survey_responses", {
        "response_id": fixed_width_ids("rsp_", np.arange(n), 7),
        "account_id": account_ids.take(pa.array(people.account[cols["contact"]])),
        "contact_id": contact_ids.take(pa.array(cols["contact"])),
        "survey": lookup(["nps", "csat"], cols["survey"]),
        "score": pa.array(cols["score"], pa.int64()),
        "comment": lookup([None, *pool], comment),
        "responded_at": timestamps(cols["at"]),
        "properties": lookup(campaigns, cols["survey"] * tl.months + cols["month"]),
    })  # fmt: skip
