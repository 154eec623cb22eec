"""Reading the audit log: the entries a user may read, filtered and paged, and the filters'
options. A fixed number of queries per page whatever the number of entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.orm import aliased

from lms import clock
from lms.access import visible_cohort_ids, visible_student_ids
from lms.audit.models import AuditLog
from lms.auth.models import Role, User
from lms.catalog.models import Cohort
from lms.extensions import db

PAGE = 50

# Entity types whose entries a coordinator reads when the object belongs to a cohort of their
# regions (the object's ``cohort_id`` column). They are the class names the log records; the
# classes are looked up among the mapped models (:func:`_model`), so that the log, which every
# feature writes to, imports none of the features above it.
COHORT_ENTITIES = (
    "Enrolment",
    "AttendanceDay",
    "AttendanceRecord",
    "LevelAssessment",
    "FollowUpNote",
    "RemedialSession",
    "Alert",
    "Production",
    "CheckpointReview",
)
# Programme-wide settings that coordinators edit: every coordinator reads their history.
PROGRAMME_ENTITIES = ("CheckpointTemplate", "Setting", "AlertRuleSetting")


@cache
def _model(name: str) -> Any:
    """The mapped class named ``name``. :raises LookupError: none (a renamed model: the lists
    above must follow)."""
    for mapper in db.Model.registry.mappers:
        if mapper.class_.__name__ == name:
            return mapper.class_
    raise LookupError(f"no mapped model is named {name!r}")


@dataclass
class AuditFilters:
    actor_id: int | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    action: str | None = None
    start: date | None = None
    end: date | None = None


def audit_scope(user: User):
    """The condition on :class:`AuditLog` rows that ``user`` may read (``None``: all of them).

    Admins read everything. A coordinator reads: the entries they wrote; entries about the
    cohorts of their regions and about the objects that belong to them (enrolments,
    attendance, assessments, notes, remedial sessions, alerts, productions, checkpoint
    reviews); entries about the students of those cohorts; entries about programme-wide
    settings (checkpoint templates, settings, alert rules).
    """
    if user.role == Role.ADMIN:
        return None
    cohorts = visible_cohort_ids(user)
    conditions = [
        AuditLog.actor_id == user.id,
        AuditLog.entity_type.in_(PROGRAMME_ENTITIES),
        and_(
            AuditLog.entity_type == "Cohort",
            AuditLog.entity_id.in_(select(cast(Cohort.id, String)).where(Cohort.id.in_(cohorts))),
        ),
        and_(
            AuditLog.entity_type == "User",
            AuditLog.entity_id.in_(
                select(cast(User.id, String)).where(
                    User.role == Role.STUDENT.value, User.id.in_(visible_student_ids(user))
                )
            ),
        ),
    ]
    for name in COHORT_ENTITIES:
        model = _model(name)
        conditions.append(
            and_(
                AuditLog.entity_type == name,
                AuditLog.entity_id.in_(
                    select(cast(model.id, String)).where(model.cohort_id.in_(cohorts))
                ),
            )
        )
    return or_(*conditions)


def _audit_stmt(user: User, filters: AuditFilters):
    stmt = select(AuditLog.id)
    scope = audit_scope(user)
    if scope is not None:
        stmt = stmt.where(scope)
    if filters.actor_id:
        stmt = stmt.where(AuditLog.actor_id == filters.actor_id)
    if filters.entity_type:
        stmt = stmt.where(AuditLog.entity_type == filters.entity_type)
    if filters.entity_id:
        stmt = stmt.where(AuditLog.entity_id == filters.entity_id)
    if filters.action:
        stmt = stmt.where(AuditLog.action.like(f"{filters.action}%"))
    if filters.start:
        stmt = stmt.where(AuditLog.at >= clock.end_of_day(filters.start - timedelta(days=1)))
    if filters.end:
        stmt = stmt.where(AuditLog.at < clock.end_of_day(filters.end))
    return stmt


def audit_entries(
    user: User, filters: AuditFilters, page: int, *, limit: int = PAGE
) -> tuple[list[tuple[AuditLog, str | None]], int]:
    """One page of the audit log (latest first) with the actors' names. Two queries."""
    ids = _audit_stmt(user, filters)
    total = db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    actor = aliased(User)
    rows = db.session.execute(
        select(AuditLog, actor.name)
        .outerjoin(actor, actor.id == AuditLog.actor_id)
        .where(AuditLog.id.in_(ids))
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(limit)
        .offset((page - 1) * limit)
    ).all()
    return [(entry, name) for entry, name in rows], total


def audit_options(user: User) -> tuple[list[tuple[int, str]], list[str]]:
    """The actors and entity types of the entries ``user`` may read (two queries)."""
    ids = _audit_stmt(user, AuditFilters())
    actors = db.session.execute(
        select(User.id, User.name)
        .where(User.id.in_(select(AuditLog.actor_id).where(AuditLog.id.in_(ids))))
        .order_by(User.name)
    ).all()
    types = list(
        db.session.scalars(
            select(AuditLog.entity_type)
            .where(AuditLog.id.in_(ids))
            .distinct()
            .order_by(AuditLog.entity_type)
        )
    )
    return [(a.id, a.name) for a in actors], types
