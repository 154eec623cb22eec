"""Student-weeks read from the database: the weekly allowance reports (of a cohort, of a site)
and the student's own attendance page. The arithmetic of one week is
:mod:`lms.attendance.allowance`; here the weeks are gathered.

Set-based: a weekly report makes a fixed number of queries whatever the number of students
(the enrolments, the records, the justified days before the week, the closures).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from lms.attendance.allowance import AllowanceSettings, WeekAllowance, compute_week, week_bounds
from lms.attendance.models import AttendanceRecord
from lms.auth.models import User
from lms.catalog.models import Cohort, Course, Enrolment, enrolment_active_on
from lms.extensions import db
from lms.programme.calendar import class_days, closures
from lms.programme.settings import all_settings


def allowance_settings() -> AllowanceSettings:
    """The programme's allowance settings (one query)."""
    return AllowanceSettings.from_values(all_settings())


# --- weekly allowance ---------------------------------------------------------------------------


@dataclass
class DayLine:
    """One class day of a student-week: its record, or None when not taken yet."""

    day: date
    scheduled_minutes: int
    record: AttendanceRecord | None


@dataclass
class AllowanceRow:
    week_start: date
    cohort_id: int
    cohort_code: str
    student_id: int
    student_name: str
    student_email: str
    result: WeekAllowance
    days: list[DayLine] = field(default_factory=list)


def _spans_cover(spans: list[tuple[date, date | None]], day: date) -> bool:
    return any(enrolment_active_on(start, end, day) for start, end in spans)


def student_week(
    cohort: Cohort,
    spans: list[tuple[date, date | None]],
    monday: date,
    records: dict[date, AttendanceRecord],
    justified_days_before: int,
    closed: set[date],
    settings: AllowanceSettings,
) -> tuple[WeekAllowance, list[DayLine]]:
    """One student's week in one cohort, from data already loaded (no query).

    :param spans: the student's enrolments in the cohort, (start_on, end_on or None).
    :param records: the student's records in the cohort, by day (at least those of the week).
    :param justified_days_before: justified-absence days in the cohort before ``monday``.
    """
    scheduled = attended = not_taken = days_not_taken = 0
    justified: list[int] = []
    lines = []
    for day in class_days(cohort, monday, monday + timedelta(days=6), closed):
        if not _spans_cover(spans, day):
            continue
        record = records.get(day)
        if record is None:
            minutes = cohort.minutes_on(day)
            scheduled += minutes
            not_taken += minutes
            days_not_taken += 1
        else:
            minutes = record.scheduled_minutes
            scheduled += minutes
            attended += record.attended_minutes
            if record.status == "justified":
                justified.append(minutes)
        lines.append(DayLine(day, minutes, record))
    result = compute_week(
        scheduled_minutes=scheduled,
        attended_minutes=attended,
        justified_day_minutes=justified,
        justified_days_before=justified_days_before,
        settings=settings,
        not_taken_minutes=not_taken,
        days_not_taken=days_not_taken,
    )
    return result, lines


def weekly_allowance(
    cohorts: list[Cohort], day: date, settings: AllowanceSettings
) -> list[AllowanceRow]:
    """Every student-week of ``cohorts`` in the ISO week of ``day``, by cohort then name.

    A student is listed when one of their enrolments in the cohort overlaps the week. Four
    queries whatever the number of cohorts and students.
    """
    monday, sunday = week_bounds(day)
    if not cohorts:
        return []
    ids = [c.id for c in cohorts]
    closed = closures({c.site_id for c in cohorts}, monday, sunday)
    spans: dict[tuple[int, int], list[tuple[date, date | None]]] = defaultdict(list)
    people: dict[int, tuple[str, str]] = {}
    for cohort_id, student_id, start, end, name, email in db.session.execute(
        select(
            Enrolment.cohort_id,
            Enrolment.student_id,
            Enrolment.start_on,
            Enrolment.end_on,
            User.name,
            User.email,
        )
        .join(User, User.id == Enrolment.student_id)
        .where(
            Enrolment.cohort_id.in_(ids),
            Enrolment.active_between(monday, sunday),
        )
    ):
        spans[(cohort_id, student_id)].append((start, end))
        people[student_id] = (name, email)
    records: dict[tuple[int, int], dict[date, AttendanceRecord]] = defaultdict(dict)
    for record in db.session.scalars(
        select(AttendanceRecord).where(
            AttendanceRecord.cohort_id.in_(ids),
            AttendanceRecord.day >= monday,
            AttendanceRecord.day <= sunday,
        )
    ):
        records[(record.cohort_id, record.student_id)][record.day] = record
    before = {
        (cohort_id, student_id): count
        for cohort_id, student_id, count in db.session.execute(
            select(AttendanceRecord.cohort_id, AttendanceRecord.student_id, func.count())
            .where(
                AttendanceRecord.cohort_id.in_(ids),
                AttendanceRecord.status == "justified",
                AttendanceRecord.day < monday,
            )
            .group_by(AttendanceRecord.cohort_id, AttendanceRecord.student_id)
        )
    }
    by_id = {c.id: c for c in cohorts}
    rows = []
    for (cohort_id, student_id), student_spans in spans.items():
        cohort = by_id[cohort_id]
        result, lines = student_week(
            cohort,
            student_spans,
            monday,
            records.get((cohort_id, student_id), {}),
            before.get((cohort_id, student_id), 0),
            closed[cohort.site_id],
            settings,
        )
        name, email = people[student_id]
        rows.append(
            AllowanceRow(monday, cohort_id, cohort.code, student_id, name, email, result, lines)
        )
    rows.sort(key=lambda r: (r.cohort_code, r.student_name.casefold(), r.student_id))
    return rows


def site_cohorts(site_id: int, day: date) -> list[Cohort]:
    """The site's cohorts whose dates overlap the ISO week of ``day``, by code."""
    monday, sunday = week_bounds(day)
    return list(
        db.session.scalars(
            select(Cohort)
            .where(Cohort.site_id == site_id, Cohort.start_on <= sunday, Cohort.end_on >= monday)
            .order_by(Cohort.code)
        )
    )


# --- the student's own page ---------------------------------------------------------------------


@dataclass
class StudentWeek:
    monday: date
    week_number: int
    result: WeekAllowance
    days: list[DayLine]


@dataclass
class StudentAttendance:
    cohort: Cohort
    course: Course
    enrolment: Enrolment
    weeks: list[StudentWeek]  # newest first
    attended_total: int
    scheduled_total: int

    @property
    def rate(self) -> float | None:
        return self.attended_total / self.scheduled_total if self.scheduled_total else None


def current_enrolment(student_id: int, today: date) -> tuple[Enrolment, Cohort, Course] | None:
    """The student's current enrolment: active today, else still to come, else the latest."""
    row = db.session.execute(
        select(Enrolment, Cohort, Course)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(Course, Course.id == Cohort.course_id)
        .where(Enrolment.student_id == student_id)
        .order_by(*Enrolment.current_first(today))
        .limit(1)
    ).first()
    return None if row is None else tuple(row)


def student_attendance(
    student_id: int, today: date, settings: AllowanceSettings
) -> StudentAttendance | None:
    """The student's weeks in their current enrolment, up to this week, newest first.

    Four queries: the enrolment, the closures, the student's records, the settings (by the
    caller).
    """
    current = current_enrolment(student_id, today)
    if current is None:
        return None
    enrolment, cohort, course = current
    first = max(enrolment.start_on, cohort.start_on)
    last = min(enrolment.end_on or cohort.end_on, cohort.end_on, today + timedelta(days=6))
    records = {
        r.day: r
        for r in db.session.scalars(
            select(AttendanceRecord).where(
                AttendanceRecord.cohort_id == cohort.id,
                AttendanceRecord.student_id == student_id,
            )
        )
    }
    closed = closures([cohort.site_id], first, last)[cohort.site_id]
    spans = [(enrolment.start_on, enrolment.end_on)]
    weeks = []
    monday = week_bounds(first)[0]
    while monday <= min(last, today):
        before = sum(1 for d, r in records.items() if d < monday and r.status == "justified")
        result, lines = student_week(cohort, spans, monday, records, before, closed, settings)
        weeks.append(
            StudentWeek(monday, cohort.week_number(max(monday, cohort.start_on)), result, lines)
        )
        monday += timedelta(days=7)
    weeks.reverse()
    counted = [r for d, r in records.items() if _spans_cover(spans, d)]
    return StudentAttendance(
        cohort,
        course,
        enrolment,
        weeks,
        sum(r.attended_minutes for r in counted),
        sum(r.scheduled_minutes for r in counted),
    )
