"""The catalogue: regions, sites, courses, cohorts and enrolments."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Table,
    Text,
    and_,
    or_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.catalog.vocab import CohortStatus, EnrolmentStatus
from lms.extensions import db
from lms.vocab import check_in

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")

coordinator_region = Table(
    "coordinator_region",
    db.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("region.id", ondelete="CASCADE"), primary_key=True),
)

cohort_teacher = Table(
    "cohort_teacher",
    db.metadata,
    Column("cohort_id", ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_cohort_teacher_user_id", "user_id"),
)


class Region(db.Model):
    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))

    sites: Mapped[list[Site]] = relationship(back_populates="region", lazy="raise")


class Site(db.Model):
    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(120), default="")
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # An inactive site keeps its cohorts and history but is offered for no new cohort.
    active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))

    region: Mapped[Region] = relationship(back_populates="sites", lazy="raise")


class Course(db.Model):
    __tablename__ = "course"
    __table_args__ = (
        CheckConstraint("level_min BETWEEN 1 AND 12", name="level_min_on_scale"),
        CheckConstraint("level_max BETWEEN level_min AND 12", name="level_max_on_scale"),
        CheckConstraint("weeks > 0", name="weeks_positive"),
        CheckConstraint("hours_per_week > 0", name="hours_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    level_min: Mapped[int] = mapped_column(SmallInteger)
    level_max: Mapped[int] = mapped_column(SmallInteger)
    weeks: Mapped[int] = mapped_column(SmallInteger, default=11)
    hours_per_week: Mapped[int] = mapped_column(SmallInteger, default=30)
    employer_adapted: Mapped[bool] = mapped_column(default=False)

    @property
    def total_hours(self) -> int:
        return self.weeks * self.hours_per_week


class Cohort(db.Model):
    """One run of a course at a site (a « groupe »)."""

    __tablename__ = "cohort"
    __table_args__ = (
        CheckConstraint("end_on >= start_on", name="dates_ordered"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint(
            "minutes_mon BETWEEN 0 AND 720 AND minutes_tue BETWEEN 0 AND 720 "
            "AND minutes_wed BETWEEN 0 AND 720 AND minutes_thu BETWEEN 0 AND 720 "
            "AND minutes_fri BETWEEN 0 AND 720",
            name="schedule_in_day",
        ),
        check_in("status", CohortStatus, "status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    capacity: Mapped[int] = mapped_column(SmallInteger, default=20)
    # Weekly schedule: minutes of class per weekday (0 = no class that day).
    minutes_mon: Mapped[int] = mapped_column(SmallInteger, default=360)
    minutes_tue: Mapped[int] = mapped_column(SmallInteger, default=360)
    minutes_wed: Mapped[int] = mapped_column(SmallInteger, default=360)
    minutes_thu: Mapped[int] = mapped_column(SmallInteger, default=360)
    minutes_fri: Mapped[int] = mapped_column(SmallInteger, default=360)
    # The schedules in force before the one above, oldest first, each until a day included:
    # [{"until": "2027-07-09", "minutes": [mon, tue, wed, thu, fri]}, ...]. A schedule changed
    # after the cohort has started applies from the next day on: days already past (and the
    # attendance recorded on them) keep the schedule they had.
    past_schedules: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list, server_default=text("'[]'")
    )
    status: Mapped[str] = mapped_column(
        String(20), default=CohortStatus.PLANNED.value, server_default=CohortStatus.PLANNED.value
    )

    course: Mapped[Course] = relationship(lazy="raise")
    site: Mapped[Site] = relationship(lazy="raise")
    teachers: Mapped[list[User]] = relationship(secondary=cohort_teacher, lazy="raise")
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="cohort", lazy="raise")

    def minutes_on(self, day: date) -> int:
        """Scheduled class minutes on ``day`` by the schedule in force that day (holidays and
        closures are handled by the calendar)."""
        weekday = day.weekday()
        if weekday >= len(WEEKDAYS):
            return 0
        if self.past_schedules:
            iso = day.isoformat()
            for period in self.past_schedules:
                if iso <= period["until"]:
                    return int(period["minutes"][weekday])
        return getattr(self, f"minutes_{WEEKDAYS[weekday]}")

    @property
    def weekday_minutes(self) -> list[int]:
        """The current weekly schedule, Monday to Friday, in minutes."""
        return [getattr(self, f"minutes_{d}") for d in WEEKDAYS]

    @property
    def weekly_minutes(self) -> int:
        return sum(getattr(self, f"minutes_{d}") for d in WEEKDAYS)

    def week_number(self, day: date) -> int:
        """1-based week of the course that ``day`` falls in (0 before the start)."""
        if day < self.start_on:
            return 0
        return (day - self.start_on).days // 7 + 1


class Enrolment(db.Model):
    """A student's membership of a cohort, between two dates (continuous intake)."""

    __tablename__ = "enrolment"
    __table_args__ = (
        check_in("status", EnrolmentStatus, "status_known"),
        CheckConstraint("end_on IS NULL OR end_on >= start_on", name="dates_ordered"),
        Index("ix_enrolment_cohort_id_status", "cohort_id", "status"),
        # One active enrolment of a student in a cohort: a second one (a double import, a
        # double click) is refused by the database; a withdrawn student may be enrolled again.
        Index(
            "uq_enrolment_student_id_cohort_id_active",
            "student_id",
            "cohort_id",
            unique=True,
            sqlite_where=text(f"status = '{EnrolmentStatus.ACTIVE.value}'"),
            postgresql_where=text(f"status = '{EnrolmentStatus.ACTIVE.value}'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default=EnrolmentStatus.ACTIVE.value)
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date, default=None)
    # Withdrawals: why the student left (free text chosen from a list in the form).
    withdrawal_reason: Mapped[str | None] = mapped_column(String(200), default=None)

    student: Mapped[User] = relationship(lazy="raise")
    cohort: Mapped[Cohort] = relationship(back_populates="enrolments", lazy="raise")

    # --- "active on a day": the one definition (SQL here, its Python twin below) ---------------
    #
    # An enrolment is active on a day D when it has started (start_on <= D) and has not ended
    # (no end_on, or D <= end_on). end_on is the LAST day of the enrolment, included: a student
    # who withdraws or moves to another cohort on D is still enrolled on D (their attendance is
    # taken that day and the allowance counts it) and no longer from D + 1. A transfer names the
    # student's first day in the new cohort: the old enrolment ends the day before, so that no
    # day is active in both (lms.catalog.services.transfer_student). The status says why
    # an enrolment ended (withdrawn, transferred, completed), not when: it plays no part, so that
    # a past day is judged the same way before and after a withdrawal is recorded.

    @classmethod
    def active_between(cls, first: date, last: date | None = None) -> ColumnElement[bool]:
        """Enrolments active on at least one day from ``first`` to ``last`` (both included);
        ``last=None``: on ``first`` or any later day (running or still to come).

        The Python twin is :func:`enrolment_active_between`.
        """
        not_ended = or_(cls.end_on.is_(None), cls.end_on >= first)
        return not_ended if last is None else and_(cls.start_on <= last, not_ended)

    @classmethod
    def active_on(cls, day: date) -> ColumnElement[bool]:
        """Enrolments active on ``day`` (see the definition above)."""
        return cls.active_between(day, day)

    @classmethod
    def current_first(cls, day: date) -> tuple[ColumnElement[Any], ...]:
        """ORDER BY clauses that put a student's current enrolment first: the one active on
        ``day``, else one still to come, else the latest one."""
        return (
            cls.active_on(day).desc(),
            cls.active_between(day).desc(),
            cls.start_on.desc(),
            cls.id.desc(),
        )

    def is_active_on(self, day: date) -> bool:
        return enrolment_active_between(self.start_on, self.end_on, day, day)


def enrolment_active_between(
    start_on: date, end_on: date | None, first: date, last: date | None = None
) -> bool:
    """The Python twin of :meth:`Enrolment.active_between`, for rows already loaded: whether an
    enrolment from ``start_on`` to ``end_on`` (included; None: open) is active on at least one
    day from ``first`` to ``last`` (None: on ``first`` or later)."""
    not_ended = end_on is None or end_on >= first
    return not_ended if last is None else start_on <= last and not_ended


def enrolment_active_on(start_on: date, end_on: date | None, day: date) -> bool:
    """Whether an enrolment from ``start_on`` to ``end_on`` is active on ``day``."""
    return enrolment_active_between(start_on, end_on, day, day)
