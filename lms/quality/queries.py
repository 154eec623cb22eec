"""Read-only queries for the quality pages: set-based, a fixed number of queries per page
whatever the number of cohorts, students or reviews shown.

Scope: every list is filtered with :func:`lms.access.visible_cohort_ids` (a coordinator sees
the cohorts of their regions, an admin all of them, a teacher their own cohorts).
"""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import String, and_, cast, extract, func, or_, select
from sqlalchemy.orm import aliased

from lms import clock
from lms.access import visible_cohort_ids, visible_student_ids
from lms.alerts.models import Alert, AlertRuleSetting
from lms.attendance.models import AttendanceDay, AttendanceRecord
from lms.audit.models import AuditLog
from lms.auth.models import Role, User
from lms.catalog.models import (
    Cohort,
    Course,
    Enrolment,
    EnrolmentStatus,
    Region,
    Site,
    enrolment_active_on,
)
from lms.extensions import db
from lms.followup.models import FollowUpNote, LevelAssessment, RemedialSession
from lms.followup.services import interview_due_on
from lms.learning.models import SKILLS, Production
from lms.programme.settings import get_setting
from lms.quality.criteria import end_of_day
from lms.quality.models import (
    CheckpointReview,
    CheckpointTemplate,
    CorrectiveAction,
    ReviewFinding,
    SurveyCompletion,
    SurveyResponse,
)

PAGE = 50
ANONYMITY_THRESHOLD = 5


# --- filter options -----------------------------------------------------------------------------


@dataclass
class ScopeOptions:
    regions: list[tuple[int, str]]
    sites: list[tuple[int, str]]
    courses: list[tuple[int, str]]


def scope_options(user: User) -> ScopeOptions:
    """The regions, sites and courses of the cohorts ``user`` may see (one query)."""
    rows = db.session.execute(
        select(Region.id, Region.name, Site.id, Site.name, Course.id, Course.code)
        .select_from(Cohort)
        .join(Site, Site.id == Cohort.site_id)
        .join(Region, Region.id == Site.region_id)
        .join(Course, Course.id == Cohort.course_id)
        .where(Cohort.id.in_(visible_cohort_ids(user)))
        .distinct()
    ).all()
    regions = sorted({(r[0], r[1]) for r in rows}, key=lambda x: x[1])
    sites = sorted({(r[2], r[3]) for r in rows}, key=lambda x: x[1])
    courses = sorted({(r[4], r[5]) for r in rows}, key=lambda x: x[1])
    return ScopeOptions(regions, sites, courses)


# --- the review list ----------------------------------------------------------------------------


@dataclass
class ReviewFilters:
    status: str | None = None  # due, signed
    region_id: int | None = None
    site_id: int | None = None
    course_id: int | None = None
    cohort_id: int | None = None


@dataclass
class ReviewRow:
    review: CheckpointReview
    template_name: str
    cohort_code: str
    course_code: str
    site_name: str
    region_name: str
    amended_by: int | None


def review_list(user: User, filters: ReviewFilters, page: int) -> tuple[list[ReviewRow], int]:
    """The reviews of the cohorts in ``user``'s scope: the ones to do first (oldest due date
    first), then the signed ones (latest first). Two queries."""
    amendment = aliased(CheckpointReview)
    amended_by = (
        select(func.min(amendment.id))
        .where(amendment.amends_id == CheckpointReview.id)
        .correlate(CheckpointReview)
        .scalar_subquery()
    )
    base = (
        select(CheckpointReview.id)
        .join(Cohort, Cohort.id == CheckpointReview.cohort_id)
        .join(Site, Site.id == Cohort.site_id)
        .where(CheckpointReview.cohort_id.in_(visible_cohort_ids(user)))
    )
    if filters.status:
        base = base.where(CheckpointReview.status == filters.status)
    if filters.region_id:
        base = base.where(Site.region_id == filters.region_id)
    if filters.site_id:
        base = base.where(Cohort.site_id == filters.site_id)
    if filters.course_id:
        base = base.where(Cohort.course_id == filters.course_id)
    if filters.cohort_id:
        base = base.where(Cohort.id == filters.cohort_id)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = db.session.execute(
        select(
            CheckpointReview,
            CheckpointTemplate.name,
            Cohort.code,
            Course.code,
            Site.name,
            Region.name,
            amended_by,
        )
        .join(CheckpointTemplate, CheckpointTemplate.id == CheckpointReview.template_id)
        .join(Cohort, Cohort.id == CheckpointReview.cohort_id)
        .join(Course, Course.id == Cohort.course_id)
        .join(Site, Site.id == Cohort.site_id)
        .join(Region, Region.id == Site.region_id)
        .where(CheckpointReview.id.in_(base))
        .order_by(
            (CheckpointReview.status == "signed").asc(),
            CheckpointReview.due_on.asc(),
            Cohort.code,
            CheckpointReview.id,
        )
        .limit(PAGE)
        .offset((page - 1) * PAGE)
    ).all()
    return [ReviewRow(*row) for row in rows], total


# --- one review ---------------------------------------------------------------------------------


@dataclass
class ActionRow:
    action: CorrectiveAction
    owner_name: str | None
    inherited: bool  # belongs to a review this one amends


@dataclass
class ReviewDetail:
    review: CheckpointReview
    template: CheckpointTemplate
    cohort: Cohort
    course: Course
    site: Site
    region: Region
    findings: dict[str, ReviewFinding]
    actions: list[ActionRow]
    sample: list[tuple[int, str]]
    names: dict[int, str]
    amends: CheckpointReview | None
    amended_by: CheckpointReview | None


def review_detail(review: CheckpointReview) -> ReviewDetail:
    """Everything the review page shows, in a fixed number of queries."""
    template, cohort, course, site, region = db.session.execute(
        select(CheckpointTemplate, Cohort, Course, Site, Region)
        .select_from(CheckpointReview)
        .join(Cohort, Cohort.id == CheckpointReview.cohort_id)
        .join(CheckpointTemplate, CheckpointTemplate.id == CheckpointReview.template_id)
        .join(Course, Course.id == Cohort.course_id)
        .join(Site, Site.id == Cohort.site_id)
        .join(Region, Region.id == Site.region_id)
        .where(CheckpointReview.id == review.id)
    ).one()
    related = list(
        db.session.scalars(
            select(CheckpointReview).where(
                or_(
                    CheckpointReview.amends_id == review.id,
                    CheckpointReview.id == review.amends_id,
                )
            )
        )
    )
    amends = next((r for r in related if r.id == review.amends_id), None)
    amended_by = min(
        (r for r in related if r.amends_id == review.id), key=lambda r: r.id, default=None
    )
    # The actions of this review and of the reviews it amends (chains are short: walk them
    # with the amends_id already known, one query per level).
    chain = [review.id]
    previous = review.amends_id
    while previous is not None:
        chain.append(previous)
        previous = db.session.scalar(
            select(CheckpointReview.amends_id).where(CheckpointReview.id == previous)
        )
    findings = {
        f.criterion: f
        for f in db.session.scalars(
            select(ReviewFinding).where(ReviewFinding.review_id == review.id)
        )
    }
    actions = list(
        db.session.scalars(
            select(CorrectiveAction)
            .where(CorrectiveAction.review_id.in_(chain))
            .order_by(CorrectiveAction.due_on, CorrectiveAction.id)
        )
    )
    people = {
        review.signed_by_id,
        review.sample_drawn_by_id,
        *(f.recorded_by_id for f in findings.values()),
        *(a.owner_id for a in actions),
        *(review.sample or []),
    } - {None}
    # Always one query, even with nobody to name: the page's count stays the same.
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(people))).all())
    sample = sorted(((sid, names.get(sid, "")) for sid in review.sample or []), key=lambda x: x[1])
    return ReviewDetail(
        review=review,
        template=template,
        cohort=cohort,
        course=course,
        site=site,
        region=region,
        findings=findings,
        actions=[ActionRow(a, names.get(a.owner_id), a.review_id != review.id) for a in actions],
        sample=sample,
        names=names,
        amends=amends,
        amended_by=amended_by,
    )


# --- corrective actions -------------------------------------------------------------------------


@dataclass
class ActionListRow:
    action: CorrectiveAction
    review: CheckpointReview
    template_name: str
    cohort_code: str
    owner_name: str | None


def action_list(user: User, status: str | None, mine_only: bool) -> list[ActionListRow]:
    """Corrective actions: those ``user`` owns, and for coordinators and admins those of the
    cohorts in their scope (unless ``mine_only``). One query."""
    owner = aliased(User)
    stmt = (
        select(CorrectiveAction, CheckpointReview, CheckpointTemplate.name, Cohort.code, owner.name)
        .join(CheckpointReview, CheckpointReview.id == CorrectiveAction.review_id)
        .join(CheckpointTemplate, CheckpointTemplate.id == CheckpointReview.template_id)
        .join(Cohort, Cohort.id == CheckpointReview.cohort_id)
        .outerjoin(owner, owner.id == CorrectiveAction.owner_id)
    )
    if mine_only or user.role == Role.TEACHER:
        stmt = stmt.where(CorrectiveAction.owner_id == user.id)
    else:
        stmt = stmt.where(
            or_(
                CorrectiveAction.owner_id == user.id,
                CheckpointReview.cohort_id.in_(visible_cohort_ids(user)),
            )
        )
    if status:
        stmt = stmt.where(CorrectiveAction.status == status)
    stmt = stmt.order_by(CorrectiveAction.due_on, CorrectiveAction.id).limit(500)
    return [ActionListRow(*row) for row in db.session.execute(stmt).all()]


# --- the quality dashboard ----------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included
    today: date

    @property
    def last(self) -> date:
        """The last day with data: the end, or today if earlier."""
        return min(self.end, self.today)

    def months(self) -> list[tuple[int, int]]:
        months = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months


@dataclass
class Metrics:
    """Raw counts, summed over cohorts, from which each indicator is a ratio (so that a region's
    figure is not an average of its cohorts' percentages)."""

    cohorts: int = 0
    scheduled_minutes: int = 0
    attended_minutes: int = 0
    enrolments: int = 0
    withdrawn: int = 0
    gain_sum: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SKILLS, 0))
    gain_count: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SKILLS, 0))
    assessments_due: int = 0
    assessments_on_time: int = 0
    cadence_checks: int = 0
    cadence_ok: int = 0
    alert_hours: list[float] = field(default_factory=list)
    reviews_due: int = 0
    reviews_ok: int = 0

    def add(self, other: Metrics) -> None:
        for name in (
            "cohorts",
            "scheduled_minutes",
            "attended_minutes",
            "enrolments",
            "withdrawn",
            "assessments_due",
            "assessments_on_time",
            "cadence_checks",
            "cadence_ok",
            "reviews_due",
            "reviews_ok",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for skill in SKILLS:
            self.gain_sum[skill] += other.gain_sum[skill]
            self.gain_count[skill] += other.gain_count[skill]
        self.alert_hours.extend(other.alert_hours)

    @staticmethod
    def _ratio(a: int, b: int) -> float | None:
        return a / b if b else None

    @property
    def attendance_rate(self) -> float | None:
        return self._ratio(self.attended_minutes, self.scheduled_minutes)

    @property
    def retention(self) -> float | None:
        return self._ratio(self.enrolments - self.withdrawn, self.enrolments)

    def gain(self, skill: str) -> float | None:
        return self._ratio(self.gain_sum[skill], self.gain_count[skill])

    @property
    def assessed_on_time(self) -> float | None:
        return self._ratio(self.assessments_on_time, self.assessments_due)

    @property
    def cadence(self) -> float | None:
        return self._ratio(self.cadence_ok, self.cadence_checks)

    @property
    def alert_median_hours(self) -> float | None:
        return statistics.median(self.alert_hours) if self.alert_hours else None

    @property
    def checkpoints(self) -> float | None:
        return self._ratio(self.reviews_ok, self.reviews_due)


@dataclass(frozen=True)
class CohortInfo:
    id: int
    code: str
    start_on: date
    end_on: date
    course_id: int
    course_code: str
    site_id: int
    site_name: str
    region_id: int
    region_name: str


@dataclass
class DashboardFilters:
    region_id: int | None = None
    site_id: int | None = None
    course_id: int | None = None
    cohort_id: int | None = None


@dataclass
class Row:
    key: int
    label: str
    metrics: Metrics
    info: CohortInfo | None = None  # cohort rows


@dataclass
class Dashboard:
    period: Period
    total: Metrics
    tables: dict[str, list[Row]]
    months: list[tuple[tuple[int, int], Metrics]]


def scoped_cohorts(user: User, filters: DashboardFilters, period: Period):
    """The ids of the cohorts in ``user``'s scope, matching the filters, that run during the
    period (a statement, used as a subquery by every dashboard query)."""
    stmt = (
        select(Cohort.id)
        .join(Site, Site.id == Cohort.site_id)
        .where(
            Cohort.id.in_(visible_cohort_ids(user)),
            Cohort.start_on <= period.end,
            Cohort.end_on >= period.start,
        )
    )
    if filters.region_id:
        stmt = stmt.where(Site.region_id == filters.region_id)
    if filters.site_id:
        stmt = stmt.where(Cohort.site_id == filters.site_id)
    if filters.course_id:
        stmt = stmt.where(Cohort.course_id == filters.course_id)
    if filters.cohort_id:
        stmt = stmt.where(Cohort.id == filters.cohort_id)
    return stmt


def _cohort_infos(scope) -> dict[int, CohortInfo]:
    rows = db.session.execute(
        select(
            Cohort.id,
            Cohort.code,
            Cohort.start_on,
            Cohort.end_on,
            Course.id,
            Course.code,
            Site.id,
            Site.name,
            Region.id,
            Region.name,
        )
        .join(Course, Course.id == Cohort.course_id)
        .join(Site, Site.id == Cohort.site_id)
        .join(Region, Region.id == Site.region_id)
        .where(Cohort.id.in_(scope))
    ).all()
    return {row[0]: CohortInfo(*row) for row in rows}


def _fridays(start: date, end: date) -> list[date]:
    day = start + timedelta(days=(4 - start.weekday()) % 7)
    days = []
    while day <= end:
        days.append(day)
        day += timedelta(days=7)
    return days


def _week_friday(start_on: date, week: int) -> date:
    week_start = start_on + timedelta(weeks=week - 1)
    return week_start + timedelta(days=(4 - week_start.weekday()) % 7)


Bucket = tuple[int, tuple[int, int], int | None]  # (cohort, month, student or None)


def collect(
    scope, period: Period, infos: dict[int, CohortInfo], *, by_student: bool = False
) -> dict[Bucket, Metrics]:
    """Every indicator's raw counts per cohort and month (and per student with
    ``by_student``): seven queries whatever the number of cohorts.

    Definitions (also printed under the dashboard):

    - attendance: minutes present over minutes scheduled, class days recorded in the period;
    - retention: enrolments running during the period not ended by a withdrawal in it;
    - level gain: per skill, the last end-of-course level (else the latest level) minus the
      placement level, for students with both, assessments up to the period's end;
    - assessed on time: assessment milestones falling in the period (placement 7 days after
      the enrolment's start, mid-course at the end of week 6, end of course on the last day)
      met in all 4 skills by their date, for students enrolled on that date;
    - follow-up cadence: on every Friday of the period, share of enrolled students whose
      interview is not overdue (programme cadence);
    - alert response: hours from opening to acknowledgement of the alerts opened in the
      period (median);
    - checkpoints: reviews due in the period whose latest signed version says « conforme » or
      « conforme avec actions ».
    """
    buckets: dict[Bucket, Metrics] = defaultdict(Metrics)

    def bucket(cohort_id: int, day: date, student_id: int | None = None) -> Metrics:
        return buckets[(cohort_id, (day.year, day.month), student_id if by_student else None)]

    # 1. Attendance, summed in the database per cohort and month (and student).
    year = extract("year", AttendanceRecord.day)
    month = extract("month", AttendanceRecord.day)
    columns = [AttendanceRecord.cohort_id, year, month]
    if by_student:
        columns.append(AttendanceRecord.student_id)
    for row in db.session.execute(
        select(
            *columns,
            func.sum(AttendanceRecord.scheduled_minutes),
            func.sum(AttendanceRecord.attended_minutes),
        )
        .where(
            AttendanceRecord.cohort_id.in_(scope),
            AttendanceRecord.day >= period.start,
            AttendanceRecord.day <= period.last,
        )
        .group_by(*columns)
    ):
        cohort_id, y, m = row[0], int(row[1]), int(row[2])
        student_id = row[3] if by_student else None
        metrics = buckets[(cohort_id, (y, m), student_id)]
        metrics.scheduled_minutes += int(row[-2] or 0)
        metrics.attended_minutes += int(row[-1] or 0)

    # 2. Enrolments running during the period.
    enrolments = db.session.execute(
        select(
            Enrolment.cohort_id,
            Enrolment.student_id,
            Enrolment.status,
            Enrolment.start_on,
            Enrolment.end_on,
        ).where(
            Enrolment.cohort_id.in_(scope),
            Enrolment.active_between(period.start, period.end),
        )
    ).all()
    for e in enrolments:
        info = infos[e.cohort_id]
        withdrawn = e.status == EnrolmentStatus.WITHDRAWN.value and e.end_on <= period.end
        day = e.end_on if withdrawn else max(e.start_on, period.start, info.start_on)
        metrics = bucket(e.cohort_id, min(day, period.end), e.student_id)
        metrics.enrolments += 1
        metrics.withdrawn += 1 if withdrawn else 0

    # 3. Level assessments of these cohorts up to the period's end.
    levels: dict[tuple[int, int, str], list[tuple[date, int, str, int]]] = defaultdict(list)
    first_of_kind: dict[tuple[int, int, str], dict[str, date]] = defaultdict(dict)
    for a in db.session.execute(
        select(
            LevelAssessment.id,
            LevelAssessment.cohort_id,
            LevelAssessment.student_id,
            LevelAssessment.skill,
            LevelAssessment.kind,
            LevelAssessment.level,
            LevelAssessment.assessed_on,
        ).where(LevelAssessment.cohort_id.in_(scope), LevelAssessment.assessed_on <= period.end)
    ):
        levels[(a.cohort_id, a.student_id, a.skill)].append((a.assessed_on, a.id, a.kind, a.level))
        seen = first_of_kind[(a.cohort_id, a.student_id, a.kind)]
        if a.skill not in seen or a.assessed_on < seen[a.skill]:
            seen[a.skill] = a.assessed_on
    for (cohort_id, student_id, skill), items in levels.items():
        items.sort()
        placement = next((lvl for _d, _i, kind, lvl in items if kind == "placement"), None)
        finals = [(d, lvl) for d, _i, kind, lvl in items if kind == "final"]
        later = [(d, lvl) for d, _i, kind, lvl in items if kind != "placement"]
        last = finals[-1] if finals else (later[-1] if later else None)
        if placement is None or last is None:
            continue
        metrics = bucket(cohort_id, max(min(last[0], period.end), period.start), student_id)
        metrics.gain_sum[skill] += last[1] - placement
        metrics.gain_count[skill] += 1

    # Assessment milestones, for students enrolled on their date.
    for e in enrolments:
        info = infos[e.cohort_id]
        milestones = [("placement", max(e.start_on, info.start_on) + timedelta(days=7))]
        if _week_friday(info.start_on, 6) <= info.end_on:
            milestones.append(("mid", _week_friday(info.start_on, 6)))
        milestones.append(("final", info.end_on))
        for kind, deadline in milestones:
            if not period.start <= deadline <= period.last:
                continue
            if not enrolment_active_on(e.start_on, e.end_on, deadline):
                continue
            metrics = bucket(e.cohort_id, deadline, e.student_id)
            metrics.assessments_due += 1
            seen = first_of_kind.get((e.cohort_id, e.student_id, kind), {})
            if all(skill in seen and seen[skill] <= deadline for skill in SKILLS):
                metrics.assessments_on_time += 1

    # 4. Follow-up interviews: the cadence, checked every Friday of the period.
    cadence = int(get_setting("interview_cadence_days"))
    interviews: dict[int, list[date]] = defaultdict(list)
    for student_id, held_on in db.session.execute(
        select(FollowUpNote.student_id, FollowUpNote.held_on)
        .where(
            FollowUpNote.note_type == "entretien",
            FollowUpNote.held_on <= period.last,
            FollowUpNote.student_id.in_(
                select(Enrolment.student_id).where(Enrolment.cohort_id.in_(scope))
            ),
        )
        .order_by(FollowUpNote.student_id, FollowUpNote.held_on)
    ):
        interviews[student_id].append(held_on)
    fridays = _fridays(period.start, period.last)
    for e in enrolments:
        info = infos[e.cohort_id]
        held = interviews.get(e.student_id, [])
        for friday in fridays:
            if not info.start_on <= friday <= info.end_on:
                continue
            if not enrolment_active_on(e.start_on, e.end_on, friday):
                continue
            index = bisect_right(held, friday)
            last = held[index - 1] if index else None
            metrics = bucket(e.cohort_id, friday, e.student_id)
            metrics.cadence_checks += 1
            if friday <= interview_due_on(last, e.start_on, cadence):
                metrics.cadence_ok += 1

    # 5. Alert response: opened in the period, acknowledged.
    for cohort_id, student_id, opened_at, acknowledged_at in db.session.execute(
        select(Alert.cohort_id, Alert.student_id, Alert.opened_at, Alert.acknowledged_at).where(
            Alert.cohort_id.in_(scope),
            Alert.opened_at >= end_of_day(period.start - timedelta(days=1)),
            Alert.opened_at < end_of_day(period.end),
            Alert.acknowledged_at.is_not(None),
        )
    ):
        hours = (acknowledged_at - opened_at).total_seconds() / 3600
        bucket(cohort_id, clock.local_date(opened_at), student_id).alert_hours.append(
            round(hours, 2)
        )

    # 6. Checkpoints due in the period: the latest signed version of each original review.
    reviews = db.session.execute(
        select(
            CheckpointReview.id,
            CheckpointReview.cohort_id,
            CheckpointReview.amends_id,
            CheckpointReview.origin_key,
            CheckpointReview.due_on,
            CheckpointReview.status,
            CheckpointReview.verdict,
        ).where(
            CheckpointReview.cohort_id.in_(scope),
            CheckpointReview.due_on >= period.start,
            CheckpointReview.due_on <= period.last,
        )
    ).all()
    next_of = {r.amends_id: r for r in reviews if r.amends_id is not None}
    for review in reviews:
        if review.origin_key is None:
            continue
        verdict, current = None, review
        while current is not None:
            if current.status == "signed":
                verdict = current.verdict
            current = next_of.get(current.id)
        metrics = bucket(review.cohort_id, review.due_on)
        metrics.reviews_due += 1
        if verdict in ("conforme", "conforme_avec_actions"):
            metrics.reviews_ok += 1
    return buckets


def dashboard(user: User, filters: DashboardFilters, period: Period) -> Dashboard:
    """The quality dashboard: indicators per region, site, course and cohort, and per month.
    A fixed number of queries (eight) whatever the number of cohorts."""
    scope = scoped_cohorts(user, filters, period)
    infos = _cohort_infos(scope)
    buckets = collect(scope, period, infos) if infos else {}
    per_cohort: dict[int, Metrics] = {cid: Metrics(cohorts=1) for cid in infos}
    per_month: dict[tuple[int, int], Metrics] = {m: Metrics() for m in period.months()}
    total = Metrics()
    for (cohort_id, month, _student), metrics in buckets.items():
        per_cohort[cohort_id].add(metrics)
        if month in per_month:
            per_month[month].add(metrics)
    groups: dict[str, dict[int, Row]] = {"regions": {}, "sites": {}, "courses": {}}
    cohort_rows = []
    for cohort_id, metrics in per_cohort.items():
        info = infos[cohort_id]
        total.add(metrics)
        for table, key, text in (
            ("regions", info.region_id, info.region_name),
            ("sites", info.site_id, info.site_name),
            ("courses", info.course_id, info.course_code),
        ):
            row = groups[table].setdefault(key, Row(key, text, Metrics()))
            row.metrics.add(metrics)
        cohort_rows.append(Row(cohort_id, info.code, metrics, info))
    tables = {name: sorted(rows.values(), key=lambda r: r.label) for name, rows in groups.items()}
    tables["cohorts"] = sorted(
        cohort_rows, key=lambda r: (r.info.region_name, r.info.site_name, r.label)
    )
    return Dashboard(period, total, tables, sorted(per_month.items()))


# --- the cohort's quality report ----------------------------------------------------------------


@dataclass
class StudentRow:
    student_id: int
    name: str
    status: str
    start_on: date
    end_on: date | None
    metrics: Metrics
    placement: dict[str, int | None]
    latest: dict[str, int | None]
    last_interview: date | None


@dataclass
class ReportReview:
    review: CheckpointReview
    template_name: str
    signed_by: str | None
    amended_by: int | None
    actions: list[tuple[CorrectiveAction, str | None]]


@dataclass
class CohortReport:
    info: CohortInfo
    period: Period
    metrics: Metrics
    students: list[StudentRow]
    reviews: list[ReportReview]
    teachers: list[str]
    survey_answers: int


def cohort_report(cohort_id: int, today: date) -> CohortReport:
    """The printable quality report of one cohort, over its whole run so far (a fixed number of
    queries whatever the number of students)."""
    from lms.catalog.models import cohort_teacher

    scope = select(Cohort.id).where(Cohort.id == cohort_id)
    infos = _cohort_infos(scope)
    info = infos[cohort_id]
    period = Period(info.start_on, max(info.start_on, min(info.end_on, today)), today)
    buckets = collect(scope, period, infos, by_student=True)
    total = Metrics(cohorts=1)
    per_student: dict[int, Metrics] = defaultdict(Metrics)
    for (_cid, _month, student_id), metrics in buckets.items():
        total.add(metrics)
        if student_id is not None:
            per_student[student_id].add(metrics)
    enrolments = db.session.execute(
        select(Enrolment, User.name)
        .join(User, User.id == Enrolment.student_id)
        .where(Enrolment.cohort_id == cohort_id)
        .order_by(User.name)
    ).all()
    placement: dict[int, dict[str, int | None]] = defaultdict(lambda: dict.fromkeys(SKILLS))
    latest: dict[int, dict[str, int | None]] = defaultdict(lambda: dict.fromkeys(SKILLS))
    for student_id, skill, kind, level in db.session.execute(
        select(
            LevelAssessment.student_id,
            LevelAssessment.skill,
            LevelAssessment.kind,
            LevelAssessment.level,
        )
        .where(LevelAssessment.cohort_id == cohort_id)
        .order_by(LevelAssessment.assessed_on, LevelAssessment.id)
    ):
        if kind == "placement" and placement[student_id][skill] is None:
            placement[student_id][skill] = level
        latest[student_id][skill] = level
    last_interview = dict(
        db.session.execute(
            select(FollowUpNote.student_id, func.max(FollowUpNote.held_on))
            .where(
                FollowUpNote.note_type == "entretien",
                FollowUpNote.student_id.in_(
                    select(Enrolment.student_id).where(Enrolment.cohort_id == cohort_id)
                ),
            )
            .group_by(FollowUpNote.student_id)
        ).all()
    )
    students = [
        StudentRow(
            e.student_id,
            name,
            e.status,
            e.start_on,
            e.end_on,
            per_student.get(e.student_id, Metrics()),
            placement[e.student_id],
            latest[e.student_id],
            last_interview.get(e.student_id),
        )
        for e, name in enrolments
    ]
    signer = aliased(User)
    amendment = aliased(CheckpointReview)
    review_rows = db.session.execute(
        select(
            CheckpointReview,
            CheckpointTemplate.name,
            signer.name,
            select(func.min(amendment.id))
            .where(amendment.amends_id == CheckpointReview.id)
            .correlate(CheckpointReview)
            .scalar_subquery(),
        )
        .join(CheckpointTemplate, CheckpointTemplate.id == CheckpointReview.template_id)
        .outerjoin(signer, signer.id == CheckpointReview.signed_by_id)
        .where(CheckpointReview.cohort_id == cohort_id)
        .order_by(CheckpointReview.due_on, CheckpointReview.id)
    ).all()
    owner = aliased(User)
    actions: dict[int, list[tuple[CorrectiveAction, str | None]]] = defaultdict(list)
    for action, owner_name in db.session.execute(
        select(CorrectiveAction, owner.name)
        .outerjoin(owner, owner.id == CorrectiveAction.owner_id)
        .join(CheckpointReview, CheckpointReview.id == CorrectiveAction.review_id)
        .where(CheckpointReview.cohort_id == cohort_id)
        .order_by(CorrectiveAction.due_on, CorrectiveAction.id)
    ):
        actions[action.review_id].append((action, owner_name))
    teachers = list(
        db.session.scalars(
            select(User.name)
            .join(cohort_teacher, cohort_teacher.c.user_id == User.id)
            .where(cohort_teacher.c.cohort_id == cohort_id)
            .order_by(User.name)
        )
    )
    answers = (
        db.session.scalar(
            select(func.count(SurveyResponse.id)).where(SurveyResponse.cohort_id == cohort_id)
        )
        or 0
    )
    return CohortReport(
        info=info,
        period=period,
        metrics=total,
        students=students,
        reviews=[
            ReportReview(r, name, signed, amended, actions.get(r.id, []))
            for r, name, signed, amended in review_rows
        ],
        teachers=teachers,
        survey_answers=answers,
    )


# --- survey results -----------------------------------------------------------------------------


@dataclass
class QuestionResult:
    key: str
    counts: dict[int, int]
    mean: float | None
    agree: float | None  # share of 3 and 4


@dataclass
class SurveyResults:
    answers: int
    students: int
    shown: bool
    questions: list[QuestionResult]
    comments: list[str]


def survey_results(cohort_id: int, questions: list[str]) -> SurveyResults:
    """The cohort's survey answers, aggregated; nothing but the count below
    :data:`ANONYMITY_THRESHOLD` answers. Comments are sorted (not in answer order)."""
    students = (
        db.session.scalar(
            select(func.count(Enrolment.id)).where(
                Enrolment.cohort_id == cohort_id,
                Enrolment.status.not_in(
                    (EnrolmentStatus.WITHDRAWN.value, EnrolmentStatus.TRANSFERRED.value)
                ),
            )
        )
        or 0
    )
    rows = list(
        db.session.scalars(
            select(SurveyResponse.answers).where(SurveyResponse.cohort_id == cohort_id)
        )
    )
    if len(rows) < ANONYMITY_THRESHOLD:
        return SurveyResults(len(rows), students, False, [], [])
    results = []
    for key in questions:
        values = [int(r[key]) for r in rows if isinstance(r.get(key), int) and 1 <= r[key] <= 4]
        counts = {v: values.count(v) for v in (1, 2, 3, 4)}
        results.append(
            QuestionResult(
                key,
                counts,
                statistics.fmean(values) if values else None,
                (counts[3] + counts[4]) / len(values) if values else None,
            )
        )
    comments = sorted(r["comment"] for r in rows if r.get("comment"))
    return SurveyResults(len(rows), students, True, results, comments)


def survey_completed(student_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(SurveyCompletion.cohort_id).where(SurveyCompletion.student_id == student_id)
        )
    )


# --- the audit log ------------------------------------------------------------------------------

# Entity types whose entries a coordinator sees when the object belongs to a cohort of their
# regions (the object's ``cohort_id`` column).
_COHORT_ENTITIES: dict[str, Any] = {
    "Enrolment": Enrolment,
    "AttendanceDay": AttendanceDay,
    "AttendanceRecord": AttendanceRecord,
    "LevelAssessment": LevelAssessment,
    "FollowUpNote": FollowUpNote,
    "RemedialSession": RemedialSession,
    "Alert": Alert,
    "Production": Production,
    "CheckpointReview": CheckpointReview,
}
# Programme-wide settings that coordinators edit: every coordinator sees their history.
_PROGRAMME_ENTITIES = ("CheckpointTemplate", "Setting", AlertRuleSetting.__name__)


@dataclass
class AuditFilters:
    actor_id: int | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    action: str | None = None
    start: date | None = None
    end: date | None = None


def audit_scope(user: User):
    """The condition on :class:`AuditLog` rows that ``user`` may read (``None``: all of them).

    Admins read everything. A coordinator reads: the entries they wrote; entries about the
    cohorts of their regions and about the objects that belong to them (enrolments,
    attendance, assessments, notes, remedial sessions, alerts, productions, checkpoint
    reviews); entries about the students of those cohorts; entries about programme-wide
    settings (checkpoint templates, settings, alert rules).
    """
    if user.role == Role.ADMIN:
        return None
    cohorts = visible_cohort_ids(user)
    conditions = [
        AuditLog.actor_id == user.id,
        AuditLog.entity_type.in_(_PROGRAMME_ENTITIES),
        and_(
            AuditLog.entity_type == "Cohort",
            AuditLog.entity_id.in_(select(cast(Cohort.id, String)).where(Cohort.id.in_(cohorts))),
        ),
        and_(
            AuditLog.entity_type == "User",
            AuditLog.entity_id.in_(
                select(cast(User.id, String)).where(
                    User.role == Role.STUDENT.value, User.id.in_(visible_student_ids(user))
                )
            ),
        ),
    ]
    for name, model in _COHORT_ENTITIES.items():
        conditions.append(
            and_(
                AuditLog.entity_type == name,
                AuditLog.entity_id.in_(
                    select(cast(model.id, String)).where(model.cohort_id.in_(cohorts))
                ),
            )
        )
    return or_(*conditions)


def _audit_stmt(user: User, filters: AuditFilters):
    stmt = select(AuditLog.id)
    scope = audit_scope(user)
    if scope is not None:
        stmt = stmt.where(scope)
    if filters.actor_id:
        stmt = stmt.where(AuditLog.actor_id == filters.actor_id)
    if filters.entity_type:
        stmt = stmt.where(AuditLog.entity_type == filters.entity_type)
    if filters.entity_id:
        stmt = stmt.where(AuditLog.entity_id == filters.entity_id)
    if filters.action:
        stmt = stmt.where(AuditLog.action.like(f"{filters.action}%"))
    if filters.start:
        stmt = stmt.where(AuditLog.at >= end_of_day(filters.start - timedelta(days=1)))
    if filters.end:
        stmt = stmt.where(AuditLog.at < end_of_day(filters.end))
    return stmt


def audit_entries(
    user: User, filters: AuditFilters, page: int, *, limit: int = PAGE
) -> tuple[list[tuple[AuditLog, str | None]], int]:
    """One page of the audit log (latest first) with the actors' names. Two queries."""
    ids = _audit_stmt(user, filters)
    total = db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    actor = aliased(User)
    rows = db.session.execute(
        select(AuditLog, actor.name)
        .outerjoin(actor, actor.id == AuditLog.actor_id)
        .where(AuditLog.id.in_(ids))
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(limit)
        .offset((page - 1) * limit)
    ).all()
    return [(entry, name) for entry, name in rows], total


def audit_options(user: User) -> tuple[list[tuple[int, str]], list[str]]:
    """The actors and entity types of the entries ``user`` may read (two queries)."""
    ids = _audit_stmt(user, AuditFilters())
    actors = db.session.execute(
        select(User.id, User.name)
        .where(User.id.in_(select(AuditLog.actor_id).where(AuditLog.id.in_(ids))))
        .order_by(User.name)
    ).all()
    types = list(
        db.session.scalars(
            select(AuditLog.entity_type)
            .where(AuditLog.id.in_(ids))
            .distinct()
            .order_by(AuditLog.entity_type)
        )
    )
    return [(a.id, a.name) for a in actors], types
