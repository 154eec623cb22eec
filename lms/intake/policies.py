"""Who may see and enrol the candidates of the intake queue (registered on :mod:`lms.access`):
the coordinators of the candidate's region, and admins."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, select

from lms.access import register_policy
from lms.auth.models import Role, User
from lms.catalog.models import Region, coordinator_region
from lms.extensions import db
from lms.intake.models import Candidate


def managed_region_ids(user: User) -> Select[tuple[int]]:
    """The regions whose queue ``user`` manages, as a statement to filter with."""
    if user.role == Role.ADMIN:
        return select(Region.id)
    if user.role == Role.COORDINATOR:
        return select(coordinator_region.c.region_id).where(coordinator_region.c.user_id == user.id)
    return select(Region.id).where(False)


def can_access_candidate(user: User, candidate: Any, action: str = "view") -> bool:
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.COORDINATOR and bool(
        db.session.scalar(
            select(
                exists()
                .where(coordinator_region.c.region_id == candidate.region_id)
                .where(coordinator_region.c.user_id == user.id)
            )
        )
    )


def register() -> None:
    register_policy(Candidate, can_access_candidate)
