"""Success plans, QBR reports and touch compliance pages.

- ``GET /accounts/{id}/plan``: the success plan with its progress, and forms
  (CSRF token, viewers 403) to add goals, objectives, metrics and readings, to
  change a target and to delete a goal;
- ``GET /accounts/{id}/qbr?quarter=2026Q4``: the QBR as HTML (prints on A4);
  ``GET /accounts/{id}/qbr.pdf?quarter=...``: the same as PDF (headless Chromium);
- ``GET /touches``: touch compliance per CSM and the communication calendar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from tenure.db import AccountProfile
from tenure.web import pages
from tenure.web.auth import check_csrf
from tenure.web.deps import PageUser, PageWriter, SessionDep
from tenure.web.pulse import actor, parse_day
from tenure.web.users import writing
from tenure.workflows import WorkflowError, plans, qbr, touches

router = APIRouter(include_in_schema=False)

if ("Touches", "/touches") not in pages.NAV:
    pages.NAV.insert(len(pages.NAV) - 1, ("Touches", "/touches"))  # before "API"


def _account(db: SessionDep, account_id: str) -> AccountProfile:
    profile = db.get(AccountProfile, account_id)
    if profile is None:
        raise HTTPException(404, f"There is no account {account_id!r}.")
    return profile


def _current_quarter(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _to_plan(account_id: str, saved: str) -> RedirectResponse:
    return RedirectResponse(f"/accounts/{quote(account_id)}/plan?saved={saved}", status_code=303)


def _number(value: str, name: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise HTTPException(400, f"{name}: {value!r} is not a number") from None


@router.get("/accounts/{account_id}/plan")
def plan_page(
    request: Request, db: SessionDep, visitor: PageUser, account_id: str, saved: str = ""
) -> Response:
    profile = _account(db, account_id)
    return pages.render(
        request,
        "plans/plan.html",
        visitor,
        account=profile,
        plan=plans.success_plan(db, account_id),
        saved=saved,
        quarter=_current_quarter(profile.as_of),
        sources=[plans.MANUAL, *plans.ENGINE_SOURCES, plans.MEASURE_PREFIX + "NAME"],
    )


def _change(fn: Callable[[], object]) -> None:
    """Run a workflow change; a WorkflowError becomes a 400 page."""
    try:
        fn()
    except WorkflowError as exc:
        raise HTTPException(400, str(exc)) from None


@router.post("/accounts/{account_id}/plan/goals")
def goal_form(
    db: SessionDep,
    visitor: PageWriter,
    account_id: str,
    csrf_token: Annotated[str, Form()],
    title: Annotated[str, Form(max_length=2000)],
) -> Response:
    check_csrf(visitor, csrf_token)
    _account(db, account_id)
    writing(db)
    _change(
        lambda: plans.add_goal(db, account_id=account_id, title=title, actor=actor(visitor.user))
    )
    db.commit()
    return _to_plan(account_id, "goal")


@router.post("/accounts/{account_id}/plan/goals/{goal_id}/delete")
def delete_goal_form(
    db: SessionDep,
    visitor: PageWriter,
    account_id: str,
    goal_id: int,
    csrf_token: Annotated[str, Form()],
) -> Response:
    check_csrf(visitor, csrf_token)
    goal = db.get(plans.SuccessGoal, goal_id)
    if goal is None or goal.account_id != account_id:
        raise HTTPException(404, f"There is no goal {goal_id} on {account_id!r}.")
    writing(db)
    _change(lambda: plans.delete_goal(db, goal_id, actor=actor(visitor.user)))
    db.commit()
    return _to_plan(account_id, "deleted")


def _goal_of(db: SessionDep, account_id: str, goal_id: int) -> None:
    goal = db.get(plans.SuccessGoal, goal_id)
    if goal is None or goal.account_id != account_id:
        raise HTTPException(404, f"There is no goal {goal_id} on {account_id!r}.")


def _metric_of(db: SessionDep, account_id: str, metric_id: int) -> None:
    metric = db.get(plans.SuccessMetric, metric_id)
    objective = db.get(plans.SuccessObjective, metric.objective_id) if metric else None
    if objective is None:
        raise HTTPException(404, f"There is no metric {metric_id} on {account_id!r}.")
    _goal_of(db, account_id, objective.goal_id)


@router.post("/accounts/{account_id}/plan/objectives")
def objective_form(
    db: SessionDep,
    visitor: PageWriter,
    account_id: str,
    csrf_token: Annotated[str, Form()],
    goal_id: Annotated[int, Form()],
    title: Annotated[str, Form(max_length=2000)],
    quarter: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(visitor, csrf_token)
    _goal_of(db, account_id, goal_id)
    writing(db)
    _change(
        lambda: plans.add_objective(
            db,
            goal_id=goal_id,
            title=title,
            quarter=quarter.strip() or None,
            actor=actor(visitor.user),
        )
    )
    db.commit()
    return _to_plan(account_id, "objective")


@router.post("/accounts/{account_id}/plan/metrics")
def metric_form(
    db: SessionDep,
    visitor: PageWriter,
    account_id: str,
    csrf_token: Annotated[str, Form()],
    objective_id: Annotated[int, Form()],
    name: Annotated[str, Form(max_length=255)],
    target: Annotated[str, Form()],
    target_on: Annotated[str, Form()],
    source: Annotated[str, Form()] = plans.MANUAL,
    unit: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    check_csrf(visitor, csrf_token)
    objective = db.get(plans.SuccessObjective, objective_id)
    if objective is None:
        raise HTTPException(404, f"There is no objective {objective_id}.")
    _goal_of(db, account_id, objective.goal_id)
    value, day = _number(target, "target"), parse_day(target_on, "target_on")
    writing(db)
    _change(
        lambda: plans.add_metric(
            db,
            objective_id=objective_id,
            name=name,
            target=value,
            target_on=day,
            source=source.strip(),
            unit=unit.strip() or None,
            actor=actor(visitor.user),
        )
    )
    db.commit()
    return _to_plan(account_id, "metric")


@router.post("/accounts/{account_id}/plan/metrics/{metric_id}/target")
def target_form(
    db: SessionDep,
    visitor: PageWriter,
    account_id: str,
    metric_id: int,
    csrf_token: Annotated[str, Form()],
    target: Annotated[str, Form()],
    target_on: Annotated[str, Form()],
) -> Response:
    check_csrf(visitor, csrf_token)
    _metric_of(db, account_id, metric_id)
    value, day = _number(target, "target"), parse_day(target_on, "target_on")
    writing(db)
    _change(
        lambda: plans.update_metric(
            db, metric_id, target=value, target_on=day, actor=actor(visitor.user)
        )
    )
    db.commit()
    return _to_plan(account_id, "target")


@router.post("/accounts/{account_id}/plan/metrics/{metric_id}/readings")
def reading_form(
    db: SessionDep,
    visitor: PageWriter,
    account_id: str,
    metric_id: int,
    csrf_token: Annotated[str, Form()],
    value: Annotated[str, Form()],
    on: Annotated[str, Form()],
) -> Response:
    check_csrf(visitor, csrf_token)
    _metric_of(db, account_id, metric_id)
    number, day = _number(value, "value"), parse_day(on, "on")
    writing(db)
    _change(
        lambda: plans.record_reading(
            db, metric_id=metric_id, on=day, value=number, author=actor(visitor.user)
        )
    )
    db.commit()
    return _to_plan(account_id, "reading")


def _qbr_html(db: SessionDep, account_id: str, quarter: str | None) -> str:
    profile = _account(db, account_id)
    try:
        data = qbr.qbr_data(db, account_id, quarter or _current_quarter(profile.as_of))
    except WorkflowError as exc:
        raise HTTPException(400, str(exc)) from None
    return qbr.render_html(data)


@router.get("/accounts/{account_id}/qbr")
def qbr_page(
    db: SessionDep,
    visitor: PageUser,
    account_id: str,
    quarter: Annotated[str | None, Query(max_length=6)] = None,
) -> HTMLResponse:
    return HTMLResponse(_qbr_html(db, account_id, quarter))


@router.get("/accounts/{account_id}/qbr.pdf")
async def qbr_pdf(
    db: SessionDep,
    visitor: PageUser,
    account_id: str,
    quarter: Annotated[str | None, Query(max_length=6)] = None,
) -> Response:
    html = await run_in_threadpool(_qbr_html, db, account_id, quarter)
    try:
        pdf = await run_in_threadpool(qbr.render_pdf, html)
    except WorkflowError as exc:
        raise HTTPException(503, str(exc)) from None
    name = f"qbr-{account_id}-{quarter or 'current'}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{quote(name)}"'},
    )


@router.get("/touches")
def touches_page(
    request: Request,
    db: SessionDep,
    visitor: PageUser,
    owner: Annotated[str | None, Query(max_length=255)] = None,
) -> Response:
    settings = request.app.state.settings
    profiles = touches.load_profiles(db)
    as_of = db.scalar(select(func.max(AccountProfile.as_of))) or dt.date.today()
    model = touches.cadences(settings.definitions)
    rows = touches.compliance(profiles, model, on=as_of)
    shown = [p for p in profiles if owner is None or (p.owner or touches.NOBODY) == owner]
    return pages.render(
        request,
        "plans/touches.html",
        visitor,
        rows=rows,
        owner=owner,
        as_of=as_of,
        calendar=touches.calendar(shown, model, on=as_of, days=30),
    )
