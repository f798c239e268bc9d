"""Jinja2 templates and the filters pages format numbers and dates with."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fastapi.templating import Jinja2Templates

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def money(value: float | None) -> str:
    if value is None:
        return "–"
    if abs(value) >= 1_000_000:
        return f"${value / 1_000_000:.1f}M"
    if abs(value) >= 10_000:
        return f"${value / 1_000:.0f}k"
    return f"${value:,.0f}"


def percent(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}%}"


def number(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def signed(value: float | None) -> str:
    if value is None:
        return "–"
    return "0" if round(value) == 0 else f"{value:+.0f}"


def day(value: date | str | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value[:10]
    return value.isoformat()[:10]


def label(value: str | None) -> str:
    return "–" if not value else value.replace("_", " ")


templates.env.filters.update(
    money=money, percent=percent, number=number, signed=signed, day=day, label=label
)
