"""The analysis pages: cohorts, survival, churn, segments, migration.

Each page reads its stored analyses (`analysis_results`, filled by `tenure
analyses refresh` and every scheduled compute) and never runs one itself.
Any logged-in user can read them.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tenure.web import analysis_data as data
from tenure.web import pages
from tenure.web.deps import PageUser, SessionDep
from tenure.web.pages import chart_json, render

router = APIRouter(prefix="/analyses", include_in_schema=False)

# (label, path) of the top bar, after the portfolio pages.
NAV: list[tuple[str, str]] = [
    ("Cohorts", "/analyses/cohorts"),
    ("Survival", "/analyses/survival"),
    ("Churn", "/analyses/churn"),
    ("Segments", "/analyses/segments"),
    ("Migration", "/analyses/migration"),
]
_api = pages.NAV.index(("API", "/docs"))
pages.NAV[_api:_api] = [entry for entry in NAV if entry not in pages.NAV]
# Segments outside the tiers, as `tenure.engine.migration` names them.
MIGRATION_EDGES = (["(new)"], ["(none)", "(churned)"])


def _page(
    request: Request, name: str, visitor: PageUser, title: str, **context: object
) -> Response:
    return render(request, f"analyses/{name}.html", visitor, title=title, **context)


@router.get("/cohorts")
def cohorts(request: Request, db: SessionDep, visitor: PageUser) -> Response:
    found = data.load(db, "cohorts.accounts", "cohorts.revenue")
    logo, revenue = found["cohorts.accounts"], found["cohorts.revenue"]
    charts = {}
    if logo.ready:
        charts["logo"] = data.heatmap(logo.data["rows"], "logo_retention", "cohort_accounts")
    if revenue.ready:
        charts["revenue"] = data.heatmap(revenue.data["rows"], "revenue_retention", "cohort_mrr")
    return _page(
        request, "cohorts", visitor, "Cohorts", logo=logo, revenue=revenue,
        charts=chart_json(charts) if charts else None,
    )  # fmt: skip


@router.get("/survival")
def survival(request: Request, db: SessionDep, visitor: PageUser) -> Response:
    item = data.load(db, "survival.plan")["survival.plan"]
    table = data.survival_table(item.data) if item.ready else []
    charts = chart_json({"survival": data.survival_chart(item.data)}) if item.ready else None
    return _page(request, "survival", visitor, "Survival", item=item, table=table, charts=charts)


@router.get("/churn")
def churn(request: Request, db: SessionDep, visitor: PageUser) -> Response:
    names = [f"churn.{d}" for d in data.CHURN_DIMENSIONS]
    found = data.load(db, *names, "churn.reasons")
    rates = [(d, label, found[f"churn.{d}"]) for d, label in data.CHURN_DIMENSIONS.items()]
    for _, _, item in rates:
        if item.ready:
            item.data["groups"] = data.churn_groups(item.data["groups"])
    reasons = found["churn.reasons"]
    reason_data = data.reasons_chart(reasons.data["rows"]) if reasons.ready else None
    charts: dict[str, object] = {
        f"rates-{d}": {"groups": item.data["groups"], "overall": item.data["churn_rate"]}
        for d, _, item in rates
        if item.ready
    }
    if reason_data is not None:
        charts["reasons"] = reason_data
    first = next((item for _, _, item in rates if item.ready), None)
    return _page(
        request, "churn", visitor, "Churn", rates=rates, reasons=reasons,
        reason_data=reason_data, first=first, charts=chart_json(charts) if charts else None,
    )  # fmt: skip


@router.get("/segments")
def segments(request: Request, db: SessionDep, visitor: PageUser) -> Response:
    found = data.load(db, "segments.pyramid", "segments.headcount", "segments.behaviour")
    pyramid, behaviour = found["segments.pyramid"], found["segments.behaviour"]
    charts: dict[str, object] = {}
    if pyramid.ready:
        charts["pyramid"] = pyramid.data["tiers"]
    if behaviour.ready:
        charts["behaviour"] = behaviour.data["segments"]
    return _page(
        request, "segments", visitor, "Segments", pyramid=pyramid,
        headcount=found["segments.headcount"], behaviour=behaviour,
        charts=chart_json(charts) if charts else None,
    )  # fmt: skip


@router.get("/migration")
def migration(request: Request, db: SessionDep, visitor: PageUser) -> Response:
    item = data.load(db, "segments.migration")["segments.migration"]
    tiers = sorted(request.app.state.settings.definitions.value_segments, key=lambda s: -s.min_arr)
    order = [*MIGRATION_EDGES[0], *[t.name for t in tiers], *MIGRATION_EDGES[1]]
    matrix = data.migration_matrix(item.data["matrix"], order) if item.ready else None
    return _page(request, "migration", visitor, "Migration", item=item, matrix=matrix)
