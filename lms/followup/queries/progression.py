"""« Suite du parcours »: after the end-of-course decisions, the students of a region who go on
(« passe au cours suivant »: the next course) or repeat (« reprend le cours »: the same course)
and have no enrolment in that course yet, with the cohorts that they may join at their site.

The next course is the one whose first level follows the course's last level (FTC-1, levels
1-2 → FTC-2, levels 3-4 → FTC-3 → FTC-4): courses are data, so is their order.

Three queries whatever the number of students (see tests/test_progression.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from lms.auth.models import User
from lms.catalog.models import Cohort, Course, Enrolment, Site
from lms.catalog.vocab import CohortStatus
from lms.extensions import db
from lms.followup.models import ProgressionDecision
from lms.followup.vocab import Decision

DECISIONS = (Decision.PASSE.value, Decision.REPREND.value)


@dataclass
class Offer:
    """A cohort that a student may join: planned or ongoing, not over, with its free seats."""

    cohort: Cohort
    course_code: str
    taken: int

    @property
    def free(self) -> int:
        return max(self.cohort.capacity - self.taken, 0)


@dataclass
class ProgressionRow:
    enrolment_id: int  # the enrolment that the decision ended
    student: User
    decision: str
    decided_on: date
    from_cohort_code: str
    from_course_code: str
    site_id: int
    site_name: str
    target_course_ids: list[int]
    target_course_codes: list[str]
    offers: list[Offer] = field(default_factory=list)


def progression_rows(region_id: int, *, today: date) -> list[ProgressionRow]:
    """The students of ``region_id`` to enrol in their next (or same) course, by site and name,
    each with the cohorts offered at their site (3 queries)."""
    current = aliased(Course)
    target = aliased(Course)
    later_cohort = aliased(Cohort)
    later = aliased(Enrolment)
    already_enrolled = exists().where(
        later.student_id == Enrolment.student_id,
        later.start_on > Enrolment.start_on,
        later_cohort.id == later.cohort_id,
        later_cohort.course_id == target.id,
        later_cohort.status != CohortStatus.CANCELLED.value,
    )
    rows = db.session.execute(
        select(
            Enrolment.id,
            User,
            ProgressionDecision.decision,
            ProgressionDecision.decided_on,
            Cohort.code,
            current.code,
            Site.id,
            Site.name,
            target.id,
            target.code,
        )
        .join(Enrolment, Enrolment.id == ProgressionDecision.enrolment_id)
        .join(User, User.id == Enrolment.student_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(Site, Site.id == Cohort.site_id)
        .join(current, current.id == Cohort.course_id)
        .join(
            target,
            or_(
                and_(
                    ProgressionDecision.decision == Decision.PASSE.value,
                    target.level_min == current.level_max + 1,
                ),
                and_(
                    ProgressionDecision.decision == Decision.REPREND.value,
                    target.id == current.id,
                ),
            ),
        )
        .where(
            Site.region_id == region_id,
            ProgressionDecision.decision.in_(DECISIONS),
            User.active.is_(True),
            ~already_enrolled,
        )
        .order_by(Site.name, User.name, User.id, Enrolment.start_on.desc(), target.code)
    ).all()
    by_enrolment: dict[int, ProgressionRow] = {}
    for (
        enrolment_id,
        student,
        decision,
        decided_on,
        cohort_code,
        course_code,
        site_id,
        site_name,
        target_id,
        target_code,
    ) in rows:
        row = by_enrolment.get(enrolment_id)
        if row is None:
            row = by_enrolment[enrolment_id] = ProgressionRow(
                enrolment_id,
                student,
                decision,
                decided_on,
                cohort_code,
                course_code,
                site_id,
                site_name,
                [],
                [],
            )
        row.target_course_ids.append(target_id)
        row.target_course_codes.append(target_code)
    # A student with two such decisions (FTC-1 then FTC-2, say) is listed once: the latest.
    seen: set[int] = set()
    result = []
    for row in by_enrolment.values():
        if row.student.id not in seen:
            seen.add(row.student.id)
            result.append(row)
    _attach_offers(result, today)
    return result


def _attach_offers(rows: list[ProgressionRow], today: date) -> None:
    """The planned or ongoing cohorts of the rows' target courses at their sites (2 queries)."""
    if not rows:
        return
    site_ids = {r.site_id for r in rows}
    course_ids = {c for r in rows for c in r.target_course_ids}
    cohorts = db.session.execute(
        select(Cohort, Course.code)
        .join(Course, Course.id == Cohort.course_id)
        .where(
            Cohort.site_id.in_(site_ids),
            Cohort.course_id.in_(course_ids),
            Cohort.status.in_((CohortStatus.PLANNED.value, CohortStatus.ONGOING.value)),
            Cohort.end_on >= today,
        )
        .order_by(Cohort.start_on, Cohort.code)
    ).all()
    taken = dict(
        db.session.execute(
            select(Enrolment.cohort_id, func.count(Enrolment.id))
            .where(
                Enrolment.cohort_id.in_([c.id for c, _code in cohorts]),
                Enrolment.active_between(today),
            )
            .group_by(Enrolment.cohort_id)
        ).all()
    )
    offers: dict[tuple[int, int], list[Offer]] = defaultdict(list)
    for cohort, code in cohorts:
        offers[(cohort.site_id, cohort.course_id)].append(
            Offer(cohort, code, taken.get(cohort.id, 0))
        )
    for row in rows:
        for course_id in row.target_course_ids:
            row.offers.extend(offers.get((row.site_id, course_id), []))
