"""Read-only queries for the administration pages."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import case, func, or_, select
from wtforms.fields.choices import SelectChoice

from lms.auth.models import User
from lms.catalog.models import Cohort, Region, cohort_teacher, coordinator_region
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
