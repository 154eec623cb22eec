"""How an enrolment ends: the progression decision at the end of the course, or a withdrawal,
which opens the exit follow-up."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from flask_babel import gettext as _

from lms.audit.services import record
from lms.auth.models import User
from lms.catalog.models import Enrolment, EnrolmentStatus
from lms.errors import ServiceError
from lms.extensions import db
from lms.followup.models import FollowUpNote, ProgressionDecision
from lms.followup.rules import EXIT_FOLLOWUP_DAYS, EXIT_NOTE_TYPE, withdrawable
from lms.followup.services.notes import note_snapshot
from lms.followup.vocab import WITHDRAWAL_REASONS, Decision, long_date

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
    :raises ServiceError: an unknown decision.
    """
    if decision not in tuple(Decision):
        raise ServiceError(_("Décision inconnue."))
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


def decide_progressions(
    wanted: Iterable[tuple[Enrolment, ProgressionDecision | None, str, str]],
    actor: User,
    *,
    today: date,
) -> int:
    """Record the decisions of a cohort's grid (:func:`decide_progression` for each).

    :param wanted: ``(enrolment, its current decision, decision, comment)`` for each row that
        has a decision.
    :returns: how many decisions changed.
    :raises ServiceError: an unknown decision.
    """
    changed = 0
    for enrolment, current, decision, comment in wanted:
        result = decide_progression(
            enrolment, current, actor, decision=decision, comment=comment, today=today
        )
        changed += result is not None
    return changed


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
    the actor), due in :data:`lms.followup.rules.EXIT_FOLLOWUP_DAYS` days, with no outcome yet.

    :raises ServiceError: an enrolment already ended, a date before its start or in the
        future, an unknown reason.
    """
    if not withdrawable(enrolment, today):
        raise ServiceError(
            _("Cette inscription est déjà terminée : le départ ne peut pas être enregistré.")
        )
    if reason not in WITHDRAWAL_REASONS:
        raise ServiceError(_("Raison inconnue."), "reason")
    if withdrawn_on < enrolment.start_on:
        raise ServiceError(
            _(
                "La date du départ ne peut pas précéder le début de l'inscription (%(day)s).",
                day=long_date(enrolment.start_on),
            ),
            "withdrawn_on",
        )
    if withdrawn_on > today:
        raise ServiceError(_("La date du départ ne peut pas être dans le futur."), "withdrawn_on")
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
        day=long_date(withdrawn_on),
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
    record("note.create", note, actor=actor, after=note_snapshot(note))
    return note
