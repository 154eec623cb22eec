"""The scheduler runs each job once, across processes: lease, job runs per period, catch-up."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from lms import clock, scheduler
from lms.auth.models import Role
from lms.extensions import db
from lms.scheduler.models import JobRun
from tests.conftest import login

CALLS: list[int] = []
COUNTING = scheduler.Job("counting", "tests.test_scheduler:counting_job", {"hour": 2}, "day")


def counting_job() -> dict:
    CALLS.append(1)
    time.sleep(0.2)  # long enough for a second scheduler to try at the same time
    return {"calls": len(CALLS)}


def test_two_schedulers_on_one_database_run_a_job_once(app_factory):
    CALLS.clear()
    process_a, process_b = app_factory(), app_factory()
    results = []

    def run(app, owner):
        results.append(scheduler.run_job(app, COUNTING, owner))

    threads = [
        threading.Thread(target=run, args=(process_a, "host-a:1")),
        threading.Thread(target=run, args=(process_b, "host-b:2")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(CALLS) == 1
    assert sorted(results, key=lambda r: r is not None) == [None, {"calls": 1}]
    with process_a.app_context():
        assert db.session.scalar(select(func.count(JobRun.id))) == 1


def test_a_standby_scheduler_takes_over_when_the_lease_expires(app, monkeypatch):
    now = datetime(2026, 10, 2, 14, 0, tzinfo=UTC)
    assert scheduler.claim_lease("a", now)
    assert not scheduler.claim_lease("b", now + timedelta(seconds=30))
    assert scheduler.claim_lease("a", now + timedelta(seconds=60))  # renewal
    later = now + timedelta(seconds=60 + scheduler.LEASE_SECONDS + 1)
    assert scheduler.claim_lease("b", later)
    assert not scheduler.claim_lease("a", later)


def test_a_job_runs_once_per_period(app, monkeypatch):
    CALLS.clear()
    day_one = datetime(2026, 10, 2, 7, 0, tzinfo=UTC)
    assert scheduler.run_job(app, COUNTING, "a", day_one) == {"calls": 1}
    assert scheduler.run_job(app, COUNTING, "a", day_one + timedelta(hours=3)) is None
    assert scheduler.run_job(app, COUNTING, "a", day_one + timedelta(days=1)) == {"calls": 2}


def test_catch_up_after_downtime_runs_each_missed_daily_job_once(app, monkeypatch):
    ran = []
    monkeypatch.setattr(scheduler, "_resolve", lambda path: lambda: ran.append(path) or {})
    morning = datetime(2026, 10, 2, 13, 0, tzinfo=UTC)  # 9:00 in Quebec: after 2:00 and 7:00
    done = scheduler.catch_up(app, "a", morning)
    assert done == ["alert_scan", "digest", "quality_evaluate"]
    assert scheduler.catch_up(app, "a", morning + timedelta(hours=1)) == []
    assert len(ran) == 3


def test_the_embedded_scheduler_does_not_start_in_the_reloaders_watcher(app, monkeypatch):
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    app.debug = True
    assert scheduler.start_embedded(app) is None


def test_jobs_are_configured_to_run_once_after_a_restart(app):
    built = scheduler.build_scheduler(app, "a")
    built.start(paused=True)
    jobs = {job.id: job for job in built.get_jobs()}
    built.shutdown(wait=False)
    assert {"alert_scan", "attendance_check", "digest", "lease_heartbeat"} <= set(jobs)
    assert all(job.coalesce for job in jobs.values())
    assert jobs["alert_scan"].misfire_grace_time >= 3600
    assert jobs["alert_scan"].max_instances == 1


def test_healthz_reports_the_scheduler_lease(client, app, make_user):
    scheduler.claim_lease("host-a:1", clock.utcnow())
    login(client, make_user(Role.ADMIN.value))  # the owner is shown to admins only
    body = client.get("/healthz").get_json()
    assert body["scheduler"]["running"] is True
    assert body["scheduler"]["owner"] == "host-a:1"
