"""Account verbs. They flush, never commit: the caller owns the transaction."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from lms import clock
from lms.audit.services import record
from lms.auth.models import LoginFailure, User, new_session_token, normalize_email
from lms.auth.vocab import Role
from lms.errors import ServiceError
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
class Attempt:
    """One password attempt for an account (login, or the password page's current password).

    ``start_attempt`` counts it as a failure of the account in advance (so that concurrent
    attempts on one account see each other) and reads what the slow check needs; the caller then ends the transaction, checks the
    password with :func:`password_matches` outside any transaction (scrypt takes ~0.5 s and must
    not hold SQLite's write lock), and ends the attempt with :func:`attempt_succeeded` or
    :func:`attempt_failed` in a second short transaction.
    """

    email: str
    address: str | None
    wait_seconds: int = 0  # > 0: refused without checking the password; try again after that
    failure_id: int | None = None  # the failure counted in advance
    user_id: int | None = None
    password_hash: str = field(default="", repr=False)
    active: bool = False


def _failure_email(email: str) -> str:
    return normalize_email(email)[:254]


def _delay_seconds(failures: int, free: int) -> int:
    """The wait after ``failures`` failures: 0 up to ``free``, then doubling, capped."""
    cfg = current_app.config
    if failures < free:
        return 0
    doublings = min(failures - free, 20)
    return min(cfg["LOGIN_DELAY_SECONDS"] * 2**doublings, cfg["LOGIN_DELAY_MAX_SECONDS"])


def _wait(condition, free: int, now: datetime) -> int:
    window = timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])
    count, last = db.session.execute(
        select(func.count(LoginFailure.id), func.max(LoginFailure.at)).where(
            condition, LoginFailure.at > now - window
        )
    ).one()
    delay = _delay_seconds(count, free)
    if not delay or last is None:
        return 0
    return max(0, math.ceil((last + timedelta(seconds=delay) - now).total_seconds()))


def throttle_wait(condition, free: int) -> int:
    """Seconds to wait for the failures matching ``condition`` (past ``free`` of them)."""
    return _wait(condition, free, clock.utcnow())


def login_wait(email: str, address: str | None) -> int:
    """Seconds to wait before the next attempt for this account or from this address (0: none).

    Failures within ``LOGIN_FAILURE_WINDOW_MINUTES`` are counted per account (known or not: the
    answer never tells whether an account exists) and per client address. Past
    ``LOGIN_ACCOUNT_FREE_FAILURES`` (account) or ``LOGIN_ADDRESS_FREE_FAILURES`` (address), the
    next attempt waits ``LOGIN_DELAY_SECONDS`` after the last failure, doubling with each further
    failure up to ``LOGIN_DELAY_MAX_SECONDS``: a growing delay, not a lock that a stranger could
    keep on someone's account (attempts refused during a delay are not counted).
    """
    cfg = current_app.config
    now = clock.utcnow()
    wait = _wait(
        LoginFailure.email == _failure_email(email), cfg["LOGIN_ACCOUNT_FREE_FAILURES"], now
    )
    if address:
        wait = max(wait, _wait(LoginFailure.ip == address, cfg["LOGIN_ADDRESS_FREE_FAILURES"], now))
    return wait


def start_attempt(email: str, address: str | None) -> Attempt:
    """Refuse the attempt while a delay runs; otherwise count it as a failure in advance.

    The failure counted in advance is the account's only (its ``ip`` stays NULL until
    :func:`attempt_failed`): attempts still being checked do not count against the address, or
    a class logging in at once behind its school's one address (more attempts in flight than
    ``LOGIN_ADDRESS_FREE_FAILURES`` across workers and servers) would be refused.
    """
    user_email, email = normalize_email(email), _failure_email(email)
    wait = login_wait(email, address)
    if wait:
        return Attempt(email=email, address=address, wait_seconds=wait)
    user = db.session.scalar(select(User).where(User.email == user_email))
    failure = LoginFailure(
        email=email, ip=None, at=clock.utcnow(), user_id=user.id if user else None
    )
    db.session.add(failure)
    db.session.flush()
    if user is None:
        return Attempt(email=email, address=address, failure_id=failure.id)
    return Attempt(
        email=email,
        address=address,
        failure_id=failure.id,
        user_id=user.id,
        password_hash=user.password_hash,
        active=user.active,
    )


def password_matches(attempt: Attempt, password: str) -> bool:
    """The slow check: call it with no database transaction open.

    Unknown e-mails are compared against a dummy hash, so that both cases take the same time.
    """
    if attempt.user_id is None:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(attempt.password_hash, password) and attempt.active


def attempt_succeeded(attempt: Attempt) -> None:
    """Forget this account's failures from this address, the one counted in advance included
    (failures from other addresses still count: they may be someone else's guesses)."""
    db.session.execute(
        delete(LoginFailure).where(
            LoginFailure.email == attempt.email,
            or_(
                LoginFailure.ip == attempt.address,  # IS NULL when the address is unknown
                LoginFailure.id == attempt.failure_id,
            ),
        )
    )


def attempt_failed(attempt: Attempt, action: str, *, actor: User | None = None) -> None:
    """Keep the failure counted in advance, audit it (the e-mail tried, never the password),
    and forget this account's and this address's failures that left the window."""
    window = timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])
    cutoff = clock.utcnow() - window
    if attempt.failure_id is not None and attempt.address:  # now it counts for the address too
        db.session.execute(
            update(LoginFailure)
            .where(LoginFailure.id == attempt.failure_id)
            .values(ip=attempt.address)
        )
    db.session.execute(
        delete(LoginFailure).where(LoginFailure.email == attempt.email, LoginFailure.at <= cutoff)
    )
    if attempt.address:
        db.session.execute(
            delete(LoginFailure).where(
                LoginFailure.ip == attempt.address, LoginFailure.at <= cutoff
            )
        )
    record(
        action,
        actor=actor,
        entity_type="User",
        entity_id=attempt.user_id,
        after={"email": attempt.email, "address": attempt.address},
    )


def record_login(user: User, address: str | None) -> None:
    record("user.login", user, actor=user, after={"address": address})


def log_out(user: User, address: str | None) -> None:
    """End every session of the user: a cookie captured before is anonymous afterwards."""
    user.session_token = new_session_token()
    record("user.logout", user, actor=user, after={"address": address})
    db.session.flush()


# A temporary password (CSV import, an account created with a password) opens the account for
# this long, and only to choose a password of one's own.
TEMPORARY_PASSWORD_DAYS = 14


def make_temporary(user: User) -> None:
    """The user's password is temporary: changed at first login, void after
    :data:`TEMPORARY_PASSWORD_DAYS` days."""
    user.must_change_password = True
    user.password_expires_at = clock.utcnow() + timedelta(days=TEMPORARY_PASSWORD_DAYS)


def temporary_passwords(count: int) -> list[tuple[str, str]]:
    """``count`` new temporary passwords with their hashes: (password, hash).

    Slow (scrypt, ~0.5 s each): call it with no database transaction open, before the write
    transaction that creates the accounts (on SQLite that transaction holds the one write lock).
    """
    passwords = [secrets.token_urlsafe(9) for _ in range(count)]
    return [(password, hash_password(password)) for password in passwords]


def temporary_password_expired(user: User) -> bool:
    return bool(
        user.must_change_password
        and user.password_expires_at is not None
        and user.password_expires_at <= clock.utcnow()
    )


def change_password(
    user: User, new_password: str | None = None, *, password_hash: str | None = None
) -> None:
    """Set a new password (the user's own: no longer temporary) and end the user's other
    sessions (their session token changes).

    Give ``password_hash`` (from :func:`hash_password`, computed before the write transaction)
    or ``new_password``.
    """
    before = {"must_change_password": user.must_change_password}
    user.password_hash = password_hash or hash_password(new_password or "")
    user.session_token = new_session_token()
    user.must_change_password = False
    user.password_expires_at = None
    record(
        "user.password_change",
        user,
        actor=user,
        before=before,
        after={"must_change_password": False},
    )
    db.session.flush()


def update_profile(user: User, *, phone: str | None, preferred_language: str) -> None:
    """The user's own profile: phone (optional) and interface language."""
    before = {"phone": user.phone, "preferred_language": user.preferred_language}
    user.phone = (phone or "").strip() or None
    user.preferred_language = preferred_language
    after = {"phone": user.phone, "preferred_language": user.preferred_language}
    if after != before:
        record("user.profile_update", user, actor=user, before=before, after=after)
    db.session.flush()


def user_snapshot(user: User) -> dict:
    """What the audit log keeps of an account (never the password hash)."""
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "active": user.active,
        "preferred_language": user.preferred_language,
        "phone": user.phone,
        "must_change_password": user.must_change_password,
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
    temporary: bool = False,
) -> User:
    """Create an account. Give ``password`` or an already computed ``password_hash``.

    :param temporary: the password was chosen by someone else (an import, an admin): the user
        changes it at first login, and it expires (:func:`make_temporary`).
    """
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        preferred_language=preferred_language,
        password_hash=password_hash or hash_password(password or ""),
        must_change_password=False,
    )
    if temporary:
        make_temporary(user)
    db.session.add(user)
    db.session.flush()
    record("user.create", user, actor=actor, after=user_snapshot(user))
    return user


def email_taken(email: str, *, except_id: int | None = None) -> bool:
    stmt = select(User.id).where(User.email == normalize_email(email))
    if except_id is not None:
        stmt = stmt.where(User.id != except_id)
    return db.session.scalar(stmt) is not None


def check_first_admin(email: str) -> None:
    """:raises ServiceError: an admin exists already (the others are created in the pages), or
    the e-mail is another account's."""
    if db.session.scalar(select(User.id).where(User.role == Role.ADMIN).limit(1)) is not None:
        raise ServiceError(
            _(
                "Un compte administrateur existe déjà : créez les autres comptes dans la page "
                "Administration, ou donnez un lien de réinitialisation à l'admin qui a oublié "
                "son mot de passe."
            ),
            status=409,
        )
    if email_taken(email):
        raise ServiceError(_("Un compte existe déjà avec ce courriel."), "email", status=409)


def create_first_admin(*, email: str, name: str, password_hash: str) -> User:
    """The first admin account of an empty installation (``lms users create-admin``); the
    password is the admin's own (not temporary).

    :raises ServiceError: see :func:`check_first_admin`.
    """
    check_first_admin(email)
    return create_user(email=email, name=name, role=Role.ADMIN.value, password_hash=password_hash)
