"""Read-only queries for the programme pages."""

from __future__ import annotations

from sqlalchemy import select

from lms.catalog.models import Region, Site
from lms.extensions import db
from lms.programme.models import ClosureDay


def sites() -> list[tuple[Site, str]]:
    """Every site with its region's name, by region then site."""
    return list(
        db.session.execute(
            select(Site, Region.name)
            .join(Region, Region.id == Site.region_id)
            .order_by(Region.name, Site.name)
        ).all()
    )


def closure_days(site_id: int) -> list[ClosureDay]:
    return list(
        db.session.scalars(
            select(ClosureDay).where(ClosureDay.site_id == site_id).order_by(ClosureDay.day)
        )
    )
