"""Corrective actions: add one to an unsigned review, follow it up (also after the sign-off)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from lms.audit.services import record
from lms.auth.models import User
from lms.errors import ServiceError
from lms.extensions import db
from lms.quality.models import CheckpointReview, CorrectiveAction
from lms.quality.queries.actions import owner_choices
from lms.quality.services.reviews import ensure_unsigned
from lms.quality.vocab import ActionStatus


def add_action(
    review: CheckpointReview,
    actor: User,
    description: str,
    owner_id: int,
    due_on: date,
    today: date,
) -> CorrectiveAction:
    """Add a corrective action to an unsigned review.

    :raises ReviewLocked: the review is signed.
    :raises ServiceError: empty description, an owner who is neither a teacher of the cohort
        nor a coordinator of its region, a due date in the past.
    """
    ensure_unsigned(review)
    description = (description or "").strip()
    if not description:
        raise ServiceError(_("Décrivez l'action corrective."), field="description")
    if owner_id not in {uid for uid, _n, _r in owner_choices(review.cohort_id)}:
        raise ServiceError(
            _(
                "Choisissez une personne responsable parmi les enseignant·es du groupe et les "
                "conseiller·ères pédagogiques de la région."
            ),
            field="owner_id",
        )
    if due_on < today:
        raise ServiceError(_("L'échéance ne peut pas être dans le passé."), field="due_on")
    action = CorrectiveAction(
        review_id=review.id,
        description=description,
        owner_id=owner_id,
        due_on=due_on,
        status="open",
    )
    db.session.add(action)
    db.session.flush()
    record(
        "review.action.create",
        review,
        actor=actor,
        after={
            "action_id": action.id,
            "description": description,
            "owner_id": owner_id,
            "due_on": due_on.isoformat(),
        },
    )
    return action


def set_action_status(action: CorrectiveAction, actor: User, status: str, today: date) -> bool:
    """Follow up a corrective action: done (today), cancelled, or open again.

    Allowed after the review is signed: the sign-off attests the findings and the plan; the
    plan's follow-up comes later. :returns: whether anything changed.
    :raises ServiceError: unknown status.
    """
    if status not in tuple(ActionStatus):
        raise ServiceError(_("Choisissez un statut."), field="status")
    if status == action.status:
        return False
    before = {"status": action.status, "done_on": action.done_on and action.done_on.isoformat()}
    action.status = status
    action.done_on = today if status == "done" else None
    db.session.flush()
    record(
        "review.action.status",
        entity_type="CheckpointReview",
        entity_id=action.review_id,
        actor=actor,
        before={"action_id": action.id, **before},
        after={
            "action_id": action.id,
            "status": status,
            "done_on": action.done_on and action.done_on.isoformat(),
        },
    )
    return True
