"""Alerts in the follow-up pages: the student's timeline and the cohort dashboard's column.

Registered on the follow-up feature's extension points (follow-up does not import alerts)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.alerts.models import Alert
from lms.alerts.rules import RULES
from lms.alerts.vocab import OPEN_STATUSES, SEVERITY_SYMBOLS
from lms.catalog.models import Cohort
from lms.clock import QUEBEC
from lms.extensions import db
from lms.followup.queries.dashboard import register_open_alert_counter
from lms.followup.queries.timeline import TimelineEvent, register_timeline_source


def alert_events(student_id: int, limit: int) -> list[TimelineEvent]:
    """The student's alerts, newest first (one query)."""
    rows = db.session.execute(
        select(Alert, Cohort.code)
        .join(Cohort, Cohort.id == Alert.cohort_id)
        .where(Alert.student_id == student_id)
        .order_by(Alert.opened_at.desc(), Alert.id.desc())
        .limit(limit + 1)
    ).all()
    events = []
    for alert, code in rows:
        opened = alert.opened_at.astimezone(QUEBEC)
        status = _("ouverte") if alert.status in OPEN_STATUSES else _("fermée")
        events.append(
            TimelineEvent(
                opened.date(),
                "alert",
                SEVERITY_SYMBOLS.get(alert.severity, "•"),
                _(
                    "Alerte : %(rule)s (%(status)s)",
                    rule=RULES[alert.rule_code].title,
                    status=status,
                ),
                detail=RULES[alert.rule_code].describe(alert.evidence),
                cohort_code=code,
                at=opened.time().replace(microsecond=0),
                link=("alerts.detail", {"alert_id": alert.id}),
                link_cohort_id=alert.cohort_id,
            )
        )
    return events


def open_alert_counts(cohort_id: int, student_ids: list[int]) -> dict[int, int]:
    """Open alerts per student of a cohort (one query)."""
    if not student_ids:
        return {}
    return {
        student_id: count
        for student_id, count in db.session.execute(
            select(Alert.student_id, func.count(Alert.id))
            .where(
                Alert.cohort_id == cohort_id,
                Alert.student_id.in_(student_ids),
                Alert.open_key.is_not(None),
            )
            .group_by(Alert.student_id)
        )
    }


def register() -> None:
    register_timeline_source(alert_events)
    register_open_alert_counter(open_alert_counts)
