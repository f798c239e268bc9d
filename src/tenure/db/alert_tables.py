"""Alerts: the in-app inbox (notifications), per-user subscriptions and the delivery log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenure.db.tables import Base


class Notification(Base):
    """An inbox item for a person about an account; `key` makes it unique per firing."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(600), unique=True)
    account_id: Mapped[str] = mapped_column(String(255), index=True)
    recipient: Mapped[str | None] = mapped_column(String(255), index=True)
    playbook: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    channels: Mapped[str] = mapped_column(Text, default="[]")  # JSON: channels asked for
    created_at: Mapped[datetime] = mapped_column(index=True)
    read_at: Mapped[datetime | None]


class AlertSubscription(Base):
    """What a person wants by email: alerts on their accounts or all, at once or daily."""

    __tablename__ = "alert_subscriptions"

    user: Mapped[str] = mapped_column(String(255), primary_key=True)  # as in accounts.owner
    email: Mapped[str | None] = mapped_column(String(255))  # default: `user` when it is one
    scope: Mapped[str] = mapped_column(String(8))  # mine, all
    digest: Mapped[bool] = mapped_column(default=False)


class Delivery(Base):
    """One message on one channel; `key` (notification/digest + channel + target) is unique."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(700), unique=True)
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))  # email, slack, webhook
    target: Mapped[str] = mapped_column(String(255))  # address or configured name
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
