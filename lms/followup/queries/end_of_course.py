"""How enrolments end: the cohort's progression decisions, and whether withdrawals have their
exit follow-up."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from lms.auth.models import User
from lms.catalog.models import Enrolment, EnrolmentStatus
from lms.extensions import db
from lms.followup.models import FollowUpNote, ProgressionDecision
from lms.followup.queries.levels import SkillLevel, assessments_of, skill_levels
from lms.followup.rules import EXIT_NOTE_TYPE, ExitFollowUp, exit_followup

# --- progression decisions ---------------------------------------------------------------------


@dataclass
class DecisionRow:
    enrolment: Enrolment
    student: User
    decision: ProgressionDecision | None
    levels: dict[str, SkillLevel]


def decisions_table(cohort_id: int) -> list[DecisionRow]:
    """Every enrolment of the cohort (but transfers) with its decision and the final
    assessments per skill. Two queries."""
    rows = db.session.execute(
        select(Enrolment, User, ProgressionDecision)
        .join(User, User.id == Enrolment.student_id)
        .outerjoin(ProgressionDecision, ProgressionDecision.enrolment_id == Enrolment.id)
        .where(
            Enrolment.cohort_id == cohort_id,
            Enrolment.status != EnrolmentStatus.TRANSFERRED.value,
        )
        .order_by(User.name, User.id, Enrolment.start_on)
    ).all()
    assessments = assessments_of([u.id for _e, u, _d in rows])
    return [DecisionRow(e, u, d, skill_levels(assessments.get(u.id, []))) for e, u, d in rows]


# --- exit follow-ups ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExitCase:
    """One withdrawal to check: the student, the day of the withdrawal, the date of the check."""

    student_id: int
    withdrawn_on: date
    as_of: date


def exit_followups(cases: Mapping[Hashable, ExitCase]) -> dict[Hashable, ExitFollowUp]:
    """Whether each withdrawal has its exit follow-up done or under way on its date
    (:func:`lms.followup.rules.exit_followup`): one query for the students' exit notes, whatever their number."""
    if not cases:
        return {}
    notes: dict[int, list[tuple[date, date | None, date | None]]] = defaultdict(list)
    for student_id, held_on, due_on, done_on in db.session.execute(
        select(
            FollowUpNote.student_id, FollowUpNote.held_on, FollowUpNote.due_on, FollowUpNote.done_on
        ).where(
            FollowUpNote.note_type == EXIT_NOTE_TYPE,
            FollowUpNote.student_id.in_({c.student_id for c in cases.values()}),
        )
    ):
        notes[student_id].append((held_on, due_on, done_on))
    return {
        key: exit_followup(c.withdrawn_on, notes[c.student_id], c.as_of) for key, c in cases.items()
    }
