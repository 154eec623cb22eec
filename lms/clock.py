"""The one place the application reads the time, so that tests can freeze it."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

QUEBEC = ZoneInfo("America/Toronto")


def utcnow() -> datetime:
    """Current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def utcnow_default() -> datetime:
    """Column default (``default=clock.utcnow_default``): looks :func:`utcnow` up when the row
    is inserted, so that a test that freezes ``lms.clock.utcnow`` freezes the defaults too."""
    return utcnow()


def today() -> date:
    """Today's date in Quebec (class days are local dates)."""
    return utcnow().astimezone(QUEBEC).date()


def local_date(moment: datetime) -> date:
    """The date in Quebec of an aware moment (a stored timestamp: they are all aware)."""
    return moment.astimezone(QUEBEC).date()


def end_of_day(day: date) -> datetime:
    """The first moment after ``day`` in Quebec, in UTC (the bound of a day's timestamps)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=QUEBEC).astimezone(UTC)
