"""Read-only queries for the administration pages."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import case, func, or_, select
from wtforms.fields.choices import SelectChoice

from lms.access import manageable_account_ids, visible_cohort_ids
from lms.auth.models import User
from lms.catalog.models import Cohort, Enrolment, Region, cohort_teacher, coordinator_region
from lms.extensions import db

PAGE_SIZE = 50
ROLE_ORDER = case(
    {"admin": 0, "coordinator": 1, "teacher": 2, "student": 3}, value=User.role, else_=4
)


def user_page(*, role: str | None, q: str | None, page: int) -> tuple[list, int, dict, dict]:
    """One page of accounts, with each one's regions and cohort codes (four queries)."""
    stmt = select(User)
    if role:
        stmt = stmt.where(User.role == role)
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(or_(User.email.like(like), func.lower(User.name).like(like)))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    users = list(
        db.session.scalars(
            stmt.order_by(ROLE_ORDER, User.name).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        )
    )
    ids = [u.id for u in users]
    regions: dict[int, list[str]] = defaultdict(list)
    cohorts: dict[int, list[str]] = defaultdict(list)
    if ids:
        for user_id, name in db.session.execute(
            select(coordinator_region.c.user_id, Region.name)
            .join(Region, Region.id == coordinator_region.c.region_id)
            .where(coordinator_region.c.user_id.in_(ids))
            .order_by(Region.name)
        ):
            regions[user_id].append(name)
        for user_id, code in db.session.execute(
            select(cohort_teacher.c.user_id, Cohort.code)
            .join(Cohort, Cohort.id == cohort_teacher.c.cohort_id)
            .where(cohort_teacher.c.user_id.in_(ids))
            .order_by(Cohort.code)
        ):
            cohorts[user_id].append(code)
    return users, total, regions, cohorts


def region_choices() -> list[SelectChoice]:
    return [
        SelectChoice(region_id, name)
        for region_id, name in db.session.execute(
            select(Region.id, Region.name).order_by(Region.name)
        )
    ]


def cohort_codes_of(user_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(Cohort.code)
            .join(cohort_teacher, cohort_teacher.c.cohort_id == Cohort.id)
            .where(cohort_teacher.c.user_id == user_id)
            .order_by(Cohort.code)
        )
    )


def counts() -> dict[str, int]:
    rows = db.session.execute(select(User.role, func.count(User.id)).group_by(User.role))
    return dict(rows.all())


def account_page(manager: User, *, q: str | None, page: int) -> tuple[list[User], int, dict]:
    """One page of the accounts ``manager`` may reset (lms.access.manageable_account_ids), with
    each one's cohort codes within the manager's scope (three queries, whatever the page size)."""
    ids = manageable_account_ids(manager).subquery()
    stmt = select(User).where(User.id.in_(select(ids.c[0])))
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(or_(User.email.like(like), func.lower(User.name).like(like)))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    users = list(
        db.session.scalars(
            stmt.order_by(ROLE_ORDER, User.name, User.id)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    cohorts: dict[int, list[str]] = defaultdict(list)
    page_ids = [u.id for u in users]
    if page_ids:
        visible = visible_cohort_ids(manager)
        taught = select(cohort_teacher.c.user_id.label("user_id"), Cohort.code).join(
            Cohort, Cohort.id == cohort_teacher.c.cohort_id
        )
        taught = taught.where(cohort_teacher.c.user_id.in_(page_ids), Cohort.id.in_(visible))
        enrolled = (
            select(Enrolment.student_id.label("user_id"), Cohort.code)
            .join(Cohort, Cohort.id == Enrolment.cohort_id)
            .where(Enrolment.student_id.in_(page_ids), Cohort.id.in_(visible))
        )
        both = taught.union(enrolled).subquery()
        for user_id, code in db.session.execute(
            select(both.c.user_id, both.c.code).order_by(both.c.user_id, both.c.code)
        ):
            cohorts[user_id].append(code)
    return users, total, cohorts
