"""Course plans: a cohort's versions and the one shown (the plan builder), the course's units
and tracks, and the published plan that the cohort's students follow."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, select

from lms.auth.models import User
from lms.catalog.models import Cohort, Course, Enrolment
from lms.employers.models import CoursePlan, CoursePlanItem
from lms.employers.vocab import PlanStatus
from lms.extensions import db
from lms.learning.models import CourseTrack, Lesson, Unit


def course_units(course_id: int) -> list[Unit]:
    """The course's active units: the common core first, then each track's, by week."""
    return list(
        db.session.scalars(
            select(Unit)
            .where(Unit.course_id == course_id, Unit.active.is_(True))
            .order_by(Unit.track_key.is_not(None), Unit.track_key, Unit.week, Unit.position)
        )
    )


def latest_published(cohort_id: int) -> CoursePlan | None:
    """The plan the cohort's students follow: its latest published version."""
    return db.session.scalar(
        select(CoursePlan)
        .where(CoursePlan.cohort_id == cohort_id, CoursePlan.status == PlanStatus.PUBLISHED)
        .order_by(CoursePlan.version.desc())
        .limit(1)
    )


@dataclass
class PlanVersion:
    plan: CoursePlan
    author: str | None


@dataclass
class PlanLine:
    item: CoursePlanItem
    unit: Unit


class _Weeks:
    """A plan's lines (``lines``) week by week, and their hours."""

    lines: list[PlanLine]

    @property
    def by_week(self) -> dict[int, list[PlanLine]]:
        weeks: dict[int, list[PlanLine]] = defaultdict(list)
        for line in self.lines:
            weeks[line.item.week].append(line)
        return weeks

    @property
    def total(self) -> int:
        return sum(line.item.hours for line in self.lines)


@dataclass
class PlanView(_Weeks):
    versions: list[PlanVersion]
    shown: CoursePlan | None
    lines: list[PlanLine]
    units: list[Unit]  # every active unit of the course
    tracks: dict[str, str]

    @property
    def loads(self) -> dict[int, int]:
        loads: Counter[int] = Counter()
        for line in self.lines:
            loads[line.item.week] += line.item.hours
        return dict(loads)

    @property
    def draft(self) -> CoursePlan | None:
        latest = self.versions[0].plan if self.versions else None
        return latest if latest is not None and latest.status == PlanStatus.DRAFT else None

    @property
    def published(self) -> CoursePlan | None:
        return next((v.plan for v in self.versions if v.plan.status == PlanStatus.PUBLISHED), None)

    @property
    def editable(self) -> bool:
        """Is the version shown the one that edits change (the draft, else the published)?"""
        return self.shown is not None and self.shown is (self.draft or self.published)

    def coverage(self, tasks: list[str]) -> dict[str, list[PlanLine]]:
        found: dict[str, list[PlanLine]] = {t: [] for t in tasks}
        for line in self.lines:
            for task in line.unit.tasks or ():
                if task in found:
                    found[task].append(line)
        return found

    @property
    def missing_units(self) -> list[Unit]:
        planned = {line.unit.id for line in self.lines}
        return [u for u in self.units if u.id not in planned]


def plan_versions(cohort_id: int) -> list[PlanVersion]:
    return [
        PlanVersion(plan, author)
        for plan, author in db.session.execute(
            select(CoursePlan, User.name)
            .outerjoin(User, User.id == CoursePlan.created_by_id)
            .where(CoursePlan.cohort_id == cohort_id)
            .order_by(CoursePlan.version.desc())
        )
    ]


def plan_lines(plan_id: int) -> list[PlanLine]:
    return [
        PlanLine(item, unit)
        for item, unit in db.session.execute(
            select(CoursePlanItem, Unit)
            .join(Unit, Unit.id == CoursePlanItem.unit_id)
            .where(CoursePlanItem.plan_id == plan_id)
            .order_by(CoursePlanItem.week, CoursePlanItem.position, CoursePlanItem.id)
        )
    ]


def track_titles(course_id: int) -> dict[str, str]:
    return dict(
        db.session.execute(
            select(CourseTrack.key, CourseTrack.title)
            .where(CourseTrack.course_id == course_id)
            .order_by(CourseTrack.title)
        ).all()
    )


def plan_view(cohort_id: int, course_id: int, version: int | None = None) -> PlanView:
    """The cohort's plan versions and one of them (``version``, else the latest) with its
    units; the course's units and tracks (four queries)."""
    versions = plan_versions(cohort_id)
    shown = None
    if versions:
        shown = (
            next((v.plan for v in versions if v.plan.version == version), None)
            if version is not None
            else versions[0].plan
        )
    lines = plan_lines(shown.id) if shown else []
    return PlanView(versions, shown, lines, course_units(course_id), track_titles(course_id))


@dataclass
class StudentPlan(_Weeks):
    cohort: Cohort
    course: Course
    plan: CoursePlan | None
    lines: list[PlanLine] = field(default_factory=list)
    first_lessons: dict[int, str] = field(default_factory=dict)  # unit id → lesson key
    tracks: dict[str, str] = field(default_factory=dict)


def student_course4_cohort(student_id: int, today: date) -> tuple[Cohort, Course] | None:
    """The employer-adapted cohort the student follows: the enrolment active today, else one
    still to come, else the latest one."""
    row = db.session.execute(
        select(Cohort, Course)
        .join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .join(Course, Course.id == Cohort.course_id)
        .where(Enrolment.student_id == student_id, Course.employer_adapted.is_(True))
        .order_by(*Enrolment.current_first(today))
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1])


def student_plan(cohort: Cohort, course: Course) -> StudentPlan:
    """The cohort's latest published plan with each unit's first lesson (three queries)."""
    plan = latest_published(cohort.id)
    if plan is None:
        return StudentPlan(cohort, course, None)
    lines = plan_lines(plan.id)
    first = (
        select(Lesson.unit_id, func.min(Lesson.position).label("position"))
        .where(Lesson.unit_id.in_([line.unit.id for line in lines]), Lesson.active.is_(True))
        .group_by(Lesson.unit_id)
        .subquery()
    )
    first_lessons = dict(
        db.session.execute(
            select(Lesson.unit_id, Lesson.key).join(
                first, and_(first.c.unit_id == Lesson.unit_id, first.c.position == Lesson.position)
            )
        ).all()
    )
    return StudentPlan(cohort, course, plan, lines, first_lessons, track_titles(course.id))
