"""Read-only queries of the outbox: the admins' page (2 queries)."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.extensions import db
from lms.mail.models import OutboxMessage

PAGE = 50


def outbox(page: int) -> tuple[list[OutboxMessage], int]:
    """The outbox's messages, newest first, one page; and the total count."""
    total = db.session.scalar(select(func.count(OutboxMessage.id))) or 0
    rows = list(
        db.session.scalars(
            select(OutboxMessage)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(PAGE)
            .offset((page - 1) * PAGE)
        )
    )
    return rows, total
