"""The alert rules. Each rule is a small documented unit: a code, a severity, default
thresholds, one set-based finder over all ongoing cohorts at once (a fixed number of queries,
whatever the number of students), and a French description of its evidence.

A finder returns :class:`Finding` objects; the engine opens, keeps or clears alerts from them.
Thresholds come from ``params(course_id)``: the programme-wide setting, or a course override.
The rules live by family (attendance, online work, follow-up, withdrawals); higher features add
theirs with :func:`register_rule`.
"""

from __future__ import annotations

from lms.alerts.rules import attendance, followup, online, withdrawals
from lms.alerts.rules.base import CohortInfo, Finding, Rule, ScanContext, active_pairs

__all__ = [
    "RULES",
    "CohortInfo",
    "Finding",
    "Rule",
    "ScanContext",
    "active_pairs",
    "register_rule",
]

# In the order the rules pages list them.
RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        attendance.LOW_ATTENDANCE,
        attendance.ABSENCE_STREAK,
        attendance.REPEATED_LATENESS,
        online.NO_ONLINE_ACTIVITY,
        online.LOW_SCORES,
        online.BEHIND_PLAN,
        followup.NO_LEVEL_GAIN,
        followup.INTERVIEW_OVERDUE,
        attendance.ATTENDANCE_NOT_TAKEN,
        online.PRODUCTIONS_UNGRADED,
        withdrawals.WITHDRAWAL_WITHOUT_EXIT,
    )
}


def register_rule(rule: Rule) -> None:
    """Add a rule of a higher feature (quality registers its overdue corrective actions): the
    alerts feature imports none of them. Registering the same code again replaces it."""
    RULES[rule.code] = rule
