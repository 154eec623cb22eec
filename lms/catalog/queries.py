"""Read-only queries for the catalogue pages: set-based, a fixed number per page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select

from lms.access import visible_cohort_ids, visible_student_ids
from lms.auth.models import Role, User
from lms.catalog.models import (
    Cohort,
    Course,
    Enrolment,
    Region,
    Site,
    cohort_teacher,
)
from lms.catalog.vocab import CohortStatus
from lms.extensions import db

PAGE_SIZE = 100


@dataclass
class CohortHeader:
    """What every page of a cohort shows at its top: the cohort, its course, site and region."""

    cohort: Cohort
    course: Course
    site: Site
    region: Region


def cohort_header(cohort_id: int) -> CohortHeader:
    """The header of a cohort that exists (fetch it through the access layer first): one query."""
    row = db.session.execute(
        select(Cohort, Course, Site, Region)
        .join(Course, Course.id == Cohort.course_id)
        .join(Site, Site.id == Cohort.site_id)
        .join(Region, Region.id == Site.region_id)
        .where(Cohort.id == cohort_id)
    ).one()
    return CohortHeader(*row)


@dataclass
class CohortRow:
    cohort: Cohort
    course_code: str
    course_title: str
    site_name: str
    region_name: str
    active_students: int
    teachers: list[str]
    weeks: int


def teacher_names_by_cohort(cohort_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    if not cohort_ids:
        return names
    rows = db.session.execute(
        select(cohort_teacher.c.cohort_id, User.name)
        .join(User, User.id == cohort_teacher.c.user_id)
        .where(cohort_teacher.c.cohort_id.in_(cohort_ids))
        .order_by(User.name)
    )
    for cohort_id, name in rows:
        names[cohort_id].append(name)
    return names


def cohort_list(user: User, *, today: date, page: int = 1) -> tuple[list[CohortRow], int]:
    """The cohorts ``user`` may see, newest first, one page; and the total count.

    Three queries whatever the page holds: the count, the page, the teachers' names.
    """
    scope = Cohort.id.in_(visible_cohort_ids(user))
    total = db.session.scalar(select(func.count(Cohort.id)).where(scope)) or 0
    active = (
        select(func.count(Enrolment.id))
        .where(Enrolment.cohort_id == Cohort.id, Enrolment.active_on(today))
        .correlate(Cohort)
        .scalar_subquery()
    )
    stmt = (
        select(Cohort, Course.code, Course.title, Site.name, Region.name, active, Course.weeks)
        .join(Course, Course.id == Cohort.course_id)
        .join(Site, Site.id == Cohort.site_id)
        .join(Region, Region.id == Site.region_id)
        .where(scope)
        .order_by(Cohort.start_on.desc(), Cohort.code)
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    )
    rows = db.session.execute(stmt).all()
    teachers = teacher_names_by_cohort([r[0].id for r in rows])
    return [
        CohortRow(r[0], r[1], r[2], r[3], r[4], r[5] or 0, teachers.get(r[0].id, []), r[6])
        for r in rows
    ], total


@dataclass
class CohortDetail:
    cohort: Cohort
    course: Course
    site: Site
    region: Region
    teachers: list[str]
    enrolments: list[tuple[Enrolment, User]]


def cohort_detail(cohort_id: int) -> CohortDetail:
    """The cohort's page: its header, teachers and enrolments (3 queries)."""
    header = cohort_header(cohort_id)
    enrolments = db.session.execute(
        select(Enrolment, User)
        .join(User, User.id == Enrolment.student_id)
        .where(Enrolment.cohort_id == cohort_id)
        .order_by(User.name, Enrolment.start_on)
    ).all()
    return CohortDetail(
        header.cohort,
        header.course,
        header.site,
        header.region,
        teacher_names_by_cohort([cohort_id]).get(cohort_id, []),
        [(e, u) for e, u in enrolments],
    )


SEARCH_LIMIT = 20


def enrollable_students(user: User, text: str) -> list[tuple[User, str | None]]:
    """Students that ``user`` may enrol whose name or e-mail contains ``text`` (at most
    :data:`SEARCH_LIMIT`), each with the code of their latest cohort (None: never enrolled).

    The same scope as the CSV import: students visible to ``user``
    (:func:`lms.access.visible_student_ids`) and students never enrolled anywhere; nobody
    else is shown, so the search reveals no account outside the scope. Two queries.
    """
    text = text.strip().lower()
    if len(text) < 2:
        return []
    pattern = f"%{text.replace('%', '').replace('_', '')}%"
    enrolled_anywhere = select(Enrolment.student_id)
    students = db.session.scalars(
        select(User)
        .where(
            User.role == Role.STUDENT,
            User.active.is_(True),
            or_(func.lower(User.name).like(pattern), func.lower(User.email).like(pattern)),
            or_(User.id.in_(visible_student_ids(user)), User.id.not_in(enrolled_anywhere)),
        )
        .order_by(User.name, User.id)
        .limit(SEARCH_LIMIT)
    ).all()
    if not students:
        return []
    latest = (
        select(Enrolment.student_id, Cohort.code)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.student_id.in_([s.id for s in students]))
        .order_by(Enrolment.student_id, Enrolment.start_on)
    )
    codes = {student_id: code for student_id, code in db.session.execute(latest)}
    return [(s, codes.get(s.id)) for s in students]


def transfer_targets(user: User, source: Cohort) -> list[tuple[Cohort, str, str]]:
    """Cohorts that ``user`` may move a student of ``source`` into: planned or ongoing cohorts
    in the user's scope, other than ``source`` — with course code and site name. One query."""
    rows = db.session.execute(
        select(Cohort, Course.code, Site.name)
        .join(Course, Course.id == Cohort.course_id)
        .join(Site, Site.id == Cohort.site_id)
        .where(
            Cohort.id.in_(visible_cohort_ids(user)),
            Cohort.id != source.id,
            Cohort.status.in_((CohortStatus.PLANNED.value, CohortStatus.ONGOING.value)),
        )
        .order_by(Course.code, Cohort.start_on, Cohort.code)
    ).all()
    return [(c, code, site) for c, code, site in rows]
