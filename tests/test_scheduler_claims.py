"""A job's claim on its period is released when the job fails, and taken over when abandoned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lms import scheduler
from lms.extensions import db
from lms.scheduler.models import JobRun

NOW = datetime(2026, 10, 2, 7, 0, tzinfo=UTC)
FLAKY = scheduler.Job("flaky", "tests.test_scheduler_claims:flaky_job", {"hour": 2}, "day")
ATTEMPTS: list[int] = []


def flaky_job() -> dict:
    """Fails on its first run, succeeds on the next."""
    ATTEMPTS.append(1)
    if len(ATTEMPTS) == 1:
        raise RuntimeError("the database went away")
    return {"attempt": len(ATTEMPTS)}


def test_a_job_that_crashed_is_run_again_in_the_same_period(app):
    ATTEMPTS.clear()
    with pytest.raises(RuntimeError):
        scheduler.run_job(app, FLAKY, "host-a:1", NOW)
    assert db.session.scalars(select(JobRun)).all() == []  # no claim left behind
    assert scheduler.run_job(app, FLAKY, "host-a:1", NOW + timedelta(minutes=5)) == {"attempt": 2}
    assert scheduler.run_job(app, FLAKY, "host-a:1", NOW + timedelta(minutes=10)) is None
    assert len(ATTEMPTS) == 2


def test_an_abandoned_claim_is_taken_over_but_a_running_one_is_not(app):
    ATTEMPTS.clear()
    ATTEMPTS.append(1)  # the next run of the flaky job succeeds
    period = FLAKY.period_key(NOW)
    db.session.add(JobRun(job="flaky", period=period, owner="dead-host:9", started_at=NOW))
    db.session.commit()
    # Still within the claim's time: the other process may be running it.
    soon = NOW + timedelta(seconds=scheduler.CLAIM_SECONDS - 60)
    assert scheduler.run_job(app, FLAKY, "host-b:2", soon) is None
    late = NOW + timedelta(seconds=scheduler.CLAIM_SECONDS + 60)
    assert scheduler.run_job(app, FLAKY, "host-b:2", late) == {"attempt": 2}
    db.session.expire_all()
    [run] = db.session.scalars(select(JobRun)).all()
    assert (run.owner, run.result) == ("host-b:2", {"attempt": 2})
