"""Who may see course content, attempts and productions (registered on :mod:`lms.access`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lms.access import can_access_cohort, can_access_course, register_policy
from lms.auth.models import Role, User
from lms.catalog.models import Cohort
from lms.extensions import db
from lms.learning.models import Attempt, Exercise, Lesson, Production, Unit


def _course_of_lesson(lesson_id: int) -> int | None:
    return db.session.scalar(
        select(Unit.course_id).join(Lesson, Lesson.unit_id == Unit.id).where(Lesson.id == lesson_id)
    )


def can_access_lesson(user: User, lesson: Any, action: str = "view") -> bool:
    return lesson.active and can_access_course(user, _course_of_lesson(lesson.id))


def can_access_exercise(user: User, exercise: Any, action: str = "view") -> bool:
    if not exercise.active:
        return False
    if action == "attempt" and user.role != Role.STUDENT:
        return False
    return can_access_course(user, _course_of_lesson(exercise.lesson_id))


def can_access_production(user: User, production: Any, action: str = "view") -> bool:
    """A student sees their own productions; staff grade those of the cohorts in their scope."""
    if user.role == Role.STUDENT:
        return action == "view" and production.student_id == user.id
    cohort = db.session.get(Cohort, production.cohort_id)
    return cohort is not None and can_access_cohort(user, cohort, "view")


def can_access_attempt(user: User, attempt: Any, action: str = "view") -> bool:
    return attempt.student_id == user.id


def register() -> None:
    register_policy(Lesson, can_access_lesson)
    register_policy(Exercise, can_access_exercise)
    register_policy(Production, can_access_production)
    register_policy(Attempt, can_access_attempt)
