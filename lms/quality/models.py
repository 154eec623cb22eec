from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
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
from lms.quality.vocab import ActionStatus, FindingResult, ReviewStatus, Verdict, WhenKind
from lms.vocab import check_in


class CheckpointTemplate(db.Model):
    """When a checkpoint falls in a cohort and what it checks (a programme setting).

    ``when_kind`` "week": at the end of week ``when_value`` of the cohort; "after_end":
    ``when_value`` days after the cohort's end. ``criteria``: automatic criteria, a list of
    ``{"code": ..., "params": {...}}`` from the catalogue in lms/quality/criteria.py;
    ``manual_criteria``: ``[{"code": ..., "label": ..., "kind": "sample" | "observation"}]``.
    """

    __tablename__ = "checkpoint_template"
    __table_args__ = (check_in("when_kind", WhenKind, "when_kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    when_kind: Mapped[str] = mapped_column(String(10))
    when_value: Mapped[int] = mapped_column(SmallInteger)
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    manual_criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    sample_size: Mapped[int] = mapped_column(SmallInteger, default=5)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)


class CheckpointReview(db.Model):
    """A checkpoint of one cohort: automatic results, the sample, findings, the sign-off.

    A signed review is immutable; an amendment is a new review that references it
    (``amends_id``). ``origin_key`` ("cohort:template") is set on original reviews only, so a
    checkpoint is created once per cohort even by two jobs at once.
    """

    __tablename__ = "checkpoint_review"
    __table_args__ = (
        UniqueConstraint("origin_key", name="uq_checkpoint_review_origin_key"),
        check_in("status", ReviewStatus, "status_known"),
        check_in("verdict", Verdict, "verdict_known", nullable=True),
        Index("ix_checkpoint_review_cohort_id", "cohort_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    template_id: Mapped[int] = mapped_column(ForeignKey("checkpoint_template.id"))
    origin_key: Mapped[str | None] = mapped_column(String(40))
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoint_review.id"))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="due")
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_default)
    evaluated_at: Mapped[datetime | None]
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    sample: Mapped[list[int] | None] = mapped_column(JSON)  # student ids drawn
    sample_drawn_at: Mapped[datetime | None]
    sample_drawn_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    verdict: Mapped[str | None] = mapped_column(String(30))
    signed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    signed_at: Mapped[datetime | None]
    comment: Mapped[str] = mapped_column(Text, default="")


class ReviewFinding(db.Model):
    """The coordinator's finding on one criterion of a review."""

    __tablename__ = "review_finding"
    __table_args__ = (
        UniqueConstraint("review_id", "criterion", name="uq_review_finding_review_criterion"),
        check_in("result", FindingResult, "result_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("checkpoint_review.id", ondelete="CASCADE"))
    criterion: Mapped[str] = mapped_column(String(60))
    result: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # e.g. observation rubric
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(default=clock.utcnow_default)


class CorrectiveAction(db.Model):
    __tablename__ = "corrective_action"
    __table_args__ = (
        check_in("status", ActionStatus, "status_known"),
        Index("ix_corrective_action_owner_id_status", "owner_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("checkpoint_review.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    done_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_default)


class SurveyCompletion(db.Model):
    """That a student answered the end-of-course survey (kept apart from the answers)."""

    __tablename__ = "survey_completion"
    __table_args__ = (
        UniqueConstraint("cohort_id", "student_id", name="uq_survey_completion_student"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    completed_on: Mapped[date] = mapped_column(Date)


class SurveyResponse(db.Model):
    """The answers of one student to the end-of-course survey, without who answered."""

    __tablename__ = "survey_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    submitted_on: Mapped[date] = mapped_column(Date)  # the day only: no time to link answers
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
