"""The daily e-mail digest of in-app notifications.

Transactional outbox: the digests are first written to :class:`OutboxMessage` together with the
notifications they cover (marked digested), in one commit; only then are they sent through
``MAIL_SERVER`` when it is set, each send recording its ``sent_at`` or its error. A second run
finds nothing left to digest and sends nothing. Without ``MAIL_SERVER`` the messages stay in the
outbox, where admins read them (``/admin/outbox``).
"""

from __future__ import annotations

import smtplib
import ssl
from collections import defaultdict
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, update

from lms import clock
from lms.alerts.models import Notification, OutboxMessage
from lms.auth.models import User
from lms.dbutil import writing
from lms.extensions import db

DEFAULT_FROM = "no-reply@francisation.local"
SMTP_TIMEOUT = 30


def digest_subject(count: int) -> str:
    return ngettext(
        "Francisation — %(num)s nouvelle alerte",
        "Francisation — %(num)s nouvelles alertes",
        count,
    )


def digest_body(name: str, items: list[Notification], base_url: str = "") -> str:
    """The digest's text: one line per notification and the path of its alert."""
    lines = [
        _("Bonjour %(name)s,", name=name),
        "",
        ngettext(
            "Voici la nouvelle alerte qui vous concerne :",
            "Voici les %(num)s nouvelles alertes qui vous concernent :",
            len(items),
        ),
        "",
    ]
    for item in items:
        lines.append(f"- {item.message}")
        if item.alert_id:
            lines.append(f"  {base_url}/alerts/{item.alert_id}")
    lines += [
        "",
        _(
            "Vous trouverez toutes vos alertes dans la boîte des alertes : %(path)s",
            path=f"{base_url}/alerts/",
        ),
        "",
        _("Ce message est envoyé une fois par jour par la plateforme Francisation."),
    ]
    return "\n".join(lines) + "\n"


def _queue_digests(now: datetime) -> list[int]:
    """Write one outbox message per user with notifications not yet digested, and mark them
    digested; commits. :returns: the ids of the new outbox messages."""
    base_url = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    with writing():
        try:
            rows = db.session.execute(
                select(Notification, User.email, User.name, User.active)
                .join(User, User.id == Notification.user_id)
                .where(Notification.digested_at.is_(None))
                .order_by(Notification.user_id, Notification.created_at, Notification.id)
            ).all()
            per_user: dict[int, list[Notification]] = defaultdict(list)
            people: dict[int, tuple[str, str, bool]] = {}
            for notification, email, name, active in rows:
                per_user[notification.user_id].append(notification)
                people[notification.user_id] = (email, name, active)
            created: list[OutboxMessage] = []
            for user_id, items in per_user.items():
                # Claim the notifications: a digest running at the same time claims none of them.
                claimed = db.session.execute(
                    update(Notification)
                    .where(
                        Notification.id.in_([n.id for n in items]),
                        Notification.digested_at.is_(None),
                    )
                    .values(digested_at=now)
                    .execution_options(synchronize_session=False)
                ).rowcount
                email, name, active = people[user_id]
                if claimed != len(items) or not active:
                    continue
                message = OutboxMessage(
                    to_address=email,
                    subject=digest_subject(len(items)),
                    body=digest_body(name, items, base_url),
                    created_at=now,
                )
                db.session.add(message)
                created.append(message)
            db.session.flush()
            ids = [m.id for m in created]
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return ids


def _email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    email.set_content(message.body)
    return email


class StartTLSUnavailable(smtplib.SMTPException):
    """MAIL_USE_TLS is set and the mail server does not offer STARTTLS."""


def _secure(smtp: smtplib.SMTP, *, required: bool) -> None:
    """Switch the connection to TLS (STARTTLS) before anything is sent.

    ``required`` (MAIL_USE_TLS): the server must offer STARTTLS and present a certificate valid
    for its name, else nothing is sent. Otherwise STARTTLS is used whenever the server offers it,
    without checking the certificate (internal relays often have self-signed ones): that keeps
    the messages from passive eavesdroppers, not from an active attacker; set MAIL_USE_TLS
    for that.

    :raises StartTLSUnavailable: required and not offered.
    """
    smtp.ehlo()
    if smtp.has_extn("starttls"):
        context = ssl.create_default_context()
        if not required:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        smtp.starttls(context=context)
        smtp.ehlo()  # the server's extensions again, over TLS
    elif required:
        raise StartTLSUnavailable(
            _(
                "Le serveur de courriel n'offre pas STARTTLS alors que MAIL_USE_TLS l'exige : "
                "aucun message n'a été envoyé."
            )
        )


def _send(ids: list[int]) -> tuple[int, int]:
    """Send the outbox messages ``ids`` through MAIL_SERVER, then record each result (sent_at
    or error) in one commit; no database lock is held while talking to the mail server.

    :returns: (sent, failed).
    """
    config = current_app.config
    sender = config.get("MAIL_FROM") or DEFAULT_FROM
    emails = [
        (message.id, _email(message, sender))
        for message in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
        )
    ]
    db.session.rollback()  # end the read transaction before the network
    results: dict[int, tuple[datetime | None, str | None]] = {}
    try:
        smtp = smtplib.SMTP(
            config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), timeout=SMTP_TIMEOUT
        )
    except (OSError, smtplib.SMTPException) as exc:
        error = _("Serveur de courriel injoignable : %(error)s", error=str(exc))
        results = {message_id: (None, error[:1000]) for message_id, _email_ in emails}
    else:
        with smtp:
            try:
                _secure(smtp, required=bool(config.get("MAIL_USE_TLS")))
            except (OSError, smtplib.SMTPException) as exc:  # ssl.SSLError is an OSError
                current_app.logger.error("digest: no secure connection to the mail server: %s", exc)
                error = _("Connexion sécurisée impossible : %(error)s", error=str(exc))
                results = {message_id: (None, error[:1000]) for message_id, _email_ in emails}
                emails = []
            for message_id, email in emails:
                try:
                    smtp.send_message(email)
                except (OSError, smtplib.SMTPException) as exc:
                    results[message_id] = (None, str(exc)[:1000])
                else:
                    results[message_id] = (clock.utcnow(), None)
    with writing():
        try:
            for message_id, (sent_at, error) in results.items():
                db.session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == message_id)
                    .values(sent_at=sent_at, error=error)
                    .execution_options(synchronize_session=False)
                )
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    sent = sum(1 for sent_at, _error in results.values() if sent_at is not None)
    return sent, len(results) - sent


def send_digests(now: datetime | None = None) -> dict[str, int]:
    """The daily digest job: one e-mail per user with new notifications (run in an app context;
    commits). Idempotent: a second run sends nothing.

    :returns: ``{"messages", "sent", "failed", "queued"}``: digests written, sent through
        MAIL_SERVER, failed to send (kept in the outbox with their error), and kept in the outbox
        because MAIL_SERVER is not set.
    """
    now = now or clock.utcnow()
    ids = _queue_digests(now)
    if not ids:
        return {"messages": 0, "sent": 0, "failed": 0, "queued": 0}
    if not current_app.config.get("MAIL_SERVER"):
        return {"messages": len(ids), "sent": 0, "failed": 0, "queued": len(ids)}
    sent, failed = _send(ids)
    return {"messages": len(ids), "sent": sent, "failed": failed, "queued": 0}
