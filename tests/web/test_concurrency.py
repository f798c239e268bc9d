"""Many people logging in and reading at once, against a real uvicorn server and SQLite."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from .conftest import PASSWORD


def log_in_and_read(base: str, email: str) -> tuple[str, int]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(base + "/login", timeout=60).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    data = urllib.parse.urlencode(
        {"email": email, "password": PASSWORD, "csrf_token": token.group(1), "next": "/accounts"}
    ).encode()
    with opener.open(base + "/login", data=data, timeout=120) as response:
        return response.geturl(), response.status


def test_twenty_simultaneous_logins_all_succeed(server: str, users: dict[str, str]) -> None:
    emails = [users[role] for role in ("admin", "manager", "csm", "viewer")] * 5
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda e: log_in_and_read(server, e), emails))
    assert results == [(server + "/accounts", 200)] * 20
