"""Who may see partner employers (registered on :mod:`lms.access`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, select

from lms.access import register_policy
from lms.auth.models import Role, User
from lms.catalog.models import coordinator_region
from lms.employers.models import Employer
from lms.extensions import db


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


def register() -> None:
    register_policy(Employer, can_access_employer)
