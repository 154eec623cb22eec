"""The figures of the quality dashboard and report: the period they cover, the raw counts
every indicator is a ratio of, and what a cohort row says about its cohort."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date

from lms.learning.models import SKILLS


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
