"""Who may see what of the employer-adapted course: partner employers (a policy registered on
:mod:`lms.access`), their employees, and the cohorts of the course; the "fetch or 404" helpers
that every page uses."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, exists, select

from lms.access import get_or_404, register_policy, visible_student_ids
from lms.auth.models import Role, User
from lms.catalog.models import Cohort, coordinator_region
from lms.catalog.queries import CohortHeader, cohort_header
from lms.employers.models import Employer, EmployerEmployee
from lms.extensions import db

COORDINATORS = (Role.COORDINATOR, Role.ADMIN)
STAFF = (Role.TEACHER, Role.COORDINATOR, Role.ADMIN)


def visible_employer_ids(user: User) -> Select[tuple[int]]:
    """Partner employers ``user`` may see: those of a coordinator's regions; all for admins."""
    if user.role == Role.ADMIN:
        return select(Employer.id)
    if user.role == Role.COORDINATOR:
        return (
            select(Employer.id)
            .join(coordinator_region, coordinator_region.c.region_id == Employer.region_id)
            .where(coordinator_region.c.user_id == user.id)
        )
    return select(Employer.id).where(False)


def can_access_employer(user: User, employer: Any, action: str = "view") -> bool:
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.COORDINATOR and bool(
        db.session.scalar(
            select(
                exists()
                .where(coordinator_region.c.region_id == employer.region_id)
                .where(coordinator_region.c.user_id == user.id)
            )
        )
    )


def may_manage_partners(user: User) -> bool:
    """May ``user`` add partner employers and link them to cohorts?"""
    return user.role in COORDINATORS


def student_in_scope(user: User, student_id: int) -> bool:
    """Is ``student_id`` a student ``user`` may see (enrolled, now or before, in a cohort in
    their scope; any student for admins)?"""
    return (
        db.session.scalar(
            select(User.id).where(
                User.id == student_id,
                User.role == Role.STUDENT.value,
                User.id.in_(visible_student_ids(user)),
            )
        )
        is not None
    )


def get_employee_or_404(
    employer: Employer, link_id: int, *, in_scope: bool = False
) -> EmployerEmployee:
    """An employee of ``employer`` (404 for another employer's); with ``in_scope``, only a
    student the current user may see (404 otherwise). Removing a link needs no more than the
    employer, so that a link to a student out of scope can still be taken off the list."""
    link = db.session.get(EmployerEmployee, link_id)
    if link is None or link.employer_id != employer.id:
        abort(404)
    if in_scope and not student_in_scope(current_user, link.student_id):
        abort(404)
    return link


def get_course4_cohort_or_404(cohort_id: int, action: str = "view") -> CohortHeader:
    """A cohort of the employer-adapted course in the current user's scope (404 otherwise,
    including cohorts of the other courses)."""
    cohort = get_or_404(Cohort, cohort_id, action)
    header = cohort_header(cohort.id)
    if not header.course.employer_adapted:
        abort(404)
    return header


def register() -> None:
    register_policy(Employer, can_access_employer)
