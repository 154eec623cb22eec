"""Follow-up notes as the pages show them (with their author's, owner's and cohort's names), and
the date of each student's last follow-up interview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from lms.auth.models import User
from lms.catalog.models import Cohort
from lms.extensions import db
from lms.followup.models import FollowUpNote
from lms.followup.queries.people import (
    Owner,
    first_teacher_id,
    owner_candidates,
    owner_ids,
)
from lms.followup.queries.scope import note_scope
from lms.followup.vocab import NoteType


@dataclass
class NoteLine:
    note: FollowUpNote
    author: str
    owner: str
    cohort_code: str


def note_lines(*conditions, limit: int | None = None, order=None) -> list[NoteLine]:
    """The notes that meet ``conditions``, newest first unless ``order`` says otherwise (one
    query)."""
    author, owner = aliased(User), aliased(User)
    stmt = (
        select(FollowUpNote, author.name, owner.name, Cohort.code)
        .outerjoin(author, author.id == FollowUpNote.author_id)
        .outerjoin(owner, owner.id == FollowUpNote.owner_id)
        .outerjoin(Cohort, Cohort.id == FollowUpNote.cohort_id)
        .where(*conditions)
        .order_by(*(order or (FollowUpNote.held_on.desc(), FollowUpNote.id.desc())))
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [NoteLine(n, a or "", o or "", c or "") for n, a, o, c in db.session.execute(stmt)]


def open_actions(student_id: int, *, viewer: User | None = None) -> list[NoteLine]:
    """Notes that ``viewer`` reads whose action is not done yet, the most urgent first."""
    return note_lines(
        FollowUpNote.student_id == student_id,
        note_scope(viewer),
        FollowUpNote.action != "",
        FollowUpNote.done_on.is_(None),
        order=(FollowUpNote.due_on.is_(None), FollowUpNote.due_on, FollowUpNote.id),
    )


def shared_notes(student_id: int) -> list[NoteLine]:
    """The notes shared with the student: never the team-only ones."""
    return note_lines(FollowUpNote.student_id == student_id, FollowUpNote.visibility == "student")


def note_line(note_id: int) -> NoteLine:
    return note_lines(FollowUpNote.id == note_id)[0]


def note_owners(line: NoteLine) -> list[Owner]:
    """Who may own the action of a note being changed: :func:`owner_candidates` of its cohort,
    and its current owner even if they have left the cohort since."""
    note = line.note
    owners = owner_candidates(note.cohort_id)
    if note.owner_id is not None and note.owner_id not in owner_ids(owners):
        owners.append((note.owner_id, line.owner, "teacher"))
    return owners


def default_owner(owners: list[Owner], author_id: int) -> int | None:
    """Who owns the action of a new note unless the author says otherwise: the author if they
    may, else the cohort's first teacher."""
    return author_id if author_id in owner_ids(owners) else first_teacher_id(owners)


def last_interviews(
    student_ids: list[int], until: date, *, viewer: User | None = None
) -> dict[int, date]:
    """The date of each student's last follow-up interview up to ``until``, any cohort whose
    notes ``viewer`` reads (one query); whether it counts for an enrolment is
    :func:`lms.followup.rules.interview_in_enrolment`'s call."""
    if not student_ids:
        return {}
    return dict(
        db.session.execute(
            select(FollowUpNote.student_id, func.max(FollowUpNote.held_on))
            .where(
                FollowUpNote.student_id.in_(student_ids),
                FollowUpNote.note_type == NoteType.ENTRETIEN,
                FollowUpNote.held_on <= until,
                note_scope(viewer),
            )
            .group_by(FollowUpNote.student_id)
        ).all()
    )
