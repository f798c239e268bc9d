"""Playbook triggers: which accounts a trigger fires for on the as-of day, and why.

Each hit has a *reason* that stays the same while the condition lasts (it is
part of the open-task key, so a task is never duplicated), and `repeat_days`:
None fires once per reason ever; N fires again at most every N days while
the condition holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tenure.definitions import (
    BandChangedTrigger,
    ChurnRiskTrigger,
    ChurnTrigger,
    Definitions,
    HealthDropTrigger,
    MilestoneTrigger,
    NoTouchTrigger,
    NpsDetractorTrigger,
    RenewalTrigger,
    SegmentEnteredTrigger,
    SegmentLeftTrigger,
    Trigger,
)
from tenure.workflows.facts import DayResult, Facts

CHURN_RISK_REPEAT_DAYS = 30


@dataclass(frozen=True)
class Hit:
    account_id: str
    reason: str
    detail: str
    repeat_days: int | None = None


def hits(trigger: Trigger, facts: Facts, definitions: Definitions) -> list[Hit]:
    """The accounts `trigger` fires for on `facts.as_of` (churned accounts only for churn)."""
    found = list(_EVALUATORS[type(trigger)](trigger, facts, definitions))
    if isinstance(trigger, ChurnTrigger):
        return found
    return [h for h in found if not _churned(facts, h.account_id)]


def _churned(facts: Facts, account_id: str) -> bool:
    account = facts.accounts.get(account_id)
    churned_on = account.churned_on if account is not None else None
    if churned_on is not None and churned_on <= facts.as_of:
        return True
    return account_id in facts.recorded_churn


def _today(facts: Facts) -> dict[str, DayResult]:
    return facts.days.get(facts.as_of, {})


def _segment_entered(t: SegmentEnteredTrigger, f: Facts, _: Definitions) -> Iterator[Hit]:
    yield from _segment_moves(f, t.segment_entered, entered=True)


def _segment_left(t: SegmentLeftTrigger, f: Facts, _: Definitions) -> Iterator[Hit]:
    yield from _segment_moves(f, t.segment_left, entered=False)


def _segment_moves(f: Facts, segment: str, *, entered: bool) -> Iterator[Hit]:
    before = f.segments.get(f.as_of - dt.timedelta(days=1), {})
    for account, now in f.segments.get(f.as_of, {}).items():
        was = before.get(account)
        if entered and now == segment and was != segment:
            yield Hit(account, f"entered {segment} on {f.as_of}", f"segment {was} → {now}")
        if not entered and was == segment and now != segment:
            yield Hit(account, f"left {segment} on {f.as_of}", f"segment {was} → {now}")


def _band_changed(t: BandChangedTrigger, f: Facts, _: Definitions) -> Iterator[Hit]:
    before = f.days.get(f.as_of - dt.timedelta(days=1), {})
    for account, now in _today(f).items():
        old = before.get(account)
        if now.band is None or old is None or old.band is None or old.band == now.band:
            continue
        change = t.band_changed
        if (change.to and now.band not in change.to) or (
            change.from_ and old.band not in change.from_
        ):
            continue
        text = f"health band {old.band} → {now.band}"
        yield Hit(account, f"{text} on {f.as_of}", text)


def _health_drop(t: HealthDropTrigger, f: Facts, _: Definitions) -> Iterator[Hit]:
    drop = t.health_drop
    before = f.days.get(f.as_of - dt.timedelta(days=drop.days), {})
    for account, now in _today(f).items():
        old = before.get(account)
        if now.score is None or old is None or old.score is None:
            continue
        fell = old.score - now.score
        if fell >= drop.points:
            reason = f"health dropped at least {drop.points:g} points in {drop.days} days"
            detail = (
                f"health {old.score:.0f} → {now.score:.0f} ({fell:.0f} points in {drop.days} days)"
            )
            yield Hit(account, reason, detail, repeat_days=drop.days)


def _milestone(t: MilestoneTrigger, f: Facts, _: Definitions) -> Iterator[Hit]:
    wanted = {"achieved": {"achieved", "achieved late"}}.get(t.milestone, {t.milestone})
    for account, milestone, status in f.milestones:
        if status in wanted and (not t.names or milestone in t.names):
            yield Hit(account, f"milestone {milestone}: {t.milestone}", f"{milestone} is {status}")


def _renewal(t: RenewalTrigger, f: Facts, _: Definitions) -> Iterator[Hit]:
    until = f.as_of + dt.timedelta(days=t.renewal_within_days)
    for account, day in f.renewals.items():
        if day <= until and account in _today(f):
            yield Hit(
                account, f"renewal on {day}", f"renews on {day} ({(day - f.as_of).days} days)"
            )


def _nps_detractor(t: NpsDetractorTrigger, f: Facts, _: Definitions) -> Iterator[Hit]:
    since = f.as_of - dt.timedelta(days=t.within_days - 1)
    for account, response, day in f.detractors:
        if since <= day <= f.as_of:
            yield Hit(account, f"NPS detractor (response {response})", f"NPS 0–6 on {day}")


def _churn_risk(t: ChurnRiskTrigger, f: Facts, _: Definitions) -> Iterator[Hit]:
    if not f.has_churn_risk:
        f.skipped.append("churn_risk_above: no churn risk computed (account_days.churn_risk)")
        return
    for account, now in _today(f).items():
        if now.churn_risk is not None and now.churn_risk > t.churn_risk_above:
            reason = f"churn risk above {t.churn_risk_above:g}"
            detail = f"churn risk {now.churn_risk:.2f}"
            yield Hit(account, reason, detail, repeat_days=CHURN_RISK_REPEAT_DAYS)


def _no_touch(t: NoTouchTrigger, f: Facts, definitions: Definitions) -> Iterator[Hit]:
    cadence = {s.name: s.touches for s in definitions.value_segments}
    for account, segment in f.segments.get(f.as_of, {}).items():
        if account not in _today(f):
            continue
        for touch in cadence.get(segment or "", []):
            last = f.last_touches.get((account, touch.kind))
            if last is None or (f.as_of - last).days >= touch.every_days:
                reason = f"no {touch.kind} within {touch.every_days} days"
                detail = f"last {touch.kind}: {last or 'never'} ({segment})"
                yield Hit(account, reason, detail, repeat_days=touch.every_days)


def _churn(t: ChurnTrigger, f: Facts, _: Definitions) -> Iterator[Hit]:
    for account in sorted({a for a in f.accounts if _churned(f, a)}):
        yield Hit(account, "churned", "the account churned")


_EVALUATORS: dict[type, Callable[..., Iterator[Hit]]] = {
    SegmentEnteredTrigger: _segment_entered,
    SegmentLeftTrigger: _segment_left,
    BandChangedTrigger: _band_changed,
    HealthDropTrigger: _health_drop,
    MilestoneTrigger: _milestone,
    RenewalTrigger: _renewal,
    NpsDetractorTrigger: _nps_detractor,
    ChurnRiskTrigger: _churn_risk,
    NoTouchTrigger: _no_touch,
    ChurnTrigger: _churn,
}


def lookback_days(definitions: Definitions) -> set[int]:
    """The days back the health-drop triggers compare with."""
    return {
        p.trigger.health_drop.days
        for p in definitions.playbooks
        if isinstance(p.trigger, HealthDropTrigger)
    }


def detractor_days(definitions: Definitions) -> int:
    days = [
        p.trigger.within_days
        for p in definitions.playbooks
        if isinstance(p.trigger, NpsDetractorTrigger)
    ]
    return max(days, default=7)
