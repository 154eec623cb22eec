"""Who may see and manage quality reviews and corrective actions (registered on
:mod:`lms.access`)."""

from __future__ import annotations

from typing import Any

from lms.access import can_access_cohort, register_policy
from lms.auth.models import Role, User
from lms.catalog.models import Cohort
from lms.extensions import db
from lms.quality.models import CheckpointReview, CorrectiveAction


def can_access_review(user: User, review: Any, action: str = "view") -> bool:
    """A quality review follows its cohort: coordinators of the region and admins view and
    manage it; the cohort's teachers only view it."""
    if user.role == Role.STUDENT:
        return False
    cohort = db.session.get(Cohort, review.cohort_id)
    if cohort is None:
        return False
    if action == "manage" and user.role not in (Role.COORDINATOR, Role.ADMIN):
        return False
    return can_access_cohort(user, cohort, "view")


def can_access_corrective_action(user: User, action_item: Any, action: str = "view") -> bool:
    """A corrective action: its owner, or whoever manages its review."""
    if action_item.owner_id == user.id:
        return True
    review = db.session.get(CheckpointReview, action_item.review_id)
    return review is not None and can_access_review(user, review, "manage")


def register() -> None:
    register_policy(CheckpointReview, can_access_review)
    register_policy(CorrectiveAction, can_access_corrective_action)
