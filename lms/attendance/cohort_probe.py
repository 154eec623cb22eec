"""Tells the cohort pages (lms.programme.cohorts) whether somebody attended a cohort: a cohort
that somebody attended is never cancelled."""

from __future__ import annotations

from sqlalchemy import exists, select

from lms.attendance.models import AttendanceRecord
from lms.extensions import db
from lms.programme.cohorts import register_attendance_probe


def somebody_attended(cohort_id: int) -> bool:
    """Some attendance record of the cohort counts minutes in class (one query)."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    AttendanceRecord.cohort_id == cohort_id, AttendanceRecord.attended_minutes > 0
                )
            )
        )
    )


def register() -> None:
    register_attendance_probe(somebody_attended)
