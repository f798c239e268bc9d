"""The REST API under /api: accounts (list, 360, milestones, health), KPIs, the CSM pulse,
stored analyses."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request

from tenure.db import AccountProfile
from tenure.web import analysis_data, queries
from tenure.web.deps import ApiUser, ApiWriter, SessionDep
from tenure.web.filters import account_filter
from tenure.web.pulse import record_pulse
from tenure.web.schemas import (
    Account360,
    AccountHealth,
    AccountPage,
    AnalysisPublic,
    Kpis,
    MilestonePublic,
    PulseIn,
)

router = APIRouter(prefix="/api", tags=["accounts"])
Sort = Literal["name", "arr", "health", "change", "renewal", "stage", "owner"]


@router.get("/accounts", response_model=AccountPage)
def list_accounts(
    db: SessionDep,
    visitor: ApiUser,
    segment: str | None = None,
    stage: str | None = None,
    band: Literal["red", "yellow", "green"] | None = None,
    owner: Annotated[
        str | None, Query(description="an owner's name; `me` for your own book")
    ] = None,
    renewal_within_days: Annotated[int | None, Query(ge=0, le=3650)] = None,
    q: Annotated[str | None, Query(description="search name or id")] = None,
    sort: Sort = "name",
    desc: bool = False,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> AccountPage:
    """Accounts as of the latest computed day, filtered, sorted and paginated."""
    where = account_filter(
        visitor,
        segment=segment,
        stage=stage,
        band=band,
        owner=owner,
        renewal_days=renewal_within_days,
        search=q,
        sort=sort,
        desc=desc,
        page=page,
        per_page=per_page,
    )
    total, rows = queries.accounts(db, where)
    return AccountPage(
        total=total,
        page=page,
        per_page=per_page,
        as_of=queries.latest_day(db),
        accounts=rows,  # type: ignore[arg-type]
    )


def _known(db: SessionDep, account_id: str) -> None:
    if db.get(AccountProfile, account_id) is None:
        raise HTTPException(404, f"no account {account_id!r}")


@router.get("/accounts/{account_id}", response_model=Account360)
def account_360(db: SessionDep, visitor: ApiUser, account_id: str) -> Account360:
    """One account: facts, stage, health, and its contacts, subscriptions, tickets, NPS, touches."""
    found = queries.account(db, account_id)
    if found is None:
        raise HTTPException(404, f"no account {account_id!r}")
    return Account360(**found)


@router.get("/accounts/{account_id}/milestones", response_model=list[MilestonePublic])
def account_milestones(db: SessionDep, visitor: ApiUser, account_id: str) -> list[MilestonePublic]:
    """The account's milestones with anchor, due and achieved days and status."""
    _known(db, account_id)
    return [MilestonePublic(**m) for m in queries.milestones(db, account_id)]


@router.get("/accounts/{account_id}/health", response_model=AccountHealth)
def account_health(db: SessionDep, visitor: ApiUser, account_id: str) -> AccountHealth:
    """Daily health history and the explanation (contribution per measure) of the latest score."""
    _known(db, account_id)
    day, contributions = queries.health_explanation(db, account_id)
    return AccountHealth(
        account_id=account_id,
        explained_on=day,
        contributions=contributions,  # type: ignore[arg-type]
        history=queries.health_history(db, account_id),  # type: ignore[arg-type]
    )


@router.post("/accounts/{account_id}/pulse", status_code=201, tags=["workflow"])
def account_pulse(
    request: Request, db: SessionDep, visitor: ApiWriter, account_id: str, pulse: PulseIn
) -> dict[str, object]:
    """Record the CSM pulse (sentiment and reason codes); the next `tenure compute` scores it.

    The same pulse by the same person on the same day again is not stored twice.
    """
    _known(db, account_id)
    definitions = request.app.state.settings.definitions
    saved, created = record_pulse(
        db,
        definitions,
        visitor.user,
        account_id,
        sentiment=pulse.sentiment,
        reasons=pulse.reasons,
        note=pulse.note,
    )
    return {
        "account_id": account_id,
        "sentiment": saved.sentiment,
        "points": saved.points,
        "expires_on": saved.expires_on,
        "created": created,
    }


@router.get("/kpis", response_model=Kpis, tags=["portfolio"])
def kpis(db: SessionDep, visitor: ApiUser) -> Kpis:
    """Portfolio KPIs of the latest compute (GRR, NRR, churn, NPS, CLV, ...)."""
    as_of, found = queries.kpis(db)
    return Kpis(as_of=as_of, kpis=found)


@router.get("/analyses", response_model=list[AnalysisPublic], tags=["analyses"])
def list_analyses(db: SessionDep, visitor: ApiUser) -> list[AnalysisPublic]:
    """The stored analyses (`tenure analyses refresh`): name, as-of day, when computed, error."""
    return [AnalysisPublic(**row) for row in analysis_data.listing(db)]


@router.get("/analyses/{name}", tags=["analyses"])
def get_analysis(db: SessionDep, visitor: ApiUser, name: str) -> Any:
    """One stored analysis: the JSON its command prints with --json, or {"error": ...}."""
    found = analysis_data.payload(db, name)
    if found is None:
        raise HTTPException(404, f"no stored analysis {name!r} (run: tenure analyses refresh)")
    return found
