"""Account verbs. They flush, never commit: the caller owns the transaction."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from lms import clock
from lms.audit.services import record
from lms.auth.models import LoginFailure, User, new_session_token, normalize_email
from lms.extensions import db

# Compared against when the e-mail is unknown, so that both cases take the same time.
_DUMMY_HASH_CACHE: dict[str, str] = {}


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _dummy_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASH_CACHE:
        _DUMMY_HASH_CACHE[method] = generate_password_hash("not-a-password", method=method)
    return _DUMMY_HASH_CACHE[method]


@dataclass(frozen=True)
class LoginResult:
    user: User | None = None
    locked_minutes: int = 0  # > 0: refused without checking the password


def authenticate(email: str, password: str) -> LoginResult:
    """Check credentials, with throttling kept in the database.

    After ``LOGIN_MAX_FAILURES`` failures for one e-mail within ``LOGIN_FAILURE_WINDOW_MINUTES``,
    attempts are refused until the oldest of those failures leaves the window. Unknown e-mails
    are throttled the same way, so that the answer never tells whether an account exists.
    """
    cfg = current_app.config
    email = normalize_email(email)
    now = clock.utcnow()
    window = timedelta(minutes=cfg["LOGIN_FAILURE_WINDOW_MINUTES"])
    recent = db.session.execute(
        select(func.count(LoginFailure.id), func.min(LoginFailure.at)).where(
            LoginFailure.email == email, LoginFailure.at > now - window
        )
    ).one()
    if recent[0] >= cfg["LOGIN_MAX_FAILURES"]:
        oldest = recent[1]
        if oldest.tzinfo is None:  # SQLite returns naive datetimes
            oldest = oldest.replace(tzinfo=now.tzinfo)
        wait = (oldest + window - now).total_seconds() / 60
        return LoginResult(locked_minutes=max(1, math.ceil(wait)))

    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        ok = False
    else:
        ok = check_password_hash(user.password_hash, password) and user.active
    if not ok:
        db.session.add(LoginFailure(email=email, at=now, user_id=user.id if user else None))
        db.session.flush()
        return LoginResult()
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    return LoginResult(user=user)


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end the user's other sessions (their session token changes)."""
    user.password_hash = hash_password(new_password)
    user.session_token = new_session_token()
    record("user.password_change", user, actor=user)
    db.session.flush()


def user_snapshot(user: User) -> dict:
    """What the audit log keeps of an account (never the password hash)."""
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "active": user.active,
        "preferred_language": user.preferred_language,
    }


def create_user(
    *,
    email: str,
    name: str,
    role: str,
    password: str | None = None,
    password_hash: str | None = None,
    preferred_language: str = "fr",
    actor: User | None = None,
) -> User:
    """Create an account. Give ``password`` or an already computed ``password_hash``."""
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        preferred_language=preferred_language,
        password_hash=password_hash or hash_password(password or ""),
    )
    db.session.add(user)
    db.session.flush()
    record("user.create", user, actor=actor, after=user_snapshot(user))
    return user


def email_taken(email: str, *, except_id: int | None = None) -> bool:
    stmt = select(User.id).where(User.email == normalize_email(email))
    if except_id is not None:
        stmt = stmt.where(User.id != except_id)
    return db.session.scalar(stmt) is not None
