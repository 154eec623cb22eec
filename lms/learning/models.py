"""Course content (loaded from courses/), students' attempts and productions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from lms import clock
from lms.extensions import db
from lms.learning.vocab import SKILLS, ProductionStatus  # noqa: F401  (SKILLS: also read here)
from lms.vocab import check_in

EXERCISE_TYPES = (
    "multiple_choice",
    "cloze",
    "ordering",
    "matching",
    "listening",
    "dictation",
    "short_answer",
    "written_production",
    "oral_production",
)
PRODUCTION_TYPES = ("written_production", "oral_production")


class Domain(db.Model):
    __tablename__ = "domain"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))


class Situation(db.Model):
    __tablename__ = "situation"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    domain_key: Mapped[str] = mapped_column(ForeignKey("domain.key"))


class WorkplaceTask(db.Model):
    __tablename__ = "workplace_task"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class LevelDescriptor(db.Model):
    """One line of the 12-level scale: what a person can do at ``level`` in ``skill``."""

    __tablename__ = "level_descriptor"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 12", name="level_on_scale"),)

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    skill: Mapped[str] = mapped_column(String(2), primary_key=True)
    stage: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)


class CourseTrack(db.Model):
    """A sector track of an employer-adapted course (FTC-4)."""

    __tablename__ = "course_track"
    __table_args__ = (UniqueConstraint("course_id", "key", name="uq_course_track_course_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))


class Unit(db.Model):
    """A weekly unit (or, in FTC-4, a sector-track unit)."""

    __tablename__ = "unit"
    __table_args__ = (Index("ix_unit_course_id_week", "course_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    week: Mapped[int] = mapped_column(SmallInteger)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    title: Mapped[str] = mapped_column(String(200))
    hours: Mapped[int] = mapped_column(SmallInteger)
    track_key: Mapped[str | None] = mapped_column(String(60))  # None: common core
    domain_key: Mapped[str] = mapped_column(ForeignKey("domain.key"))
    situation_key: Mapped[str] = mapped_column(ForeignKey("situation.key"))
    intentions: Mapped[list[str]] = mapped_column(JSON, default=list)
    tasks: Mapped[list[str]] = mapped_column(JSON, default=list)
    intro_md: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(default=True)


class Lesson(db.Model):
    __tablename__ = "lesson"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str] = mapped_column(String(200))
    text_md: Mapped[str] = mapped_column(Text)
    media: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(default=True)


exercise_skill = Table(
    "exercise_skill",
    db.metadata,
    Column("exercise_id", ForeignKey("exercise.id", ondelete="CASCADE"), primary_key=True),
    Column("skill", String(2), primary_key=True),
)


class Exercise(db.Model):
    __tablename__ = "exercise"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 12", name="level_on_scale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger)
    type: Mapped[str] = mapped_column(String(30))
    skills: Mapped[list[str]] = mapped_column(JSON)
    level: Mapped[int] = mapped_column(SmallInteger)
    prompt: Mapped[str] = mapped_column(Text)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def is_production(self) -> bool:
        return self.type in PRODUCTION_TYPES


class Attempt(db.Model):
    """One answer of a student to an auto-graded exercise, with its score and feedback."""

    __tablename__ = "attempt"
    __table_args__ = (
        Index("ix_attempt_student_id_exercise_id", "student_id", "exercise_id"),
        CheckConstraint("score BETWEEN 0 AND 1", name="score_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    exercise_id: Mapped[int] = mapped_column(
        ForeignKey("exercise.id", ondelete="CASCADE"), index=True
    )
    answer: Mapped[Any] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(Float)
    feedback: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_default)


class Production(db.Model):
    """A written or oral production, submitted to the teacher and returned with a rubric."""

    __tablename__ = "production"
    __table_args__ = (
        check_in("status", ProductionStatus, "status_known"),
        Index("ix_production_cohort_id_status", "cohort_id", "status"),
        Index("ix_production_student_id", "student_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercise.id", ondelete="CASCADE"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    text: Mapped[str | None] = mapped_column(Text)
    file_name: Mapped[str | None] = mapped_column(String(200))  # stored name under uploads/
    file_type: Mapped[str | None] = mapped_column(String(100))
    file_size: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    submitted_at: Mapped[datetime] = mapped_column(default=clock.utcnow_default)
    graded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    graded_at: Mapped[datetime | None]
    rubric: Mapped[dict[str, int] | None] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)
