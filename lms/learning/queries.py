"""Read-only queries for the learning pages and reports: set-based, a fixed number per page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, func, select

from lms.auth.models import User
from lms.catalog.models import Cohort, Course, Enrolment, Site
from lms.extensions import db
from lms.learning.models import (
    SKILLS,
    Attempt,
    CourseTrack,
    Exercise,
    Lesson,
    LevelDescriptor,
    Production,
    Unit,
    exercise_skill,
)

MASTERY_THRESHOLD = 0.8


def content_report() -> dict[str, dict]:
    """Per course: units, lessons, exercises; counts per skill, domain, type; FTC-4 tracks."""
    report: dict[str, dict] = {}
    courses = list(db.session.execute(select(Course.id, Course.code).order_by(Course.code)))
    for _course_id, code in courses:
        report[code] = {
            "units": 0,
            "lessons": 0,
            "exercises": 0,
            "per_skill": dict.fromkeys(SKILLS, 0),
            "per_domain": {},
            "per_type": {},
            "tracks": {},
        }
    code_of = dict(courses)
    active_units = (Unit.active.is_(True),)
    for course_id, units, lessons in db.session.execute(
        select(Unit.course_id, func.count(func.distinct(Unit.id)), func.count(Lesson.id))
        .join(Lesson, and_(Lesson.unit_id == Unit.id, Lesson.active.is_(True)))
        .where(*active_units)
        .group_by(Unit.course_id)
    ):
        report[code_of[course_id]].update(units=units, lessons=lessons)
    base = (
        select(Unit.course_id)
        .join(Lesson, Lesson.unit_id == Unit.id)
        .join(Exercise, Exercise.lesson_id == Lesson.id)
        .where(*active_units, Lesson.active.is_(True), Exercise.active.is_(True))
    )
    for course_id, count in db.session.execute(
        base.add_columns(func.count(Exercise.id)).group_by(Unit.course_id)
    ):
        report[code_of[course_id]]["exercises"] = count
    for course_id, skill, count in db.session.execute(
        base.join(exercise_skill, exercise_skill.c.exercise_id == Exercise.id)
        .add_columns(exercise_skill.c.skill, func.count())
        .group_by(Unit.course_id, exercise_skill.c.skill)
    ):
        report[code_of[course_id]]["per_skill"][skill] = count
    for course_id, domain, count in db.session.execute(
        base.add_columns(Unit.domain_key, func.count(Exercise.id)).group_by(
            Unit.course_id, Unit.domain_key
        )
    ):
        report[code_of[course_id]]["per_domain"][domain] = count
    for course_id, kind, count in db.session.execute(
        base.add_columns(Exercise.type, func.count(Exercise.id)).group_by(
            Unit.course_id, Exercise.type
        )
    ):
        report[code_of[course_id]]["per_type"][kind] = count
    track_units = dict(
        ((course_id, key), n)
        for course_id, key, n in db.session.execute(
            select(Unit.course_id, Unit.track_key, func.count(Unit.id))
            .where(*active_units, Unit.track_key.is_not(None))
            .group_by(Unit.course_id, Unit.track_key)
        )
    )
    for track in db.session.scalars(select(CourseTrack).order_by(CourseTrack.key)):
        report[code_of[track.course_id]]["tracks"][track.key] = {
            "title": track.title,
            "units": track_units.get((track.course_id, track.key), 0),
        }
    return report


# --- the student's pages -----------------------------------------------------------------------


@dataclass
class StudentCourse:
    enrolment: Enrolment
    cohort: Cohort
    course: Course
    site: Site
    week: int  # the course week today (1..weeks), 0 before the start


def current_course(student_id: int, today: date) -> StudentCourse | None:
    """The student's current enrolment: active today, else still to come, else the latest."""
    rows = db.session.execute(
        select(Enrolment, Cohort, Course, Site)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(Course, Course.id == Cohort.course_id)
        .join(Site, Site.id == Cohort.site_id)
        .where(Enrolment.student_id == student_id)
        .order_by(*Enrolment.current_first(today))
        .limit(1)
    ).first()
    if rows is None:
        return None
    enrolment, cohort, course, site = rows
    week = min(max(cohort.week_number(today), 0), course.weeks)
    return StudentCourse(enrolment, cohort, course, site, week)


@dataclass
class LessonProgress:
    lesson: Lesson
    exercises: int
    done: int

    @property
    def complete(self) -> bool:
        return self.exercises > 0 and self.done >= self.exercises


@dataclass
class UnitProgress:
    unit: Unit
    lessons: list[LessonProgress] = field(default_factory=list)

    @property
    def complete(self) -> int:
        return sum(1 for lesson in self.lessons if lesson.complete)


def _done_exercises(student_id: int):
    """Exercise ids the student has answered (an attempt) or submitted (a production)."""
    return (
        select(Attempt.exercise_id.label("exercise_id"))
        .where(Attempt.student_id == student_id)
        .union(select(Production.exercise_id).where(Production.student_id == student_id))
    )


def course_plan(course_id: int, student_id: int | None) -> list[UnitProgress]:
    """Units of the course in order, with each lesson's exercises and the student's progress.

    Two queries: units with lessons, and exercise counts per lesson (total and done).
    """
    rows = db.session.execute(
        select(Unit, Lesson)
        .join(Lesson, and_(Lesson.unit_id == Unit.id, Lesson.active.is_(True)))
        .where(Unit.course_id == course_id, Unit.active.is_(True))
        .order_by(
            Unit.track_key.is_not(None), Unit.track_key, Unit.week, Unit.position, Lesson.position
        )
    ).all()
    done = _done_exercises(student_id or 0).subquery()
    counts = {
        lesson_id: (total, finished or 0)
        for lesson_id, total, finished in db.session.execute(
            select(
                Exercise.lesson_id,
                func.count(Exercise.id),
                func.count(done.c.exercise_id),
            )
            .outerjoin(done, done.c.exercise_id == Exercise.id)
            .join(Lesson, Lesson.id == Exercise.lesson_id)
            .join(Unit, Unit.id == Lesson.unit_id)
            .where(Unit.course_id == course_id, Exercise.active.is_(True))
            .group_by(Exercise.lesson_id)
        )
    }
    plan: dict[int, UnitProgress] = {}
    for unit, lesson in rows:
        entry = plan.setdefault(unit.id, UnitProgress(unit))
        total, finished = counts.get(lesson.id, (0, 0))
        entry.lessons.append(LessonProgress(lesson, total, finished))
    return list(plan.values())


@dataclass
class SkillProgress:
    skill: str
    exercises: int
    attempted: int
    mastery: float  # sum of best scores / exercises of the skill (0..1)
    level_reached: int  # highest level mastered online (0: none yet)


def skill_progress(course_id: int, student_id: int) -> dict[str, SkillProgress]:
    """Mastery per skill, derived from the student's best score on each auto-graded exercise.

    A level counts as reached in a skill when the student has tried at least half of that
    level's exercises in the skill and their best scores average 80% or more. One query.
    """
    best = (
        select(Attempt.exercise_id, func.max(Attempt.score).label("best"))
        .where(Attempt.student_id == student_id)
        .group_by(Attempt.exercise_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            exercise_skill.c.skill,
            Exercise.level,
            func.count(Exercise.id),
            func.count(best.c.exercise_id),
            func.coalesce(func.sum(best.c.best), 0.0),
        )
        .join(exercise_skill, exercise_skill.c.exercise_id == Exercise.id)
        .join(Lesson, Lesson.id == Exercise.lesson_id)
        .join(Unit, Unit.id == Lesson.unit_id)
        .outerjoin(best, best.c.exercise_id == Exercise.id)
        .where(
            Unit.course_id == course_id,
            Unit.active.is_(True),
            Exercise.active.is_(True),
            Exercise.type.not_in(("written_production", "oral_production")),
        )
        .group_by(exercise_skill.c.skill, Exercise.level)
    ).all()
    result = {s: SkillProgress(s, 0, 0, 0.0, 0) for s in SKILLS}
    sums: dict[str, float] = defaultdict(float)
    for skill, level, total, attempted, best_sum in rows:
        entry = result[skill]
        entry.exercises += total
        entry.attempted += attempted
        sums[skill] += float(best_sum)
        if (
            attempted
            and attempted * 2 >= total
            and float(best_sum) / attempted >= MASTERY_THRESHOLD
        ):
            entry.level_reached = max(entry.level_reached, level)
    for skill, entry in result.items():
        entry.mastery = round(sums[skill] / entry.exercises, 4) if entry.exercises else 0.0
    return result


def level_descriptors() -> dict[tuple[int, str], str]:
    return {(row.level, row.skill): row.text for row in db.session.scalars(select(LevelDescriptor))}


@dataclass
class ExerciseStatus:
    exercise: Exercise
    attempts: int
    best: float | None
    submitted: bool


def lesson_detail(lesson_id: int, student_id: int | None) -> tuple[Unit, list[ExerciseStatus]]:
    """The lesson's unit and exercises with the student's attempts and best scores."""
    unit = db.session.scalar(select(Unit).join(Lesson).where(Lesson.id == lesson_id))
    best = (
        select(
            Attempt.exercise_id,
            func.count(Attempt.id).label("attempts"),
            func.max(Attempt.score).label("best"),
        )
        .where(Attempt.student_id == (student_id or 0))
        .group_by(Attempt.exercise_id)
        .subquery()
    )
    submitted = (
        select(Production.exercise_id)
        .where(Production.student_id == (student_id or 0))
        .group_by(Production.exercise_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Exercise, best.c.attempts, best.c.best, submitted.c.exercise_id)
        .outerjoin(best, best.c.exercise_id == Exercise.id)
        .outerjoin(submitted, submitted.c.exercise_id == Exercise.id)
        .where(Exercise.lesson_id == lesson_id, Exercise.active.is_(True))
        .order_by(Exercise.position)
    ).all()
    return unit, [
        ExerciseStatus(e, attempts or 0, best_score, sub is not None)
        for e, attempts, best_score, sub in rows
    ]


def recent_attempts(student_id: int, exercise_id: int, limit: int = 10) -> list[Attempt]:
    return list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.student_id == student_id, Attempt.exercise_id == exercise_id)
            .order_by(Attempt.created_at.desc(), Attempt.id.desc())
            .limit(limit)
        )
    )


HISTORY_PAGE = 50


def attempt_history(student_id: int, page: int) -> tuple[list, int]:
    total = (
        db.session.scalar(select(func.count(Attempt.id)).where(Attempt.student_id == student_id))
        or 0
    )
    rows = db.session.execute(
        select(Attempt, Exercise, Lesson)
        .join(Exercise, Exercise.id == Attempt.exercise_id)
        .join(Lesson, Lesson.id == Exercise.lesson_id)
        .where(Attempt.student_id == student_id)
        .order_by(Attempt.created_at.desc(), Attempt.id.desc())
        .limit(HISTORY_PAGE)
        .offset((page - 1) * HISTORY_PAGE)
    ).all()
    return rows, total


def student_productions(student_id: int) -> list:
    return db.session.execute(
        select(Production, Exercise, Lesson)
        .join(Exercise, Exercise.id == Production.exercise_id)
        .join(Lesson, Lesson.id == Exercise.lesson_id)
        .where(Production.student_id == student_id)
        .order_by(Production.submitted_at.desc(), Production.id.desc())
    ).all()


def production_queue(cohort_id: int) -> list:
    """Productions of a cohort, those waiting for the teacher first (oldest first)."""
    return db.session.execute(
        select(Production, Exercise, Lesson, User)
        .join(Exercise, Exercise.id == Production.exercise_id)
        .join(Lesson, Lesson.id == Exercise.lesson_id)
        .join(User, User.id == Production.student_id)
        .where(Production.cohort_id == cohort_id)
        .order_by((Production.status == "submitted").desc(), Production.submitted_at, Production.id)
    ).all()


def active_cohort_for_course(student_id: int, course_id: int, today: date) -> int | None:
    """The cohort through which the student takes ``course_id`` (for productions' routing)."""
    return db.session.scalar(
        select(Cohort.id)
        .join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .where(
            Enrolment.student_id == student_id,
            Cohort.course_id == course_id,
            Enrolment.active_between(today),
        )
        .order_by(*Enrolment.current_first(today))
        .limit(1)
    )


def productions_for(student_id: int, exercise_id: int) -> list[Production]:
    return list(
        db.session.scalars(
            select(Production)
            .where(Production.student_id == student_id, Production.exercise_id == exercise_id)
            .order_by(Production.submitted_at.desc(), Production.id.desc())
        )
    )


def course_of_exercise(exercise_id: int) -> int | None:
    return db.session.scalar(
        select(Unit.course_id)
        .join(Lesson, Lesson.unit_id == Unit.id)
        .join(Exercise, Exercise.lesson_id == Lesson.id)
        .where(Exercise.id == exercise_id)
    )


def user_name(user_id: int) -> str:
    return db.session.scalar(select(User.name).where(User.id == user_id)) or ""


def teacher_names(cohort_id: int) -> list[str]:
    from lms.catalog.queries import teacher_names_by_cohort

    return teacher_names_by_cohort([cohort_id]).get(cohort_id, [])


def track_titles(course_id: int) -> dict[str, str]:
    return {
        key: title
        for key, title in db.session.execute(
            select(CourseTrack.key, CourseTrack.title).where(CourseTrack.course_id == course_id)
        )
    }


# --- what higher features add to the student's home page ---------------------------------------
#
# Attendance (the attendance so far) and quality (the satisfaction survey's banner) stand above
# learning: each registers a provider here, under the name that templates/learning/home.html
# reads; learning imports neither. A provider takes (student_id, cohort_id, today).

HomeProvider = Callable[[int, int, date], Any]
HOME_PROVIDERS: dict[str, HomeProvider] = {}


def register_home_provider(name: str, provider: HomeProvider) -> None:
    """Show ``provider``'s value on the student's home page as ``name`` (idempotent)."""
    HOME_PROVIDERS[name] = provider


def home_extras(student_id: int, cohort_id: int, today: date) -> dict[str, Any]:
    """What the registered features add to the home page of a student of ``cohort_id``."""
    return {name: provide(student_id, cohort_id, today) for name, provide in HOME_PROVIDERS.items()}
