from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from lms import clock
from lms.attendance.vocab import AttendanceStatus
from lms.extensions import db
from lms.vocab import check_in


class AttendanceDay(db.Model):
    """Attendance taken for one cohort on one class day.

    Its ``version`` guards the day's grid: a save carries the version it was read at, and a
    second teacher saving an older version gets a conflict instead of overwriting.
    """

    __tablename__ = "attendance_day"
    __table_args__ = (UniqueConstraint("cohort_id", "day", name="uq_attendance_day_cohort_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    taken_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    taken_at: Mapped[datetime] = mapped_column(default=clock.utcnow_default)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class AttendanceRecord(db.Model):
    """One student's attendance on one class day, in minutes."""

    __tablename__ = "attendance_record"
    __table_args__ = (
        UniqueConstraint("cohort_id", "student_id", "day", name="uq_attendance_record_student_day"),
        check_in("status", AttendanceStatus, "status_known"),
        CheckConstraint(
            "attended_minutes BETWEEN 0 AND scheduled_minutes", name="attended_within_schedule"
        ),
        CheckConstraint("minutes >= 0", name="minutes_positive"),
        Index("ix_attendance_record_student_id_day", "student_id", "day"),
        Index("ix_attendance_record_cohort_id_day", "cohort_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="present")
    minutes: Mapped[int] = mapped_column(SmallInteger, default=0)  # late or left-early minutes
    reason: Mapped[str | None] = mapped_column(String(40))  # justified absences
    comment: Mapped[str | None] = mapped_column(String(500))
    scheduled_minutes: Mapped[int] = mapped_column(SmallInteger)
    attended_minutes: Mapped[int] = mapped_column(SmallInteger)
