"""Run the playbooks over the latest computed results: triggers → conditions → actions.

Idempotent: each (playbook, account, reason) fires once (or once per
`repeat_days` for conditions that last, such as a health drop), tasks are
never duplicated while open, and notifications are unique by key, so running
the rules twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tenure.config import Settings
from tenure.db import PlaybookFiring
from tenure.definitions import NotifyAction, Playbook, SetFieldAction, TaskAction
from tenure.pipeline import open_app_db, open_warehouse
from tenure.workflows.alerts import notify
from tenure.workflows.facts import Facts, latest_computed_day, load_facts
from tenure.workflows.tasks import create_task, set_account_field
from tenure.workflows.triggers import Hit, detractor_days, hits, lookback_days


@dataclass
class RulesReport:
    as_of: dt.date | None
    fired: dict[str, int] = field(default_factory=dict)  # playbook -> new firings
    tasks: int = 0
    notifications: int = 0
    fields: int = 0
    skipped: list[str] = field(default_factory=list)


def run_playbooks(settings: Settings, *, as_of: dt.date | None = None) -> RulesReport:
    """Evaluate every enabled playbook on `as_of` (default: the latest computed day)."""
    app_db, warehouse = open_app_db(settings), open_warehouse(settings)
    try:
        as_of = as_of or latest_computed_day(app_db)
        if as_of is None:
            return RulesReport(None, skipped=["nothing computed yet: run tenure compute"])
        definitions = settings.definitions
        facts = load_facts(
            app_db,
            warehouse,
            definitions,
            as_of=as_of,
            lookback_days=lookback_days(definitions),
            detractor_days=detractor_days(definitions),
        )
        report = RulesReport(as_of)
        for playbook in (p for p in definitions.playbooks if p.enabled):
            found = [
                h
                for h in hits(playbook.trigger, facts, definitions)
                if _matches(playbook, h, facts)
            ]
            report.fired[playbook.name] = _fire(app_db, settings, playbook, found, facts, report)
        report.skipped = sorted(set(facts.skipped))
        return report
    finally:
        app_db.dispose()
        warehouse.disconnect()


def _matches(playbook: Playbook, hit: Hit, facts: Facts) -> bool:
    when = playbook.when
    today = facts.days.get(facts.as_of, {}).get(hit.account_id)
    account = facts.accounts.get(hit.account_id)
    segment = facts.segments.get(facts.as_of, {}).get(hit.account_id)
    checks: list[tuple[Sequence[str], str | None]] = [
        (when.segment, segment),
        (when.stage, today.stage if today else None),
        (when.band, today.band if today else None),
        (when.owner, account.owner if account else None),
    ]
    return all(not allowed or value in allowed for allowed, value in checks)


def _fire(
    app_db: Engine,
    settings: Settings,
    playbook: Playbook,
    found: list[Hit],
    facts: Facts,
    report: RulesReport,
) -> int:
    fired = 0
    with Session(app_db) as session, session.begin():
        for hit in found:
            if not _due(session, playbook.name, hit, facts.as_of):
                continue
            session.add(
                PlaybookFiring(
                    playbook=playbook.name,
                    account_id=hit.account_id,
                    reason=hit.reason,
                    fired_on=facts.as_of,
                    created_at=datetime.now(UTC),
                )
            )
            _act(session, settings, playbook, hit, facts, report)
            fired += 1
    return fired


def _due(session: Session, playbook: str, hit: Hit, as_of: dt.date) -> bool:
    """Not fired for this reason before (or not within its repeat_days)."""
    query = select(PlaybookFiring.fired_on).where(
        PlaybookFiring.playbook == playbook,
        PlaybookFiring.account_id == hit.account_id,
        PlaybookFiring.reason == hit.reason,
    )
    if hit.repeat_days is not None:
        query = query.where(PlaybookFiring.fired_on > as_of - dt.timedelta(days=hit.repeat_days))
    return session.scalars(query.limit(1)).first() is None


def _act(
    session: Session,
    settings: Settings,
    playbook: Playbook,
    hit: Hit,
    facts: Facts,
    report: RulesReport,
) -> None:
    account = facts.accounts.get(hit.account_id)
    owner = account.owner if account else None
    names = {
        "account": (account.name if account else None) or hit.account_id,
        "owner": owner or "",
        "reason": hit.reason,
    }
    for action in playbook.actions:
        if isinstance(action, TaskAction):
            t = action.task
            task = create_task(
                session,
                account_id=hit.account_id,
                type_=t.type,
                reason=hit.reason,
                title=_fill(t.title, names),
                owner=t.owner or owner,
                due_on=facts.as_of + dt.timedelta(days=t.due_days),
                steps=t.steps,
                playbook=playbook.name,
            )
            report.tasks += task is not None
        elif isinstance(action, NotifyAction):
            title = _fill(action.notify.title or playbook.name, names)
            made = notify(
                session,
                settings.alerts,
                key=f"{playbook.name}|{hit.account_id}|{hit.reason}|{facts.as_of}",
                account_id=hit.account_id,
                recipient=owner,
                title=f"{title}: {names['account']}",
                body=hit.detail,
                channels=action.notify.channels,
                playbook=playbook.name,
            )
            report.notifications += made is not None
        elif isinstance(action, SetFieldAction):
            f = action.set_field
            report.fields += set_account_field(
                session, hit.account_id, f.field, _fill(f.value, names), actor=playbook.name
            )


def _fill(template: str, names: dict[str, str]) -> str:
    """Put {account}, {owner} and {reason} in; other braces stay as written."""
    for name, value in names.items():
        template = template.replace("{" + name + "}", value)
    return template
