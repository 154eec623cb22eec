"""Mail for account messages (reset links), through whichever feature owns the outbox.

Accounts sit below every other feature, so they import none: the feature that keeps the e-mail
outbox registers two functions (``lms.mail.accounts``): one writes a message in the
current transaction, the other sends written messages once that transaction is committed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class Mailer:
    queue: Callable[[str, str, str], int]  # (to, subject, body) -> message id; flushes
    deliver: Callable[[list[int]], tuple[int, int]]  # after the commit: (sent, failed)


_MAILER: list[Mailer] = []


def register_mailer(mailer: Mailer) -> None:
    _MAILER[:] = [mailer]


def mail_configured() -> bool:
    """Whether e-mail leaves the application (MAIL_SERVER is set and an outbox is registered)."""
    return bool(current_app.config.get("MAIL_SERVER")) and bool(_MAILER)


def queue_mail(to_address: str, subject: str, body: str) -> int:
    """Write a message in the current transaction (flushed, not committed); returns its id."""
    return _MAILER[0].queue(to_address, subject, body)


def deliver(message_ids: list[int]) -> tuple[int, int]:
    """Send messages written by :func:`queue_mail`, after their transaction is committed.

    :returns: (sent, failed); a failed message stays in the outbox with its error.
    """
    if message_ids and mail_configured():
        return _MAILER[0].deliver(message_ids)
    return 0, 0
