"""Scheduled jobs of the alerts feature: plain functions, each committing once, safe to run
twice (the second run changes nothing)."""

from __future__ import annotations

from lms.alerts import engine
from lms.dbutil import writing
from lms.extensions import db

SCAN_WAIT_SECONDS = 60


def run_alert_scan(only: set[str] | None = None) -> dict[str, int]:
    """The nightly scan (also ``flask --app wsgi lms alerts scan``); it waits up to
    :data:`SCAN_WAIT_SECONDS` for a scan in progress to finish."""
    with writing(wait_seconds=SCAN_WAIT_SECONDS):
        try:
            counts = engine.scan(only=only)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return counts


def run_attendance_check() -> dict[str, int]:
    """The hourly check: attendance not taken (the other rules wait for the nightly scan)."""
    return run_alert_scan(only={"attendance_not_taken"})


def run_digest() -> dict[str, int]:
    """The daily e-mail digest of new notifications."""
    from lms.alerts.notify import send_digests

    with writing():
        try:
            result = send_digests()
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return result
