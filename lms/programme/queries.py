"""Read-only queries for the programme pages."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.auth.models import Role, User
from lms.catalog.models import Cohort, Course, Region, Site, coordinator_region
from lms.extensions import db
from lms.programme.models import ClosureDay


def sites() -> list[tuple[Site, str, int]]:
    """Every site with its region's name and its number of cohorts, by region then site
    (one query)."""
    cohorts = (
        select(func.count(Cohort.id))
        .where(Cohort.site_id == Site.id)
        .correlate(Site)
        .scalar_subquery()
    )
    return list(
        db.session.execute(
            select(Site, Region.name, cohorts)
            .join(Region, Region.id == Site.region_id)
            .order_by(Region.name, Site.name)
        ).all()
    )


def regions() -> list[tuple[Region, int]]:
    """Every region with its number of sites, by name (one query)."""
    count = (
        select(func.count(Site.id))
        .where(Site.region_id == Region.id)
        .correlate(Region)
        .scalar_subquery()
    )
    return list(db.session.execute(select(Region, count).order_by(Region.name)).all())


def region_choices() -> list[tuple[int, str]]:
    return [(r.id, r.name) for r in db.session.scalars(select(Region).order_by(Region.name))]


def site_choices(user: User, *, keep_id: int | None = None) -> list[tuple[int, str]]:
    """The active sites of the user's regions (all for admins), « Région — Site », plus the
    site ``keep_id`` (a cohort's current site) even if inactive."""
    stmt = select(Site.id, Site.name, Region.name).join(Region, Region.id == Site.region_id)
    if user.role != Role.ADMIN:
        stmt = stmt.join(
            coordinator_region, coordinator_region.c.region_id == Site.region_id
        ).where(coordinator_region.c.user_id == user.id)
    active = Site.active.is_(True)
    stmt = stmt.where(active if keep_id is None else active | (Site.id == keep_id))
    rows = db.session.execute(stmt.order_by(Region.name, Site.name)).all()
    return [(site_id, f"{region} — {name}") for site_id, name, region in rows]


def course_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Course.id, Course.code, Course.title).order_by(Course.code))
    return [(course_id, f"{code} — {title}") for course_id, code, title in rows]


def teacher_choices() -> list[tuple[int, str]]:
    """Active teacher accounts, by name."""
    rows = db.session.execute(
        select(User.id, User.name)
        .where(User.role == Role.TEACHER, User.active.is_(True))
        .order_by(User.name)
    )
    return [(user_id, name) for user_id, name in rows]


def closure_days(site_id: int) -> list[ClosureDay]:
    return list(
        db.session.scalars(
            select(ClosureDay).where(ClosureDay.site_id == site_id).order_by(ClosureDay.day)
        )
    )
