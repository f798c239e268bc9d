"""The pages in headless Chromium (Playwright, Debian's /usr/bin/chromium) against a real
uvicorn server: log in, open each page, filter the list, open an account; as a CSM
open Tasks, close a task, open the Inbox and Playbooks.

Screenshots go to the test's temporary folder; to refresh the ones in the docs,
run this module against a served workspace (e.g. the demo)::

    python -m tests.web.test_browser http://127.0.0.1:8000 admin@example.com PASSWORD
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from .conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="needs Debian's chromium (apt-get install chromium)"
)


@contextmanager
def browser_page() -> Iterator[tuple[Any, list[str]]]:
    """A laptop-sized page in headless Chromium, and the script errors it reports."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        yield page, errors
        browser.close()


def walk_pages(base: str, email: str, password: str, shots: Path) -> dict[str, object]:
    """Log in and visit every main page, saving screenshots; returns what was seen."""
    shots.mkdir(parents=True, exist_ok=True)
    seen: dict[str, object] = {}
    with browser_page() as (page, errors):
        page.goto(base + "/accounts")
        assert "/login" in page.url  # sent to the login page first
        page.screenshot(path=shots / "login.png")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/accounts")
        page.goto(base + "/")
        page.wait_for_selector("#chart-trend .main-svg")  # Plotly drew the charts
        seen["kpis"] = page.locator(".kpi").count()
        page.screenshot(path=shots / "dashboard.png", full_page=True)
        page.goto(base + "/accounts?owner=all")
        seen["rows"] = page.locator("table.list tbody tr").count()
        page.select_option("select[name=band]", "red")
        page.click("form.filters button[type=submit]")
        page.wait_for_url("**band=red**")
        bands = page.locator("table.list tbody .band").all_inner_texts()
        seen["red"] = bands
        page.goto(base + "/accounts?owner=all&sort=arr&desc=1")
        page.screenshot(path=shots / "accounts.png", full_page=True)
        page.locator("table.list tbody tr a").first.click()
        page.wait_for_selector("#chart-history .main-svg")
        seen["account"] = page.locator("h1").inner_text()
        seen["explained"] = page.locator("text=Why this score").count()
        page.screenshot(path=shots / "account.png", full_page=True)
        seen["analyses"] = walk_analyses(page, base, shots)
        seen["errors"] = errors
    return seen


def walk_workflows(base: str, email: str, password: str, shots: Path) -> dict[str, object]:
    """As a CSM: open Tasks, close the first task, open the Inbox and Playbooks (screenshots)."""
    shots.mkdir(parents=True, exist_ok=True)
    seen: dict[str, object] = {}
    with browser_page() as (page, errors):
        page.goto(base + "/login?next=/tasks")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/tasks")
        page.click("nav >> text=Tasks")
        page.wait_for_selector("h1:has-text('My tasks')")
        seen["tasks"] = page.locator("article.task").count()
        page.screenshot(path=shots / "tasks.png", full_page=False)
        first = page.locator("article.task").first
        seen["closed"] = first.get_attribute("id")
        first.locator("input[name=outcome]").fill("Called the admin; setup booked")
        first.locator("button:has-text('Close')").click()
        page.wait_for_selector("text=Task closed.")
        seen["after"] = page.locator(f"#{seen['closed']}").count()
        page.click("nav >> text=Inbox")
        page.wait_for_selector("h1:has-text('Inbox')")
        seen["unread"] = page.locator("tr.unread").count()
        page.screenshot(path=shots / "inbox.png", full_page=False)
        page.click("nav >> text=Playbooks")
        page.wait_for_selector("h1:has-text('Playbooks')")
        seen["playbooks"] = page.locator("table.list tbody tr").count()
        page.screenshot(path=shots / "playbooks.png", full_page=True)
        seen["errors"] = errors
    return seen


def test_open_tasks_close_one_then_inbox_and_playbooks(
    server: str, users: dict[str, str], fired: int, tmp_path: Path
) -> None:
    seen = walk_workflows(server, users["csm"], PASSWORD, tmp_path)
    assert seen["errors"] == []
    assert seen["tasks"]
    assert seen["after"] == 0  # the closed task left the open list
    assert seen["unread"]
    assert seen["playbooks"] == 5  # the template's playbooks
    for name in ("tasks", "inbox", "playbooks"):
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000


# analysis page -> a chart Plotly must draw on it (a stored analysis of the workspace)
ANALYSIS_CHARTS = {
    "cohorts": "#chart-logo",
    "survival": "#chart-survival",
    "churn": "#chart-rates-plan",
    "segments": "#chart-pyramid",
    "migration": "table.matrix",
}


def walk_analyses(page: Any, base: str, shots: Path) -> dict[str, str]:
    """Open each analysis page from the top bar; screenshot `analysis-NAME.png`; its heading."""
    headings = {}
    for name, drawn in ANALYSIS_CHARTS.items():
        page.goto(base + "/")
        page.click(f"header nav a[href='/analyses/{name}']")
        page.wait_for_url(f"**/analyses/{name}")
        page.wait_for_selector(drawn if drawn.startswith("table") else f"{drawn} .main-svg")
        headings[name] = page.locator("h1").inner_text()
        page.screenshot(path=shots / f"analysis-{name}.png", full_page=True)
    return headings


def test_log_in_open_each_page_filter_and_open_an_account(
    server: str, users: dict[str, str], tmp_path: Path
) -> None:
    seen = walk_pages(server, users["manager"], PASSWORD, tmp_path)
    assert seen["errors"] == []
    assert seen["kpis"] == 6
    assert seen["rows"] == 50
    assert seen["red"]
    assert all(b.lower().startswith("red") for b in seen["red"])  # type: ignore[attr-defined]
    assert seen["account"]
    assert seen["explained"] == 1
    for name in ("login", "dashboard", "accounts", "account"):
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000
    assert seen["analyses"] == {
        "cohorts": "Cohorts",
        "survival": "Survival by plan",
        "churn": "Churn",
        "segments": "Segments",
        "migration": "Value-tier migration",
    }
    for name in ANALYSIS_CHARTS:
        assert (tmp_path / f"analysis-{name}.png").stat().st_size > 10_000


if __name__ == "__main__":
    base_url, login_email, login_password = sys.argv[1:4]
    print(walk_pages(base_url, login_email, login_password, Path("docs/screenshots")))
    print(walk_workflows(base_url, login_email, login_password, Path("docs/screenshots")))
