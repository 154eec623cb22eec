"""Who is in a cohort, who may own a follow-up action, and through which cohort a user follows
a student."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import literal, select, union_all

from lms.access import visible_cohort_ids
from lms.auth.models import User
from lms.catalog.models import Cohort, Enrolment, Site, cohort_teacher, coordinator_region
from lms.extensions import db

Owner = tuple[int, str, str]  # (user id, name, role)


def active_students(cohort_id: int, today: date) -> list[tuple[Enrolment, User]]:
    """The cohort's active students, by name: those whose enrolment is active today or later
    (including those who start later: continuous intake; :meth:`Enrolment.active_between`)."""
    return [
        (e, u)
        for e, u in db.session.execute(
            select(Enrolment, User)
            .join(User, User.id == Enrolment.student_id)
            .where(Enrolment.cohort_id == cohort_id, Enrolment.active_between(today))
            .order_by(User.name, User.id)
        )
    ]


def owner_candidates(cohort_id: int | None) -> list[Owner]:
    """Who may own a follow-up action: the cohort's teachers, then the region's coordinators.

    :returns: ``(user id, name, role)``, active accounts only.
    """
    if cohort_id is None:
        return []
    teachers = (
        select(User.id, User.name, literal("teacher").label("role"), literal(0).label("rank"))
        .join(cohort_teacher, cohort_teacher.c.user_id == User.id)
        .where(cohort_teacher.c.cohort_id == cohort_id, User.active.is_(True))
    )
    coordinators = (
        select(User.id, User.name, literal("coordinator").label("role"), literal(1).label("rank"))
        .join(coordinator_region, coordinator_region.c.user_id == User.id)
        .join(Site, Site.region_id == coordinator_region.c.region_id)
        .join(Cohort, Cohort.site_id == Site.id)
        .where(Cohort.id == cohort_id, User.active.is_(True))
    )
    both = union_all(teachers, coordinators).subquery()
    rows = db.session.execute(
        select(both.c.id, both.c.name, both.c.role).order_by(both.c.rank, both.c.name, both.c.id)
    )
    seen: set[int] = set()
    result = []
    for uid, name, role in rows:
        if uid not in seen:
            seen.add(uid)
            result.append((uid, name, role))
    return result


def owner_ids(owners: list[Owner]) -> list[int]:
    return [uid for uid, _name, _role in owners]


def first_teacher_id(owners: list[Owner]) -> int | None:
    return next((uid for uid, _name, role in owners if role == "teacher"), None)


def student_cohort_in_scope(user: User, student_id: int, today: date) -> int | None:
    """The cohort through which ``user`` follows the student, among the cohorts in the user's
    scope: the enrolment active today, else one still to come, else the latest one."""
    return db.session.scalar(
        select(Enrolment.cohort_id)
        .where(
            Enrolment.student_id == student_id,
            Enrolment.cohort_id.in_(visible_cohort_ids(user)),
        )
        .order_by(*Enrolment.current_first(today))
        .limit(1)
    )


def student_cohorts_in_scope(user: User, student_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(Enrolment.cohort_id).where(
                Enrolment.student_id == student_id,
                Enrolment.cohort_id.in_(visible_cohort_ids(user)),
            )
        )
    )


def user_names(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(wanted))).all())
