from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from lms import clock
from lms.extensions import db
from lms.followup.vocab import AssessmentKind, Decision, NoteReason, NoteType, Visibility
from lms.learning.vocab import Skill
from lms.vocab import check_in


class LevelAssessment(db.Model):
    """A student's level in one skill on the 12-level scale, at a point in time."""

    __tablename__ = "level_assessment"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 12", name="level_on_scale"),
        check_in("skill", Skill, "skill_known"),
        check_in("kind", AssessmentKind, "kind_known"),
        Index("ix_level_assessment_student_id_skill", "student_id", "skill"),
        Index("ix_level_assessment_cohort_id", "cohort_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id", ondelete="SET NULL"))
    skill: Mapped[str] = mapped_column(String(2))
    level: Mapped[int] = mapped_column(SmallInteger)
    kind: Mapped[str] = mapped_column(String(20))
    assessed_on: Mapped[date] = mapped_column(Date)
    assessor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    evidence: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_default)


class FollowUpNote(db.Model):
    """A structured follow-up note: what happened, what is to be done, by whom, by when."""

    __tablename__ = "followup_note"
    __table_args__ = (
        check_in("note_type", NoteType, "type_known"),
        check_in("reason", NoteReason, "reason_known"),
        check_in("visibility", Visibility, "visibility_known"),
        Index("ix_followup_note_student_id_held_on", "student_id", "held_on"),
        Index("ix_followup_note_owner_id_due_on", "owner_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    note_type: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(20))
    held_on: Mapped[date] = mapped_column(Date)  # when the contact took place (or was opened)
    summary: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    due_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(Text, default="")
    done_on: Mapped[date | None] = mapped_column(Date)
    visibility: Mapped[str] = mapped_column(String(10), default="team")
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_default)


class RemedialSession(db.Model):
    """A remedial session (récupération) scheduled by a teacher for invited students."""

    __tablename__ = "remedial_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    teacher_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(SmallInteger, default=60)
    topic: Mapped[str] = mapped_column(String(300))
    outcome: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_default)


class RemedialInvite(db.Model):
    __tablename__ = "remedial_invite"
    __table_args__ = (
        UniqueConstraint("session_id", "student_id", name="uq_remedial_invite_session_student"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("remedial_session.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    attended: Mapped[bool | None] = mapped_column(default=None)  # None: not recorded yet
    note: Mapped[str] = mapped_column(String(500), default="")


class ProgressionDecision(db.Model):
    """End of course: what happens next for the student, with the final assessments."""

    __tablename__ = "progression_decision"
    __table_args__ = (
        UniqueConstraint("enrolment_id", name="uq_progression_decision_enrolment_id"),
        check_in("decision", Decision, "decision_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    decision: Mapped[str] = mapped_column(String(20))
    decided_on: Mapped[date] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    comment: Mapped[str] = mapped_column(Text, default="")
