"""The intake queue page: waiting candidates, the course their levels point to, and the cohorts
to propose. A fixed number of queries, whatever the number of candidates."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from lms.auth.models import User
from lms.catalog.models import Cohort, Course, Enrolment, Region, Site
from lms.catalog.vocab import CohortStatus
from lms.extensions import db
from lms.followup.models import LevelAssessment
from lms.followup.vocab import AssessmentKind
from lms.intake.models import Candidate, candidate_site
from lms.intake.policies import managed_region_ids
from lms.intake.vocab import CandidateStatus
from lms.learning.vocab import SKILLS

OPEN = (CohortStatus.PLANNED.value, CohortStatus.ONGOING.value)


@dataclass
class Proposal:
    cohort_id: int
    code: str
    site_name: str
    status: str
    start_on: date
    end_on: date
    free_seats: int


@dataclass
class CourseRef:
    id: int
    code: str
    title: str
    level_min: int
    level_max: int
    employer_adapted: bool


@dataclass
class QueueRow:
    candidate_id: int
    student_id: int
    name: str
    email: str
    region_name: str
    available_on: date
    status: str
    levels: dict[str, int] = field(default_factory=dict)
    sites: list[tuple[int, str]] = field(default_factory=list)
    course: CourseRef | None = None
    proposals: list[Proposal] = field(default_factory=list)

    @property
    def placement_level(self) -> int | None:
        return min(self.levels.values()) if self.levels else None


def course_for_level(courses: list[CourseRef], level: int | None) -> CourseRef | None:
    """The course for a placement level: the one whose range holds it (a general course before
    an employer-adapted one when both do). Courses target the 4 skills together, so the level
    that counts is the candidate's lowest one (:attr:`QueueRow.placement_level`)."""
    if level is None:
        return None
    fitting = [c for c in courses if c.level_min <= level <= c.level_max]
    fitting.sort(key=lambda c: (c.employer_adapted, c.level_min, c.code))
    return fitting[0] if fitting else None


def _candidates(actor: User, candidate_ids: list[int] | None):
    stmt = select(Candidate.id).where(Candidate.region_id.in_(managed_region_ids(actor)))
    if candidate_ids is None:
        stmt = stmt.where(Candidate.status == CandidateStatus.WAITING.value)
    else:
        stmt = stmt.where(Candidate.id.in_(candidate_ids))
    return stmt


def queue(actor: User, *, today: date, candidate_ids: list[int] | None = None) -> list[QueueRow]:
    """The waiting candidates that ``actor`` manages, by available date, with their levels
    (their latest placement per skill), their course and the cohorts to propose (5 queries).

    :param candidate_ids: these candidates only, whatever their status (a candidate's page).
    """
    ids = _candidates(actor, candidate_ids)
    rows = [
        QueueRow(*r)
        for r in db.session.execute(
            select(
                Candidate.id,
                Candidate.student_id,
                User.name,
                User.email,
                Region.name,
                Candidate.available_on,
                Candidate.status,
            )
            .join(User, User.id == Candidate.student_id)
            .join(Region, Region.id == Candidate.region_id)
            .where(Candidate.id.in_(ids))
            .order_by(Candidate.available_on, Candidate.id)
        )
    ]
    if not rows:
        return rows
    by_id = {r.candidate_id: r for r in rows}
    by_student = defaultdict(list)
    for r in rows:
        by_student[r.student_id].append(r)

    for candidate_id, site_id, site_name in db.session.execute(
        select(candidate_site.c.candidate_id, Site.id, Site.name)
        .join(Site, Site.id == candidate_site.c.site_id)
        .where(candidate_site.c.candidate_id.in_(ids))
        .order_by(Site.name)
    ):
        by_id[candidate_id].sites.append((site_id, site_name))

    latest = (
        select(
            LevelAssessment.student_id,
            LevelAssessment.skill,
            LevelAssessment.level,
            func.row_number()
            .over(
                partition_by=(LevelAssessment.student_id, LevelAssessment.skill),
                order_by=(LevelAssessment.assessed_on.desc(), LevelAssessment.id.desc()),
            )
            .label("rank"),
        )
        .where(
            LevelAssessment.kind == AssessmentKind.PLACEMENT.value,
            LevelAssessment.student_id.in_(
                select(Candidate.student_id).where(Candidate.id.in_(ids))
            ),
        )
        .subquery()
    )
    for student_id, skill, level in db.session.execute(
        select(latest.c.student_id, latest.c.skill, latest.c.level).where(latest.c.rank == 1)
    ):
        for r in by_student[student_id]:
            r.levels[skill] = level

    courses = [
        CourseRef(*c)
        for c in db.session.execute(
            select(
                Course.id,
                Course.code,
                Course.title,
                Course.level_min,
                Course.level_max,
                Course.employer_adapted,
            )
        )
    ]
    for r in rows:
        r.levels = {s.value: r.levels[s.value] for s in SKILLS if s.value in r.levels}
        r.course = course_for_level(courses, r.placement_level)

    taken = (
        select(func.count(Enrolment.id))
        .where(Enrolment.cohort_id == Cohort.id, Enrolment.active_between(today))
        .correlate(Cohort)
        .scalar_subquery()
    )
    open_cohorts = db.session.execute(
        select(
            Cohort.id,
            Cohort.code,
            Site.name,
            Cohort.status,
            Cohort.start_on,
            Cohort.end_on,
            (Cohort.capacity - taken).label("free"),
            Cohort.course_id,
            Cohort.site_id,
        )
        .join(Site, Site.id == Cohort.site_id)
        .where(
            Cohort.status.in_(OPEN),
            Cohort.end_on >= today,
            Site.region_id.in_(select(Candidate.region_id).where(Candidate.id.in_(ids))),
            Cohort.capacity - taken > 0,
        )
        .order_by(Cohort.start_on, Cohort.code)
    ).all()
    by_course_site: dict[tuple[int, int], list] = defaultdict(list)
    for c in open_cohorts:
        by_course_site[(c.course_id, c.site_id)].append(c)
    for r in rows:
        if r.course is None or r.status != CandidateStatus.WAITING.value:
            continue
        found = [
            c
            for site_id, _name in r.sites
            for c in by_course_site.get((r.course.id, site_id), ())
            if c.end_on > r.available_on
        ]
        found.sort(key=lambda c: (c.start_on, c.code))
        r.proposals = [Proposal(*c[:7]) for c in found]
    return rows
