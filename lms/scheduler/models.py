"""The scheduler's tables: the lease that makes one scheduler run the jobs, and the job runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms import clock
from lms.extensions import db


class SchedulerLease(db.Model):
    """Who runs the scheduled jobs: one row per lease, claimed with one conditional UPDATE."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(100))
    expires_at: Mapped[datetime | None]


class JobRun(db.Model):
    """A run of a scheduled job (what it did), also used to run each job once per period."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "period", name="uq_job_run_job_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(30))  # e.g. "2026-11-27" or "2026-11-27T14"
    owner: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(default=clock.utcnow_default)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
