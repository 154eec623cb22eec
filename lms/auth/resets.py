"""One-time password reset links.

The link carries a random token; only its SHA-256 is stored (a copy of the database opens no
account). A link is valid :data:`RESET_LINK_HOURS` hours and once: choosing a password marks it
used (one conditional UPDATE, so that two submissions at once cannot both succeed). Issuing a
new link for an account voids the ones not yet used. These verbs flush, never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from lms import clock
from lms.audit.services import record
from lms.auth.models import (
    LoginFailure,
    PasswordResetToken,
    User,
    new_session_token,
    normalize_email,
)
from lms.auth.services import throttle_wait
from lms.errors import ServiceError
from lms.extensions import db

RESET_LINK_HOURS = 72
# « Mot de passe oublié »: at most this many links per account in the login failure window.
FORGOT_FREE_PER_ACCOUNT = 3
_FORGOT_MARK = "forgot:"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def reset_url(token: str) -> str:
    """The absolute link (PUBLIC_BASE_URL): it is e-mailed or copied into a message."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/auth/reset/{token}"


def issue_reset_link(user: User, *, actor: User | None) -> str:
    """Create a link for ``user`` (voiding their unused ones) and return its token, which is
    shown or sent once and never stored.

    :param actor: the admin or coordinator who asked; ``None`` for « mot de passe oublié ».
    """
    if not user.active:
        raise ServiceError(
            _("Ce compte est désactivé : réactivez-le avant de donner un lien."), status=409
        )
    now = clock.utcnow()
    db.session.execute(
        delete(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None)
        )
    )
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=RESET_LINK_HOURS)
    db.session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=expires_at,
            created_by_id=getattr(actor, "id", None),
        )
    )
    record(
        "user.reset_link",
        user,
        actor=actor,
        after={"expires_at": expires_at.isoformat(), "asked_by_user": actor is None},
    )
    db.session.flush()
    return token


def reset_mail(user: User, token: str) -> tuple[str, str]:
    """The e-mail with a reset link, in the user's language: (subject, body)."""
    with force_locale(user.preferred_language):
        subject = _("Francisation — choisir un nouveau mot de passe")
        body = "\n".join(
            [
                _("Bonjour %(name)s,", name=user.name),
                "",
                _("Pour choisir un nouveau mot de passe, ouvrez ce lien :"),
                reset_url(token),
                "",
                _(
                    "Le lien sert une seule fois et reste valide %(hours)s heures.",
                    hours=RESET_LINK_HOURS,
                ),
                _(
                    "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste le même."
                ),
            ]
        )
    return subject, body + "\n"


def valid_reset(token: str) -> tuple[PasswordResetToken, User] | None:
    """The link's row and account while the link may be used (not used, not expired, account
    active), else ``None``."""
    row = db.session.execute(
        select(PasswordResetToken, User)
        .join(User, User.id == PasswordResetToken.user_id)
        .where(
            PasswordResetToken.token_hash == token_hash(token),
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at > clock.utcnow(),
            User.active.is_(True),
        )
    ).first()
    return None if row is None else (row[0], row[1])


def link_no_longer_valid() -> ServiceError:
    return ServiceError(
        _(
            "Ce lien n'est plus valide : il a déjà servi ou il a expiré. Demandez-en un nouveau "
            "à votre conseillère ou conseiller pédagogique, ou à l'administration."
        ),
        status=410,
    )


def reset_password(token: str, *, password_hash: str) -> User:
    """Use the link: set the new password (hashed before the write transaction), end every
    session of the account, and mark the link used.

    :raises ServiceError: (410) the link was used meanwhile, expired or never existed.
    """
    found = valid_reset(token)
    if found is None:
        raise link_no_longer_valid()
    link, user = found
    now = clock.utcnow()
    claimed = db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == link.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise link_no_longer_valid()
    before = {"must_change_password": user.must_change_password}
    user.password_hash = password_hash
    user.session_token = new_session_token()
    user.must_change_password = False
    user.password_expires_at = None
    record(
        "user.password_reset",
        user,
        actor=user,
        before=before,
        after={"must_change_password": False, "link_created_at": link.created_at.isoformat()},
    )
    db.session.flush()
    return user


def forgot_wait(email: str, address: str | None) -> int:
    """Seconds before « mot de passe oublié » answers again for this address or account (0: now).

    Each request counts like a failed login from its address (the address limits of login
    throttling apply), and under a mark of its own per account (not the account's login count:
    a stranger asking for links must not slow its owner's logins).
    """
    free_per_address = current_app.config["LOGIN_ADDRESS_FREE_FAILURES"]
    wait = throttle_wait(LoginFailure.email == _forgot_key(email), FORGOT_FREE_PER_ACCOUNT)
    if address:
        wait = max(wait, throttle_wait(LoginFailure.ip == address, free_per_address))
    return wait


def _forgot_key(email: str) -> str:
    return (_FORGOT_MARK + normalize_email(email))[:254]


def count_forgot_request(email: str, address: str | None) -> None:
    db.session.add(LoginFailure(email=_forgot_key(email), ip=address, at=clock.utcnow()))
    db.session.flush()


def active_user_by_email(email: str) -> User | None:
    return db.session.scalar(
        select(User).where(User.email == normalize_email(email), User.active.is_(True))
    )
