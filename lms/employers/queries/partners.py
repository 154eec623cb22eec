"""Partner employers: the list, one employer's page, the regions a user may place one in."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select

from lms.auth.models import Role, User
from lms.catalog.models import Cohort, Course, Region, coordinator_region
from lms.employers.models import Employer, EmployerEmployee, NeedsProfile, cohort_employer
from lms.employers.queries.needs import employer_profile
from lms.extensions import db

PAGE_SIZE = 100


def region_choices(user: User) -> list[tuple[int, str]]:
    """The regions ``user`` may place an employer in: a coordinator's own, all for admins."""
    stmt = select(Region.id, Region.name).order_by(Region.name)
    if user.role != Role.ADMIN:
        stmt = stmt.join(coordinator_region, coordinator_region.c.region_id == Region.id).where(
            coordinator_region.c.user_id == user.id
        )
    return list(db.session.execute(stmt))


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
        .where(EmployerEmployee.employer_id == Employer.id, EmployerEmployee.consented)
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


def page_count(total: int) -> int:
    """How many pages of :data:`PAGE_SIZE` employers ``total`` takes (one at least)."""
    return max(1, -(-total // PAGE_SIZE))


@dataclass
class EmployeeLine:
    link: EmployerEmployee
    student: User


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
    return EmployerDetail(employer, region, employees, cohorts, employer_profile(employer.id))
