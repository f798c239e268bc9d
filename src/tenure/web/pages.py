"""The HTML pages: portfolio dashboard, accounts list (and CSV), account 360.

A new page is a route here (or in a router of its own, included by
`create_app`) rendering a template that extends `base.html`; add it to
`NAV` to show it in the top bar.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response, StreamingResponse

from tenure.db import Role
from tenure.web import portfolio, queries
from tenure.web.deps import PageUser, SessionDep, Visitor
from tenure.web.filters import account_filter
from tenure.web.render import templates

router = APIRouter(include_in_schema=False)

# (label, path) of the top bar; analysis pages add themselves here.
NAV: list[tuple[str, str]] = [("Dashboard", "/"), ("Accounts", "/accounts"), ("API", "/docs")]
CSV_COLUMNS = [
    "account_id",
    "name",
    "owner",
    "segment",
    "plan",
    "arr",
    "renewal_on",
    "stage",
    "health_score",
    "health_band",
    "change_30d",
    "engagement",
]


def render(request: Request, name: str, visitor: Visitor, **context: Any) -> Response:
    return templates.TemplateResponse(
        request, name, {"visitor": visitor, "nav": NAV, "path": request.url.path, **context}
    )


def chart_json(value: object) -> str:
    """Chart data for `<script type="application/json">` (no `</script>` can close it)."""
    return json.dumps(value, default=str).replace("</", "<\\/")


@router.get("/")
def dashboard(request: Request, db: SessionDep, visitor: PageUser) -> Response:
    definitions = request.app.state.settings.definitions
    order = [m.name for m in definitions.milestones]
    figures = portfolio.dashboard(db, milestone_order=order)
    as_of, kpis = queries.kpis(db)
    charts = None
    if figures:
        charts = chart_json(
            {
                "trend": figures["trend"],
                "histogram": figures["histogram"],
                "funnel": figures["funnel"],
            }
        )
    return render(
        request,
        "dashboard.html",
        visitor,
        figures=figures,
        kpis=kpis,
        kpi_day=as_of,
        charts=charts,
    )


def _list_filter(visitor: Visitor, params: dict[str, Any], *, per_page: int) -> Any:
    return account_filter(
        visitor,
        segment=params.get("segment"),
        stage=params.get("stage"),
        band=params.get("band"),
        owner=params.get("owner"),
        renewal_days=int(params["renewal"]) if params.get("renewal") else None,
        search=params.get("q"),
        sort=params.get("sort") or "name",
        desc=bool(params.get("desc")),
        page=params.get("page") or 1,
        per_page=per_page,
    )


def list_params(
    segment: str | None = None,
    stage: str | None = None,
    band: str | None = None,
    owner: str | None = None,
    renewal: Annotated[str | None, Query(pattern=r"^\d{0,4}$")] = None,
    q: str | None = None,
    sort: str = "name",
    desc: bool = False,
) -> dict[str, Any]:
    """The accounts list's filters and order, as the query string gives them."""
    return {
        "segment": segment,
        "stage": stage,
        "band": band,
        "owner": owner,
        "renewal": renewal,
        "q": q,
        "sort": sort,
        "desc": desc,
    }


ListParams = Annotated[dict[str, Any], Depends(list_params)]


@router.get("/accounts")
def accounts(
    request: Request,
    db: SessionDep,
    visitor: PageUser,
    filters: ListParams,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    params = {**filters, "page": page}
    where = _list_filter(visitor, params, per_page=50)
    total, rows = queries.accounts(db, where)
    pages = max(1, -(-total // where.per_page))
    kept = {k: v for k, v in params.items() if v not in (None, "", False) and k != "page"}

    def link(**changes: Any) -> str:
        merged = {**kept, **changes}
        return "/accounts?" + urlencode({k: v for k, v in merged.items() if v not in (None, "")})

    return render(
        request,
        "accounts.html",
        visitor,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        params=params,
        choices=queries.choices(db),
        link=link,
        as_of=queries.latest_day(db),
        mine=visitor.user.role == Role.CSM and filters["owner"] is None,
        csv_link="/accounts.csv?" + urlencode(dict(kept.items())),
    )


@router.get("/accounts.csv")
def accounts_csv(db: SessionDep, visitor: PageUser, params: ListParams) -> Response:
    """Every account matching the list's filters (no pagination), as CSV."""
    _, rows = queries.accounts(db, _list_filter(visitor, params, per_page=0))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return StreamingResponse(
        iter([buffer.getvalue()]),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="accounts-{date.today()}.csv"'},
    )


@router.get("/accounts/{account_id}")
def account(request: Request, db: SessionDep, visitor: PageUser, account_id: str) -> Response:
    found = queries.account(db, account_id)
    if found is None:
        raise HTTPException(
            404,
            f"There is no account {account_id!r}. It may have been removed "
            "from the CRM, or the link is wrong.",
        )
    from tenure.web.workflow_pages import find_tasks, workflow_context  # it imports this module

    day, contributions = queries.health_explanation(db, account_id)
    history = queries.health_history(db, account_id)
    charts = chart_json(
        {
            "history": [
                {"day": h["day"], "score": h["health_score"], "engagement": h["engagement"]}
                for h in history
            ],
            "usage": found["details"].get("usage", []),
            "contributions": contributions,
        }
    )
    return render(
        request,
        "account.html",
        visitor,
        account=found,
        contributions=contributions,
        explained_on=day,
        milestones=queries.milestones(db, account_id),
        charts=charts,
        saved=request.query_params.get("saved"),
        **workflow_context(db, account_id),
        tasks=find_tasks(db, visitor, owner="all", type_=None, status=None, account_id=account_id),
    )
