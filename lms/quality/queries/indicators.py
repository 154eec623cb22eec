"""The quality indicators' raw counts per cohort and month (and per student), one function an
indicator; :func:`collect` runs them all, in seven queries whatever the number of cohorts.

Definitions (also printed under the dashboard):

- attendance: minutes present over minutes scheduled, class days recorded in the period;
- retention: enrolments running during the period not ended by a withdrawal in it;
- level gain: per skill, the last end-of-course level (else the latest level) minus the
  placement level, for students with both, assessments up to the period's end;
- assessed on time: assessment milestones falling in the period (placement 7 days after the
  enrolment's start, mid-course at the end of week 6, end of course on the last day) met in
  all 4 skills by their date, for students enrolled on that date;
- follow-up cadence: on every Friday of the period, share of enrolled students whose interview
  is not overdue (programme cadence);
- alert response: hours from opening to acknowledgement of the alerts opened in the period
  (median);
- checkpoints: reviews due in the period whose latest signed version says « conforme » or
  « conforme avec actions ».
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import extract, func, select

from lms import clock
from lms.alerts.models import Alert
from lms.attendance.models import AttendanceRecord
from lms.catalog.models import Enrolment, EnrolmentStatus, enrolment_active_on
from lms.extensions import db
from lms.followup.models import FollowUpNote, LevelAssessment
from lms.followup.rules import interview_due_on
from lms.learning.models import SKILLS
from lms.programme.settings import get_setting
from lms.quality.models import CheckpointReview
from lms.quality.queries.metrics import CohortInfo, Metrics, Period

Bucket = tuple[int, tuple[int, int], int | None]  # (cohort, month, student or None)


@dataclass
class Tally:
    """The counts being collected: one :class:`Metrics` a cohort and month (and student, with
    ``by_student``)."""

    period: Period
    infos: dict[int, CohortInfo]
    by_student: bool
    buckets: dict[Bucket, Metrics] = field(default_factory=lambda: defaultdict(Metrics))

    def month(self, cohort_id: int, month: tuple[int, int], student_id: int | None) -> Metrics:
        return self.buckets[(cohort_id, month, student_id if self.by_student else None)]

    def at(self, cohort_id: int, day: date, student_id: int | None = None) -> Metrics:
        """The counts of ``cohort_id`` (and the student) in the month of ``day``."""
        return self.month(cohort_id, (day.year, day.month), student_id)


def collect(
    scope, period: Period, infos: dict[int, CohortInfo], *, by_student: bool = False
) -> dict[Bucket, Metrics]:
    """Every indicator's raw counts per cohort (``scope``: a statement of cohort ids) and month,
    and per student with ``by_student``: seven queries whatever the number of cohorts."""
    tally = Tally(period, infos, by_student)
    count_attendance(scope, tally)
    enrolments = running_enrolments(scope, period)
    count_retention(enrolments, tally)
    assessments = level_assessments(scope, period)
    count_level_gain(assessments, tally)
    count_assessments_on_time(enrolments, assessments, tally)
    count_cadence(scope, enrolments, tally)
    count_alert_response(scope, tally)
    count_checkpoints(scope, tally)
    return tally.buckets


def count_attendance(scope, tally: Tally) -> None:
    """Minutes scheduled and attended, summed in the database per cohort and month (and
    student). One query."""
    period = tally.period
    columns = [
        AttendanceRecord.cohort_id,
        extract("year", AttendanceRecord.day),
        extract("month", AttendanceRecord.day),
    ]
    if tally.by_student:
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
        student_id = row[3] if tally.by_student else None
        metrics = tally.month(row[0], (int(row[1]), int(row[2])), student_id)
        metrics.scheduled_minutes += int(row[-2] or 0)
        metrics.attended_minutes += int(row[-1] or 0)


def running_enrolments(scope, period: Period) -> list[Any]:
    """The enrolments of the cohorts running during the period (one query)."""
    return db.session.execute(
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


def count_retention(enrolments: list[Any], tally: Tally) -> None:
    """Each enrolment counts in the month it ends by a withdrawal in the period, else in the
    month it starts running in the period."""
    period = tally.period
    for e in enrolments:
        info = tally.infos[e.cohort_id]
        withdrawn = e.status == EnrolmentStatus.WITHDRAWN.value and e.end_on <= period.end
        day = e.end_on if withdrawn else max(e.start_on, period.start, info.start_on)
        metrics = tally.at(e.cohort_id, min(day, period.end), e.student_id)
        metrics.enrolments += 1
        metrics.withdrawn += 1 if withdrawn else 0


@dataclass
class Assessments:
    """The level assessments of the cohorts up to the period's end."""

    # (cohort, student, skill) -> [(assessed on, id, kind, level)]
    levels: dict[tuple[int, int, str], list[tuple[date, int, str, int]]]
    # (cohort, student, kind) -> {skill: first assessed on}
    first_of_kind: dict[tuple[int, int, str], dict[str, date]]


def level_assessments(scope, period: Period) -> Assessments:
    """One query."""
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
    return Assessments(levels, first_of_kind)


def count_level_gain(assessments: Assessments, tally: Tally) -> None:
    """Per skill, the last end-of-course level (else the latest) minus the placement level, in
    the month of that last level (brought into the period)."""
    period = tally.period
    for (cohort_id, student_id, skill), items in assessments.levels.items():
        items.sort()
        placement = next((lvl for _d, _i, kind, lvl in items if kind == "placement"), None)
        finals = [(d, lvl) for d, _i, kind, lvl in items if kind == "final"]
        later = [(d, lvl) for d, _i, kind, lvl in items if kind != "placement"]
        last = finals[-1] if finals else (later[-1] if later else None)
        if placement is None or last is None:
            continue
        metrics = tally.at(cohort_id, max(min(last[0], period.end), period.start), student_id)
        metrics.gain_sum[skill] += last[1] - placement
        metrics.gain_count[skill] += 1


def _week_friday(start_on: date, week: int) -> date:
    week_start = start_on + timedelta(weeks=week - 1)
    return week_start + timedelta(days=(4 - week_start.weekday()) % 7)


def count_assessments_on_time(
    enrolments: list[Any], assessments: Assessments, tally: Tally
) -> None:
    """The assessment milestones falling in the period, for the students enrolled on their
    date, and those met in all 4 skills by then."""
    period = tally.period
    for e in enrolments:
        info = tally.infos[e.cohort_id]
        milestones = [("placement", max(e.start_on, info.start_on) + timedelta(days=7))]
        if _week_friday(info.start_on, 6) <= info.end_on:
            milestones.append(("mid", _week_friday(info.start_on, 6)))
        milestones.append(("final", info.end_on))
        for kind, deadline in milestones:
            if not period.start <= deadline <= period.last:
                continue
            if not enrolment_active_on(e.start_on, e.end_on, deadline):
                continue
            metrics = tally.at(e.cohort_id, deadline, e.student_id)
            metrics.assessments_due += 1
            seen = assessments.first_of_kind.get((e.cohort_id, e.student_id, kind), {})
            if all(skill in seen and seen[skill] <= deadline for skill in SKILLS):
                metrics.assessments_on_time += 1


def _fridays(start: date, end: date) -> list[date]:
    day = start + timedelta(days=(4 - start.weekday()) % 7)
    days = []
    while day <= end:
        days.append(day)
        day += timedelta(days=7)
    return days


def count_cadence(scope, enrolments: list[Any], tally: Tally) -> None:
    """On every Friday of the period, the students enrolled that day and those whose follow-up
    interview is not overdue (programme cadence). One query."""
    period = tally.period
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
        info = tally.infos[e.cohort_id]
        held = interviews.get(e.student_id, [])
        for friday in fridays:
            if not info.start_on <= friday <= info.end_on:
                continue
            if not enrolment_active_on(e.start_on, e.end_on, friday):
                continue
            index = bisect_right(held, friday)
            last = held[index - 1] if index else None
            metrics = tally.at(e.cohort_id, friday, e.student_id)
            metrics.cadence_checks += 1
            if friday <= interview_due_on(last, e.start_on, cadence):
                metrics.cadence_ok += 1


def count_alert_response(scope, tally: Tally) -> None:
    """The hours from opening to acknowledgement of the alerts opened in the period, in the
    month they opened. One query."""
    period = tally.period
    for cohort_id, student_id, opened_at, acknowledged_at in db.session.execute(
        select(Alert.cohort_id, Alert.student_id, Alert.opened_at, Alert.acknowledged_at).where(
            Alert.cohort_id.in_(scope),
            Alert.opened_at >= clock.end_of_day(period.start - timedelta(days=1)),
            Alert.opened_at < clock.end_of_day(period.end),
            Alert.acknowledged_at.is_not(None),
        )
    ):
        hours = (acknowledged_at - opened_at).total_seconds() / 3600
        tally.at(cohort_id, clock.local_date(opened_at), student_id).alert_hours.append(
            round(hours, 2)
        )


def count_checkpoints(scope, tally: Tally) -> None:
    """The original reviews due in the period, and those whose latest signed version says
    « conforme » or « conforme avec actions ». One query."""
    period = tally.period
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
        metrics = tally.at(review.cohort_id, review.due_on)
        metrics.reviews_due += 1
        if verdict in ("conforme", "conforme_avec_actions"):
            metrics.reviews_ok += 1
