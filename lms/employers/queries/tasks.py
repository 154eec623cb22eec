"""Per-task follow-up of a cohort of the employer-adapted course: the tasks followed, and per
student the task assessments and the online mastery of the units that practise each task."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from lms.auth.models import User
from lms.catalog.models import Enrolment, EnrolmentStatus
from lms.employers.models import CoursePlanItem, TaskAssessment
from lms.employers.queries.needs import cohort_profile, workplace_tasks
from lms.employers.queries.plans import latest_published
from lms.extensions import db
from lms.learning.models import PRODUCTION_TYPES, Attempt, Exercise, Lesson, Unit


def followed_tasks(cohort_id: int) -> tuple[dict[str, str], bool]:
    """The tasks followed for the cohort, key → name: its profile's, else the whole catalogue;
    and whether they are the profile's."""
    catalogue = workplace_tasks()
    chosen = [t for t in cohort_profile(cohort_id).tasks if t in catalogue]
    if chosen:
        return {t: catalogue[t] for t in chosen}, True
    return dict(catalogue), False


@dataclass
class TaskCell:
    placement: int | None = None
    final: int | None = None
    online: float | None = None  # mean best score on the task's exercises (0..1)


@dataclass
class TaskRow:
    student: User
    cells: dict[str, TaskCell]


def cohort_students(cohort_id: int) -> list[User]:
    """Students enrolled in the cohort (active first... by name), one query."""
    return list(
        db.session.scalars(
            select(User)
            .join(Enrolment, Enrolment.student_id == User.id)
            .where(
                Enrolment.cohort_id == cohort_id,
                or_(
                    Enrolment.status == EnrolmentStatus.ACTIVE.value,
                    Enrolment.status == EnrolmentStatus.COMPLETED.value,
                ),
            )
            .order_by(User.name, User.id)
            .distinct()
        )
    )


def task_units(course_id: int, cohort_id: int) -> tuple[dict[int, list[str]], bool]:
    """Units whose exercises count for online mastery, with their tasks: those of the cohort's
    latest published plan, else every active unit of the course. Returns (unit id → tasks,
    whether the plan was used). Two queries."""
    plan = latest_published(cohort_id)
    plan_id = plan.id if plan is not None else None
    stmt = select(Unit.id, Unit.tasks).where(Unit.course_id == course_id, Unit.active.is_(True))
    if plan_id is not None:
        stmt = stmt.join(CoursePlanItem, CoursePlanItem.unit_id == Unit.id).where(
            CoursePlanItem.plan_id == plan_id
        )
    return {uid: list(tasks or []) for uid, tasks in db.session.execute(stmt)}, (
        plan_id is not None
    )


def task_mastery(cohort_id: int, course_id: int, tasks: list[str]) -> tuple[list[TaskRow], bool]:
    """Students × ``tasks``: latest placement and final scores (1..4), and online mastery: the
    mean of the student's best scores over the auto-graded exercises of the units practising
    the task (an exercise never tried counts 0). A fixed number of queries."""
    students = cohort_students(cohort_id)
    rows = {s.id: TaskRow(s, {t: TaskCell() for t in tasks}) for s in students}
    if not students or not tasks:
        return list(rows.values()), False
    for student_id, task, kind, score in db.session.execute(
        select(
            TaskAssessment.student_id,
            TaskAssessment.task_key,
            TaskAssessment.kind,
            TaskAssessment.score,
        )
        .where(TaskAssessment.cohort_id == cohort_id, TaskAssessment.task_key.in_(tasks))
        .order_by(TaskAssessment.assessed_on, TaskAssessment.id)
    ):
        if student_id in rows:
            setattr(rows[student_id].cells[task], kind, score)  # the latest wins

    units, from_plan = task_units(course_id, cohort_id)
    unit_tasks = {uid: [t for t in ts if t in tasks] for uid, ts in units.items()}
    unit_ids = [uid for uid, ts in unit_tasks.items() if ts]
    if not unit_ids:
        return list(rows.values()), from_plan
    ex = (
        select(Exercise.id.label("exercise_id"), Lesson.unit_id.label("unit_id"))
        .join(Lesson, Lesson.id == Exercise.lesson_id)
        .where(
            Lesson.unit_id.in_(unit_ids),
            Lesson.active.is_(True),
            Exercise.active.is_(True),
            Exercise.type.not_in(PRODUCTION_TYPES),
        )
        .subquery()
    )
    per_unit = dict(
        db.session.execute(
            select(ex.c.unit_id, func.count(ex.c.exercise_id)).group_by(ex.c.unit_id)
        ).all()
    )
    best = (
        select(
            Attempt.student_id.label("student_id"),
            Attempt.exercise_id.label("exercise_id"),
            func.max(Attempt.score).label("best"),
        )
        .where(
            Attempt.student_id.in_(list(rows)), Attempt.exercise_id.in_(select(ex.c.exercise_id))
        )
        .group_by(Attempt.student_id, Attempt.exercise_id)
        .subquery()
    )
    sums: dict[tuple[int, int], float] = {
        (student_id, unit_id): float(total or 0)
        for student_id, unit_id, total in db.session.execute(
            select(best.c.student_id, ex.c.unit_id, func.sum(best.c.best))
            .join(ex, ex.c.exercise_id == best.c.exercise_id)
            .group_by(best.c.student_id, ex.c.unit_id)
        )
    }
    for task in tasks:
        task_unit_ids = [uid for uid in unit_ids if task in unit_tasks[uid]]
        count = sum(per_unit.get(uid, 0) for uid in task_unit_ids)
        if not count:
            continue
        for student_id, row in rows.items():
            total = sum(sums.get((student_id, uid), 0.0) for uid in task_unit_ids)
            row.cells[task].online = total / count
    return list(rows.values()), from_plan
