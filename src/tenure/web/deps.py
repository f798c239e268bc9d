"""Request dependencies: the database session and who is asking (FastAPI `Annotated` aliases).

API requests authenticate with `Authorization: Bearer <token>` or the session
cookie (401 otherwise); pages with the session cookie (a redirect to the login
page otherwise). Viewers may read only: `Writer` answers 403 to them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from tenure.db import Role, User
from tenure.web.users import session_of, token_user

SESSION_COOKIE = "tenure_session"


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]


@dataclass
class Visitor:
    """A logged-in user and, for browser sessions, the session's CSRF token."""

    user: User
    csrf_token: str | None = None

    @property
    def can_write(self) -> bool:
        return self.user.role != Role.VIEWER


class LoginRequired(Exception):
    """A page was asked for without a valid session: send the browser to the login page."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def _from_cookie(request: Request, db: Session) -> Visitor | None:
    token = request.cookies.get(SESSION_COOKIE)
    found = session_of(db, token) if token else None
    return None if found is None else Visitor(found[0], found[1].csrf_token)


def api_visitor(request: Request, db: SessionDep) -> Visitor:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        user = token_user(db, token.strip())
        if user is not None:
            return Visitor(user)
    visitor = _from_cookie(request, db)
    if visitor is None:
        raise HTTPException(
            401, "log in or send an API token", headers={"WWW-Authenticate": "Bearer"}
        )
    return visitor


def page_visitor(request: Request, db: SessionDep) -> Visitor:
    visitor = _from_cookie(request, db)
    if visitor is None:
        raise LoginRequired(
            str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
        )
    return visitor


def _writer(visitor: Visitor) -> Visitor:
    if not visitor.can_write:
        raise HTTPException(403, "viewers cannot change anything")
    return visitor


def api_writer(visitor: Annotated[Visitor, Depends(api_visitor)]) -> Visitor:
    return _writer(visitor)


def page_writer(visitor: Annotated[Visitor, Depends(page_visitor)]) -> Visitor:
    return _writer(visitor)


ApiUser = Annotated[Visitor, Depends(api_visitor)]
ApiWriter = Annotated[Visitor, Depends(api_writer)]
PageUser = Annotated[Visitor, Depends(page_visitor)]
PageWriter = Annotated[Visitor, Depends(page_writer)]
