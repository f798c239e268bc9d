"""Stored analyses: each analysis' latest result as a JSON document, for pages and the API.

`tenure analyses refresh` (and `tenure demo`, and the scheduler after each
compute) runs a fixed set of analyses and writes one row per analysis; pages
read them, so no request runs engine work. An analysis that could not run keeps
``{"error": "..."}`` as its payload.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenure.db.tables import Base


class AnalysisResult(Base):
    """The latest result of one named analysis (e.g. ``cohorts.accounts``)."""

    __tablename__ = "analysis_results"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    as_of: Mapped[date | None] = mapped_column(Date)
    computed_at: Mapped[datetime]
    payload: Mapped[str] = mapped_column(Text)  # JSON: the result, or {"error": "..."}
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
