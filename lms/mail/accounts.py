"""The outbox serves the accounts' messages too (reset links): registered on lms.auth.mail."""

from __future__ import annotations

from lms.auth.mail import Mailer, register_mailer
from lms.extensions import db
from lms.mail.models import OutboxMessage
from lms.mail.outbox import send_outbox_messages


def _queue(to_address: str, subject: str, body: str) -> int:
    message = OutboxMessage(to_address=to_address, subject=subject, body=body)
    db.session.add(message)
    db.session.flush()
    return message.id


def register() -> None:
    register_mailer(Mailer(queue=_queue, deliver=send_outbox_messages))
