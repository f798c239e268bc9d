"""Locust users for `benchmarks.pages`: each logs in, then reads the accounts list and 360s.

Run by `python -m benchmarks.pages`; reads BENCH_EMAIL, BENCH_PASSWORD and
BENCH_ACCOUNTS (a file of account ids, one a line) from the environment.
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, task

ACCOUNTS = Path(os.environ.get("BENCH_ACCOUNTS", "accounts.txt")).read_text().split()
SORTS = ["name", "arr", "health", "renewal", "change"]
BANDS = ["", "red", "yellow", "green"]


class Csm(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        page = self.client.get("/login", name="login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        self.client.post(
            "/login",
            data={
                "email": os.environ["BENCH_EMAIL"],
                "password": os.environ["BENCH_PASSWORD"],
                "csrf_token": token.group(1),
                "next": "/accounts",
            },
            name="login",
        )

    @task(2)
    def accounts_list(self) -> None:
        params = {
            "owner": "all",
            "sort": random.choice(SORTS),
            "band": random.choice(BANDS),
            "page": str(random.randint(1, 20)),
        }
        if random.random() < 0.5:
            params["desc"] = "1"
        with self.client.get(
            "/accounts", params=params, name="accounts list", catch_response=True
        ) as response:
            if (
                'table class="list"' not in response.text
                and "No accounts match" not in response.text
            ):
                response.failure("not the accounts list")

    @task(2)
    def account_360(self) -> None:
        account = random.choice(ACCOUNTS)
        with self.client.get(
            f"/accounts/{account}", name="account 360", catch_response=True
        ) as response:
            if "Why this score" not in response.text:
                response.failure("not an account 360")
