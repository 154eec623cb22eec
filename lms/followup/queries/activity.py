"""A student's attendance and online work, summed: per student of a cohort (the teacher's
dashboard) and per cohort of a student (the student's file)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from lms.attendance.models import AttendanceRecord
from lms.auth.models import User
from lms.extensions import db
from lms.followup.queries.scope import cohort_scope
from lms.learning.models import PRODUCTION_TYPES, Attempt, Exercise, Lesson, Production, Unit

# --- attendance --------------------------------------------------------------------------------


@dataclass
class AttendanceSummary:
    days: int = 0
    scheduled: int = 0  # minutes
    attended: int = 0
    absences: int = 0  # unjustified
    justified: int = 0
    late: int = 0
    left_early: int = 0

    @property
    def rate(self) -> float | None:
        return self.attended / self.scheduled if self.scheduled else None


def _attendance_columns():
    return (
        func.count(AttendanceRecord.id),
        func.coalesce(func.sum(AttendanceRecord.scheduled_minutes), 0),
        func.coalesce(func.sum(AttendanceRecord.attended_minutes), 0),
        func.sum(case((AttendanceRecord.status == "absent", 1), else_=0)),
        func.sum(case((AttendanceRecord.status == "justified", 1), else_=0)),
        func.sum(case((AttendanceRecord.status == "late", 1), else_=0)),
        func.sum(case((AttendanceRecord.status == "left_early", 1), else_=0)),
    )


def _summary(values) -> AttendanceSummary:
    return AttendanceSummary(*(int(v or 0) for v in values))


def attendance_by_student(cohort_id: int) -> dict[int, AttendanceSummary]:
    """Attendance of every student of a cohort, from the days taken so far (one query)."""
    rows = db.session.execute(
        select(AttendanceRecord.student_id, *_attendance_columns())
        .where(AttendanceRecord.cohort_id == cohort_id)
        .group_by(AttendanceRecord.student_id)
    )
    return {student_id: _summary(values) for student_id, *values in rows}


def attendance_by_cohort(
    student_id: int, *, viewer: User | None = None
) -> dict[int, AttendanceSummary]:
    """A student's attendance in each of their cohorts that ``viewer`` may see (one query)."""
    rows = db.session.execute(
        select(AttendanceRecord.cohort_id, *_attendance_columns())
        .where(
            AttendanceRecord.student_id == student_id,
            cohort_scope(AttendanceRecord.cohort_id, viewer),
        )
        .group_by(AttendanceRecord.cohort_id)
    )
    return {cohort_id: _summary(values) for cohort_id, *values in rows}


# --- online work -------------------------------------------------------------------------------


def _auto_graded(course_id: int):
    return (
        select(Exercise.id)
        .join(Lesson, Lesson.id == Exercise.lesson_id)
        .join(Unit, Unit.id == Lesson.unit_id)
        .where(
            Unit.course_id == course_id,
            Unit.active.is_(True),
            Lesson.active.is_(True),
            Exercise.active.is_(True),
            Exercise.type.not_in(PRODUCTION_TYPES),
        )
    )


def cohort_mastery(course_id: int, student_ids: list[int]) -> dict[int, float]:
    """Online mastery of each student: the mean of their best scores over the course's
    auto-graded exercises (an exercise never tried counts 0). Set-based: one query for the
    whole cohort (the per-student version is :func:`lms.learning.queries.skill_progress`)."""
    if not student_ids:
        return {}
    exercises = _auto_graded(course_id)
    total = select(func.count()).select_from(exercises.subquery()).scalar_subquery()
    best = (
        select(
            Attempt.student_id.label("student_id"),
            Attempt.exercise_id,
            func.max(Attempt.score).label("best"),
        )
        .where(Attempt.student_id.in_(student_ids), Attempt.exercise_id.in_(exercises))
        .group_by(Attempt.student_id, Attempt.exercise_id)
        .subquery()
    )
    rows = db.session.execute(
        select(best.c.student_id, func.sum(best.c.best), total).group_by(best.c.student_id)
    )
    return {
        student_id: (float(best_sum or 0) / count if count else 0.0)
        for student_id, best_sum, count in rows
    }


@dataclass
class OnlineSummary:
    attempts: int = 0
    exercises: int = 0  # distinct exercises tried
    mean_best: float | None = None  # mean of the best score per exercise tried
    submitted: int = 0
    returned: int = 0


def online_summary(student_id: int, *, viewer: User | None = None) -> OnlineSummary:
    """Attempts of a student, all courses, and their productions in the cohorts that ``viewer``
    may see (two queries). Attempts belong to no cohort: they are counted for every viewer."""
    best = (
        select(
            Attempt.exercise_id,
            func.count(Attempt.id).label("n"),
            func.max(Attempt.score).label("best"),
        )
        .where(Attempt.student_id == student_id)
        .group_by(Attempt.exercise_id)
        .subquery()
    )
    attempts, exercises, mean = db.session.execute(
        select(func.coalesce(func.sum(best.c.n), 0), func.count(), func.avg(best.c.best))
    ).one()
    submitted, returned = db.session.execute(
        select(
            func.count(Production.id),
            func.coalesce(func.sum(case((Production.status == "returned", 1), else_=0)), 0),
        ).where(Production.student_id == student_id, cohort_scope(Production.cohort_id, viewer))
    ).one()
    return OnlineSummary(
        int(attempts or 0),
        int(exercises or 0),
        None if mean is None else float(mean),
        int(submitted or 0),
        int(returned or 0),
    )
