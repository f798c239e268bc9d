"""The workflow screens: tasks, the inbox, playbooks, and the account 360's CSM forms.

Pages (HTML, session cookie, a CSRF token in every form, viewers refused with
403 on every change) and the REST API under /api (tokens or the session).
Every change goes through `tenure.workflows`, which writes the audit log.

Re-submitting a form changes nothing twice: closing a closed task, snoozing
to the same day, reassigning to the same owner, the same pulse, override or
churn record again, and a logged touch (keyed by the form's one-time id)
are recognized and skipped.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from tenure.db import (
    TOUCH,
    AuditEntry,
    ChurnRecord,
    InboxRow,
    Notification,
    PlaybookFiring,
    Role,
    Task,
    User,
    append_messages,
    pending_touches,
)
from tenure.warehouse.schemas import TOUCHES
from tenure.web import pages, queries
from tenure.web.auth import check_csrf
from tenure.web.deps import ApiUser, ApiWriter, PageUser, PageWriter, SessionDep, Visitor
from tenure.web.pulse import LEVELS, actor, parse_day, reason_codes, record_pulse
from tenure.web.render import templates
from tenure.web.users import owner_names, writing
from tenure.workflows import (
    WorkflowError,
    active_override,
    churn_records,
    close_task,
    mark_read,
    reassign_task,
    record_churn,
    set_override,
    snooze_task,
)
from tenure.workflows.pulse import BANDS
from tenure.workflows.tasks import TASK_TYPES

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["workflow"])
TOUCH_KINDS: tuple[str, ...] = next(c.choices for c in TOUCHES.columns if c.name == "kind") or ()
MANAGERS = (Role.ADMIN, Role.MANAGER)
STATUSES = ("open", "closed")

for entry in (("Tasks", "/tasks"), ("Inbox", "/inbox"), ("Playbooks", "/playbooks")):
    if entry not in pages.NAV:
        pages.NAV.insert(len(pages.NAV) - 1, entry)  # before "API"


# --- reading ---------------------------------------------------------------------------------


def _mine(user: User) -> list[str]:
    return owner_names(user)


def task_view(task: Task, mine: list[str], today: dt.date) -> dict[str, Any]:
    """A task as pages and the API show it."""
    return {
        "id": task.id,
        "account_id": task.account_id,
        "type": task.type,
        "reason": task.reason,
        "title": task.title,
        "owner": task.owner,
        "playbook": task.playbook,
        "status": task.status,
        "due_on": task.due_on,
        "snoozed_until": task.snoozed_until,
        "snoozed": task.snoozed_until is not None and task.snoozed_until > today,
        "overdue": task.status == "open" and task.due_on is not None and task.due_on < today,
        "outcome": task.outcome,
        "steps": json.loads(task.steps or "[]"),
        "created_at": task.created_at,
        "closed_at": task.closed_at,
        "mine": task.owner in mine,
    }


def find_tasks(
    db: Session,
    visitor: Visitor,
    *,
    owner: str | None,
    type_: str | None,
    status: str | None,
    account_id: str | None = None,
) -> list[dict[str, Any]]:
    """Tasks matching the filters, the visitor's own first, then by status and due day.

    `owner`: a name, ``me`` (the visitor's owner names) or ``all``; CSMs
    default to ``me``, managers and admins to ``all``.
    """
    mine = _mine(visitor.user)
    if owner is None and account_id is None:
        owner = "me" if visitor.user.role == Role.CSM else "all"
    query = select(Task)
    if owner == "me":
        query = query.where(Task.owner.in_(mine))
    elif owner and owner != "all":
        query = query.where(Task.owner == owner)
    if type_:
        query = query.where(Task.type == type_)
    if status:
        query = query.where(Task.status == status)
    if account_id is not None:
        query = query.where(Task.account_id == account_id)
    today = dt.date.today()
    rows = [task_view(t, mine, today) for t in db.scalars(query)]
    rows.sort(
        key=lambda t: (
            not t["mine"],
            t["status"] != "open",
            t["snoozed"],
            t["due_on"] or dt.date.max,
            t["id"],
        )
    )
    return rows


def _inbox_query(user: User) -> ColumnElement[bool]:
    """The user's notifications; managers and admins also get those addressed to nobody."""
    mine = Notification.recipient.in_(_mine(user))
    if user.role in MANAGERS:
        return or_(mine, Notification.recipient.is_(None))
    return mine


def notifications(db: Session, user: User) -> list[Notification]:
    """The user's notifications (managers and admins: also those addressed to nobody),
    unread first, newest first."""
    rows = db.scalars(
        select(Notification).where(_inbox_query(user)).order_by(Notification.id.desc())
    )
    return sorted(rows, key=lambda n: n.read_at is not None)


def unread_count(request: Request, visitor: Visitor | None) -> int:
    """The header's unread count (a template global; 0 without a visitor)."""
    if visitor is None:
        return 0
    with request.app.state.sessions() as db:
        query = select(func.count(Notification.id)).where(
            _inbox_query(visitor.user), Notification.read_at.is_(None)
        )
        return int(db.scalar(query) or 0)


templates.env.globals["unread_count"] = unread_count


def account_audit(db: Session, account_id: str) -> list[dict[str, Any]]:
    """The audit entries about an account, its tasks and its fields, newest first."""
    task_ids = [str(i) for i in db.scalars(select(Task.id).where(Task.account_id == account_id))]
    query = (
        select(AuditEntry)
        .where(
            or_(
                (AuditEntry.entity == "account") & (AuditEntry.entity_id == account_id),
                (AuditEntry.entity == "task") & AuditEntry.entity_id.in_(task_ids),
                (AuditEntry.entity == "account_field")
                & AuditEntry.entity_id.startswith(f"{account_id}/", autoescape=True),
            )
        )
        .order_by(AuditEntry.id.desc())
        .limit(100)
    )
    return [
        {
            "at": e.at,
            "actor": e.actor,
            "action": e.action,
            "entity": e.entity,
            "entity_id": e.entity_id,
            "old": _shown(e.old),
            "new": _shown(e.new),
        }
        for e in db.scalars(query)
    ]


def _shown(value: str | None) -> str:
    if value is None:
        return "–"
    loaded = json.loads(value)
    if isinstance(loaded, dict):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in loaded.items() if v is not None)
    return _plain(loaded)


def _plain(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def workflow_context(db: Session, account_id: str) -> dict[str, Any]:
    """What the account 360 shows of workflows: tasks, override, churn, touches, audit."""
    today = dt.date.today()
    return {
        "override": active_override(db, account_id, on=today),
        "churns": [_churn(c) for c in churn_records(db, account_id=account_id)],
        "pending_touches": pending_touches(db, account_id),
        "audit": account_audit(db, account_id),
        "levels": LEVELS,
        "bands": BANDS,
        "touch_kinds": TOUCH_KINDS,
        "today": today,
        "form_id": secrets.token_urlsafe(16),
    }


def _churn(c: ChurnRecord) -> dict[str, Any]:
    return {
        "churned_on": c.churned_on,
        "reasons": json.loads(c.reasons),
        "mrr_lost": c.mrr_lost,
        "notes": c.notes,
        "recorded_by": c.recorded_by,
    }


# --- pages -----------------------------------------------------------------------------------


@router.get("/tasks")
def tasks_page(
    request: Request,
    db: SessionDep,
    visitor: PageUser,
    owner: str | None = None,
    type: str | None = None,
    status: str | None = "open",
    done: str | None = None,
) -> Response:
    rows = find_tasks(db, visitor, owner=owner or None, type_=type or None, status=status or None)
    owners = sorted({o for o in db.scalars(select(Task.owner).distinct()) if o})
    return pages.render(
        request,
        "workflows/tasks.html",
        visitor,
        tasks=rows,
        owners=owners,
        types=TASK_TYPES,
        statuses=STATUSES,
        params={
            "owner": owner or ("me" if visitor.user.role == Role.CSM else "all"),
            "type": type or "",
            "status": status or "",
        },
        done=done,
        today=dt.date.today(),
        back=str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
    )


def _back(next_url: str, done: str) -> RedirectResponse:
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = "/tasks"
    base, _, query = next_url.partition("?")
    kept = "&".join(p for p in query.split("&") if p and not p.startswith("done="))
    sep = "?" if not kept else f"?{kept}&"
    return RedirectResponse(f"{base}{sep}done={quote(done)}", status_code=303)


def _task_or_404(db: Session, task_id: int) -> Task:
    task = db.get(Task, task_id)
    if task is None:
        raise HTTPException(404, f"There is no task {task_id}.")
    return task


@router.post("/tasks/{task_id}/snooze")
def snooze_form(
    db: SessionDep,
    visitor: PageWriter,
    task_id: int,
    csrf_token: Annotated[str, Form()],
    until: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/tasks",
) -> Response:
    check_csrf(visitor, csrf_token)
    _snooze(db, visitor, task_id, parse_day(until, "until"))
    return _back(next, "snoozed")


@router.post("/tasks/{task_id}/reassign")
def reassign_form(
    db: SessionDep,
    visitor: PageWriter,
    task_id: int,
    csrf_token: Annotated[str, Form()],
    owner: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/tasks",
) -> Response:
    check_csrf(visitor, csrf_token)
    _reassign(db, visitor, task_id, owner)
    return _back(next, "reassigned")


@router.post("/tasks/{task_id}/close")
def close_form(
    db: SessionDep,
    visitor: PageWriter,
    task_id: int,
    csrf_token: Annotated[str, Form()],
    outcome: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/tasks",
) -> Response:
    check_csrf(visitor, csrf_token)
    _close(db, visitor, task_id, outcome)
    return _back(next, "closed")


def _snooze(db: Session, visitor: Visitor, task_id: int, until: dt.date) -> Task:
    writing(db)
    task = _task_or_404(db, task_id)
    if task.status != "open":
        raise HTTPException(409, f"Task {task_id} is {task.status}: only open tasks snooze.")
    if task.snoozed_until != until:
        snooze_task(db, task_id, until, actor=actor(visitor.user))
        db.commit()
    return task


def _reassign(db: Session, visitor: Visitor, task_id: int, owner: str) -> Task:
    owner = owner.strip()
    if not owner:
        raise HTTPException(400, "owner: name who takes the task over")
    writing(db)
    task = _task_or_404(db, task_id)
    if task.owner != owner:
        reassign_task(db, task_id, owner, actor=actor(visitor.user))
        db.commit()
    return task


def _close(db: Session, visitor: Visitor, task_id: int, outcome: str) -> Task:
    outcome = outcome.strip()
    if not outcome:
        raise HTTPException(400, "outcome: say what happened to close a task")
    writing(db)
    task = _task_or_404(db, task_id)
    if task.status == "open":
        close_task(db, task_id, outcome, actor=actor(visitor.user))
        db.commit()
    elif task.outcome != outcome:
        raise HTTPException(409, f"Task {task_id} is already {task.status}.")
    return task


@router.get("/inbox")
def inbox_page(request: Request, db: SessionDep, visitor: PageUser) -> Response:
    return pages.render(
        request, "workflows/inbox.html", visitor, items=notifications(db, visitor.user)
    )


def _read(db: Session, visitor: Visitor, notification_id: int) -> Notification:
    writing(db)
    row = db.get(Notification, notification_id)
    if row is None or not db.scalar(
        select(func.count()).where(Notification.id == row.id, _inbox_query(visitor.user))
    ):
        raise HTTPException(404, f"There is no notification {notification_id} for you.")
    try:
        mark_read(db, notification_id)
    except WorkflowError as error:
        raise HTTPException(404, str(error)) from None
    db.commit()
    return row


@router.post("/inbox/{notification_id}/read")
def read_form(
    db: SessionDep,
    visitor: PageWriter,
    notification_id: int,
    csrf_token: Annotated[str, Form()],
) -> Response:
    check_csrf(visitor, csrf_token)
    _read(db, visitor, notification_id)
    return RedirectResponse("/inbox", status_code=303)


@router.get("/playbooks")
def playbooks_page(request: Request, db: SessionDep, visitor: PageUser) -> Response:
    fired = dict(
        db.execute(
            select(PlaybookFiring.playbook, func.count()).group_by(PlaybookFiring.playbook)
        ).all()
    )
    last = dict(
        db.execute(
            select(PlaybookFiring.playbook, func.max(PlaybookFiring.fired_on)).group_by(
                PlaybookFiring.playbook
            )
        ).all()
    )
    rows = []
    for p in request.app.state.settings.definitions.playbooks:
        rows.append(
            {
                "name": p.name,
                "enabled": p.enabled,
                "trigger": _yamlish(p.trigger.model_dump(by_alias=True)),
                "when": {k: v for k, v in p.when.model_dump().items() if v},
                "actions": [_yamlish(a.model_dump(by_alias=True)) for a in p.actions],
                "fired": fired.get(p.name, 0),
                "last_fired": last.get(p.name),
            }
        )
    return pages.render(request, "workflows/playbooks.html", visitor, playbooks=rows)


def _yamlish(value: dict[str, Any]) -> str:
    """A definition as flow-style YAML, without its empty (None, []) values."""
    return json.dumps(_kept(value), default=str).replace('"', "")


def _kept(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _kept(v) for k, v in value.items() if v is not None and v != []}
    return value


# --- the account 360's forms -------------------------------------------------------------------


def _account_or_404(db: Session, account_id: str) -> None:
    if queries.account(db, account_id) is None:
        raise HTTPException(404, f"There is no account {account_id!r}.")


def _manager(visitor: Visitor) -> None:
    if visitor.user.role not in MANAGERS:
        raise HTTPException(403, "only managers and admins can do this")


def _to_account(account_id: str, saved: str) -> RedirectResponse:
    return RedirectResponse(f"/accounts/{quote(account_id)}?saved={saved}", status_code=303)


@router.post("/accounts/{account_id}/pulse")
def pulse_form(
    request: Request,
    db: SessionDep,
    visitor: PageWriter,
    account_id: str,
    csrf_token: Annotated[str, Form()],
    sentiment: Annotated[str, Form()],
    reasons: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(visitor, csrf_token)
    _account_or_404(db, account_id)
    record_pulse(
        db,
        request.app.state.settings.definitions,
        visitor.user,
        account_id,
        sentiment=sentiment,
        reasons=reason_codes(reasons),
        note=note.strip() or None,
    )
    return _to_account(account_id, "pulse")


@router.post("/accounts/{account_id}/override")
def override_form(
    db: SessionDep,
    visitor: PageWriter,
    account_id: str,
    csrf_token: Annotated[str, Form()],
    band: Annotated[str, Form()],
    reason: Annotated[str, Form()],
    expires_on: Annotated[str, Form()],
    score: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(visitor, csrf_token)
    _manager(visitor)
    _account_or_404(db, account_id)
    expires = parse_day(expires_on, "expires_on")
    if expires <= dt.date.today():
        raise HTTPException(400, "expires_on: an override must expire after today")
    try:
        points = float(score) if score.strip() else None
    except ValueError:
        raise HTTPException(400, f"score: {score!r} is not a number") from None
    writing(db)
    current = active_override(db, account_id, on=dt.date.today())
    same = current is not None and (
        current.band,
        current.score,
        current.reason,
        current.expires_on,
    ) == (band, points, reason.strip(), expires)
    if not same:
        try:
            set_override(
                db,
                account_id,
                band=band,
                reason=reason.strip(),
                expires_on=expires,
                score=points,
                author=actor(visitor.user),
            )
        except WorkflowError as error:
            raise HTTPException(400, str(error)) from None
        db.commit()
    return _to_account(account_id, "override")


@router.post("/accounts/{account_id}/churn")
def churn_form(
    db: SessionDep,
    visitor: PageWriter,
    account_id: str,
    csrf_token: Annotated[str, Form()],
    churned_on: Annotated[str, Form()],
    reasons: Annotated[str, Form()],
    mrr_lost: Annotated[str, Form()] = "",
    notes: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    check_csrf(visitor, csrf_token)
    _manager(visitor)
    _account_or_404(db, account_id)
    day = parse_day(churned_on, "churned_on")
    codes = reason_codes(reasons)
    try:
        lost = float(mrr_lost) if mrr_lost.strip() else None
    except ValueError:
        raise HTTPException(400, f"mrr_lost: {mrr_lost!r} is not a number") from None
    writing(db)
    duplicate = db.scalars(
        select(ChurnRecord.id).where(
            ChurnRecord.account_id == account_id,
            ChurnRecord.churned_on == day,
            ChurnRecord.reasons == json.dumps(codes),
        )
    ).first()
    if duplicate is None:
        try:
            record_churn(
                db,
                account_id,
                churned_on=day,
                reasons=codes,
                mrr_lost=lost,
                notes=notes.strip() or None,
                author=actor(visitor.user),
            )
        except WorkflowError as error:
            raise HTTPException(400, str(error)) from None
        db.commit()
    return _to_account(account_id, "churn")


@router.post("/accounts/{account_id}/touch")
def touch_form(
    request: Request,
    db: SessionDep,
    visitor: PageWriter,
    account_id: str,
    csrf_token: Annotated[str, Form()],
    form_id: Annotated[str, Form(min_length=8, max_length=64)],
    kind: Annotated[str, Form()],
    day: Annotated[str, Form()],
    notes: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Log a touch: appended to the event inbox, it reaches `touches` at the next compute.

    `form_id` (a one-time id in the form) is the message id, so a form sent
    twice is stored once.
    """
    check_csrf(visitor, csrf_token)
    _account_or_404(db, account_id)
    if kind not in TOUCH_KINDS:
        raise HTTPException(400, f"kind: {kind!r} is not one of {', '.join(TOUCH_KINDS)}")
    at = parse_day(day, "day")
    if at > dt.date.today():
        raise HTTPException(400, "day: a touch cannot be in the future")
    message_id = f"tenure-touch-{form_id}"
    touch = {
        "touch_id": message_id,
        "account_id": account_id,
        "kind": kind,
        "at": datetime.combine(at, dt.time(12)).isoformat(),
        "author": actor(visitor.user),
        "notes": notes.strip() or None,
    }
    now = datetime.now(UTC)
    payload = {"type": TOUCH, "messageId": message_id, "timestamp": now.isoformat(), "touch": touch}
    writing(db)
    append_messages(
        db.connection(),
        [InboxRow(message_id, TOUCH, json.dumps(payload))],
        received_at=now,
        write_key_id=None,
    )
    db.commit()
    return _to_account(account_id, "touch")


# --- the REST API ----------------------------------------------------------------------------


class TaskStep(BaseModel):
    title: str
    done: bool = False


class TaskOut(BaseModel):
    id: int
    account_id: str
    type: str
    reason: str
    title: str
    owner: str | None
    playbook: str | None
    status: str
    due_on: dt.date | None
    snoozed_until: dt.date | None
    outcome: str | None
    steps: list[TaskStep]
    created_at: datetime
    closed_at: datetime | None
    mine: bool = Field(description="owned by the caller (one of their owner names)")


class SnoozeIn(BaseModel):
    until: dt.date = Field(description="hide the task until this day")


class ReassignIn(BaseModel):
    owner: str = Field(min_length=1, max_length=255, description="as in accounts.owner")


class CloseIn(BaseModel):
    outcome: str = Field(min_length=1, max_length=5000, description="what happened")


class NotificationOut(BaseModel):
    id: int
    account_id: str
    recipient: str | None
    playbook: str | None
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


def _task_out(db: Session, visitor: Visitor, task: Task) -> TaskOut:
    return TaskOut(**task_view(task, _mine(visitor.user), dt.date.today()))


@api_router.get("/tasks", response_model=list[TaskOut])
def api_tasks(
    db: SessionDep,
    visitor: ApiUser,
    owner: Annotated[
        str | None,
        Query(description="an owner's name, `me` or `all` (default: `me` for CSMs, else `all`)"),
    ] = None,
    type: Literal["risk", "expansion", "lifecycle", "activity", "objective"] | None = None,
    status: Literal["open", "closed"] | None = "open",
    account_id: str | None = None,
) -> list[dict[str, Any]]:
    """Tasks, the caller's own first, then by due day."""
    return find_tasks(db, visitor, owner=owner, type_=type, status=status, account_id=account_id)


@api_router.post("/tasks/{task_id}/snooze", response_model=TaskOut)
def api_snooze(db: SessionDep, visitor: ApiWriter, task_id: int, body: SnoozeIn) -> TaskOut:
    """Hide an open task until a day (snoozing to the same day again changes nothing)."""
    return _task_out(db, visitor, _snooze(db, visitor, task_id, body.until))


@api_router.post("/tasks/{task_id}/reassign", response_model=TaskOut)
def api_reassign(db: SessionDep, visitor: ApiWriter, task_id: int, body: ReassignIn) -> TaskOut:
    """Give a task to another owner."""
    return _task_out(db, visitor, _reassign(db, visitor, task_id, body.owner))


@api_router.post("/tasks/{task_id}/close", response_model=TaskOut)
def api_close(db: SessionDep, visitor: ApiWriter, task_id: int, body: CloseIn) -> TaskOut:
    """Close a task with its outcome; the same request again returns the closed task (409 when
    it was closed with another outcome)."""
    return _task_out(db, visitor, _close(db, visitor, task_id, body.outcome))


@api_router.get("/inbox", response_model=list[NotificationOut])
def api_inbox(db: SessionDep, visitor: ApiUser, unread_only: bool = False) -> list[Notification]:
    """The caller's notifications, unread first, newest first."""
    rows = notifications(db, visitor.user)
    return [n for n in rows if n.read_at is None] if unread_only else rows


@api_router.post("/inbox/{notification_id}/read", response_model=NotificationOut)
def api_read(db: SessionDep, visitor: ApiWriter, notification_id: int) -> Notification:
    """Mark one of the caller's notifications read (again: no change)."""
    return _read(db, visitor, notification_id)


__all__ = ["api_router", "find_tasks", "router", "workflow_context"]
