"""Quarterly business reviews: the data of one account's quarter, as HTML and as PDF.

`qbr_data(session, account_id, "2026Q4")` gathers, from the app database only:

- health now (the latest computed day ≤ the quarter's end) vs the quarter's
  start (the first computed day ≥ its start), the change, and the explanation
  of the latest explained day ≤ the end (``health_contributions``);
- milestones (``milestone_states``);
- usage by week, tickets, NPS answers and touches of the quarter (the
  account profile's ``details``: 26 weeks of usage, the 10 latest tickets,
  answers and touches);
- the success plan: each metric's value at the quarter's start and now, and
  its progress = value / target; the objectives planned for the next quarter.

`render_html(data)` fills the Jinja2 template ``templates/qbr.html`` (A4,
print CSS); `render_pdf(html)` prints it with headless Chromium (Playwright).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.db import AccountDay, AccountProfile, HealthContribution, MilestoneState
from tenure.workflows.audit import WorkflowError
from tenure.workflows.plans import QUARTER, success_plan, value_on

TEMPLATES = Path(__file__).parent / "templates"
CHROMIUM = Path("/usr/bin/chromium")


def quarter_bounds(quarter: str) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter written ``YYYYQn`` (2026Q4 → 2026-10-01, 2026-12-31)."""
    match = QUARTER.match(quarter)
    if match is None:
        raise WorkflowError(f"quarter: {quarter!r} is not a quarter like 2026Q4")
    year, n = int(match.group(1)), int(match.group(2))
    start = dt.date(year, 3 * n - 2, 1)
    end = dt.date(year + 1, 1, 1) if n == 4 else dt.date(year, 3 * n + 1, 1)
    return start, end - dt.timedelta(days=1)


def next_quarter(quarter: str) -> str:
    _, end = quarter_bounds(quarter)
    following = end + dt.timedelta(days=1)
    return f"{following.year}Q{(following.month - 1) // 3 + 1}"


def _day(value: object) -> dt.date | None:
    """A profile's date or timestamp text as a day."""
    if value is None:
        return None
    return dt.date.fromisoformat(str(value)[:10])


def _in(rows: list[dict[str, Any]], key: str, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    kept = []
    for row in rows:
        day = _day(row.get(key))
        if day is not None and start <= day <= end:
            kept.append(row | {key: day})
    return sorted(kept, key=lambda r: r[key])


def qbr_data(session: Session, account_id: str, quarter: str) -> dict[str, Any]:
    """Everything a QBR of `account_id` for `quarter` shows (see the module docstring)."""
    start, end = quarter_bounds(quarter)
    profile = session.get(AccountProfile, account_id)
    if profile is None:
        raise WorkflowError(f"there is no account {account_id!r}")
    details = json.loads(profile.details or "{}")
    first = session.scalars(
        select(AccountDay)
        .where(AccountDay.account_id == account_id, AccountDay.day.between(start, end))
        .order_by(AccountDay.day)
        .limit(1)
    ).first()
    last = session.scalars(
        select(AccountDay)
        .where(AccountDay.account_id == account_id, AccountDay.day <= end)
        .order_by(AccountDay.day.desc())
        .limit(1)
    ).first()
    explained_day = session.scalars(
        select(HealthContribution.day)
        .where(HealthContribution.account_id == account_id, HealthContribution.day <= end)
        .order_by(HealthContribution.day.desc())
        .limit(1)
    ).first()
    contributions = []
    if explained_day is not None:
        contributions = [
            {
                "measure": c.measure,
                "group": c.group,
                "value": c.value,
                "points": c.points,
                "weight": c.effective_weight,
                "contribution": c.contribution,
                "band": c.band,
            }
            for c in session.scalars(
                select(HealthContribution)
                .where(
                    HealthContribution.account_id == account_id,
                    HealthContribution.day == explained_day,
                )
                .order_by(HealthContribution.contribution.desc())
            )
        ]
    milestones = [
        {
            "milestone": m.milestone,
            "stage": m.stage,
            "status": m.status,
            "due_day": m.due_day,
            "achieved_on": m.achieved_on,
        }
        for m in session.scalars(
            select(MilestoneState)
            .where(MilestoneState.account_id == account_id)
            .order_by(MilestoneState.anchor_day, MilestoneState.milestone)
        )
    ]
    usage: list[dict[str, Any]] = [
        {"week": week, "events": u.get("events") or 0, "days": u.get("days") or 0}
        for u in details.get("usage", [])
        if (week := _day(u.get("week"))) is not None
    ]
    quarter_usage = [u for u in usage if start <= u["week"] <= end]
    plan = success_plan(session, account_id)
    upcoming = next_quarter(quarter)
    metrics = []
    for goal in plan:
        for objective in goal["objectives"]:
            for m in objective["metrics"]:
                before = value_on(m.series, start - dt.timedelta(days=1))
                now = value_on(m.series, end)
                metrics.append(
                    {
                        "goal": goal["title"],
                        "objective": objective["title"],
                        "name": m.name,
                        "source": m.source,
                        "unit": m.unit,
                        "target": m.target,
                        "target_on": m.target_on,
                        "start_value": None if before is None else before[1],
                        "value": None if now is None else now[1],
                        "value_on": None if now is None else now[0],
                        "progress": None if now is None else now[1] / m.target,
                        "start_progress": None if before is None else before[1] / m.target,
                    }
                )
    next_objectives = [
        {"goal": goal["title"], "title": o["title"], "quarter": o["quarter"]}
        for goal in plan
        for o in goal["objectives"]
        if o["quarter"] == upcoming
    ]
    return {
        "account": {
            "id": profile.account_id,
            "name": profile.name or profile.account_id,
            "owner": profile.owner,
            "segment": profile.segment,
            "plan": profile.plan,
            "arr": profile.arr,
            "renewal_on": profile.renewal_on,
            "stage": last.stage if last else profile.stage,
        },
        "quarter": quarter,
        "start": start,
        "end": end,
        "next_quarter": upcoming,
        "health": {
            "start_day": first.day if first else None,
            "start_score": first.health_score if first else None,
            "start_band": first.health_band if first else None,
            "day": last.day if last else None,
            "score": last.health_score if last else None,
            "band": last.health_band if last else None,
            "change": (
                last.health_score - first.health_score
                if first
                and last
                and first.health_score is not None
                and last.health_score is not None
                else None
            ),
            "explained_on": explained_day,
            "contributions": contributions,
        },
        "milestones": milestones,
        "usage": quarter_usage,
        "usage_all": usage,
        "max_events": max((u["events"] for u in usage), default=0),
        "tickets": _in(details.get("tickets", []), "created_at", start, end),
        "nps": _in(details.get("nps", []), "responded_at", start, end),
        "touches": _in(details.get("touches", []), "at", start, end),
        "metrics": metrics,
        "goals": plan,
        "next_objectives": next_objectives,
        "generated_on": dt.date.today(),
    }


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))

    def number(value: object, digits: int = 0) -> str:
        if value is None:
            return "–"
        return f"{float(str(value)):,.{digits}f}"

    def percent(value: object) -> str:
        return "–" if value is None else f"{100 * float(str(value)):.0f} %"

    env.filters["number"] = number
    env.filters["percent"] = percent
    return env


def render_html(data: dict[str, Any]) -> str:
    """The QBR as one self-contained HTML page (inline CSS and SVG, prints on A4)."""
    return _environment().get_template("qbr.html").render(**data)


def render_pdf(html: str, *, chromium: Path = CHROMIUM) -> bytes:
    """Print the HTML to an A4 PDF with headless Chromium (Playwright's ``page.pdf()``)."""
    if not chromium.exists():
        raise WorkflowError(
            f"PDF export needs Chromium at {chromium}; install it (apt-get install chromium) "
            "or export the QBR as HTML and print it from a browser"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium))
        try:
            page = browser.new_page()
            page.set_content(html, wait_until="load")
            return page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        finally:
            browser.close()
