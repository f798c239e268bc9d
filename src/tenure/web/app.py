"""The web app: `create_app(settings)` builds the FastAPI application of a workspace.

Routers: `auth` (login, logout), `pages` and `analysis_pages` (HTML), `api` (REST,
under /api), `workflow_pages` (tasks, inbox, playbooks, the account 360's CSM
forms; HTML and /api).
Other routers mount the same way, e.g. Segment-style ingestion::

    app = create_app(settings)
    app.include_router(ingest.router)

The app reads the app database only; `tenure compute` fills it.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import plotly
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine, text
from starlette.exceptions import HTTPException

from tenure.config import Settings
from tenure.db import create_engine_for, session_factory
from tenure.pipeline import upgrade_app_db
from tenure.web import analysis_pages, api, auth, pages, plan_pages, workflow_pages
from tenure.web.deps import LoginRequired
from tenure.web.ingest import mount_ingestion
from tenure.web.metrics import add_metrics
from tenure.web.render import templates

HERE = Path(__file__).parent
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
JSON_PREFIXES = ("/api/", "/v1/", "/healthz", "/openapi.json")


def create_app(settings: Settings, *, engine: Engine | None = None) -> FastAPI:
    """The app of a workspace; migrates its app database first (like every command)."""
    if engine is None:
        upgrade_app_db(settings)
        engine = create_engine_for(settings.resolved_app_db_url)
    app = FastAPIOffline(
        title="Tenure",
        version=version("tenure"),
        description="Customer retention and customer success: accounts, health, milestones, KPIs.",
        static_url="/static/docs",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.choices = {}  # the accounts list's filter values, per compute run
    add_metrics(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(auth.router)
    app.include_router(pages.router)
    app.include_router(analysis_pages.router)
    app.include_router(api.router)
    app.include_router(workflow_pages.router)
    app.include_router(workflow_pages.api_router)
    app.include_router(plan_pages.router)
    mount_ingestion(app, engine)
    _add_basics(app)
    _add_error_pages(app)
    return app


def _add_basics(app: FastAPI) -> None:
    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        """Plotly's JavaScript, from the installed plotly package."""
        return FileResponse(
            PLOTLY_JS,
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @app.get("/healthz", tags=["operations"])
    def healthz(request: Request) -> dict[str, str]:
        """The app is up and its database answers."""
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok"}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(JSON_PREFIXES)


def _error_page(request: Request, status: int, title: str, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "title": title, "message": message, "visitor": None},
        status_code=status,
    )


TITLES = {
    400: "Bad request",
    401: "Please log in",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed",
    429: "Too many attempts",
}


def _add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(exc.next_url, safe='/')}", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = (
                "There is no page at this address. Check the link, or start from the dashboard."
            )
        return _error_page(request, exc.status_code, TITLES.get(exc.status_code, "Error"), message)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": jsonable(exc.errors())}, status_code=422)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors()
        )
        return _error_page(request, 400, "Bad request", f"Some values are not valid: {problems}")

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        return _error_page(
            request,
            500,
            "Something went wrong",
            "The server could not show this page. The error is in the server log; "
            "try again, or tell your administrator.",
        )


def jsonable(errors: object) -> object:
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(errors)


__all__ = ["HTMLResponse", "create_app"]
