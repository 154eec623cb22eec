"""What every alert rule is made of: the scan's context (the ongoing cohorts, the thresholds,
the attendance records that several rules share), the findings a rule returns, and the rule
itself. The rules live in one module per family beside this one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import format_date
from sqlalchemy import and_, func, select

from lms.attendance.models import AttendanceRecord
from lms.catalog.models import Cohort, Enrolment
from lms.extensions import db


@dataclass(frozen=True)
class CohortInfo:
    cohort: Cohort
    course_id: int
    region_id: int
    week: int  # course week today (1..)


@dataclass
class ScanContext:
    today: date
    now: datetime
    cohorts: dict[int, CohortInfo]
    params: Callable[[str, int], dict[str, Any]]
    enabled: Callable[[str, int], bool]
    _cache: dict[str, Any] = field(default_factory=dict)

    def cohort_ids(self, rule: str) -> list[int]:
        return [cid for cid, info in self.cohorts.items() if self.enabled(rule, info.course_id)]

    def p(self, rule: str, cohort_id: int) -> dict[str, Any]:
        return self.params(rule, self.cohorts[cohort_id].course_id)

    def recent_attendance(self, depth: int) -> dict[tuple[int, int], list[Any]]:
        """Each (student, cohort)'s last ``depth`` attendance records, newest first (1 query)."""
        key = f"attendance:{depth}"
        if key not in self._cache:
            ranked = (
                select(
                    AttendanceRecord.student_id,
                    AttendanceRecord.cohort_id,
                    AttendanceRecord.day,
                    AttendanceRecord.status,
                    AttendanceRecord.minutes,
                    AttendanceRecord.scheduled_minutes,
                    AttendanceRecord.attended_minutes,
                    func.row_number()
                    .over(
                        partition_by=(AttendanceRecord.student_id, AttendanceRecord.cohort_id),
                        order_by=AttendanceRecord.day.desc(),
                    )
                    .label("rn"),
                )
                .where(
                    AttendanceRecord.cohort_id.in_(list(self.cohorts)),
                    AttendanceRecord.day <= self.today,
                )
                .subquery()
            )
            active = active_pairs(self.today, list(self.cohorts))
            rows = db.session.execute(
                select(ranked)
                .join(
                    active,
                    and_(
                        active.c.student_id == ranked.c.student_id,
                        active.c.cohort_id == ranked.c.cohort_id,
                    ),
                )
                .where(ranked.c.rn <= depth)
                .order_by(ranked.c.student_id, ranked.c.cohort_id, ranked.c.rn)
            ).all()
            grouped: dict[tuple[int, int], list[Any]] = defaultdict(list)
            for row in rows:
                grouped[(row.student_id, row.cohort_id)].append(row)
            self._cache[key] = grouped
        return self._cache[key]


@dataclass
class Finding:
    cohort_id: int
    evidence: dict[str, Any]
    student_id: int | None = None
    subject: str | None = None  # another subject than the student or the cohort

    @property
    def subject_key(self) -> str:
        if self.subject:
            return self.subject
        if self.student_id is None:
            return f"cohort:{self.cohort_id}"
        return f"student:{self.student_id}:cohort:{self.cohort_id}"


@dataclass(frozen=True)
class Rule:
    code: str
    title: Any
    description: Any
    severity: str
    subject: str  # "student" or "cohort"
    defaults: dict[str, Any]
    labels: dict[str, Any]
    find: Callable[[ScanContext, str], list[Finding]]
    describe: Callable[[dict[str, Any]], str]
    needs_cohorts: bool = True  # False: the rule finds its subjects without ongoing cohorts


def active_pairs(today: date, cohort_ids: list[int]):
    """(student_id, cohort_id) of enrolments active today in the given cohorts
    (:meth:`Enrolment.active_on`)."""
    return (
        select(Enrolment.student_id, Enrolment.cohort_id, Enrolment.start_on)
        .where(Enrolment.cohort_id.in_(cohort_ids), Enrolment.active_on(today))
        .subquery()
    )


def short_date(value: str | date) -> str:
    """« 24 novembre »: a day of an evidence, from its ISO text or the date."""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(day, "d MMMM")
