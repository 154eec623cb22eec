"""Candidates of the intake queue: a student account waiting for a cohort in a region."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Index, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms import clock
from lms.auth.models import User
from lms.extensions import db
from lms.intake.vocab import CandidateStatus
from lms.vocab import check_in

candidate_site = Table(
    "candidate_site",
    db.metadata,
    Column("candidate_id", ForeignKey("candidate.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("site.id", ondelete="CASCADE"), primary_key=True),
)


class Candidate(db.Model):
    """A person waiting for a cohort. Their placement levels are placement
    :class:`~lms.followup.models.LevelAssessment` rows of the student (without a cohort until
    the enrolment), not columns here: the follow-up file shows them like any assessment."""

    __tablename__ = "candidate"
    __table_args__ = (
        check_in("status", CandidateStatus, "status_known"),
        Index("ix_candidate_region_id_status_available_on", "region_id", "status", "available_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    available_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(
        String(20),
        default=CandidateStatus.WAITING.value,
        server_default=CandidateStatus.WAITING.value,
    )
    enrolment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrolment.id", ondelete="SET NULL"), default=None
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_default)

    student: Mapped[User] = relationship(foreign_keys=[student_id], lazy="raise")
