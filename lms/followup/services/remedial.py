"""Schedule remedial sessions, invite students, and record who came and the outcome."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from flask_babel import gettext as _

from lms import clock
from lms.audit.services import record
from lms.auth.models import User
from lms.catalog.models import Cohort
from lms.errors import ServiceError
from lms.extensions import db
from lms.followup.models import RemedialInvite, RemedialSession
from lms.followup.vocab import long_date


def local_to_utc(day: date, at) -> datetime:
    """A Quebec wall-clock time as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=clock.QUEBEC).astimezone(UTC)


def schedule_remedial(
    cohort: Cohort,
    teacher: User,
    *,
    starts_at: datetime,
    duration_minutes: int,
    topic: str,
    student_ids: Iterable[int],
    allowed_student_ids: Iterable[int],
) -> RemedialSession:
    """Schedule a remedial session of ``cohort`` and invite students.

    :param starts_at: aware datetime (see :func:`local_to_utc`).
    :param allowed_student_ids: the cohort's active students.
    :raises ServiceError: no student, a student not active in the cohort, a date outside the
        cohort's dates, a duration outside 15..480 minutes, no topic.
    """
    invited = list(dict.fromkeys(student_ids))
    local_day = clock.local_date(starts_at)
    if not cohort.start_on <= local_day <= cohort.end_on:
        raise ServiceError(
            _(
                "La séance doit avoir lieu pendant le groupe, du %(start)s au %(end)s.",
                start=long_date(cohort.start_on),
                end=long_date(cohort.end_on),
            ),
            "day",
        )
    if not 15 <= duration_minutes <= 480:
        raise ServiceError(_("La durée doit être de 15 à 480 minutes."), "duration_minutes")
    if not topic.strip():
        raise ServiceError(_("Indiquez le sujet de la séance."), "topic")
    if not invited:
        raise ServiceError(_("Invitez au moins une ou un élève."), "student_ids")
    if set(invited) - set(allowed_student_ids):
        raise ServiceError(
            _("Seuls les élèves actifs du groupe peuvent être invité·es."), "student_ids"
        )
    session = RemedialSession(
        cohort_id=cohort.id,
        teacher_id=teacher.id,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        topic=topic.strip(),
        outcome="",
    )
    db.session.add(session)
    db.session.flush()
    db.session.add_all(RemedialInvite(session_id=session.id, student_id=s) for s in invited)
    db.session.flush()
    record(
        "remedial.create",
        session,
        actor=teacher,
        after={
            "cohort_id": cohort.id,
            "starts_at": starts_at.isoformat(),
            "duration_minutes": duration_minutes,
            "topic": session.topic,
            "student_ids": invited,
        },
    )
    return session


def record_remedial(
    session: RemedialSession,
    invites: list[RemedialInvite],
    actor: User,
    *,
    attended: dict[int, bool | None],
    notes: dict[int, str] | None = None,
    outcome: str,
    today: date,
) -> None:
    """Record who came to a session and its outcome.

    :param attended: per invited student id: True (présent), False (absent), None (not noted).
    :raises ServiceError: the session has not taken place yet, or a student was not invited.
    """
    notes = notes or {}
    starts_on = clock.local_date(session.starts_at)
    if starts_on > today:
        raise ServiceError(
            _(
                "La séance n'a pas encore eu lieu : notez les présences à partir du %(day)s.",
                day=long_date(starts_on),
            )
        )
    by_student = {invite.student_id: invite for invite in invites}
    if set(attended) - set(by_student) or set(notes) - set(by_student):
        raise ServiceError(_("Cette ou cet élève n'est pas invité·e à la séance."))
    before = {
        "outcome": session.outcome,
        "attended": {str(i.student_id): i.attended for i in invites},
        "notes": {str(i.student_id): i.note for i in invites},
    }
    session.outcome = outcome.strip()
    for student_id, invite in by_student.items():
        if student_id in attended:
            invite.attended = attended[student_id]
        if student_id in notes:
            invite.note = notes[student_id].strip()[:500]
    after = {
        "outcome": session.outcome,
        "attended": {str(i.student_id): i.attended for i in invites},
        "notes": {str(i.student_id): i.note for i in invites},
    }
    if before != after:
        db.session.flush()
        record("remedial.record", session, actor=actor, before=before, after=after)
