"""SQLite's lock wait: a unit of work may wait longer for the write lock, and the connection
gives the default back to the next request (pragmas stick to pooled connections)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from lms.alerts.jobs import SCAN_WAIT_SECONDS, run_alert_scan
from lms.dbutil import SQLITE_BUSY_TIMEOUT_MS, writing
from lms.extensions import db


@pytest.fixture
def sqlite_only(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no busy timeout; scans use an advisory lock there")


def _busy_timeout() -> int:
    value = db.session.execute(text("PRAGMA busy_timeout")).scalar()
    db.session.rollback()
    return value


def test_a_longer_wait_holds_for_its_unit_of_work_only(sqlite_only):
    with writing(wait_seconds=60):
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 60000
        db.session.commit()
    assert _busy_timeout() == SQLITE_BUSY_TIMEOUT_MS


def test_the_alert_scan_leaves_requests_with_the_default_wait(sqlite_only):
    run_alert_scan()
    assert SCAN_WAIT_SECONDS * 1000 > SQLITE_BUSY_TIMEOUT_MS
    assert _busy_timeout() == SQLITE_BUSY_TIMEOUT_MS
