"""What attendance adds to the student's home page (a page of lms.learning, which does not import
attendance): the student's attendance in the cohort so far."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from lms.attendance.models import AttendanceRecord
from lms.attendance.vocab import AttendanceStatus
from lms.extensions import db
from lms.learning.queries import register_home_provider


@dataclass
class AttendanceSummary:
    attended_minutes: int
    scheduled_minutes: int
    absences: int
    lates: int

    @property
    def rate(self) -> float:
        return self.attended_minutes / self.scheduled_minutes if self.scheduled_minutes else 0.0


def attendance_summary(
    student_id: int, cohort_id: int, _today: date | None = None
) -> AttendanceSummary | None:
    """The student's attendance in the cohort so far, once some attendance was taken."""
    row = db.session.execute(
        select(
            func.coalesce(func.sum(AttendanceRecord.attended_minutes), 0),
            func.coalesce(func.sum(AttendanceRecord.scheduled_minutes), 0),
            func.count(AttendanceRecord.id).filter(
                AttendanceRecord.status == AttendanceStatus.ABSENT
            ),
            func.count(AttendanceRecord.id).filter(
                AttendanceRecord.status == AttendanceStatus.LATE
            ),
        ).where(AttendanceRecord.student_id == student_id, AttendanceRecord.cohort_id == cohort_id)
    ).one()
    if not row[1]:
        return None
    return AttendanceSummary(int(row[0]), int(row[1]), row[2], row[3])


def register() -> None:
    register_home_provider("attendance", attendance_summary)
