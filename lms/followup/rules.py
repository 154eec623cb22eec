"""The follow-up rules that the dashboards, the alert rules and the quality criteria share, each
written once: when a follow-up interview is due, whether an enrolment may still be withdrawn,
and whether a withdrawal has its exit follow-up.

Plain functions and SQL conditions: no query, no write.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_

from lms.catalog.models import Enrolment, EnrolmentStatus
from lms.followup.vocab import CadenceStatus, NoteType

# --- the interview cadence ---------------------------------------------------------------------

# "Dû bientôt": the interview is due within this many days.
CADENCE_SOON_DAYS = 3


def interview_in_enrolment(last_interview_on: date | None, enrolled_on: date) -> date | None:
    """The last interview if it was held during this enrolment, else ``None``.

    An interview held in an earlier cohort does not count for the new one: the student's new
    teacher owes them an interview within the cadence of their arrival.
    """
    if last_interview_on is not None and last_interview_on >= enrolled_on:
        return last_interview_on
    return None


def interview_due_on(last_interview_on: date | None, enrolled_on: date, every_days: int) -> date:
    """The one definition of when a follow-up interview is due, used by the teacher's
    dashboard, the ``interview_overdue`` alert rule, the quality criterion and the quality
    dashboard: ``every_days`` after the last interview of this enrolment, or after the start
    of the enrolment when none was held in it."""
    since = interview_in_enrolment(last_interview_on, enrolled_on) or enrolled_on
    return since + timedelta(days=every_days)


@dataclass(frozen=True)
class Cadence:
    due_on: date
    status: str  # "ok" | "soon" | "overdue"
    days: int  # days until due (negative: days overdue)


def interview_cadence(
    last_interview_on: date | None, enrolled_on: date, today: date, every_days: int
) -> Cadence:
    """When the next follow-up interview is due, and whether it is on time.

    Due ``every_days`` after the last interview, or after the start of the enrolment when the
    student has had none. "soon": due within :data:`CADENCE_SOON_DAYS` days (today included);
    "overdue": the due date has passed.
    """
    due = interview_due_on(last_interview_on, enrolled_on, every_days)
    days = (due - today).days
    if days < 0:
        status = CadenceStatus.OVERDUE
    elif days <= CADENCE_SOON_DAYS:
        status = CadenceStatus.SOON
    else:
        status = CadenceStatus.OK
    return Cadence(due, status, days)


# --- withdrawals and their exit follow-up ------------------------------------------------------

EXIT_NOTE_TYPE = NoteType.SORTIE
# The exit note that a withdrawal opens is due this many days after it is recorded.
EXIT_FOLLOWUP_DAYS = 7
# An exit note counts for a withdrawal from this many days before it (the call that preceded the
# withdrawal's recording).
EXIT_NOTE_LOOKBACK_DAYS = 14


def withdrawable(enrolment: Enrolment, today: date) -> bool:
    """Whether :func:`lms.followup.services.end_of_course.withdraw` accepts the enrolment today:
    still active (not withdrawn, transferred or completed) and not ended before today."""
    return enrolment.status == EnrolmentStatus.ACTIVE.value and (
        enrolment.end_on is None or enrolment.end_on >= today
    )


def withdrawn_between(first: date | None = None, last: date | None = None) -> ColumnElement[bool]:
    """Enrolments ended by a withdrawal (status withdrawn, ``end_on`` the day of the departure)
    from ``first`` to ``last`` (both included; ``None``: no bound)."""
    condition = and_(
        Enrolment.status == EnrolmentStatus.WITHDRAWN.value, Enrolment.end_on.is_not(None)
    )
    if first is not None:
        condition = and_(condition, Enrolment.end_on >= first)
    if last is not None:
        condition = and_(condition, Enrolment.end_on <= last)
    return condition


@dataclass(frozen=True)
class ExitFollowUp:
    ok: bool  # an exit follow-up is done or under way
    overdue_due_on: date | None  # when not ok: the due date of an exit note left undone


def exit_followup(
    withdrawn_on: date, notes: Iterable[tuple[date, date | None, date | None]], as_of: date
) -> ExitFollowUp:
    """The one definition of a withdrawal's exit follow-up, used by the
    ``withdrawal_without_exit`` alert rule and the ``withdrawals_exit_followup`` quality
    criterion (through :func:`lms.followup.queries.end_of_course.exit_followups`).

    It is done or under way on ``as_of`` when one of the student's notes of type « sortie »
    held from :data:`EXIT_NOTE_LOOKBACK_DAYS` days before the withdrawal up to ``as_of`` is
    done, or has no due date, or is due on ``as_of`` or later. The note's cohort plays no part
    (a note written from the student's file is filed under their current cohort, which may
    already be the next one).

    :param notes: the student's exit notes, as ``(held_on, due_on, done_on)``.
    """
    since = withdrawn_on - timedelta(days=EXIT_NOTE_LOOKBACK_DAYS)
    counted = [(due, done) for held, due, done in notes if since <= held <= as_of]
    if any(done is not None or due is None or due >= as_of for due, done in counted):
        return ExitFollowUp(True, None)
    # Every counted note is undone and past its due date.
    return ExitFollowUp(False, min((due for due, _done in counted), default=None))
