"""The scheduler: APScheduler 3 running the features' jobs, exactly once across processes.

- In development (``make run``) it runs inside the single dev-server process (the reloader's
  child only). In production it is its own process: ``flask --app wsgi lms scheduler``.
- A lease row in the database (claimed with one conditional UPDATE, renewed while alive)
  makes a second scheduler stand by instead of running jobs twice; it takes over when the
  lease expires.
- Each job run also claims a ``JobRun`` row for its period (unique on job + period), so a job
  runs once per period even around a lease hand-over, and a restart after downtime runs a
  missed daily job once (catch-up at start).
- Jobs run in their own application context and commit once; each can be run by hand.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask
from sqlalchemy import delete, insert, or_, update
from sqlalchemy.exc import IntegrityError

from lms import clock
from lms.dbutil import writing
from lms.extensions import db
from lms.scheduler.models import JobRun, SchedulerLease

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
LEASE_SECONDS = 90
HEARTBEAT_SECONDS = 30
# A job run claimed this long ago and never finished was abandoned (its process died).
CLAIM_SECONDS = 3600


@dataclass(frozen=True)
class Job:
    id: str
    func: str  # "module:function", importable (never a function of __main__)
    trigger: dict  # CronTrigger fields, in Quebec time
    period: str  # "day" or "hour": the job runs at most once per period

    def period_key(self, moment: datetime) -> str:
        local = moment.astimezone(clock.QUEBEC)
        return local.strftime("%Y-%m-%d") if self.period == "day" else local.strftime("%Y-%m-%dT%H")


JOBS = (
    Job("alert_scan", "lms.alerts.jobs:run_alert_scan", {"hour": 2, "minute": 0}, "day"),
    Job("attendance_check", "lms.alerts.jobs:run_attendance_check", {"minute": 5}, "hour"),
    Job("digest", "lms.alerts.jobs:run_digest", {"hour": 7, "minute": 0}, "day"),
    Job(
        "quality_evaluate", "lms.quality.jobs:run_quality_evaluate", {"hour": 3, "minute": 0}, "day"
    ),
)


def _resolve(path: str) -> Callable[[], object]:
    module, _sep, name = path.partition(":")
    return getattr(import_module(module), name)


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def claim_lease(owner: str, now: datetime | None = None, seconds: int = LEASE_SECONDS) -> bool:
    """Take or renew the lease; False when another live scheduler holds it. Commits."""
    now = now or clock.utcnow()
    with writing():
        try:
            db.session.execute(
                insert(SchedulerLease).values(name=LEASE_NAME, owner=None, expires_at=None)
            )
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
        result = db.session.execute(
            update(SchedulerLease)
            .where(
                SchedulerLease.name == LEASE_NAME,
                or_(
                    SchedulerLease.owner.is_(None),
                    SchedulerLease.owner == owner,
                    SchedulerLease.expires_at < now,
                ),
            )
            .values(owner=owner, expires_at=now + timedelta(seconds=seconds))
        )
        db.session.commit()
    return result.rowcount == 1


def release_lease(owner: str) -> None:
    with writing():
        db.session.execute(
            update(SchedulerLease)
            .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.owner == owner)
            .values(owner=None, expires_at=None)
        )
        db.session.commit()


def lease_status(now: datetime | None = None) -> dict:
    """For /healthz: who holds the lease and whether it is alive."""
    now = now or clock.utcnow()
    row = db.session.get(SchedulerLease, LEASE_NAME)
    if row is None or row.owner is None or row.expires_at is None:
        return {"running": False}
    expires = row.expires_at
    return {"running": expires > now, "owner": row.owner, "lease_expires_at": expires.isoformat()}


def run_job(app: Flask, job: Job, owner: str, now: datetime | None = None) -> dict | None:
    """Run ``job`` once for its current period, if this process holds the lease.

    :returns: the job's result, or None when skipped (standby, or already run this period).
    """
    with app.app_context():
        now = now or clock.utcnow()
        if not claim_lease(owner, now):
            log.info("job %s: standing by (another scheduler holds the lease)", job.id)
            return None
        period = job.period_key(now)
        run_id = _claim_run(job, period, owner, now)
        if run_id is None:
            log.info("job %s: already run (or running) for %s", job.id, period)
            return None
        try:
            result = _resolve(job.func)()
        except Exception:
            # Let the period be run again: a crash must not look like success.
            db.session.rollback()
            with writing():
                db.session.execute(delete(JobRun).where(JobRun.id == run_id))
                db.session.commit()
            log.exception("job %s failed for %s; its claim is released", job.id, period)
            raise
        with writing():
            run = db.session.get(JobRun, run_id)
            run.result = result if isinstance(result, dict) else {"done": True}
            db.session.commit()
        return run.result


def _claim_run(job: Job, period: str, owner: str, now: datetime) -> int | None:
    """Claim ``job``'s run for ``period``: the id of the claimed ``JobRun``, or None when the
    period is done or another process is running it. A claim left unfinished for
    :data:`CLAIM_SECONDS` (its process died) is taken over."""
    with writing():
        try:
            run = JobRun(job=job.id, period=period, owner=owner, started_at=now)
            db.session.add(run)
            db.session.commit()
            return run.id
        except IntegrityError:
            db.session.rollback()
        taken = db.session.execute(
            update(JobRun)
            .where(
                JobRun.job == job.id,
                JobRun.period == period,
                JobRun.result.is_(None),
                JobRun.started_at < now - timedelta(seconds=CLAIM_SECONDS),
            )
            .values(owner=owner, started_at=now)
            .returning(JobRun.id)
        ).scalar()
        db.session.commit()
        return taken


def catch_up(app: Flask, owner: str, now: datetime | None = None) -> list[str]:
    """After downtime: run each daily job whose time today has passed and that has not run."""
    now = now or clock.utcnow()
    local = now.astimezone(clock.QUEBEC)
    done = []
    for job in JOBS:
        if job.period != "day":
            continue
        due = local.replace(
            hour=job.trigger.get("hour", 0),
            minute=job.trigger.get("minute", 0),
            second=0,
            microsecond=0,
        )
        if local >= due and run_job(app, job, owner, now) is not None:
            done.append(job.id)
    return done


def build_scheduler(app: Flask, owner: str) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        timezone=clock.QUEBEC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    for job in JOBS:
        scheduler.add_job(
            run_job,
            CronTrigger(timezone=clock.QUEBEC, **job.trigger),
            args=(app, job, owner),
            id=job.id,
            replace_existing=True,
        )

    def heartbeat() -> None:
        with app.app_context():
            claim_lease(owner)

    scheduler.add_job(
        heartbeat,
        "interval",
        seconds=HEARTBEAT_SECONDS,
        id="lease_heartbeat",
        replace_existing=True,
    )
    return scheduler


def start_embedded(app: Flask) -> BackgroundScheduler | None:
    """Start the scheduler inside this process (development server), once.

    Under Flask's reloader the app is created in the watcher process and again in the child
    that serves (WERKZEUG_RUN_MAIN=true): only the latter starts it.
    """
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return None
    owner = owner_id()
    scheduler = build_scheduler(app, owner)
    scheduler.start()
    app.extensions["lms_scheduler"] = scheduler
    app.extensions["lms_scheduler_status"] = "embedded"
    scheduler.add_job(catch_up, args=(app, owner), id="catch_up", replace_existing=True)
    return scheduler
