"""Read-only queries for the attendance pages and the allowance reports.

Set-based: each page makes a fixed number of queries whatever the number of students
(the grid: the students with their record of the day, the rates, the days taken, the closures;
a weekly report: the enrolments, the records, the justified days before the week, the closures).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, select

from lms.attendance.allowance import AllowanceSettings, WeekAllowance, compute_week, week_bounds
from lms.attendance.models import AttendanceDay, AttendanceRecord
from lms.auth.models import User
from lms.catalog.models import Cohort, Course, Enrolment, Site, enrolment_active_on
from lms.clock import QUEBEC
from lms.extensions import db
from lms.programme.calendar import class_days, closures
from lms.programme.models import ClosureDay
from lms.programme.settings import all_settings


def allowance_settings() -> AllowanceSettings:
    """The programme's allowance settings (one query)."""
    return AllowanceSettings.from_values(all_settings())


def enrolled_on(cohort_id: int, day: date) -> list[tuple[int, str, str]]:
    """(id, name, e-mail) of the students enrolled in the cohort on ``day``, by name."""
    enrolled = select(Enrolment.student_id).where(
        Enrolment.cohort_id == cohort_id, Enrolment.active_on(day)
    )
    return [
        (row.id, row.name, row.email)
        for row in db.session.execute(
            select(User.id, User.name, User.email)
            .where(User.id.in_(enrolled))
            .order_by(User.name, User.id)
        )
    ]


def closure_reason(site_id: int, day: date) -> str | None:
    """Why the site is closed on ``day`` ("" when no reason was given), or None when open."""
    row = db.session.execute(
        select(ClosureDay.reason).where(ClosureDay.site_id == site_id, ClosureDay.day == day)
    ).first()
    return None if row is None else row.reason


# --- the grid ----------------------------------------------------------------------------------


@dataclass
class GridRow:
    student_id: int
    name: str
    email: str
    record: AttendanceRecord | None
    attended_total: int  # minutes attended over the days taken so far
    scheduled_total: int

    @property
    def rate(self) -> float | None:
        return self.attended_total / self.scheduled_total if self.scheduled_total else None


@dataclass
class Grid:
    day: date
    attendance_day: AttendanceDay | None
    taken_by: str | None
    rows: list[GridRow]

    @property
    def version(self) -> int:
        return self.attendance_day.version if self.attendance_day else 0


def attendance_rates(cohort_id: int) -> dict[int, tuple[int, int]]:
    """Per student: (minutes attended, minutes scheduled) over the cohort's days taken."""
    return {
        student_id: (attended or 0, scheduled or 0)
        for student_id, attended, scheduled in db.session.execute(
            select(
                AttendanceRecord.student_id,
                func.sum(AttendanceRecord.attended_minutes),
                func.sum(AttendanceRecord.scheduled_minutes),
            )
            .where(AttendanceRecord.cohort_id == cohort_id)
            .group_by(AttendanceRecord.student_id)
        )
    }


def grid(cohort_id: int, day: date) -> Grid:
    """The students enrolled on ``day`` with their record of the day (if taken) and their rate.

    Three queries: the day, the students with their records, the rates.
    """
    found = db.session.execute(
        select(AttendanceDay, User.name)
        .outerjoin(User, User.id == AttendanceDay.taken_by_id)
        .where(AttendanceDay.cohort_id == cohort_id, AttendanceDay.day == day)
        .execution_options(populate_existing=True)
    ).first()
    attendance_day, taken_by = (found[0], found[1]) if found else (None, None)
    enrolled = select(Enrolment.student_id).where(
        Enrolment.cohort_id == cohort_id, Enrolment.active_on(day)
    )
    rows = db.session.execute(
        select(User.id, User.name, User.email, AttendanceRecord)
        .outerjoin(
            AttendanceRecord,
            and_(
                AttendanceRecord.student_id == User.id,
                AttendanceRecord.cohort_id == cohort_id,
                AttendanceRecord.day == day,
            ),
        )
        .where(User.id.in_(enrolled))
        .order_by(User.name, User.id)
        .execution_options(populate_existing=True)
    ).all()
    rates = attendance_rates(cohort_id)
    return Grid(
        day=day,
        attendance_day=attendance_day,
        taken_by=taken_by,
        rows=[GridRow(r.id, r.name, r.email, r[3], *rates.get(r.id, (0, 0))) for r in rows],
    )


# --- attendance not taken (« présences non saisies »): the one definition ----------------------

ATTENDANCE_DUE_HOUR = 17
"""A class day's attendance is due from this hour (Quebec time) on the day itself."""


def last_due_day(now: datetime, due_hour: int = ATTENDANCE_DUE_HOUR) -> date:
    """The last day whose attendance is due at ``now``: today from ``due_hour`` (Quebec time),
    else yesterday."""
    local = now.astimezone(QUEBEC)
    return local.date() if local.hour >= due_hour else local.date() - timedelta(days=1)


@dataclass(frozen=True)
class AttendanceWindow:
    """The days of one cohort to check, from ``first`` to ``last`` (both included; the cohort's
    own dates bound them too). ``due_hour``: see :func:`last_due_day` (the alert rule lets
    coordinators tune it; everyone else keeps the default)."""

    cohort: Cohort
    first: date
    last: date
    due_hour: int = ATTENDANCE_DUE_HOUR


@dataclass(frozen=True)
class AttendanceCheck:
    days: list[date]  # the window's class days
    due: list[date]  # those whose attendance is due at the moment of the check
    missing: list[date]  # due and not taken


def attendance_not_taken(
    windows: Mapping[Hashable, AttendanceWindow], now: datetime
) -> dict[Hashable, AttendanceCheck]:
    """« Présences non saisies », for the teacher's attendance page, the alert rule and the
    quality criterion alike: per window, the cohort's class days (its weekdays with scheduled
    minutes, minus Quebec's statutory holidays and its site's closure days:
    :func:`~lms.programme.calendar.class_days`) whose attendance is due at ``now`` (from
    ``due_hour`` on the day itself: :func:`last_due_day`) and was not taken (no
    :class:`AttendanceDay`). Whether students are enrolled that day plays no part.

    Two queries whatever the number of windows: the closures and the days taken.
    """
    if not windows:
        return {}
    first = min(w.first for w in windows.values())
    last = max(w.last for w in windows.values())
    closed = closures({w.cohort.site_id for w in windows.values()}, first, last)
    taken: dict[int, set[date]] = defaultdict(set)
    for cohort_id, day in db.session.execute(
        select(AttendanceDay.cohort_id, AttendanceDay.day).where(
            AttendanceDay.cohort_id.in_({w.cohort.id for w in windows.values()}),
            AttendanceDay.day >= first,
            AttendanceDay.day <= last,
        )
    ):
        taken[cohort_id].add(day)
    checks = {}
    for key, w in windows.items():
        days = class_days(w.cohort, w.first, w.last, closed[w.cohort.site_id])
        until = last_due_day(now, w.due_hour)
        due = [d for d in days if d <= until]
        checks[key] = AttendanceCheck(days, due, [d for d in due if d not in taken[w.cohort.id]])
    return checks


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


def cohort_header(cohort_id: int) -> tuple[Cohort, Course, Site]:
    row = db.session.execute(
        select(Cohort, Course, Site)
        .join(Course, Course.id == Cohort.course_id)
        .join(Site, Site.id == Cohort.site_id)
        .where(Cohort.id == cohort_id)
    ).one()
    return row[0], row[1], row[2]


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
