"""Read-only queries for the alert pages: set-based, a fixed number of queries per page whatever
the number of rows shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from lms.access import visible_cohort_ids
from lms.alerts.models import Alert, AlertRuleSetting, Notification
from lms.alerts.rules import RULES
from lms.alerts.vocab import CLOSED_STATUSES, OPEN_STATUSES
from lms.auth.models import Role, User
from lms.catalog.models import Cohort, Course, Site
from lms.extensions import db
from lms.followup.models import FollowUpNote

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


# --- notifications -----------------------------------------------------------------------------


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
