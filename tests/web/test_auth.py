"""Logins, sessions, CSRF, throttling, roles and API tokens, against a real SQLite app db."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from tenure.config import Settings
from tenure.db import LoginAttempt, SubjectiveScore, User, UserSession
from tenure.web.admin import users_session
from tenure.web.users import MAX_FAILURES, create_user, digest

from .conftest import PASSWORD, csrf_of, login


def test_pages_redirect_to_login_and_the_api_answers_401(client: TestClient) -> None:
    page = client.get("/accounts?band=red", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/accounts%3Fband%3Dred"
    assert client.get("/api/accounts").status_code == 401
    assert client.get("/api/kpis", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_login_sets_a_safe_session_cookie_stored_hashed(
    client: TestClient, users: dict[str, str], settings: Settings
) -> None:
    response = login(client, users["manager"])
    assert response.status_code == 303  # type: ignore[attr-defined]
    cookie = response.headers["set-cookie"]  # type: ignore[attr-defined]
    assert "tenure_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http in tests; https sets it
    token = client.cookies["tenure_session"]
    with users_session(settings) as db:
        stored = db.scalars(select(UserSession.id_hash)).all()
    assert digest(token) in stored
    assert token not in stored
    assert client.get("/accounts").status_code == 200


def test_passwords_are_argon2_hashes(settings: Settings, users: dict[str, str]) -> None:
    with users_session(settings) as db:
        hashed = db.scalar(select(User.password_hash).where(User.email == users["viewer"]))
    assert hashed is not None
    assert hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed


def test_wrong_password_is_refused(client: TestClient, users: dict[str, str]) -> None:
    response = login(client, users["manager"], "wrong password")
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert "Wrong email or password" in response.text  # type: ignore[attr-defined]
    assert "tenure_session" not in client.cookies


def test_login_without_the_csrf_token_is_refused(client: TestClient, users: dict[str, str]) -> None:
    client.get("/login")
    response = client.post(
        "/login",
        data={"email": users["manager"], "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "tenure_session" not in client.cookies


def test_five_failures_lock_the_email_and_address_for_a_while(
    client: TestClient, settings: Settings
) -> None:
    email = "throttled@example.com"
    with users_session(settings) as db:
        create_user(db, email=email, role="viewer", password=PASSWORD)
    for _ in range(MAX_FAILURES):
        assert login(client, email, "bad guess").status_code == 401  # type: ignore[attr-defined]
    locked = login(client, email, PASSWORD)  # even the right password, while locked
    assert locked.status_code == 429  # type: ignore[attr-defined]
    with users_session(settings) as db:
        tries = db.scalars(select(LoginAttempt.succeeded).where(LoginAttempt.email == email)).all()
    assert tries == [False] * MAX_FAILURES


def test_logout_needs_the_csrf_token_and_ends_the_session(
    client: TestClient, users: dict[str, str]
) -> None:
    login(client, users["manager"])
    assert client.post("/logout", data={"csrf_token": "x"}).status_code == 403
    token = csrf_of(client)
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_viewers_cannot_change_anything(
    client: TestClient, users: dict[str, str], tokens: dict[str, str], owner: str
) -> None:
    account = client.get(
        "/api/accounts", headers={"Authorization": f"Bearer {tokens['admin']}"}
    ).json()["accounts"][0]["account_id"]
    api = client.post(
        f"/api/accounts/{account}/pulse",
        json={"sentiment": "at risk", "reasons": ["budget cuts"]},
        headers={"Authorization": f"Bearer {tokens['viewer']}"},
    )
    assert api.status_code == 403
    login(client, users["viewer"])
    page = client.get(f"/accounts/{account}")
    assert 'action="/accounts/' not in page.text  # no pulse form for viewers
    token = csrf_of(client, f"/accounts/{account}")
    form = client.post(
        f"/accounts/{account}/pulse",
        data={"csrf_token": token, "sentiment": "at risk", "reasons": "budget cuts"},
    )
    assert form.status_code == 403


def test_a_csm_records_the_pulse_with_the_form(
    client: TestClient, users: dict[str, str], settings: Settings
) -> None:
    login(client, users["csm"])
    account = client.get("/api/accounts").json()["accounts"][0]["account_id"]
    path = f"/accounts/{account}"
    forged = client.post(
        f"{path}/pulse", data={"csrf_token": "forged", "sentiment": "at risk", "reasons": "x"}
    )
    assert forged.status_code == 403
    token = csrf_of(client, path)
    saved = client.post(
        f"{path}/pulse",
        data={"csrf_token": token, "sentiment": "at risk", "reasons": "budget cuts"},
    )
    assert saved.status_code == 200
    assert "Pulse recorded" in saved.text
    with users_session(settings) as db:
        rows = db.scalars(select(SubjectiveScore).where(SubjectiveScore.account_id == account))
        recorded = [(r.measure, r.value_points, r.reason, r.author) for r in rows]
    assert ("CSM pulse", 40.0, "budget cuts", "Csm") in recorded  # "at risk" is 40 points


def test_api_tokens_authenticate_and_are_stored_hashed(
    client: TestClient, tokens: dict[str, str], settings: Settings
) -> None:
    response = client.get("/api/kpis", headers={"Authorization": f"Bearer {tokens['viewer']}"})
    assert response.status_code == 200
    from tenure.db import ApiToken

    with users_session(settings) as db:
        hashes = db.scalars(select(ApiToken.token_hash)).all()
    assert digest(tokens["viewer"]) in hashes
    assert tokens["viewer"] not in hashes
