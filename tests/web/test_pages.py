"""Server-rendered pages through the app: content, CSV export, empty states and errors."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from fastapi.testclient import TestClient

from tenure.web.app import PLOTLY_JS, create_app
from tenure.workspace import init_workspace

from .conftest import PASSWORD, login


def test_every_page_renders_without_external_assets(
    client: TestClient, users: dict[str, str]
) -> None:
    login(client, users["manager"])
    account = client.get("/api/accounts").json()["accounts"][0]
    for path in ("/", "/accounts", f"/accounts/{account['account_id']}", "/docs", "/login"):
        page = client.get(path)
        assert page.status_code == 200, path
        sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert all(not s.startswith(("http:", "https:", "//")) for s in sources), (path, sources)
    assert account["name"] in client.get(f"/accounts/{account['account_id']}").text


def test_plotly_comes_from_the_installed_package(client: TestClient) -> None:
    response = client.get("/vendor/plotly.min.js")
    assert response.status_code == 200
    assert response.content == PLOTLY_JS.read_bytes()


def test_the_list_filters_and_paginates(client: TestClient, users: dict[str, str]) -> None:
    login(client, users["manager"])
    page = client.get("/accounts", params={"band": "red"})
    total = client.get("/api/accounts", params={"band": "red"}).json()["total"]
    assert f"{total} account" in page.text
    assert page.text.count('class="band red"') == min(total, 50)
    assert "Page 1 of 2" in client.get("/accounts").text  # 60 accounts, 50 a page
    # The filter form sends every field, empty ones too.
    empty = {"q": "", "segment": "", "stage": "", "owner": "", "renewal": ""}
    assert client.get("/accounts", params={**empty, "band": "red"}).text == page.text
    soon = client.get("/accounts", params={"renewal": "90", "owner": "all"})
    assert '<option value="90" selected>' in soon.text


def test_csv_export_has_every_matching_account(client: TestClient, users: dict[str, str]) -> None:
    login(client, users["manager"])
    response = client.get("/accounts.csv", params={"band": "green"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    expected = client.get("/api/accounts", params={"band": "green", "per_page": 500}).json()
    assert {r["account_id"] for r in rows} == {a["account_id"] for a in expected["accounts"]}
    assert {r["health_band"] for r in rows} <= {"green"}


def test_a_csm_lands_on_the_own_book(client: TestClient, users: dict[str, str], owner: str) -> None:
    login(client, users["csm"])
    page = client.get("/accounts")
    assert "your book" in page.text
    names = re.findall(r"<td>([^<]+)</td><td>[^<]*</td><td>[^<]*</td>", page.text)
    assert names
    assert set(names) == {owner}


def test_unknown_pages_and_accounts_get_a_friendly_404(
    client: TestClient, users: dict[str, str]
) -> None:
    login(client, users["viewer"])
    for path in ("/no/such/page", "/accounts/no-such-account"):
        page = client.get(path)
        assert page.status_code == 404
        assert "Traceback" not in page.text
        assert "Go to the dashboard" in page.text


def test_a_server_error_shows_a_page_without_a_stack_trace(
    client: TestClient, users: dict[str, str]
) -> None:
    login(client, users["viewer"])

    def broken() -> None:
        raise RuntimeError("secret internals")

    client.app.add_api_route("/broken", broken)  # type: ignore[attr-defined]
    page = client.get("/broken")
    assert page.status_code == 500
    assert "Something went wrong" in page.text
    assert "secret internals" not in page.text


def test_a_workspace_without_results_explains_what_to_do(tmp_path: Path) -> None:
    settings = init_workspace(tmp_path / "empty")
    from tenure.web.admin import users_session
    from tenure.web.users import create_user

    with users_session(settings) as db:
        create_user(db, email="a@example.com", role="admin", password=PASSWORD)
    app = create_app(settings)
    with TestClient(app) as client:
        login(client, "a@example.com")
        assert "No results yet" in client.get("/").text
        assert "No results yet" in client.get("/accounts").text
        assert client.get("/api/accounts").json()["total"] == 0
    app.state.engine.dispose()
