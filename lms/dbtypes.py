"""Column types shared by every model (registered on the declarative base in lms.extensions)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A moment in time: written in UTC, read back as an aware UTC datetime on every engine.

    The DDL is ``DateTime(timezone=True)``'s (``timestamp with time zone`` on PostgreSQL,
    ``DATETIME`` on SQLite). SQLite keeps the text without its offset, so every value, whether
    written or compared with (``created_at >= since``), is converted to UTC first; otherwise a
    Quebec time would be compared with UTC text and shift the window by the UTC offset.

    A naive datetime names no moment: it is refused (``ValueError``) rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"a datetime is expected, not {type(value).__name__}: {value!r}")
        if value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: give it a time zone (lms.clock)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite: UTC text without its offset
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
