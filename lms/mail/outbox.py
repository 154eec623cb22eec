"""Outgoing e-mail: the outbox, and sending it through ``MAIL_SERVER`` with STARTTLS.

Every message is first written to :class:`~lms.mail.models.OutboxMessage` in the transaction of
what it tells; once that is committed, :func:`send_outbox_messages` sends it when
``MAIL_SERVER`` is set, each send recording its ``sent_at`` or its error, with no database lock
held while talking to the mail server. Without ``MAIL_SERVER`` the messages stay in the outbox,
where admins read them (``/admin/outbox``).
"""

from __future__ import annotations

import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from lms import clock
from lms.dbutil import writing
from lms.extensions import db
from lms.mail.models import OutboxMessage

DEFAULT_FROM = "no-reply@francisation.local"
SMTP_TIMEOUT = 30


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
                current_app.logger.error("mail: no secure connection to the mail server: %s", exc)
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


def send_outbox_messages(ids: list[int]) -> tuple[int, int]:
    """Send outbox messages that are already committed (the daily digests, the accounts' reset
    links) through MAIL_SERVER, recording each result; without MAIL_SERVER they stay in the
    outbox.

    :returns: (sent, failed).
    """
    if not ids or not current_app.config.get("MAIL_SERVER"):
        return 0, 0
    return _send(ids)
