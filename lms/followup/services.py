"""Follow-up verbs: record levels, write and update notes, schedule remedial sessions and record
them, decide a student's progression, withdraw a student (opening the exit follow-up).

Explicit arguments, no request object; they flush, never commit: the view owns the transaction.
Every verb validates before writing anything, so that a refusal leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_

from lms import clock
from lms.audit.services import record
from lms.auth.models import User
from lms.catalog.models import Cohort, Enrolment, EnrolmentStatus
from lms.errors import ServiceError
from lms.extensions import db
from lms.followup.models import (
    FollowUpNote,
    LevelAssessment,
    ProgressionDecision,
    RemedialInvite,
    RemedialSession,
)
from lms.followup.vocab import (
    WITHDRAWAL_REASONS,
    AssessmentKind,
    CadenceStatus,
    Decision,
    NoteReason,
    NoteType,
    Visibility,
)
from lms.learning.vocab import Skill

# A placement test may take place a while before the course starts, not years before.
ASSESSMENT_LOOKBACK_DAYS = 180
# "Dû bientôt": the interview is due within this many days.
CADENCE_SOON_DAYS = 3
EXIT_FOLLOWUP_DAYS = 7
# Why a student left → the reason of the exit follow-up note.
WITHDRAWAL_NOTE_REASON = {
    "emploi": "emploi",
    "demenagement": "personnelle",
    "sante": "sante",
    "famille": "personnelle",
    "garde": "personnelle",
    "autre-cours": "autre",
    "sans-nouvelles": "absences",
    "autre": "autre",
}


class FollowUpError(ServiceError):
    """A refused follow-up write; the message is for the user (French).

    :param field: the form field the message belongs to (``None``: the whole form).
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _fmt(day: date) -> str:
    return format_date(day, "d MMMM yyyy")


# --- level assessments -------------------------------------------------------------------------


def record_assessments(
    student_id: int,
    cohort: Cohort,
    assessor: User,
    *,
    kind: str,
    assessed_on: date,
    rows: Iterable[tuple[str, int, str]],
    today: date,
) -> list[LevelAssessment]:
    """Record a student's levels in one or more skills, assessed on the same day.

    :param rows: ``(skill, level, evidence)`` for each assessed skill (empty rows left out).
    :raises FollowUpError: unknown kind or skill, a skill twice, a level off the 1..12 scale,
        no skill at all, a date in the future or long before the cohort.
    """
    rows = list(rows)
    if kind not in tuple(AssessmentKind):
        raise FollowUpError(_("Type d'évaluation inconnu."), "kind")
    if assessed_on > today:
        raise FollowUpError(
            _("La date de l'évaluation ne peut pas être dans le futur."), "assessed_on"
        )
    earliest = cohort.start_on - timedelta(days=ASSESSMENT_LOOKBACK_DAYS)
    if assessed_on < earliest:
        raise FollowUpError(
            _(
                "La date est trop ancienne pour ce groupe : au plus tôt le %(day)s.",
                day=_fmt(earliest),
            ),
            "assessed_on",
        )
    if not rows:
        raise FollowUpError(_("Indiquez le niveau d'au moins une compétence."))
    seen: set[str] = set()
    for skill, level, _evidence in rows:
        if skill not in tuple(Skill):
            raise FollowUpError(_("Compétence inconnue : %(skill)s.", skill=skill))
        if skill in seen:
            raise FollowUpError(_("Une compétence est indiquée deux fois."))
        seen.add(skill)
        if not isinstance(level, int) or not 1 <= level <= 12:
            raise FollowUpError(_("Le niveau doit être un nombre de 1 à 12."))
    created = []
    for skill, level, evidence in rows:
        assessment = LevelAssessment(
            student_id=student_id,
            cohort_id=cohort.id,
            skill=skill,
            level=level,
            kind=kind,
            assessed_on=assessed_on,
            assessor_id=assessor.id,
            evidence=evidence,
        )
        db.session.add(assessment)
        created.append(assessment)
    db.session.flush()
    for assessment in created:
        record(
            "assessment.create",
            assessment,
            actor=assessor,
            after={
                "student_id": student_id,
                "cohort_id": cohort.id,
                "skill": assessment.skill,
                "level": assessment.level,
                "kind": kind,
                "assessed_on": assessed_on.isoformat(),
            },
        )
    return created


def gain_since_placement(placement: int | None, latest: int | None) -> int | None:
    """Levels gained since placement (``None`` without a placement or any assessment)."""
    if placement is None or latest is None:
        return None
    return latest - placement


# --- the interview cadence ---------------------------------------------------------------------


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


# --- the exit follow-up after a withdrawal ------------------------------------------------------

EXIT_NOTE_TYPE = NoteType.SORTIE
# An exit note counts for a withdrawal from this many days before it (the call that preceded the
# withdrawal's recording).
EXIT_NOTE_LOOKBACK_DAYS = 14


def withdrawn_between(first: date | None = None, last: date | None = None) -> ColumnElement[bool]:
    """Enrolments ended by a withdrawal (:func:`withdraw`: status withdrawn, ``end_on`` the day
    of the departure) from ``first`` to ``last`` (both included; ``None``: no bound)."""
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
    criterion (through :func:`lms.followup.queries.exit_followups`).

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


# --- notes -------------------------------------------------------------------------------------

_NOTE_FIELDS = (
    "note_type",
    "reason",
    "held_on",
    "summary",
    "action",
    "owner_id",
    "due_on",
    "outcome",
    "done_on",
    "visibility",
)


def _snapshot(note: FollowUpNote) -> dict:
    values = {}
    for name in _NOTE_FIELDS:
        value = getattr(note, name)
        values[name] = value.isoformat() if isinstance(value, date) else value
    return values


def _check_note(
    *,
    note_type: str,
    reason: str,
    held_on: date,
    summary: str,
    action: str,
    owner_id: int | None,
    due_on: date | None,
    visibility: str,
    allowed_owner_ids: Iterable[int],
    today: date,
    outcome: str = "",
    done_on: date | None = None,
) -> None:
    if note_type not in tuple(NoteType):
        raise FollowUpError(_("Type de note inconnu."), "note_type")
    if reason not in tuple(NoteReason):
        raise FollowUpError(_("Motif inconnu."), "reason")
    if visibility not in tuple(Visibility):
        raise FollowUpError(_("Visibilité inconnue."), "visibility")
    if held_on > today:
        raise FollowUpError(_("La date de l'échange ne peut pas être dans le futur."), "held_on")
    if not summary.strip():
        raise FollowUpError(_("Résumez l'échange."), "summary")
    if owner_id is not None and owner_id not in set(allowed_owner_ids):
        raise FollowUpError(
            _(
                "Choisissez la ou le responsable parmi les enseignant·es du groupe "
                "et les conseiller·ères de la région."
            ),
            "owner_id",
        )
    if action.strip() and owner_id is None:
        raise FollowUpError(_("Une action doit avoir une ou un responsable."), "owner_id")
    if due_on is not None and due_on < held_on:
        raise FollowUpError(_("L'échéance ne peut pas précéder la date de l'échange."), "due_on")
    if done_on is not None:
        if done_on > today:
            raise FollowUpError(
                _("La date de réalisation ne peut pas être dans le futur."), "done_on"
            )
        if done_on < held_on:
            raise FollowUpError(
                _("La date de réalisation ne peut pas précéder la date de l'échange."), "done_on"
            )
    if done_on is not None and not outcome.strip():
        raise FollowUpError(_("Décrivez le résultat de l'action."), "outcome")


def add_note(
    student_id: int,
    cohort_id: int | None,
    author: User,
    *,
    note_type: str,
    reason: str,
    held_on: date,
    summary: str,
    action: str = "",
    owner_id: int | None = None,
    due_on: date | None = None,
    visibility: str = "team",
    allowed_owner_ids: Iterable[int] = (),
    today: date,
) -> FollowUpNote:
    """Write a structured follow-up note.

    :param allowed_owner_ids: who may own the action: the cohort's teachers and the region's
        coordinators (see :func:`lms.followup.queries.owner_candidates`).
    :raises FollowUpError: unknown type/reason/visibility, a date in the future, an empty
        summary, an owner out of scope, an action without owner, a due date before the note.
    """
    _check_note(
        note_type=note_type,
        reason=reason,
        held_on=held_on,
        summary=summary,
        action=action,
        owner_id=owner_id,
        due_on=due_on,
        visibility=visibility,
        allowed_owner_ids=allowed_owner_ids,
        today=today,
    )
    note = FollowUpNote(
        student_id=student_id,
        cohort_id=cohort_id,
        author_id=author.id,
        note_type=note_type,
        reason=reason,
        held_on=held_on,
        summary=summary.strip(),
        action=action.strip(),
        owner_id=owner_id,
        due_on=due_on,
        outcome="",
        visibility=visibility,
    )
    db.session.add(note)
    db.session.flush()
    record("note.create", note, actor=author, after=_snapshot(note))
    return note


def update_note(
    note: FollowUpNote,
    actor: User,
    *,
    allowed_owner_ids: Iterable[int],
    today: date,
    **values,
) -> bool:
    """Update a note (typically its outcome and done date); the audit log keeps before/after.

    :param values: any of the note's editable fields; those left out keep their value.
    :returns: whether anything changed.
    :raises FollowUpError: as :func:`add_note`, and a done date in the future or without outcome.
    """
    unknown = set(values) - set(_NOTE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    merged = {name: getattr(note, name) for name in _NOTE_FIELDS} | values
    merged["summary"] = (merged["summary"] or "").strip()
    merged["action"] = (merged["action"] or "").strip()
    merged["outcome"] = (merged["outcome"] or "").strip()
    owners = set(allowed_owner_ids)
    if note.owner_id is not None:
        owners.add(note.owner_id)  # keep the current owner even if they left the cohort
    _check_note(allowed_owner_ids=owners, today=today, **merged)
    before = _snapshot(note)
    for name, value in merged.items():
        setattr(note, name, value)
    after = _snapshot(note)
    if before == after:
        return False
    db.session.flush()
    changed = [k for k in after if before[k] != after[k]]
    record(
        "note.update",
        note,
        actor=actor,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return True


# --- remedial sessions -------------------------------------------------------------------------


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
    :raises FollowUpError: no student, a student not active in the cohort, a date outside the
        cohort's dates, a duration outside 15..480 minutes, no topic.
    """
    invited = list(dict.fromkeys(student_ids))
    local_day = clock.local_date(starts_at)
    if not cohort.start_on <= local_day <= cohort.end_on:
        raise FollowUpError(
            _(
                "La séance doit avoir lieu pendant le groupe, du %(start)s au %(end)s.",
                start=_fmt(cohort.start_on),
                end=_fmt(cohort.end_on),
            ),
            "day",
        )
    if not 15 <= duration_minutes <= 480:
        raise FollowUpError(_("La durée doit être de 15 à 480 minutes."), "duration_minutes")
    if not topic.strip():
        raise FollowUpError(_("Indiquez le sujet de la séance."), "topic")
    if not invited:
        raise FollowUpError(_("Invitez au moins une ou un élève."), "student_ids")
    if set(invited) - set(allowed_student_ids):
        raise FollowUpError(
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
    :raises FollowUpError: the session has not taken place yet, or a student was not invited.
    """
    notes = notes or {}
    starts_on = clock.local_date(session.starts_at)
    if starts_on > today:
        raise FollowUpError(
            _(
                "La séance n'a pas encore eu lieu : notez les présences à partir du %(day)s.",
                day=_fmt(starts_on),
            )
        )
    by_student = {invite.student_id: invite for invite in invites}
    if set(attended) - set(by_student) or set(notes) - set(by_student):
        raise FollowUpError(_("Cette ou cet élève n'est pas invité·e à la séance."))
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


# --- end of course -----------------------------------------------------------------------------


def decide_progression(
    enrolment: Enrolment,
    current: ProgressionDecision | None,
    actor: User,
    *,
    decision: str,
    comment: str,
    today: date,
) -> ProgressionDecision | None:
    """Create or update the progression decision of an enrolment (audit: before and after).

    :param current: the enrolment's decision, if any (read by the caller for a whole cohort).
    :returns: the decision when something changed, else ``None``.
    :raises FollowUpError: an unknown decision.
    """
    if decision not in tuple(Decision):
        raise FollowUpError(_("Décision inconnue."))
    comment = comment.strip()
    if current is not None and current.decision == decision and current.comment == comment:
        return None
    before = (
        None
        if current is None
        else {
            "decision": current.decision,
            "comment": current.comment,
            "decided_on": current.decided_on.isoformat(),
        }
    )
    if current is None:
        current = ProgressionDecision(enrolment_id=enrolment.id)
        db.session.add(current)
    current.decision = decision
    current.comment = comment
    current.decided_on = today
    current.decided_by_id = actor.id
    db.session.flush()
    record(
        "decision.update" if before else "decision.create",
        current,
        actor=actor,
        before=before,
        after={
            "enrolment_id": enrolment.id,
            "decision": decision,
            "comment": comment,
            "decided_on": today.isoformat(),
        },
    )
    return current


def withdrawable(enrolment: Enrolment, today: date) -> bool:
    """Whether :func:`withdraw` accepts the enrolment today: still active (not withdrawn,
    transferred or completed) and not ended before today."""
    return enrolment.status == EnrolmentStatus.ACTIVE.value and (
        enrolment.end_on is None or enrolment.end_on >= today
    )


def withdraw(
    enrolment: Enrolment,
    actor: User,
    *,
    withdrawn_on: date,
    reason: str,
    comment: str,
    owner_id: int | None,
    today: date,
) -> FollowUpNote:
    """Withdraw a student from a cohort and open the exit follow-up.

    The enrolment becomes withdrawn, ended on ``withdrawn_on``, with its reason; a team-only
    note of type "sortie" is opened today, owned by ``owner_id`` (the cohort's first teacher, or
    the actor), due in :data:`EXIT_FOLLOWUP_DAYS` days, with no outcome yet.

    :raises FollowUpError: an enrolment already ended, a date before its start or in the
        future, an unknown reason.
    """
    if not withdrawable(enrolment, today):
        raise FollowUpError(
            _("Cette inscription est déjà terminée : le départ ne peut pas être enregistré.")
        )
    if reason not in WITHDRAWAL_REASONS:
        raise FollowUpError(_("Raison inconnue."), "reason")
    if withdrawn_on < enrolment.start_on:
        raise FollowUpError(
            _(
                "La date du départ ne peut pas précéder le début de l'inscription (%(day)s).",
                day=_fmt(enrolment.start_on),
            ),
            "withdrawn_on",
        )
    if withdrawn_on > today:
        raise FollowUpError(_("La date du départ ne peut pas être dans le futur."), "withdrawn_on")
    before = {
        "status": enrolment.status,
        "end_on": enrolment.end_on.isoformat() if enrolment.end_on else None,
        "withdrawal_reason": enrolment.withdrawal_reason,
    }
    enrolment.status = EnrolmentStatus.WITHDRAWN.value
    enrolment.end_on = withdrawn_on
    enrolment.withdrawal_reason = reason
    db.session.flush()
    record(
        "enrolment.withdraw",
        enrolment,
        actor=actor,
        before=before,
        after={
            "status": enrolment.status,
            "end_on": withdrawn_on.isoformat(),
            "withdrawal_reason": reason,
            "comment": comment.strip(),
        },
    )
    summary = _(
        "Départ le %(day)s. Raison : %(reason)s.",
        day=_fmt(withdrawn_on),
        reason=str(WITHDRAWAL_REASONS[reason]),
    )
    if comment.strip():
        summary = f"{summary}\n{comment.strip()}"
    note = FollowUpNote(
        student_id=enrolment.student_id,
        cohort_id=enrolment.cohort_id,
        author_id=actor.id,
        note_type=EXIT_NOTE_TYPE,
        reason=WITHDRAWAL_NOTE_REASON[reason],
        held_on=today,
        summary=summary,
        action=_("Joindre l'élève pour le suivi de départ et noter le résultat."),
        owner_id=owner_id if owner_id is not None else actor.id,
        due_on=today + timedelta(days=EXIT_FOLLOWUP_DAYS),
        outcome="",
        visibility="team",
    )
    db.session.add(note)
    db.session.flush()
    record("note.create", note, actor=actor, after=_snapshot(note))
    return note
