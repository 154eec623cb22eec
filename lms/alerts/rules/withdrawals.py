"""Alert rule on withdrawals: a withdrawal without an exit follow-up. It needs no ongoing
cohort: a withdrawn student's cohort may have ended."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.alerts.rules.base import Finding, Rule, ScanContext, short_date
from lms.catalog.models import Cohort, Enrolment
from lms.extensions import db
from lms.followup.queries.end_of_course import ExitCase, exit_followups
from lms.followup.rules import withdrawn_between


def find_withdrawal_without_exit(ctx: ScanContext, code: str) -> list[Finding]:
    """Withdrawals of the last 60 days without an exit follow-up done or under way today
    (:func:`lms.followup.rules.exit_followup`)."""
    rows = db.session.execute(
        select(Enrolment.student_id, Enrolment.cohort_id, Enrolment.end_on, Cohort.course_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(withdrawn_between(ctx.today - timedelta(days=60), ctx.today))
    ).all()
    rows = [r for r in rows if ctx.enabled(code, r.course_id)]
    checks = exit_followups(
        {(r.student_id, r.cohort_id): ExitCase(r.student_id, r.end_on, ctx.today) for r in rows}
    )
    findings = []
    for student_id, cohort_id, end_on, _course in rows:
        check = checks[(student_id, cohort_id)]
        if not check.ok:
            findings.append(
                Finding(
                    cohort_id,
                    {
                        "withdrawn_on": end_on.isoformat(),
                        "exit_due": check.overdue_due_on and check.overdue_due_on.isoformat(),
                    },
                    student_id,
                )
            )
    return findings


def describe_withdrawal_without_exit(e: dict) -> str:
    if e["exit_due"]:
        return _(
            "Abandon le %(day)s : le suivi de départ prévu pour le %(due)s n'est pas fait.",
            day=short_date(e["withdrawn_on"]),
            due=short_date(e["exit_due"]),
        )
    return _("Abandon le %(day)s sans suivi de départ.", day=short_date(e["withdrawn_on"]))


WITHDRAWAL_WITHOUT_EXIT = Rule(
    "withdrawal_without_exit",
    _l("Abandon sans suivi de départ"),
    _l("Un abandon récent n'a pas de suivi de départ fait ou en cours."),
    "critical",
    "student",
    {},
    {},
    find_withdrawal_without_exit,
    describe_withdrawal_without_exit,
    needs_cohorts=False,
)
