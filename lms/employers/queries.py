"""Read-only queries for the employer pages, the plan builder, the employer report and the
per-task follow-up: set-based, a fixed number of queries per page whatever the rows."""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, and_, case, func, or_, select

from lms.attendance.models import AttendanceRecord
from lms.auth.models import Role, User
from lms.catalog.models import (
    Cohort,
    Course,
    Enrolment,
    EnrolmentStatus,
    Region,
    coordinator_region,
)
from lms.employers.models import (
    CoursePlan,
    CoursePlanItem,
    Employer,
    EmployerEmployee,
    NeedsProfile,
    TaskAssessment,
    cohort_employer,
)
from lms.employers.services import ProfileData, merge_profiles
from lms.extensions import db
from lms.followup.models import LevelAssessment
from lms.learning.models import (
    PRODUCTION_TYPES,
    SKILLS,
    Attempt,
    CourseTrack,
    Exercise,
    Lesson,
    Unit,
    WorkplaceTask,
)

PAGE_SIZE = 100
# The employer report shows a figure only when at least this many consenting employees are
# behind it: below that, a mean or a rate may be one person's result.
REPORT_MINIMUM = 3


# --- reference data ----------------------------------------------------------------------------


def workplace_tasks() -> dict[str, str]:
    """The FTC-4 catalogue of workplace tasks: key → name, by name."""
    rows = db.session.execute(select(WorkplaceTask.key, WorkplaceTask.name)).all()
    return dict(sorted(rows, key=lambda row: (_sort_key(row[1]), row[0])))


def _sort_key(text: str) -> str:
    """Alphabetical order as in a French dictionary: accents do not come after z."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def region_choices(user: User) -> list[tuple[int, str]]:
    """The regions ``user`` may place an employer in: a coordinator's own, all for admins."""
    stmt = select(Region.id, Region.name).order_by(Region.name)
    if user.role != Role.ADMIN:
        stmt = stmt.join(coordinator_region, coordinator_region.c.region_id == Region.id).where(
            coordinator_region.c.user_id == user.id
        )
    return list(db.session.execute(stmt))


# --- employers ---------------------------------------------------------------------------------


@dataclass
class EmployerRow:
    employer: Employer
    region_name: str
    employees: int
    consenting: int
    cohorts: int


def employer_list(scope: Select, page: int = 1) -> tuple[list[EmployerRow], int]:
    """Employers whose ids are in ``scope``, by name, one page; and the total. Two queries."""
    where = Employer.id.in_(scope)
    total = db.session.scalar(select(func.count(Employer.id)).where(where)) or 0
    employees = (
        select(func.count(EmployerEmployee.id))
        .where(EmployerEmployee.employer_id == Employer.id)
        .correlate(Employer)
        .scalar_subquery()
    )
    consenting = (
        select(func.count(EmployerEmployee.id))
        .where(
            EmployerEmployee.employer_id == Employer.id,
            _consented(),
        )
        .correlate(Employer)
        .scalar_subquery()
    )
    cohorts = (
        select(func.count(cohort_employer.c.cohort_id))
        .where(cohort_employer.c.employer_id == Employer.id)
        .correlate(Employer)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Employer, Region.name, employees, consenting, cohorts)
        .join(Region, Region.id == Employer.region_id)
        .where(where)
        .order_by(Employer.name, Employer.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return [EmployerRow(e, r, n or 0, c or 0, k or 0) for e, r, n, c, k in rows], total


def _consented():
    return and_(EmployerEmployee.consent.is_(True), EmployerEmployee.consent_on.is_not(None))


@dataclass
class EmployeeLine:
    link: EmployerEmployee
    student: User

    @property
    def included(self) -> bool:
        return bool(self.link.consent and self.link.consent_on)


@dataclass
class EmployerDetail:
    employer: Employer
    region_name: str
    employees: list[EmployeeLine]
    cohorts: list[tuple[Cohort, str]]  # cohort, course code
    profile: NeedsProfile | None


def employer_detail(employer: Employer) -> EmployerDetail:
    region = db.session.scalar(select(Region.name).where(Region.id == employer.region_id)) or ""
    employees = [
        EmployeeLine(link, user)
        for link, user in db.session.execute(
            select(EmployerEmployee, User)
            .join(User, User.id == EmployerEmployee.student_id)
            .where(EmployerEmployee.employer_id == employer.id)
            .order_by(User.name, User.id)
        )
    ]
    cohorts = list(
        db.session.execute(
            select(Cohort, Course.code)
            .join(cohort_employer, cohort_employer.c.cohort_id == Cohort.id)
            .join(Course, Course.id == Cohort.course_id)
            .where(cohort_employer.c.employer_id == employer.id)
            .order_by(Cohort.start_on.desc(), Cohort.code)
        )
    )
    profile = db.session.scalar(select(NeedsProfile).where(NeedsProfile.employer_id == employer.id))
    return EmployerDetail(employer, region, employees, cohorts, profile)


def employer_profile(employer_id: int) -> NeedsProfile | None:
    return db.session.scalar(select(NeedsProfile).where(NeedsProfile.employer_id == employer_id))


# --- course-4 cohorts --------------------------------------------------------------------------


@dataclass
class CohortProfile:
    own: NeedsProfile | None
    employers: list[tuple[Employer, NeedsProfile | None]]

    @property
    def data(self) -> ProfileData | None:
        """The cohort's own profile, else its employers' profiles merged, else ``None``."""
        if self.own is not None:
            return ProfileData.of(self.own)
        return merge_profiles([ProfileData.of(p) for _e, p in self.employers if p is not None])

    @property
    def source(self) -> str:
        if self.own is not None:
            return "cohort"
        return "employers" if any(p for _e, p in self.employers) else "none"


def cohort_profile(cohort_id: int) -> CohortProfile:
    """The cohort's own needs profile and its employers with theirs (two queries)."""
    own = db.session.scalar(select(NeedsProfile).where(NeedsProfile.cohort_id == cohort_id))
    employers = list(
        db.session.execute(
            select(Employer, NeedsProfile)
            .join(cohort_employer, cohort_employer.c.employer_id == Employer.id)
            .outerjoin(NeedsProfile, NeedsProfile.employer_id == Employer.id)
            .where(cohort_employer.c.cohort_id == cohort_id)
            .order_by(Employer.name, Employer.id)
        )
    )
    return CohortProfile(own, employers)


def linkable_employers(scope: Select) -> list[tuple[int, str, str]]:
    """Employers the user may link to a cohort: id, name, sector."""
    return list(
        db.session.execute(
            select(Employer.id, Employer.name, Employer.sector)
            .where(Employer.id.in_(scope))
            .order_by(Employer.name, Employer.id)
        )
    )


# --- the plan ----------------------------------------------------------------------------------


@dataclass
class PlanVersion:
    plan: CoursePlan
    author: str | None


@dataclass
class PlanLine:
    item: CoursePlanItem
    unit: Unit


@dataclass
class PlanView:
    versions: list[PlanVersion]
    shown: CoursePlan | None
    lines: list[PlanLine]
    units: list[Unit]  # every active unit of the course
    tracks: dict[str, str]

    @property
    def by_week(self) -> dict[int, list[PlanLine]]:
        weeks: dict[int, list[PlanLine]] = defaultdict(list)
        for line in self.lines:
            weeks[line.item.week].append(line)
        return weeks

    @property
    def loads(self) -> dict[int, int]:
        loads: Counter[int] = Counter()
        for line in self.lines:
            loads[line.item.week] += line.item.hours
        return dict(loads)

    @property
    def total(self) -> int:
        return sum(line.item.hours for line in self.lines)

    @property
    def draft(self) -> CoursePlan | None:
        latest = self.versions[0].plan if self.versions else None
        return latest if latest is not None and latest.status == "draft" else None

    @property
    def published(self) -> CoursePlan | None:
        return next((v.plan for v in self.versions if v.plan.status == "published"), None)

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
    units = list(
        db.session.scalars(
            select(Unit)
            .where(Unit.course_id == course_id, Unit.active.is_(True))
            .order_by(Unit.track_key.is_not(None), Unit.track_key, Unit.week, Unit.position)
        )
    )
    return PlanView(versions, shown, lines, units, track_titles(course_id))


@dataclass
class StudentPlan:
    cohort: Cohort
    course: Course
    plan: CoursePlan | None
    lines: list[PlanLine] = field(default_factory=list)
    first_lessons: dict[int, str] = field(default_factory=dict)  # unit id → lesson key
    tracks: dict[str, str] = field(default_factory=dict)

    @property
    def by_week(self) -> dict[int, list[PlanLine]]:
        weeks: dict[int, list[PlanLine]] = defaultdict(list)
        for line in self.lines:
            weeks[line.item.week].append(line)
        return weeks

    @property
    def total(self) -> int:
        return sum(line.item.hours for line in self.lines)


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
    plan = db.session.scalar(
        select(CoursePlan)
        .where(CoursePlan.cohort_id == cohort.id, CoursePlan.status == "published")
        .order_by(CoursePlan.version.desc())
        .limit(1)
    )
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


# --- the employer report -----------------------------------------------------------------------


@dataclass
class SkillGain:
    skill: str
    assessed: int = 0  # employees with a placement in the skill
    placement_mean: float | None = None  # means: None below REPORT_MINIMUM people assessed
    latest_mean: float | None = None
    gain_mean: float | None = None


@dataclass
class EmployerReport:
    employer: Employer
    included: int
    not_included: int
    days: int = 0
    attending: int = 0  # included employees with attendance records
    scheduled_minutes: int = 0
    attended_minutes: int = 0
    first_day: date | None = None
    last_day: date | None = None
    skills: dict[str, SkillGain] = field(default_factory=dict)

    @property
    def shown(self) -> bool:
        """Are there enough consenting employees to show any figure?"""
        return self.included >= REPORT_MINIMUM

    @property
    def attendance_shown(self) -> bool:
        return self.shown and self.attending >= REPORT_MINIMUM

    @property
    def rate(self) -> float | None:
        return self.attended_minutes / self.scheduled_minutes if self.scheduled_minutes else None


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def employer_report(employer: Employer, scope: Select[tuple[int]]) -> EmployerReport:
    """Aggregated figures for the employees who consented (consent given, with its date):
    attendance over all their class days recorded, and per skill the mean levels at placement
    and at the latest assessment and the mean gain. Those who did not consent count only in
    ``not_included``. Only employees whose ids are in ``scope`` (the students the reader may
    see, :func:`lms.access.visible_student_ids`) count at all.

    Nothing is computed below :data:`REPORT_MINIMUM` consenting employees (``shown`` is
    false), and a figure is left out when fewer people are behind it (the attendance of fewer
    employees with records, the means of a skill assessed for fewer). Three queries at most
    whatever the number of employees."""
    consented = _consented()
    in_scope = EmployerEmployee.student_id.in_(scope)
    included, total = db.session.execute(
        select(
            func.coalesce(func.sum(case((consented, 1), else_=0)), 0),
            func.count(EmployerEmployee.id),
        ).where(EmployerEmployee.employer_id == employer.id, in_scope)
    ).one()
    report = EmployerReport(employer, int(included), int(total) - int(included))
    report.skills = {s: SkillGain(s) for s in SKILLS}
    if not report.shown:
        return report
    students = select(EmployerEmployee.student_id).where(
        EmployerEmployee.employer_id == employer.id, consented, in_scope
    )
    days, attending, scheduled, attended, first, last = db.session.execute(
        select(
            func.count(AttendanceRecord.id),
            func.count(AttendanceRecord.student_id.distinct()),
            func.coalesce(func.sum(AttendanceRecord.scheduled_minutes), 0),
            func.coalesce(func.sum(AttendanceRecord.attended_minutes), 0),
            func.min(AttendanceRecord.day),
            func.max(AttendanceRecord.day),
        ).where(AttendanceRecord.student_id.in_(students))
    ).one()
    report.attending = int(attending or 0)
    if report.attendance_shown:
        report.days, report.scheduled_minutes, report.attended_minutes = (
            int(days or 0),
            int(scheduled or 0),
            int(attended or 0),
        )
        report.first_day, report.last_day = first, last

    placement: dict[tuple[int, str], int] = {}
    latest: dict[tuple[int, str], int] = {}
    for student_id, skill, level, kind in db.session.execute(
        select(
            LevelAssessment.student_id,
            LevelAssessment.skill,
            LevelAssessment.level,
            LevelAssessment.kind,
        )
        .where(LevelAssessment.student_id.in_(students))
        .order_by(LevelAssessment.assessed_on, LevelAssessment.created_at, LevelAssessment.id)
    ):
        key = (student_id, skill)
        if kind == "placement" and key not in placement:
            placement[key] = level
        latest[key] = level
    for skill, entry in report.skills.items():
        keys = [k for k in placement if k[1] == skill]
        entry.assessed = len(keys)
        if entry.assessed < REPORT_MINIMUM:
            continue
        entry.placement_mean = _mean([placement[k] for k in keys])
        entry.latest_mean = _mean([latest[k] for k in keys])
        entry.gain_mean = _mean([latest[k] - placement[k] for k in keys])
    return report


# --- workplace-task follow-up ------------------------------------------------------------------


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
    plan_id = db.session.scalar(
        select(CoursePlan.id)
        .where(CoursePlan.cohort_id == cohort_id, CoursePlan.status == "published")
        .order_by(CoursePlan.version.desc())
        .limit(1)
    )
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
    exercises = (
        select(Exercise.id.label("exercise_id"), Lesson.unit_id.label("unit_id"))
        .join(Lesson, Lesson.id == Exercise.lesson_id)
        .where(
            Lesson.unit_id.in_(unit_ids),
            Lesson.active.is_(True),
            Exercise.active.is_(True),
            Exercise.type.not_in(PRODUCTION_TYPES),
        )
    )
    per_unit = dict(
        db.session.execute(
            select(Lesson.unit_id, func.count(Exercise.id))
            .join(Lesson, Lesson.id == Exercise.lesson_id)
            .where(
                Lesson.unit_id.in_(unit_ids),
                Lesson.active.is_(True),
                Exercise.active.is_(True),
                Exercise.type.not_in(PRODUCTION_TYPES),
            )
            .group_by(Lesson.unit_id)
        ).all()
    )
    ex = exercises.subquery()
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
