"""Students at risk in a cohort: a transparent score from attendance, results, online activity
and open alerts, each component with its points and its reason (5 queries per cohort)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import case, func, select, union_all

from lms.alerts.models import Alert
from lms.alerts.vocab import OPEN_STATUSES
from lms.attendance.models import AttendanceDay, AttendanceRecord
from lms.auth.models import User
from lms.catalog.models import Cohort, Enrolment
from lms.clock import QUEBEC, local_date
from lms.extensions import db
from lms.learning.models import Attempt, Production

ATTENDANCE_DAYS = 10
RESULTS_DAYS = 14
SEVERITY_POINTS = {"critical": 3, "warning": 2, "info": 1}
HIGH, MEDIUM = 6, 3  # total points from which the risk is high / medium


@dataclass
class RiskComponent:
    key: str  # attendance, results, activity, progress
    text: str  # the reason, in French
    points: int


@dataclass
class StudentRisk:
    student_id: int
    name: str
    components: list[RiskComponent] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(c.points for c in self.components)

    @property
    def level(self) -> str:
        if self.total >= HIGH:
            return "high"
        if self.total >= MEDIUM:
            return "medium"
        return "low"


def attendance_points(rate: float) -> int:
    for limit, points in ((0.6, 4), (0.7, 3), (0.8, 2), (0.9, 1)):
        if rate < limit:
            return points
    return 0


def results_points(mean: float) -> int:
    return 2 if mean < 0.5 else 1 if mean < 0.7 else 0


def activity_points(days: int) -> int:
    return 2 if days >= 7 else 1 if days >= 4 else 0


def _pct(value: float) -> str:
    return f"{round(value * 100)} %"


def at_risk(cohort: Cohort, today: date) -> list[StudentRisk]:
    """The cohort's active students ranked by a transparent risk score (5 queries).

    Components, each with its points and its reason:

    - attendance: rate over the cohort's last 10 days with attendance taken (justified absences
      count as attended);
    - results: mean score of the exercises of the last 14 days;
    - online activity: days since the last exercise or production;
    - progress: the student's open alerts in this cohort, by severity.
    """
    active = (
        select(Enrolment.student_id)
        .where(
            Enrolment.cohort_id == cohort.id,
            Enrolment.active_on(today),
        )
        .scalar_subquery()
    )
    students = db.session.execute(
        select(User.id, User.name, func.min(Enrolment.start_on))
        .join(Enrolment, Enrolment.student_id == User.id)
        .where(
            Enrolment.cohort_id == cohort.id,
            Enrolment.active_on(today),
        )
        .group_by(User.id, User.name)
    ).all()
    if not students:
        return []

    taken = (
        select(AttendanceDay.day)
        .where(AttendanceDay.cohort_id == cohort.id, AttendanceDay.day <= today)
        .order_by(AttendanceDay.day.desc())
        .limit(ATTENDANCE_DAYS)
        .subquery()
    )
    attended_expr = case(
        (AttendanceRecord.status == "justified", AttendanceRecord.scheduled_minutes),
        else_=AttendanceRecord.attended_minutes,
    )
    attendance = {
        student_id: (days, scheduled, attended)
        for student_id, days, scheduled, attended in db.session.execute(
            select(
                AttendanceRecord.student_id,
                func.count(AttendanceRecord.id),
                func.sum(AttendanceRecord.scheduled_minutes),
                func.sum(attended_expr),
            )
            .where(
                AttendanceRecord.cohort_id == cohort.id,
                AttendanceRecord.day.in_(select(taken.c.day)),
                AttendanceRecord.student_id.in_(active),
            )
            .group_by(AttendanceRecord.student_id)
        )
    }

    since = datetime.combine(today - timedelta(days=RESULTS_DAYS), time.min, QUEBEC)
    results = {
        student_id: (count, mean)
        for student_id, count, mean in db.session.execute(
            select(Attempt.student_id, func.count(Attempt.id), func.avg(Attempt.score))
            .where(Attempt.student_id.in_(active), Attempt.created_at >= since)
            .group_by(Attempt.student_id)
        )
    }

    moments = union_all(
        select(Attempt.student_id.label("student_id"), Attempt.created_at.label("at")).where(
            Attempt.student_id.in_(active)
        ),
        select(Production.student_id, Production.submitted_at).where(
            Production.student_id.in_(active)
        ),
    ).subquery()
    last_activity = {
        student_id: at
        for student_id, at in db.session.execute(
            select(moments.c.student_id, func.max(moments.c.at)).group_by(moments.c.student_id)
        )
    }

    alerts: dict[int, dict[str, int]] = defaultdict(dict)
    for student_id, severity, count in db.session.execute(
        select(Alert.student_id, Alert.severity, func.count(Alert.id))
        .where(
            Alert.cohort_id == cohort.id,
            Alert.status.in_(OPEN_STATUSES),
            Alert.student_id.is_not(None),
        )
        .group_by(Alert.student_id, Alert.severity)
    ):
        alerts[student_id][severity] = count

    ranked = []
    for student_id, name, start_on in students:
        risk = StudentRisk(student_id, name)
        risk.components.append(_attendance(attendance.get(student_id)))
        risk.components.append(_results(results.get(student_id)))
        risk.components.append(_activity(last_activity.get(student_id), start_on, today))
        risk.components.extend(_progress(alerts.get(student_id, {})))
        ranked.append(risk)
    ranked.sort(key=lambda r: (-r.total, r.name))
    return ranked


def _attendance(row: tuple[int, int, int] | None) -> RiskComponent:
    if row is None or not row[1]:
        return RiskComponent("attendance", _("Aucune présence saisie"), 0)
    days, scheduled, attended = row
    rate = (attended or 0) / scheduled
    return RiskComponent(
        "attendance",
        ngettext(
            "Présence %(rate)s (%(num)s jour saisi)",
            "Présence %(rate)s (%(num)s derniers jours saisis)",
            days,
            rate=_pct(rate),
        ),
        attendance_points(rate),
    )


def _results(row: tuple[int, Any] | None) -> RiskComponent:
    if row is None or not row[0]:
        return RiskComponent(
            "results", _("Aucun exercice fait depuis %(days)s jours", days=RESULTS_DAYS), 0
        )
    count, mean = row
    return RiskComponent(
        "results",
        ngettext(
            "Moyenne des exercices %(mean)s (%(num)s essai en %(days)s jours)",
            "Moyenne des exercices %(mean)s (%(num)s essais en %(days)s jours)",
            count,
            mean=_pct(float(mean)),
            days=RESULTS_DAYS,
        ),
        results_points(float(mean)),
    )


def _activity(last: datetime | None, start_on: date, today: date) -> RiskComponent:
    if last is None:
        days = max((today - start_on).days, 0)
        return RiskComponent(
            "activity",
            ngettext(
                "Aucune activité en ligne depuis le début du cours (%(num)s jour)",
                "Aucune activité en ligne depuis le début du cours (%(num)s jours)",
                days,
            ),
            activity_points(days),
        )
    days = max((today - local_date(last)).days, 0)
    if days == 0:
        text = _("Activité en ligne aujourd'hui")
    elif activity_points(days) == 0:
        text = ngettext(
            "Dernière activité en ligne hier",
            "Dernière activité en ligne il y a %(num)s jours",
            days,
        )
    else:
        text = ngettext(
            "Aucune activité en ligne depuis %(num)s jour",
            "Aucune activité en ligne depuis %(num)s jours",
            days,
        )
    return RiskComponent("activity", text, activity_points(days))


def _progress(counts: dict[str, int]) -> list[RiskComponent]:
    if not counts:
        return [RiskComponent("progress", _("Aucune alerte ouverte"), 0)]
    texts = {
        "critical": lambda n: ngettext(
            "%(num)s alerte critique ouverte", "%(num)s alertes critiques ouvertes", n
        ),
        "warning": lambda n: ngettext(
            "%(num)s alerte « attention » ouverte", "%(num)s alertes « attention » ouvertes", n
        ),
        "info": lambda n: ngettext(
            "%(num)s alerte « info » ouverte", "%(num)s alertes « info » ouvertes", n
        ),
    }
    return [
        RiskComponent("progress", texts[severity](counts[severity]), SEVERITY_POINTS[severity] * n)
        for severity, n in ((s, counts.get(s, 0)) for s in ("critical", "warning", "info"))
        if n
    ]
