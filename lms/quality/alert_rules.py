"""The quality feature's alert rule: corrective actions past their due date.

Registered among the alert rules (:func:`lms.alerts.rules.register_rule`) when the application
is built; the alerts feature imports nothing of quality."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.alerts.rules import Finding, Rule, ScanContext, register_rule
from lms.quality.queries.actions import overdue_actions


def find_corrective_action_overdue(ctx: ScanContext, code: str) -> list[Finding]:
    """Open corrective actions of quality reviews past their due date; the alert goes to the
    action's owner (``evidence["owner_id"]``), not to the cohort's teachers."""
    findings = []
    for action_id, review_id, cohort_id, owner_id, due_on, description in overdue_actions(
        ctx.today
    ):
        if not ctx.enabled(code, _course_of(ctx, cohort_id)):
            continue
        findings.append(
            Finding(
                cohort_id,
                {
                    "action_id": action_id,
                    "review_id": review_id,
                    "owner_id": owner_id,
                    "due_on": due_on.isoformat(),
                    "description": description[:300],
                    "late_days": (ctx.today - due_on).days,
                },
                subject=f"action:{action_id}",
            )
        )
    return findings


def _course_of(ctx: ScanContext, cohort_id: int) -> int | None:
    info = ctx.cohorts.get(cohort_id)
    return info.course_id if info else None


def describe_corrective_action_overdue(e: dict) -> str:
    return _(
        "Mesure corrective en retard de %(late)s jours (échéance : %(due)s) : %(description)s",
        late=e["late_days"],
        due=format_date(date.fromisoformat(e["due_on"]), "d MMMM"),
        description=e["description"],
    )


CORRECTIVE_ACTION_OVERDUE = Rule(
    "corrective_action_overdue",
    _l("Mesure corrective en retard"),
    _l("Une mesure corrective d'un point de contrôle qualité a dépassé son échéance."),
    "warning",
    "action",
    {},
    {},
    find_corrective_action_overdue,
    describe_corrective_action_overdue,
    needs_cohorts=False,  # an action's cohort may have ended
)


def register() -> None:
    register_rule(CORRECTIVE_ACTION_OVERDUE)
