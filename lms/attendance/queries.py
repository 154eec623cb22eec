"""Read-only queries for the attendance pages: who is enrolled on a day, the grid, and
« présences non saisies » (attendance not taken), the one definition.

Set-based: each page makes a fixed number of queries whatever the number of students
(the grid: the students with their record of the day, the rates, the days taken, the closures).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, select

from lms.attendance.models import AttendanceDay, AttendanceRecord
from lms.auth.models import User
from lms.catalog.models import Cohort, Enrolment
from lms.clock import QUEBEC
from lms.extensions import db
from lms.programme.calendar import class_days, closures
from lms.programme.models import ClosureDay


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
