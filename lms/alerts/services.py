"""Alert verbs: acknowledge, resolve (with a follow-up note or an intervention), dismiss (with a
reason), the coordinators' tuning of the rules, and marking notifications read.

Explicit arguments, no request object; they flush, never commit: the view owns the transaction.
Every verb validates before writing anything, so that a refusal leaves nothing behind, and every
change goes to the audit log with its before and after.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import update

from lms import clock
from lms.alerts.models import Alert, AlertRuleSetting, Notification
from lms.alerts.rules import RULES
from lms.audit.services import record
from lms.auth.models import User
from lms.errors import ServiceError
from lms.extensions import db
from lms.followup.services.notes import add_note

MAX_TEXT = 2000


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _snapshot(alert: Alert) -> dict[str, Any]:
    return {
        "status": alert.status,
        "open_key": alert.open_key,
        "acknowledged_at": _iso(alert.acknowledged_at),
        "acknowledged_by_id": alert.acknowledged_by_id,
        "closed_at": _iso(alert.closed_at),
        "closed_by_id": alert.closed_by_id,
        "resolution_note_id": alert.resolution_note_id,
        "dismiss_reason": alert.dismiss_reason,
    }


def _changed(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _must_be_open(alert: Alert) -> None:
    if not alert.is_open:
        raise ServiceError(
            _("Cette alerte est fermée : elle ne peut plus être modifiée."), status=409
        )


def acknowledge(alert: Alert, user: User, *, now: datetime | None = None) -> None:
    """Take charge of an open alert (open → acknowledged); this stops its escalation.

    :raises ServiceError: (409) the alert is already acknowledged or closed.
    """
    _must_be_open(alert)
    if alert.status == "acknowledged":
        raise ServiceError(_("Cette alerte est déjà prise en charge."), status=409)
    before = _snapshot(alert)
    alert.status = "acknowledged"
    alert.acknowledged_at = now or clock.utcnow()
    alert.acknowledged_by_id = user.id
    db.session.flush()
    old, new = _changed(before, _snapshot(alert))
    record("alert.acknowledge", alert, actor=user, before=old, after=new)


def _close(alert: Alert, user: User, status: str, now: datetime) -> None:
    alert.status = status
    alert.closed_at = now
    alert.closed_by_id = user.id
    alert.open_key = None


def resolve(
    alert: Alert,
    user: User,
    *,
    note: dict[str, Any] | None = None,
    intervention: str = "",
    allowed_owner_ids: Iterable[int] = (),
    today: date | None = None,
    now: datetime | None = None,
) -> None:
    """Resolve an open or acknowledged alert.

    An alert about a student is resolved with a follow-up note in the student's file (its
    ``note_type``, ``reason``, ``summary``, ``action``, ``owner_id``, ``due_on``, ``visibility``;
    held today); the alert keeps the note's id. An alert about a whole cohort is resolved with
    the description of the intervention, kept in ``evidence["resolution"]`` and the audit log.

    :param note: the note's fields (student alerts).
    :param intervention: what was done (cohort alerts).
    :param allowed_owner_ids: who may own the note's action (the cohort's teachers, the region's
        coordinators, the person resolving).
    :raises ServiceError: (409) the alert is closed; (422) no note or intervention, or a note the
        follow-up rules refuse (the message names the field).
    """
    _must_be_open(alert)
    today = today or clock.today()
    now = now or clock.utcnow()
    before = _snapshot(alert)
    if alert.student_id is None:
        text = (intervention or "").strip()
        if not text:
            raise ServiceError(
                _("Décrivez l'intervention faite pour résoudre cette alerte."), "intervention"
            )
        if len(text) > MAX_TEXT:
            raise ServiceError(_("2 000 caractères au maximum."), "intervention")
        _close(alert, user, "resolved", now)
        alert.evidence = {
            **(alert.evidence or {}),
            "resolution": {"intervention": text, "by": user.id, "at": now.isoformat()},
        }
        db.session.flush()
        old, new = _changed(before, _snapshot(alert))
        record("alert.resolve", alert, actor=user, before=old, after={**new, "intervention": text})
        return
    if not note:
        raise ServiceError(_("Une alerte se résout par une note de suivi."), "summary")
    created = add_note(
        alert.student_id,
        alert.cohort_id,
        user,
        note_type=note.get("note_type", ""),
        reason=note.get("reason", ""),
        held_on=note.get("held_on") or today,
        summary=note.get("summary") or "",
        action=note.get("action") or "",
        owner_id=note.get("owner_id"),
        due_on=note.get("due_on"),
        visibility=note.get("visibility") or "team",
        allowed_owner_ids=allowed_owner_ids,
        today=today,
    )
    _close(alert, user, "resolved", now)
    alert.resolution_note_id = created.id
    db.session.flush()
    old, new = _changed(before, _snapshot(alert))
    record("alert.resolve", alert, actor=user, before=old, after=new)


def dismiss(alert: Alert, user: User, reason: str, *, now: datetime | None = None) -> None:
    """Dismiss an open or acknowledged alert, with the reason why it needs no action.

    :raises ServiceError: (409) the alert is closed; (422) an empty or too long reason.
    """
    _must_be_open(alert)
    text = (reason or "").strip()
    if not text:
        raise ServiceError(_("Indiquez pourquoi cette alerte est écartée."), "reason")
    if len(text) > MAX_TEXT:
        raise ServiceError(_("2 000 caractères au maximum."), "reason")
    before = _snapshot(alert)
    _close(alert, user, "dismissed", now or clock.utcnow())
    alert.dismiss_reason = text
    db.session.flush()
    old, new = _changed(before, _snapshot(alert))
    record("alert.dismiss", alert, actor=user, before=old, after=new)


# --- rule settings -----------------------------------------------------------------------------


def save_programme_rules(
    settings: dict[str, tuple[bool, dict[str, Any]]],
    *,
    actor: User,
    rows: dict[tuple[str, int | None], AlertRuleSetting],
) -> bool:
    """Save the programme-wide on/off and thresholds of the rules in ``settings`` (by rule
    code); a threshold equal to the rule's default is not kept.

    :param rows: the saved settings (:func:`lms.alerts.queries.rule_settings`).
    :returns: whether anything changed.
    """
    changed = False
    for code, (enabled, params) in settings.items():
        defaults = RULES[code].defaults
        changed |= save_rule_setting(
            code,
            None,
            enabled=enabled,
            params={k: v for k, v in params.items() if v != defaults[k]},
            actor=actor,
            current=rows.get((code, None)),
        )
    return changed


def save_course_rule(
    code: str,
    course_id: int,
    *,
    enabled: bool,
    params: dict[str, Any],
    actor: User,
    current: AlertRuleSetting | None,
    general_enabled: bool,
) -> bool:
    """Save a course's own setting of a rule: ``params`` holds only the thresholds it sets.

    :param general_enabled: whether the rule is on programme-wide.
    :returns: ``False`` when the course has no setting of its own and this one would say
        nothing more than the programme-wide one (nothing is saved).
    """
    if current is None and not params and enabled == general_enabled:
        return False
    save_rule_setting(code, course_id, enabled=enabled, params=params, actor=actor, current=current)
    return True


def save_rule_setting(
    code: str,
    course_id: int | None,
    *,
    enabled: bool,
    params: dict[str, Any],
    actor: User,
    current: AlertRuleSetting | None = None,
) -> bool:
    """Save a rule's on/off and thresholds, programme-wide (``course_id`` None) or for a course.

    A course override keeps only the thresholds it sets; the others follow the programme-wide
    setting. Values are validated by the form (see :mod:`lms.alerts.forms`).

    :param current: the existing row for (code, course), if any (read by the caller).
    :returns: whether anything changed.
    :raises KeyError: an unknown rule or parameter.
    """
    rule = RULES[code]
    unknown = set(params) - set(rule.defaults)
    if unknown:
        raise KeyError(f"unknown parameters of {code}: {sorted(unknown)}")
    before = None if current is None else {"enabled": current.enabled, "params": current.params}
    after = {"enabled": bool(enabled), "params": dict(params)}
    if before == after or (before is None and course_id is None and enabled and not params):
        return False  # nothing changed, or a programme-wide row equal to the defaults
    if current is None:
        current = AlertRuleSetting(rule_code=code, course_id=course_id)
        db.session.add(current)
    current.enabled = bool(enabled)
    current.params = dict(params)
    current.updated_at = clock.utcnow()
    db.session.flush()
    record(
        "alert_rule.update" if before else "alert_rule.create",
        current,
        actor=actor,
        before=before,
        after={"rule_code": code, "course_id": course_id, **after},
    )
    return True


def clear_rule_override(current: AlertRuleSetting, actor: User) -> None:
    """Remove a course's override: the course follows the programme-wide setting again."""
    before = {
        "rule_code": current.rule_code,
        "course_id": current.course_id,
        "enabled": current.enabled,
        "params": current.params,
    }
    record("alert_rule.delete", current, actor=actor, before=before, after=None)
    db.session.delete(current)
    db.session.flush()


# --- notifications -----------------------------------------------------------------------------


def mark_notifications_read(user: User) -> None:
    """Mark all of ``user``'s unread notifications as read, now."""
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.utcnow())
        .execution_options(synchronize_session=False)
    )
