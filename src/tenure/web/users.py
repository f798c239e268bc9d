"""Users, logins, sessions and API tokens: the functions behind the CLI and the login page.

- Passwords: argon2id hashes (argon2-cffi's defaults), rehashed on login when
  the parameters change.
- Sessions and API tokens: random values held by the browser or client; the
  app database keeps only their SHA-256 digest.
- Throttling: `MAX_FAILURES` failed logins per email and client address in
  `THROTTLE_WINDOW` lock that pair out until the window has passed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from tenure.db import ApiToken, LoginAttempt, Role, User, UserSession

MAX_FAILURES = 5
THROTTLE_WINDOW = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(days=14)
MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()


class UserError(ValueError):
    """A user cannot be created or changed as asked (the message says why)."""


class TooManyAttempts(Exception):
    """Too many failed logins for this email and address: wait, then try again."""


@dataclass(frozen=True)
class NewSession:
    token: str  # goes into the cookie; only its digest is stored
    csrf_token: str
    expires_at: datetime


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def now() -> datetime:
    return datetime.now(UTC)


def create_user(
    db: Session,
    *,
    email: str,
    role: str,
    password: str,
    name: str | None = None,
    owner_name: str | None = None,
) -> User:
    """Add a user. `owner_name`: how the CRM names this person as account owner
    (default: `name`); CSMs see the accounts whose owner is that name or their email.
    """
    email = email.strip().lower()
    if "@" not in email:
        raise UserError(f"{email!r} is not an email address")
    if role not in {r.value for r in Role}:
        raise UserError(f"unknown role {role!r}: use one of {', '.join(r.value for r in Role)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if db.scalar(select(User.id).where(User.email == email)) is not None:
        raise UserError(f"a user with email {email} already exists")
    user = User(
        email=email,
        name=name,
        owner_name=owner_name or name,
        role=role,
        password_hash=_hasher.hash(password),
        active=True,
        created_at=now(),
    )
    db.add(user)
    db.commit()
    return user


def set_password(db: Session, user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = _hasher.hash(password)
    db.commit()


def authenticate(db: Session, *, email: str, password: str, ip: str) -> User | None:
    """The user with this email and password, or None; every try is logged.

    Raises `TooManyAttempts` (before checking the password) after
    `MAX_FAILURES` failures for this email and `ip` within `THROTTLE_WINDOW`.
    """
    email = email.strip().lower()
    since = now() - THROTTLE_WINDOW
    failures = db.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.email == email,
            LoginAttempt.ip == ip,
            LoginAttempt.at >= since,
            LoginAttempt.succeeded.is_(False),
        )
    )
    if (failures or 0) >= MAX_FAILURES:
        raise TooManyAttempts(email)
    found = db.execute(
        select(User.id, User.password_hash).where(User.email == email, User.active.is_(True))
    ).first()
    # End the read before hashing: no pooled connection or SQLite snapshot is held
    # while argon2 works, and the write below starts a transaction of its own.
    db.rollback()
    ok = found is not None and _verify(found.password_hash, password)
    db.add(LoginAttempt(email=email, ip=ip[:64], at=now(), succeeded=ok))
    if ok and found is not None and _hasher.check_needs_rehash(found.password_hash):
        db.execute(
            update(User).where(User.id == found.id).values(password_hash=_hasher.hash(password))
        )
    db.execute(delete(LoginAttempt).where(LoginAttempt.at < now() - timedelta(days=1)))
    db.commit()
    return db.get(User, found.id) if ok and found is not None else None


def _verify(password_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerifyMismatchError, InvalidHashError):
        return False


def writing(db: Session) -> None:
    """End the session's read transaction before a write.

    SQLite cannot turn a read transaction into a write one once another
    connection has written since it began ("database is locked", at once, not
    after the busy timeout); a transaction whose first statement writes waits
    for the lock instead.
    """
    if db.in_transaction():
        db.commit()


def start_session(db: Session, user: User) -> NewSession:
    writing(db)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now() + SESSION_LIFETIME
    db.add(
        UserSession(
            id_hash=digest(token),
            user_id=user.id,
            csrf_token=csrf,
            created_at=now(),
            expires_at=expires,
        )
    )
    db.execute(delete(UserSession).where(UserSession.expires_at < now()))
    db.commit()
    return NewSession(token, csrf, expires)


def session_of(db: Session, token: str) -> tuple[User, UserSession] | None:
    """The user and session of a session cookie, if it is valid and not expired."""
    found = db.execute(
        select(User, UserSession)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.id_hash == digest(token), User.active.is_(True))
    ).first()
    if found is None or found[1].expires_at < now():
        return None
    return found[0], found[1]


def end_session(db: Session, token: str) -> None:
    writing(db)
    db.execute(delete(UserSession).where(UserSession.id_hash == digest(token)))
    db.commit()


def create_api_token(db: Session, user: User, *, name: str) -> str:
    """A new bearer token for `user`; shown once, stored as its digest."""
    writing(db)
    token = "tnr_" + secrets.token_urlsafe(32)
    db.add(ApiToken(user_id=user.id, name=name, token_hash=digest(token), created_at=now()))
    db.commit()
    return token


def token_user(db: Session, token: str) -> User | None:
    found = db.execute(
        select(User, ApiToken)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == digest(token), User.active.is_(True))
    ).first()
    return None if found is None else found[0]


def user_by_email(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(User.email == email.strip().lower()))


def owner_names(user: User) -> list[str]:
    """The account-owner values that mean this user: owner name, name, email."""
    return [n for n in dict.fromkeys([user.owner_name, user.name, user.email]) if n]
