"""Write structured follow-up notes and update them (typically their outcome); the audit log
keeps each version's fields."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_babel import gettext as _

from lms.audit.services import record
from lms.auth.models import User
from lms.errors import ServiceError
from lms.extensions import db
from lms.followup.models import FollowUpNote
from lms.followup.vocab import NoteReason, NoteType, Visibility

NOTE_FIELDS = (
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


def note_snapshot(note: FollowUpNote) -> dict:
    """The note's fields as the audit log keeps them (dates in ISO format)."""
    values = {}
    for name in NOTE_FIELDS:
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
        raise ServiceError(_("Type de note inconnu."), "note_type")
    if reason not in tuple(NoteReason):
        raise ServiceError(_("Motif inconnu."), "reason")
    if visibility not in tuple(Visibility):
        raise ServiceError(_("Visibilité inconnue."), "visibility")
    if held_on > today:
        raise ServiceError(_("La date de l'échange ne peut pas être dans le futur."), "held_on")
    if not summary.strip():
        raise ServiceError(_("Résumez l'échange."), "summary")
    if owner_id is not None and owner_id not in set(allowed_owner_ids):
        raise ServiceError(
            _(
                "Choisissez la ou le responsable parmi les enseignant·es du groupe "
                "et les conseiller·ères de la région."
            ),
            "owner_id",
        )
    if action.strip() and owner_id is None:
        raise ServiceError(_("Une action doit avoir une ou un responsable."), "owner_id")
    if due_on is not None and due_on < held_on:
        raise ServiceError(_("L'échéance ne peut pas précéder la date de l'échange."), "due_on")
    if done_on is not None:
        if done_on > today:
            raise ServiceError(
                _("La date de réalisation ne peut pas être dans le futur."), "done_on"
            )
        if done_on < held_on:
            raise ServiceError(
                _("La date de réalisation ne peut pas précéder la date de l'échange."), "done_on"
            )
    if done_on is not None and not outcome.strip():
        raise ServiceError(_("Décrivez le résultat de l'action."), "outcome")


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
        coordinators (see :func:`lms.followup.queries.people.owner_candidates`).
    :raises ServiceError: unknown type/reason/visibility, a date in the future, an empty
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
    record("note.create", note, actor=author, after=note_snapshot(note))
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
    :raises ServiceError: as :func:`add_note`, and a done date in the future or without outcome.
    """
    unknown = set(values) - set(NOTE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    merged = {name: getattr(note, name) for name in NOTE_FIELDS} | values
    merged["summary"] = (merged["summary"] or "").strip()
    merged["action"] = (merged["action"] or "").strip()
    merged["outcome"] = (merged["outcome"] or "").strip()
    owners = set(allowed_owner_ids)
    if note.owner_id is not None:
        owners.add(note.owner_id)  # keep the current owner even if they left the cohort
    _check_note(allowed_owner_ids=owners, today=today, **merged)
    before = note_snapshot(note)
    for name, value in merged.items():
        setattr(note, name, value)
    after = note_snapshot(note)
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
