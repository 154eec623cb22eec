"""People: accounts, roles and login throttling."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, validates

from lms import clock
from lms.auth.vocab import Language, Role
from lms.extensions import db
from lms.vocab import check_in

ROLE_VALUES = tuple(r.value for r in Role)


def normalize_email(email: str) -> str:
    """E-mail addresses are unique case-insensitively: we store them trimmed and lowercased."""
    return (email or "").strip().lower()


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        check_in("role", Role, "role_known"),
        check_in("preferred_language", Language, "language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    preferred_language: Mapped[str] = mapped_column(String(5), default="fr")
    phone: Mapped[str | None] = mapped_column(String(30), default=None)
    # A temporary password (CSV import, an account created with a password): the user must
    # choose their own at first login, and it no longer opens the account after its expiry.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    password_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    # Part of the login session's identity: rotating it ends every other session of this user.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_default)

    @validates("email")
    def _normalize_email(self, _key: str, value: str) -> str:
        return normalize_email(value)

    # Flask-Login
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class LoginFailure(db.Model):
    """One failed login (or wrong current password), kept in the database so that throttling
    holds across processes; counted per account (``email``) and per client address (``ip``)."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_email_at", "email", "at"),
        Index("ix_login_failure_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(default=clock.utcnow_default)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), default=None
    )
    # The client's address (IPv4 or IPv6 text); NULL for failures recorded before it was kept.
    ip: Mapped[str | None] = mapped_column(String(45), default=None)


class PasswordResetToken(db.Model):
    """A one-time link to choose a new password. Only the token's SHA-256 is stored: a copy of
    the database opens no account. Used once (``used_at``), valid until ``expires_at``."""

    __tablename__ = "password_reset_token"
    __table_args__ = (Index("ix_password_reset_token_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_default)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    # Who asked for it: an admin or coordinator, or NULL (the user, « mot de passe oublié »).
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
