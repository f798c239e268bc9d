"""Login and logout pages; CSRF checks for every form POST.

Sessions are server-side: the cookie (HttpOnly, SameSite=Lax, Secure over
https) holds a random id; the app database keeps its digest and the session's
CSRF token, which every form carries in a hidden `csrf_token` field. The login
form, posted before any session exists, uses a double-submit cookie instead.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from tenure.web.deps import SESSION_COOKIE, PageUser, SessionDep, Visitor
from tenure.web.render import templates
from tenure.web.users import (
    SESSION_LIFETIME,
    TooManyAttempts,
    authenticate,
    end_session,
    start_session,
)

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "tenure_login_csrf"


def check_csrf(visitor: Visitor, token: str) -> None:
    """403 unless the form's token is the session's."""
    if not visitor.csrf_token or not hmac.compare_digest(visitor.csrf_token, token):
        raise HTTPException(403, "the form has expired: reload the page and try again")


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _safe_next(next_url: str | None) -> str:
    """Only local paths: never redirect a login to another site."""
    if next_url and next_url.startswith("/") and not next_url.startswith("//"):
        return next_url
    return "/"


def _login_page(
    request: Request, *, next_url: str, error: str | None, status: int, email: str = ""
) -> Response:
    token = secrets.token_urlsafe(32)
    response = templates.TemplateResponse(
        request,
        "login.html",
        {"visitor": None, "csrf_token": token, "next": next_url, "error": error, "email": email},
        status_code=status,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        max_age=3600,
    )
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return _login_page(request, next_url=_safe_next(next), error=None, status=200)


@router.post("/login")
def login(
    request: Request,
    db: SessionDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    next_url = _safe_next(next)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        return _login_page(
            request,
            next_url=next_url,
            status=403,
            email=email,
            error="The login form expired. Please try again.",
        )
    ip = request.client.host if request.client else "unknown"
    try:
        user = authenticate(db, email=email, password=password, ip=ip)
    except TooManyAttempts:
        return _login_page(
            request,
            next_url=next_url,
            status=429,
            email=email,
            error="Too many failed attempts. Wait 15 minutes, then try again.",
        )
    if user is None:
        return _login_page(
            request,
            next_url=next_url,
            status=401,
            email=email,
            error="Wrong email or password.",
        )
    session = start_session(db, user)
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        max_age=int(SESSION_LIFETIME.total_seconds()),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(
    request: Request, db: SessionDep, visitor: PageUser, csrf_token: Annotated[str, Form()]
) -> Response:
    check_csrf(visitor, csrf_token)
    end_session(db, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
