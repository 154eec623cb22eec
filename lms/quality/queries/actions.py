"""The corrective actions: the list to follow up, who may own one, and those past due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from lms.access import visible_cohort_ids
from lms.auth.models import Role, User
from lms.catalog.models import Cohort, Site, cohort_teacher, coordinator_region
from lms.extensions import db
from lms.quality.models import CheckpointReview, CheckpointTemplate, CorrectiveAction


@dataclass
class ActionListRow:
    action: CorrectiveAction
    review: CheckpointReview
    template_name: str
    cohort_code: str
    owner_name: str | None


def action_list(user: User, status: str | None, mine_only: bool) -> list[ActionListRow]:
    """Corrective actions: those ``user`` owns, and for coordinators and admins those of the
    cohorts in their scope (unless ``mine_only``). One query."""
    owner = aliased(User)
    stmt = (
        select(CorrectiveAction, CheckpointReview, CheckpointTemplate.name, Cohort.code, owner.name)
        .join(CheckpointReview, CheckpointReview.id == CorrectiveAction.review_id)
        .join(CheckpointTemplate, CheckpointTemplate.id == CheckpointReview.template_id)
        .join(Cohort, Cohort.id == CheckpointReview.cohort_id)
        .outerjoin(owner, owner.id == CorrectiveAction.owner_id)
    )
    if mine_only or user.role == Role.TEACHER:
        stmt = stmt.where(CorrectiveAction.owner_id == user.id)
    else:
        stmt = stmt.where(
            or_(
                CorrectiveAction.owner_id == user.id,
                CheckpointReview.cohort_id.in_(visible_cohort_ids(user)),
            )
        )
    if status:
        stmt = stmt.where(CorrectiveAction.status == status)
    stmt = stmt.order_by(CorrectiveAction.due_on, CorrectiveAction.id).limit(500)
    return [ActionListRow(*row) for row in db.session.execute(stmt).all()]


def owner_choices(cohort_id: int) -> list[tuple[int, str, str]]:
    """Who may own a corrective action: the cohort's teachers and its region's coordinators,
    as ``(id, name, role)`` (one query)."""
    teachers = select(cohort_teacher.c.user_id).where(cohort_teacher.c.cohort_id == cohort_id)
    coordinators = (
        select(coordinator_region.c.user_id)
        .join(Site, Site.region_id == coordinator_region.c.region_id)
        .join(Cohort, Cohort.site_id == Site.id)
        .where(Cohort.id == cohort_id)
    )
    rows = db.session.execute(
        select(User.id, User.name, User.role)
        .where(User.active.is_(True), User.id.in_(teachers.union(coordinators)))
        .order_by(User.role.desc(), User.name)
    ).all()
    return [(r.id, r.name, r.role) for r in rows]


def overdue_actions(today: date) -> list[tuple[int, int, int, int | None, date, str]]:
    """Open corrective actions past their due date, for the alert rule that warns their owner
    (one query): ``(action_id, review_id, cohort_id, owner_id, due_on, description)``."""
    rows = db.session.execute(
        select(
            CorrectiveAction.id,
            CorrectiveAction.review_id,
            CheckpointReview.cohort_id,
            CorrectiveAction.owner_id,
            CorrectiveAction.due_on,
            CorrectiveAction.description,
        )
        .join(CheckpointReview, CheckpointReview.id == CorrectiveAction.review_id)
        .where(CorrectiveAction.status == "open", CorrectiveAction.due_on < today)
        .order_by(CorrectiveAction.due_on, CorrectiveAction.id)
    ).all()
    return [tuple(row) for row in rows]
