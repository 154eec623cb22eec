"""Account administration verbs. Flush, never commit."""

from __future__ import annotations

from sqlalchemy import delete, insert, select

from lms.audit.services import record
from lms.auth.models import Role, User
from lms.auth.services import user_snapshot
from lms.catalog.models import Cohort, Region, cohort_teacher, coordinator_region
from lms.extensions import db


def parse_cohort_codes(raw: str | None) -> tuple[list[int], list[str]]:
    """Cohort codes typed by an admin → (ids found, codes unknown)."""
    codes = [c.strip() for c in (raw or "").replace(";", ",").split(",") if c.strip()]
    if not codes:
        return [], []
    found = {
        code: cohort_id
        for code, cohort_id in db.session.execute(
            select(Cohort.code, Cohort.id).where(Cohort.code.in_(codes))
        )
    }
    return [found[c] for c in codes if c in found], [c for c in codes if c not in found]


def scopes_of(user: User) -> dict:
    regions = sorted(
        db.session.scalars(
            select(coordinator_region.c.region_id).where(coordinator_region.c.user_id == user.id)
        )
    )
    cohorts = sorted(
        db.session.scalars(
            select(cohort_teacher.c.cohort_id).where(cohort_teacher.c.user_id == user.id)
        )
    )
    return {"region_ids": regions, "cohort_ids": cohorts}


def set_scopes(
    user: User, *, region_ids: list[int], cohort_ids: list[int], actor: User | None
) -> None:
    """Replace a user's scopes: regions for coordinators, cohorts for teachers.

    Scopes that do not fit the role are cleared, so that a role change never leaves a stale
    permission behind.
    """
    before = scopes_of(user)
    region_ids = sorted(set(region_ids)) if user.role == Role.COORDINATOR else []
    cohort_ids = sorted(set(cohort_ids)) if user.role == Role.TEACHER else []
    if region_ids:
        known = set(db.session.scalars(select(Region.id).where(Region.id.in_(region_ids))))
        region_ids = [r for r in region_ids if r in known]
    db.session.execute(delete(coordinator_region).where(coordinator_region.c.user_id == user.id))
    db.session.execute(delete(cohort_teacher).where(cohort_teacher.c.user_id == user.id))
    if region_ids:
        db.session.execute(
            insert(coordinator_region), [{"user_id": user.id, "region_id": r} for r in region_ids]
        )
    if cohort_ids:
        db.session.execute(
            insert(cohort_teacher), [{"user_id": user.id, "cohort_id": c} for c in cohort_ids]
        )
    after = {"region_ids": region_ids, "cohort_ids": cohort_ids}
    if after != before:
        record("user.scopes", user, actor=actor, before=before, after=after)


def update_user(user: User, *, actor: User | None, **changes) -> None:
    """Change an account's fields; the audit log keeps before and after."""
    before = user_snapshot(user)
    for key, value in changes.items():
        setattr(user, key, value)
    db.session.flush()
    after = user_snapshot(user)
    if after != before:
        record("user.update", user, actor=actor, before=before, after=after)
