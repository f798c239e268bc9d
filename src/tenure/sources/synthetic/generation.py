"""`generate()`: write a synthetic B2B SaaS history, with its hidden truth, as Parquet.

The same seed always gives the same rows. Randomness comes from one
`SeedSequence(seed)` spawned into independent streams per stage and per event
month, so events can be generated and written one month at a time (memory
stays bounded) without changing what any other stage draws.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from tenure.sources.synthetic.contracts import subscription_table
from tenure.sources.synthetic.crm import accounts_table, contacts_table
from tenure.sources.synthetic.events import (
    EventBatch,
    event_table,
    onboarding_events,
    usage_events,
)
from tenure.sources.synthetic.lifecycle import Lifecycle, churn_reasons, lifecycle
from tenure.sources.synthetic.people import Roster, roster
from tenure.sources.synthetic.population import Population, month_index, population
from tenure.sources.synthetic.support import survey_table, ticket_table, tickets
from tenure.sources.synthetic.tables import digits_for, fixed_width_ids, write_parquet
from tenure.sources.synthetic.timeline import DEFAULT_END_DATE, Timeline, timeline
from tenure.sources.synthetic.touches import touch_table
from tenure.sources.synthetic.truth import account_months_table, accounts_truth_table

STAGES = ("population", "lifecycle", "reasons", "roster", "onboarding", "support", "touches",
          "crm")  # fmt: skip


@dataclass(frozen=True)
class GenerationSummary:
    """What `generate` wrote: rows per fact table, the date range, and how long it took."""

    accounts: int
    months: int
    seed: int
    start_date: dt.date  # first day of the first month
    end_date: dt.date  # last day included
    rows: dict[str, int] = field(default_factory=dict)  # per fact table, events included
    events: int = 0
    seconds: float = 0.0

    def to_json(self) -> dict[str, object]:
        out = asdict(self)
        out["start_date"], out["end_date"] = self.start_date.isoformat(), self.end_date.isoformat()
        return out


@dataclass(frozen=True)
class _World:
    """Everything simulated before any row is written."""

    pop: Population
    life: Lifecycle
    people: Roster
    account_ids: pa.Array
    contact_ids: pa.Array


def _world(rng: dict[str, np.random.Generator], accounts: int, tl: Timeline) -> _World:
    pop = population(rng["population"], accounts, tl)
    life = lifecycle(rng["lifecycle"], pop, tl)
    people = roster(rng["roster"], pop, life, tl)
    return _World(
        pop=pop, life=life, people=people,
        account_ids=fixed_width_ids("acc_", np.arange(pop.size), digits_for(pop.size)),
        contact_ids=fixed_width_ids("con_", np.arange(people.size), digits_for(people.size)),
    )  # fmt: skip


def _write_facts(
    out_dir: Path, rng: dict[str, np.random.Generator], w: _World, tl: Timeline
) -> dict[str, int]:
    """Write every fact table but events; returns their row counts."""
    reasons = churn_reasons(rng["reasons"], w.pop, w.life)
    tix = tickets(rng["support"], w.people, w.pop, w.life, tl)
    tables = {
        "accounts": accounts_table(rng["crm"], w.pop, w.life, reasons, w.account_ids),
        "contacts": contacts_table(w.people, w.pop, w.account_ids, w.contact_ids),
        "subscriptions": subscription_table(w.pop, w.life, w.account_ids, tl),
        "tickets": ticket_table(rng["support"], tix, w.account_ids, w.contact_ids, tl),
        "survey_responses": survey_table(
            rng["support"], w.people, w.life, tix, w.account_ids, w.contact_ids, tl
        ),
        "touches": touch_table(rng["touches"], w.pop, w.life, w.account_ids, tl),
    }
    return {name: write_parquet(t, out_dir / f"{name}.parquet") for name, t in tables.items()}


def _write_truth(out_dir: Path, w: _World, tl: Timeline) -> None:
    write_parquet(account_months_table(w.pop, w.life, w.account_ids, tl),
                  out_dir / "truth" / "account_months.parquet")  # fmt: skip
    write_parquet(accounts_truth_table(w.pop, w.life, w.account_ids),
                  out_dir / "truth" / "accounts.parquet")  # fmt: skip


def _write_events(
    out_dir: Path, rng: np.random.Generator, month_streams: list[np.random.SeedSequence],
    w: _World, tl: Timeline,
) -> int:  # fmt: skip
    """Write events month by month (one file each); returns how many were written."""
    _clear_event_parts(out_dir)
    onboarding = onboarding_events(rng, w.people, w.pop, w.life, tl)
    onboarding_month = month_index(onboarding.timestamp_us, tl)
    total = 0
    for t, stream in enumerate(month_streams):
        month_onboarding = onboarding.select(onboarding_month == t)
        total += _write_month(out_dir, np.random.default_rng(stream), t, month_onboarding, w, tl)
        pa.default_memory_pool().release_unused()  # keep the peak to one month's worth
    return total


def _write_month(
    out_dir: Path, rng: np.random.Generator, t: int, onboarding: EventBatch, w: _World,
    tl: Timeline,
) -> int:  # fmt: skip
    """Generate and write month `t`'s events; nothing of it outlives the call."""
    first = tl.month_starts[t]
    usage = usage_events(rng, t, w.people, w.pop, w.life, tl)
    batch = EventBatch.concat([usage, onboarding])
    del usage
    table = event_table(batch, f"{first:%Y%m}", w.people, w.account_ids, w.contact_ids)
    del batch
    return write_parquet(table, out_dir / "events" / f"part-{first:%Y-%m}.parquet")


def _clear_event_parts(out_dir: Path) -> None:
    """Remove event files of an earlier run, which could cover other months."""
    for part in (out_dir / "events").glob("part-*.parquet"):
        part.unlink()


def generate(
    out_dir: Path,
    *,
    accounts: int = 1000,
    months: int = 12,
    seed: int = 0,
    end_date: dt.date | None = None,
) -> GenerationSummary:
    """Write `months` months of history for `accounts` accounts into `out_dir`.

    The history ends on `end_date` (default 2026-10-31, fixed so that runs are
    reproducible) and starts on the first of the month `months - 1` months
    earlier. Writes one Parquet file per fact table (`accounts.parquet`, ...),
    events as `events/part-YYYY-MM.parquet`, the truth under `truth/`, and the
    parameters with this summary as `generation.json`.
    """
    if accounts < 1:
        raise ValueError(f"accounts must be at least 1, got {accounts}")
    began = time.perf_counter()
    tl = timeline(end_date or DEFAULT_END_DATE, months)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    streams = np.random.SeedSequence(seed).spawn(len(STAGES) + months)
    rng = {name: np.random.default_rng(s) for name, s in zip(STAGES, streams, strict=False)}
    world = _world(rng, accounts, tl)
    rows = _write_facts(out_dir, rng, world, tl)
    _write_truth(out_dir, world, tl)
    rows["events"] = _write_events(out_dir, rng["onboarding"], streams[len(STAGES) :], world, tl)
    summary = GenerationSummary(
        accounts=accounts, months=months, seed=seed, start_date=tl.first_month,
        end_date=tl.end, rows=rows, events=rows["events"],
        seconds=round(time.perf_counter() - began, 3),
    )  # fmt: skip
    (out_dir / "generation.json").write_text(json.dumps(summary.to_json(), indent=2) + "\n")
    return summary
