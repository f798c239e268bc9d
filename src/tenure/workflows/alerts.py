"""Alerts: inbox notifications, who gets what (subscriptions, digest), and their delivery.

A notification is an in-app inbox item, unique by its key (playbook, account,
reason, day). Each channel it asks for becomes one `Delivery` row keyed by
notification, channel and target, so nothing is ever sent twice; a delivery is
tried up to `alerts.retry_attempts` times with exponential backoff
(`retry_base_seconds` × 2^(n−1) between tries n and n+1) and every try is logged.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from tenure.config import AlertSettings
from tenure.db import AlertSubscription, Delivery, Notification
from tenure.workflows.audit import WorkflowError, audit
from tenure.workflows.channels import ChannelError, send_email, send_slack, send_webhook

SCOPES = ("mine", "all")


def subscribe(
    session: Session,
    user: str,
    *,
    email: str | None = None,
    scope: str = "mine",
    digest: bool = False,
    actor: str | None = None,
) -> AlertSubscription:
    """What `user` (as in accounts.owner) gets by email at `email` (default: `user`).

    `scope` mine: alerts on the accounts they own; all: every alert. `digest`:
    one email a day instead of one per alert.
    """
    if scope not in SCOPES:
        raise WorkflowError(f"scope {scope!r} is not one of {', '.join(SCOPES)}")
    row = session.get(AlertSubscription, user) or AlertSubscription(user=user)
    old = {"scope": row.scope, "digest": row.digest} if row.scope else None
    if email is None and "@" not in user:
        raise WorkflowError(f"{user!r} is not an email address: give email=")
    row.scope, row.digest, row.email = scope, digest, email
    session.add(row)
    audit(
        session,
        actor=actor or user,
        action="subscribe",
        entity="alert_subscription",
        entity_id=user,
        old=old,
        new={"scope": scope, "digest": digest, "email": email},
    )
    return row


def notify(
    session: Session,
    alerts: AlertSettings,
    *,
    key: str,
    account_id: str,
    recipient: str | None,
    title: str,
    body: str,
    channels: Sequence[str],
    playbook: str | None = None,
) -> Notification | None:
    """An inbox notification and its deliveries; None when `key` was notified before."""
    if session.scalars(select(Notification.id).where(Notification.key == key)).first():
        return None
    notification = Notification(
        key=key,
        account_id=account_id,
        recipient=recipient,
        playbook=playbook,
        title=title,
        body=body,
        channels=json.dumps(list(channels)),
        created_at=datetime.now(UTC),
    )
    session.add(notification)
    session.flush()
    for channel, target in _targets(session, alerts, recipient, channels):
        payload = body
        if channel == "webhook":
            payload = json.dumps({"type": "tenure.notification", "data": _data(notification)})
        session.add(
            Delivery(
                key=f"n{notification.id}:{channel}:{target}",
                notification_id=notification.id,
                channel=channel,
                target=target,
                subject=title,
                body=payload,
                status="pending",
                created_at=datetime.now(UTC),
            )
        )
    return notification


def _data(n: Notification) -> dict[str, object]:
    return {
        "account_id": n.account_id,
        "recipient": n.recipient,
        "playbook": n.playbook,
        "title": n.title,
        "body": n.body,
        "key": n.key,
    }


def _targets(
    session: Session, alerts: AlertSettings, recipient: str | None, channels: Sequence[str]
) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if "email" in channels and alerts.smtp is not None:
        subs = list(session.scalars(select(AlertSubscription)))
        people = {
            _address(s)
            for s in subs
            if not s.digest and (s.scope == "all" or s.user == recipient) and _address(s)
        }
        if recipient and "@" in recipient and recipient not in {s.user for s in subs}:
            people.add(recipient)  # no subscription: the owner's own accounts, at once
        out += [("email", person) for person in sorted(p for p in people if p)]
    if "slack" in channels:
        out += [("slack", target.name) for target in alerts.slack]
    if "webhook" in channels:
        out += [("webhook", target.name) for target in alerts.webhooks]
    return out


def _address(sub: AlertSubscription) -> str | None:
    return sub.email or (sub.user if "@" in sub.user else None)


def inbox(
    session: Session, recipient: str | None, *, unread_only: bool = False
) -> list[Notification]:
    """A person's notifications (None: everyone's, for an "all accounts" view), newest first."""
    query = select(Notification)
    if recipient is not None:
        query = query.where(Notification.recipient == recipient)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(session.scalars(query.order_by(Notification.id.desc())))


def mark_read(session: Session, notification_id: int) -> None:
    row = session.get(Notification, notification_id)
    if row is None:
        raise WorkflowError(f"no notification {notification_id}")
    row.read_at = row.read_at or datetime.now(UTC)


def plan_digests(session: Session, alerts: AlertSettings, *, day: dt.date) -> int:
    """One digest email per digest subscriber with notifications created on `day`."""
    if alerts.smtp is None:
        return 0
    start = datetime.combine(day, dt.time(), tzinfo=UTC)
    items = list(
        session.scalars(
            select(Notification)
            .where(
                Notification.created_at >= start,
                Notification.created_at < start + dt.timedelta(days=1),
            )
            .order_by(Notification.id)
        )
    )
    planned = 0
    for sub in session.scalars(select(AlertSubscription).where(AlertSubscription.digest)):
        mine = [n for n in items if sub.scope == "all" or n.recipient == sub.user]
        key = f"digest:{day}:{sub.user}"
        address = _address(sub)
        if (
            not mine
            or not address
            or session.scalars(select(Delivery.id).where(Delivery.key == key)).first()
        ):
            continue
        body = "\n".join(f"- {n.title}: {n.body}" for n in mine)
        session.add(
            Delivery(
                key=key,
                channel="email",
                target=address,
                subject=f"Tenure digest for {day}: {len(mine)} alerts",
                body=body,
                status="pending",
                created_at=datetime.now(UTC),
            )
        )
        planned += 1
    return planned


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    attempts: int = 0


def deliver_pending(
    app_db: Engine, alerts: AlertSettings, *, sleep: Callable[[float], None] = time.sleep
) -> DeliveryReport:
    """Send every pending delivery, retrying with exponential backoff; log every try."""
    report = DeliveryReport()
    with Session(app_db) as session:
        ids = list(session.scalars(select(Delivery.id).where(Delivery.status == "pending")))
    for delivery_id in ids:
        with Session(app_db) as session, session.begin():
            claimed = session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id, Delivery.status == "pending")
                .values(status="sending")
            ).rowcount  # type: ignore[attr-defined]
        if not claimed:  # another process took it
            continue
        _deliver_one(app_db, alerts, delivery_id, report, sleep)
    return report


def _deliver_one(
    app_db: Engine,
    alerts: AlertSettings,
    delivery_id: int,
    report: DeliveryReport,
    sleep: Callable[[float], None],
) -> None:
    with Session(app_db) as session, session.begin():
        delivery = session.get_one(Delivery, delivery_id)
        while True:
            delivery.attempts += 1
            report.attempts += 1
            try:
                _send(alerts, delivery)
            except (OSError, ChannelError) as exc:
                delivery.last_error = f"{type(exc).__name__}: {exc}"
                if delivery.attempts >= alerts.retry_attempts:
                    delivery.status = "failed"
                    report.failed += 1
                    return
                sleep(alerts.retry_base_seconds * 2 ** (delivery.attempts - 1))
                continue
            delivery.status, delivery.sent_at = "sent", datetime.now(UTC)
            report.sent += 1
            return


def _send(alerts: AlertSettings, delivery: Delivery) -> None:
    if delivery.channel == "email":
        if alerts.smtp is None:
            raise ChannelError("alerts.smtp is not configured")
        send_email(
            alerts.smtp,
            to=delivery.target,
            subject=delivery.subject,
            body=delivery.body,
            key=delivery.key,
        )
    elif delivery.channel == "slack":
        send_slack(alerts, name=delivery.target, text=f"*{delivery.subject}*\n{delivery.body}")
    elif delivery.channel == "webhook":
        send_webhook(
            alerts, name=delivery.target, key=delivery.key, payload=json.loads(delivery.body)
        )
    else:
        raise ChannelError(f"unknown channel {delivery.channel!r}")
