"""The employer-adapted fourth course: partner employers, needs profiles, sector tracks and the
course plan built from them; the employer report; per-task follow-up."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from lms import clock
from lms.employers.vocab import PlanStatus, TaskKind
from lms.extensions import db
from lms.vocab import check_in

cohort_employer = Table(
    "cohort_employer",
    db.metadata,
    Column("cohort_id", ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True),
    Column("employer_id", ForeignKey("employer.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_cohort_employer_employer_id", "employer_id"),
)


class Employer(db.Model):
    """A partner employer (entreprise partenaire) of the employer-adapted course."""

    __tablename__ = "employer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    neq: Mapped[str] = mapped_column(String(10), unique=True)  # Quebec enterprise number
    sector: Mapped[str] = mapped_column(String(40))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    agreement_start_on: Mapped[date | None] = mapped_column(Date)
    agreement_end_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_default)


class EmployerEmployee(db.Model):
    """A student employed by a partner employer, with their consent to the employer report."""

    __tablename__ = "employer_employee"
    __table_args__ = (
        UniqueConstraint("employer_id", "student_id", name="uq_employer_employee_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    consent: Mapped[bool] = mapped_column(default=False)
    consent_on: Mapped[date | None] = mapped_column(Date)  # when consent was given (or withdrawn)

    @hybrid_property
    def consented(self) -> bool:
        """Counted in the employer report: consent given, with its date."""
        return bool(self.consent and self.consent_on)

    @consented.inplace.expression
    @classmethod
    def _consented_expression(cls) -> ColumnElement[bool]:
        return and_(cls.consent.is_(True), cls.consent_on.is_not(None))


class NeedsProfile(db.Model):
    """What an employer (or a course-4 cohort) needs: priority workplace tasks, skill weights..."""

    __tablename__ = "needs_profile"
    __table_args__ = (
        CheckConstraint("(employer_id IS NULL) <> (cohort_id IS NULL)", name="one_owner"),
        UniqueConstraint("employer_id", name="uq_needs_profile_employer_id"),
        UniqueConstraint("cohort_id", name="uq_needs_profile_cohort_id"),
        CheckConstraint("target_level BETWEEN 1 AND 12", name="target_on_scale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id", ondelete="CASCADE"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    tasks: Mapped[list[str]] = mapped_column(JSON, default=list)  # workplace task keys, by priority
    skill_weights: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # CO/PO/CE/PE → %
    vocabulary_themes: Mapped[str] = mapped_column(Text, default="")
    schedule_constraints: Mapped[str] = mapped_column(Text, default="")
    target_level: Mapped[int] = mapped_column(SmallInteger, default=7)
    comments: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=clock.utcnow_default)


class CoursePlan(db.Model):
    """A version of a course-4 cohort's 11-week plan. Published versions are never changed:
    a change is a new version."""

    __tablename__ = "course_plan"
    __table_args__ = (
        UniqueConstraint("cohort_id", "version", name="uq_course_plan_cohort_version"),
        check_in("status", PlanStatus, "status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    sector: Mapped[str | None] = mapped_column(String(40))  # the chosen track
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_default)
    published_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")


class CoursePlanItem(db.Model):
    """A unit placed in a week of a plan, with the hours it takes."""

    __tablename__ = "course_plan_item"
    __table_args__ = (
        UniqueConstraint("plan_id", "unit_id", name="uq_course_plan_item_plan_unit"),
        CheckConstraint("week BETWEEN 1 AND 52", name="week_in_course"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("course_plan.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    week: Mapped[int] = mapped_column(SmallInteger)
    hours: Mapped[int] = mapped_column(SmallInteger)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    reason: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # why it was proposed


class TaskAssessment(db.Model):
    """A course-4 assessment oriented to one workplace task (placement or final), 1 to 4."""

    __tablename__ = "task_assessment"
    __table_args__ = (
        check_in("kind", TaskKind, "kind_known"),
        CheckConstraint("score BETWEEN 1 AND 4", name="score_in_range"),
        Index("ix_task_assessment_cohort_id", "cohort_id"),
        Index("ix_task_assessment_student_id_task", "student_id", "task_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    task_key: Mapped[str] = mapped_column(ForeignKey("workplace_task.key"))
    kind: Mapped[str] = mapped_column(String(10))
    score: Mapped[int] = mapped_column(SmallInteger)  # 1 not yet … 4 autonomous
    assessed_on: Mapped[date] = mapped_column(Date)
    assessor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    evidence: Mapped[str] = mapped_column(Text, default="")
