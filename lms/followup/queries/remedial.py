"""Remedial sessions: a cohort's sessions with their attendance counts, a session's invites."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from lms.auth.models import User
from lms.extensions import db
from lms.followup.models import RemedialInvite, RemedialSession


@dataclass
class RemedialRow:
    session: RemedialSession
    teacher: str
    invited: int
    present: int
    absent: int


def remedial_sessions(cohort_id: int) -> list[RemedialRow]:
    """The cohort's sessions, newest first, with attendance counts (one query)."""
    teacher = aliased(User)
    counts = (
        select(
            RemedialInvite.session_id,
            func.count(RemedialInvite.id).label("invited"),
            func.sum(case((RemedialInvite.attended.is_(True), 1), else_=0)).label("present"),
            func.sum(case((RemedialInvite.attended.is_(False), 1), else_=0)).label("absent"),
        )
        .group_by(RemedialInvite.session_id)
        .subquery()
    )
    rows = db.session.execute(
        select(RemedialSession, teacher.name, counts.c.invited, counts.c.present, counts.c.absent)
        .outerjoin(teacher, teacher.id == RemedialSession.teacher_id)
        .outerjoin(counts, counts.c.session_id == RemedialSession.id)
        .where(RemedialSession.cohort_id == cohort_id)
        .order_by(RemedialSession.starts_at.desc(), RemedialSession.id.desc())
    )
    return [
        RemedialRow(s, name or "", int(invited or 0), int(present or 0), int(absent or 0))
        for s, name, invited, present, absent in rows
    ]


def remedial_invites(session_id: int) -> list[tuple[RemedialInvite, User]]:
    return [
        (i, u)
        for i, u in db.session.execute(
            select(RemedialInvite, User)
            .join(User, User.id == RemedialInvite.student_id)
            .where(RemedialInvite.session_id == session_id)
            .order_by(User.name, User.id)
        )
    ]
