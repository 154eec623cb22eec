"""Scheduled job of the quality feature: create the checkpoint reviews that fall due and
(re)compute the automatic criteria of the unsigned ones. Commits once; running it twice
creates nothing the second time."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from lms import clock
from lms.dbutil import writing
from lms.extensions import db
from lms.quality.defaults import ensure_default_templates
from lms.quality.models import CheckpointReview
from lms.quality.services.evaluation import evaluate_all

EVALUATE_LOCK_KEY = 724_002  # PostgreSQL advisory lock id (the alert scan uses 724_001)


def _lock() -> None:
    """Serialize evaluations: a PostgreSQL advisory lock for the transaction; on SQLite the
    transaction takes the write lock at BEGIN IMMEDIATE (under ``writing()``)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": EVALUATE_LOCK_KEY})
    else:
        db.session.execute(text("PRAGMA busy_timeout = 60000"))
        db.session.execute(select(func.count(CheckpointReview.id)))  # begins the transaction


def run_quality_evaluate(today: date | None = None) -> dict[str, int]:
    """Create the due reviews and evaluate the unsigned ones (also
    ``flask --app wsgi lms quality evaluate``).

    :returns: ``{"created": n, "evaluated": m}``.
    """
    today = today or clock.today()
    for attempt in range(2):
        with writing():
            try:
                _lock()
                ensure_default_templates()
                counts = evaluate_all(today)
                db.session.commit()
                return counts
            except IntegrityError:
                # Another process created the same review first (its origin_key is unique):
                # start again on what it committed.
                db.session.rollback()
                if attempt:
                    raise
            except Exception:
                db.session.rollback()
                raise
    raise AssertionError("unreachable")  # pragma: no cover
