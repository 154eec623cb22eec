from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from lms import clock
from lms.alerts.vocab import OPEN_STATUSES, AlertStatus, Severity
from lms.extensions import db
from lms.vocab import check_in


class Alert(db.Model):
    """One alert of a rule about a subject (a student in a cohort, or a cohort).

    ``open_key`` is ``rule:subject`` while the alert is open or acknowledged and NULL once it is
    closed: its unique constraint makes a second open alert for the same rule and subject
    impossible, on SQLite and PostgreSQL alike, even with two scans at once.
    """

    __tablename__ = "alert"
    __table_args__ = (
        UniqueConstraint("open_key", name="uq_alert_open_key"),
        check_in("status", AlertStatus, "status_known"),
        check_in("severity", Severity, "severity_known"),
        Index("ix_alert_cohort_id_status", "cohort_id", "status"),
        Index("ix_alert_rule_subject", "rule_code", "subject_key"),
        Index("ix_alert_student_id", "student_id"),
        Index("ix_alert_closed_at", "closed_at"),  # the cooldown: recently closed alerts
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_code: Mapped[str] = mapped_column(String(40))
    subject_key: Mapped[str] = mapped_column(String(60))  # "student:12:cohort:3" or "cohort:3"
    open_key: Mapped[str | None] = mapped_column(String(110))
    student_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE")
    )
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    severity: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(15), default="open")
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    opened_at: Mapped[datetime] = mapped_column(default=clock.utcnow_default)
    last_seen_at: Mapped[datetime] = mapped_column(default=clock.utcnow_default)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    escalated_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    resolution_note_id: Mapped[int | None] = mapped_column(
        ForeignKey("followup_note.id", ondelete="SET NULL")
    )
    dismiss_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class AlertRuleSetting(db.Model):
    """A coordinator's tuning of a rule: programme-wide (course_id NULL) or for one course."""

    __tablename__ = "alert_rule_setting"
    __table_args__ = (
        UniqueConstraint("rule_code", "course_id", name="uq_alert_rule_setting_rule_course"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_code: Mapped[str] = mapped_column(String(40))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    enabled: Mapped[bool] = mapped_column(default=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=clock.utcnow_default)


class Notification(db.Model):
    """An in-app notification (and a line of the daily digest)."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user_id_read_at", "user_id", "read_at"),
        Index("ix_notification_digested_at", "digested_at"),  # the digest: not yet sent
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # new, escalated
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_default)
    read_at: Mapped[datetime | None]
    digested_at: Mapped[datetime | None]
