"""The one place the application reads the time, so that tests can freeze it."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

QUEBEC = ZoneInfo("America/Toronto")


def utcnow() -> datetime:
    """Current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Quebec (class days are local dates)."""
    return utcnow().astimezone(QUEBEC).date()
