"""The teacher's cohort dashboard: one row per active student (attendance, last interview and
cadence, levels, online mastery, open alerts), sortable by any column.

:data:`OPEN_ALERT_COUNTERS` holds functions ``(cohort_id, student_ids) -> {student_id: count}``
summed into the « Alertes ouvertes » column; later features register them with
:func:`register_open_alert_counter`, each running a fixed number of queries. With none
registered the column shows « — ».
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from lms.auth.models import User
from lms.catalog.models import Cohort, Course, Enrolment
from lms.followup.queries.activity import AttendanceSummary, attendance_by_student, cohort_mastery
from lms.followup.queries.levels import SkillLevel, assessments_of, skill_levels
from lms.followup.queries.notes import last_interviews
from lms.followup.queries.people import active_students
from lms.followup.rules import Cadence, interview_cadence
from lms.learning.models import SKILLS

OpenAlertCounter = Callable[[int, list[int]], dict[int, int]]
OPEN_ALERT_COUNTERS: list[OpenAlertCounter] = []


def register_open_alert_counter(counter: OpenAlertCounter) -> OpenAlertCounter:
    """Add a source of open alerts to the dashboard (usable as a decorator)."""
    if counter not in OPEN_ALERT_COUNTERS:
        OPEN_ALERT_COUNTERS.append(counter)
    return counter


@dataclass
class DashboardRow:
    enrolment: Enrolment
    student: User
    attendance: AttendanceSummary | None
    last_interview: date | None
    cadence: Cadence
    levels: dict[str, SkillLevel]
    mastery: float | None
    open_alerts: int | None  # None: no alert source yet

    def sort_value(self, key: str):
        if key == "name":
            return self.student.name.casefold()
        if key == "attendance":
            return self.attendance.rate if self.attendance else None
        if key == "interview":
            return self.last_interview
        if key == "cadence":
            return self.cadence.due_on
        if key in SKILLS:
            return self.levels[key].latest
        if key == "online":
            return self.mastery
        if key == "alerts":
            return self.open_alerts
        raise KeyError(key)


SORT_KEYS = ("name", "attendance", "interview", "cadence", *SKILLS, "online", "alerts")


def sort_rows(rows: list[DashboardRow], key: str, descending: bool) -> list[DashboardRow]:
    """Sort by a column; empty values always last, ties by name."""
    by_name = sorted(rows, key=lambda r: r.student.name.casefold())
    present = [r for r in by_name if r.sort_value(key) is not None]
    missing = [r for r in by_name if r.sort_value(key) is None]
    present.sort(key=lambda r: r.sort_value(key), reverse=descending)
    return present + missing


def dashboard(cohort: Cohort, course: Course, today: date, every_days: int) -> list[DashboardRow]:
    """One row per active student of the cohort. A fixed number of queries: students,
    attendance, interviews, assessments, mastery, plus one per registered alert source."""
    students = active_students(cohort.id, today)
    ids = [u.id for _e, u in students]
    attendance = attendance_by_student(cohort.id)
    interviews = last_interviews(ids, today)
    assessments = assessments_of(ids)
    mastery = cohort_mastery(course.id, ids)
    alerts: dict[int, int] | None = None
    for counter in OPEN_ALERT_COUNTERS:
        alerts = alerts or {}
        for student_id, n in counter(cohort.id, ids).items():
            alerts[student_id] = alerts.get(student_id, 0) + n
    rows = []
    for enrolment, student in students:
        last = interviews.get(student.id)
        rows.append(
            DashboardRow(
                enrolment,
                student,
                attendance.get(student.id),
                last,
                interview_cadence(last, enrolment.start_on, today, every_days),
                skill_levels(assessments.get(student.id, [])),
                mastery.get(student.id, 0.0 if enrolment.start_on <= today else None),
                None if alerts is None else alerts.get(student.id, 0),
            )
        )
    return rows


def cadence_counts(rows: list[DashboardRow]) -> dict[str, int]:
    """How many students' interviews are on time, due soon, overdue."""
    counts = {"ok": 0, "soon": 0, "overdue": 0}
    for row in rows:
        counts[row.cadence.status] += 1
    return counts
