"""Account profiles: the facts about each account that pages show, copied from the warehouse.

`tenure compute` refreshes them (the pipeline's `account_profiles` step), so a
request never scans the warehouse: header facts and the day's stage and health
as columns (to filter and sort the accounts list), the rest of the account 360
(contacts, subscriptions, tickets, NPS answers, touches, weekly usage) as one
JSON document per account.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenure.db.tables import Base


class AccountProfile(Base):
    """One account as of the last computed day."""

    __tablename__ = "account_profiles"

    account_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255), index=True)
    domain: Mapped[str | None] = mapped_column(String(255))
    owner: Mapped[str | None] = mapped_column(String(255), index=True)
    plan: Mapped[str | None] = mapped_column(String(255))
    industry: Mapped[str | None] = mapped_column(String(255))
    region: Mapped[str | None] = mapped_column(String(255))
    employees: Mapped[int | None]
    segment: Mapped[str | None] = mapped_column(String(64), index=True)
    arr: Mapped[float] = mapped_column(Float, default=0.0)
    renewal_on: Mapped[date | None] = mapped_column(Date, index=True)
    created_on: Mapped[date | None] = mapped_column(Date)
    churned_on: Mapped[date | None] = mapped_column(Date)
    as_of: Mapped[date] = mapped_column(Date)
    # The as-of day's snapshot (account_days), copied so the accounts list reads one table.
    stage: Mapped[str | None] = mapped_column(String(64), index=True)
    health_score: Mapped[float | None] = mapped_column(Float, index=True)
    health_band: Mapped[str | None] = mapped_column(String(16), index=True)
    change_30d: Mapped[float | None] = mapped_column(Float)
    engagement: Mapped[float | None] = mapped_column(Float)
    details: Mapped[str] = mapped_column(Text, default="{}")
