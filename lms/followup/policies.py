"""Who may read and change follow-up notes, assessments and remedial sessions (registered on
:mod:`lms.access`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select, true

from lms.access import register_policy, via_cohort, via_student, visible_cohort_ids
from lms.auth.models import Role, User
from lms.extensions import db
from lms.followup.models import FollowUpNote, LevelAssessment, RemedialSession
from lms.followup.vocab import Visibility


def visible_note_condition(user: User) -> ColumnElement[bool]:
    """Which follow-up notes ``user`` may read, as a condition on ``FollowUpNote`` (within the
    files that the user may open at all: see :func:`lms.access.can_access_student`).

    Staff read the notes of the cohorts in their scope only, so that a student who moved to
    another region does not bring her former team's notes along. A note without a cohort (its
    cohort was deleted) belongs to no region: only its author, its owner and admins read it.
    A student reads only their own notes shared with them.
    """
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.STUDENT:
        return and_(
            FollowUpNote.student_id == user.id, FollowUpNote.visibility == Visibility.STUDENT
        )
    return or_(
        FollowUpNote.cohort_id.in_(visible_cohort_ids(user)),
        and_(
            FollowUpNote.cohort_id.is_(None),
            or_(FollowUpNote.author_id == user.id, FollowUpNote.owner_id == user.id),
        ),
    )


def may_edit_visible_note(user: User, note: Any) -> bool:
    """For a note that ``user`` reads (:func:`visible_note_condition`): may they change it?

    Its author, its owner and the coordinators of its cohort's region, the cohort being in
    their scope (which a visible note with a cohort means), and admins. A note without a
    cohort is changed by admins only. No query: usable on lists of notes.
    """
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.STUDENT or note.cohort_id is None:
        return False
    return user.role == Role.COORDINATOR or user.id in (note.author_id, note.owner_id)


def can_access_note(user: User, note: Any, action: str = "view") -> bool:
    """A follow-up note: "view" for staff who may open the student's file and read the note
    (:func:`visible_note_condition`); "edit" (its text, its follow-up, its visibility) for
    those of them that :func:`may_edit_visible_note` allows.

    Students read their shared notes through queries that filter on visibility, never through
    this check.
    """
    if user.role == Role.STUDENT or not via_student(user, note, "view"):
        return False
    visible = db.session.scalar(
        select(exists().where(FollowUpNote.id == note.id, visible_note_condition(user)))
    )
    if not visible:
        return False
    return action == "view" or may_edit_visible_note(user, note)


def register() -> None:
    register_policy(RemedialSession, via_cohort)
    register_policy(LevelAssessment, via_student)
    # A note on the screen of someone who may not change it: 403 (a 404 would hide nothing).
    register_policy(FollowUpNote, can_access_note, forbidden_when_visible=True)
