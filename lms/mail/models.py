"""The e-mail outbox: every message the application sends is written here first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms import clock
from lms.extensions import db


class OutboxMessage(db.Model):
    """An e-mail: sent through MAIL_SERVER when set, else kept here for admins to read."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_default)
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
