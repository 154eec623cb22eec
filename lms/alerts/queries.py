"""Read-only queries for the alert pages: set-based, a fixed number of queries per page whatever
the number of rows shown."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import case, func, select, union_all

from lms.access import visible_cohort_ids
from lms.alerts.models import Alert, AlertRuleSetting, Notification, OutboxMessage
from lms.alerts.rules import RULES
from lms.alerts.vocab import CLOSED_STATUSES, OPEN_STATUSES
from lms.attendance.models import AttendanceDay, AttendanceRecord
from lms.auth.models import Role, User
from lms.catalog.models import (
    Cohort,
    Course,
    Enrolment,
    Site,
)
from lms.clock import QUEBEC, local_date
from lms.extensions import db
from lms.followup.models import FollowUpNote
from lms.learning.models import Attempt, Production

PAGE = 50


# --- the inbox ---------------------------------------------------------------------------------


@dataclass
class InboxFilters:
    status: str = "open"  # open (open + acknowledged), all, closed
    severity: str | None = None
    rule: str | None = None
    cohort_id: int | None = None
    escalated: bool = False


@dataclass
class InboxRow:
    alert: Alert
    student_name: str | None
    cohort_code: str


def _scoped(user: User, stmt=None):
    """``stmt`` (default: the alert ids) limited to the alerts of ``user``'s cohorts."""
    stmt = select(Alert.id) if stmt is None else stmt
    if user.role != Role.ADMIN:
        stmt = stmt.where(Alert.cohort_id.in_(visible_cohort_ids(user)))
    return stmt


def _filtered(stmt, filters: InboxFilters):
    if filters.status == "open":
        stmt = stmt.where(Alert.status.in_(OPEN_STATUSES))
    elif filters.status == "closed":
        stmt = stmt.where(Alert.status.in_(CLOSED_STATUSES))
    if filters.severity:
        stmt = stmt.where(Alert.severity == filters.severity)
    if filters.rule:
        stmt = stmt.where(Alert.rule_code == filters.rule)
    if filters.cohort_id:
        stmt = stmt.where(Alert.cohort_id == filters.cohort_id)
    if filters.escalated:
        stmt = stmt.where(Alert.escalated_at.is_not(None))
    return stmt


def inbox(user: User, filters: InboxFilters, page: int) -> tuple[list[InboxRow], int]:
    """The alerts in ``user``'s scope that match ``filters``, newest first (2 queries)."""
    total = db.session.scalar(_filtered(_scoped(user, select(func.count(Alert.id))), filters)) or 0
    rows = db.session.execute(
        _filtered(
            _scoped(
                user,
                select(Alert, User.name, Cohort.code)
                .join(Cohort, Cohort.id == Alert.cohort_id)
                .outerjoin(User, User.id == Alert.student_id),
            ),
            filters,
        )
        .order_by(Alert.opened_at.desc(), Alert.id.desc())
        .limit(PAGE)
        .offset((page - 1) * PAGE)
    ).all()
    return [InboxRow(alert, name, code) for alert, name, code in rows], total


def inbox_cohorts(user: User) -> list[tuple[int, str]]:
    """The cohorts that have alerts in ``user``'s scope, for the inbox's filter."""
    stmt = select(Cohort.id, Cohort.code).where(
        Cohort.id.in_(_scoped(user, select(Alert.cohort_id).distinct()))
    )
    return [(cid, code) for cid, code in db.session.execute(stmt.order_by(Cohort.code))]


# --- one alert ---------------------------------------------------------------------------------


@dataclass
class AlertDetail:
    alert: Alert
    cohort: Cohort
    course_code: str
    region_id: int
    names: dict[int, str]
    note: FollowUpNote | None

    def name(self, user_id: int | None) -> str:
        return self.names.get(user_id, "") if user_id else ""


def alert_detail(alert: Alert) -> AlertDetail:
    """Everything the alert page shows (3 queries)."""
    cohort, course_code, region_id = db.session.execute(
        select(Cohort, Course.code, Site.region_id)
        .join(Course, Course.id == Cohort.course_id)
        .join(Site, Site.id == Cohort.site_id)
        .where(Cohort.id == alert.cohort_id)
    ).one()
    note = (
        db.session.get(FollowUpNote, alert.resolution_note_id) if alert.resolution_note_id else None
    )
    people = {
        alert.student_id,
        alert.acknowledged_by_id,
        alert.closed_by_id,
        note.owner_id if note else None,
        note.author_id if note else None,
    } - {None}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(people))).all())
    return AlertDetail(alert, cohort, course_code, region_id, names, note)


# --- rules -------------------------------------------------------------------------------------


def courses() -> list[Course]:
    return list(db.session.scalars(select(Course).order_by(Course.code)))


def rule_settings(code: str | None = None) -> dict[tuple[str, int | None], AlertRuleSetting]:
    """The saved settings rows, by (rule code, course id or None)."""
    stmt = select(AlertRuleSetting)
    if code is not None:
        stmt = stmt.where(AlertRuleSetting.rule_code == code)
    return {(row.rule_code, row.course_id): row for row in db.session.scalars(stmt)}


def effective_rule(code: str, rows: dict) -> tuple[bool, dict[str, Any]]:
    """Programme-wide on/off and thresholds of a rule (its defaults where nothing is saved)."""
    row = rows.get((code, None))
    params = dict(RULES[code].defaults)
    if row is not None:
        params.update(row.params or {})
    return (row.enabled if row is not None else True), params


@dataclass
class RuleCourses:
    """One rule's page of course settings: the programme-wide setting, the courses that have
    their own, and the course asked for (``None``: none chosen yet) with its own setting."""

    courses: list[Course]
    general_enabled: bool
    general: dict[str, Any]
    existing: list[Course]
    course: Course | None = None
    override: AlertRuleSetting | None = None


def rule_courses(code: str, course_id: int | None) -> RuleCourses:
    """:raises KeyError: an unknown rule."""
    courses_ = courses()
    rows = rule_settings(code)
    enabled, general = effective_rule(code, rows)
    by_id = {c.id: c for c in courses_}
    existing = [by_id[cid] for (_code, cid) in rows if cid is not None and cid in by_id]
    page = RuleCourses(courses_, enabled, general, sorted(existing, key=lambda c: c.code))
    page.course = by_id.get(course_id) if course_id is not None else None
    if page.course is not None:
        page.override = rows.get((code, page.course.id))
    return page


# --- notifications and outbox ------------------------------------------------------------------


def notifications(user_id: int, page: int) -> tuple[list[Notification], int]:
    base = select(Notification).where(Notification.user_id == user_id)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = list(
        db.session.scalars(
            base.order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(PAGE)
            .offset((page - 1) * PAGE)
        )
    )
    return rows, total


def unread_count(user_id: int) -> int:
    """The nav badge: the user's unread notifications (1 query, on the (user_id, read_at)
    index)."""
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def outbox(page: int) -> tuple[list[OutboxMessage], int]:
    total = db.session.scalar(select(func.count(OutboxMessage.id))) or 0
    rows = list(
        db.session.scalars(
            select(OutboxMessage)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(PAGE)
            .offset((page - 1) * PAGE)
        )
    )
    return rows, total


# --- students at risk --------------------------------------------------------------------------

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
