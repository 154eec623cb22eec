"""The scope filters of the quality pages (region, site, course, cohort) and their options:
what lies in the user's scope."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select

from lms.access import visible_cohort_ids
from lms.auth.models import User
from lms.catalog.models import Cohort, Course, Region, Site
from lms.extensions import db


@dataclass
class ScopeFilters:
    """The region, site, course and cohort that a quality page is narrowed to (any of them)."""

    region_id: int | None = None
    site_id: int | None = None
    course_id: int | None = None
    cohort_id: int | None = None

    def apply(self, stmt: Select) -> Select:
        """``stmt`` narrowed to the filters; it must join ``Cohort`` and ``Site``."""
        if self.region_id:
            stmt = stmt.where(Site.region_id == self.region_id)
        if self.site_id:
            stmt = stmt.where(Cohort.site_id == self.site_id)
        if self.course_id:
            stmt = stmt.where(Cohort.course_id == self.course_id)
        if self.cohort_id:
            stmt = stmt.where(Cohort.id == self.cohort_id)
        return stmt


@dataclass
class ScopeOptions:
    regions: list[tuple[int, str]]
    sites: list[tuple[int, str]]
    courses: list[tuple[int, str]]


def scope_options(user: User) -> ScopeOptions:
    """The regions, sites and courses of the cohorts ``user`` may see (one query)."""
    rows = db.session.execute(
        select(Region.id, Region.name, Site.id, Site.name, Course.id, Course.code)
        .select_from(Cohort)
        .join(Site, Site.id == Cohort.site_id)
        .join(Region, Region.id == Site.region_id)
        .join(Course, Course.id == Cohort.course_id)
        .where(Cohort.id.in_(visible_cohort_ids(user)))
        .distinct()
    ).all()
    regions = sorted({(r[0], r[1]) for r in rows}, key=lambda x: x[1])
    sites = sorted({(r[2], r[3]) for r in rows}, key=lambda x: x[1])
    courses = sorted({(r[4], r[5]) for r in rows}, key=lambda x: x[1])
    return ScopeOptions(regions, sites, courses)
