"""The same answers on both databases: the demo, seeded on SQLite and on PostgreSQL at the same
frozen moment, gives the same alerts, quality outcomes and dashboards, row for row.

The test starts its own throwaway PostgreSQL (like ``scripts/with-postgres.sh``), so it runs once,
in the default SQLite run; it is skipped when the suite itself runs on PostgreSQL, and when the
PostgreSQL server binaries are missing.
"""

from __future__ import annotations

import dataclasses
import os
import pprint
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lms import clock, create_app
from lms.alerts import engine
from lms.alerts.models import Alert, Notification
from lms.auth.models import User
from lms.catalog.models import Cohort, Course
from lms.config import ROOT, TestConfig
from lms.dbutil import writing
from lms.extensions import db
from lms.followup.queries.dashboard import dashboard as followup_dashboard
from lms.learning.content import ContentSet, read_content, write_content
from lms.programme.settings import get_setting
from lms.quality.criteria.catalogue import CRITERIA, evaluate
from lms.quality.criteria.engine import Subject
from lms.quality.queries.dashboard import DashboardFilters, cohort_infos, scoped_cohorts
from lms.quality.queries.dashboard import dashboard as quality_dashboard
from lms.quality.queries.indicators import collect
from lms.quality.queries.metrics import Period

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
# Friday 4 Dec. 2026, 12:30 in Quebec: late enough in the day that the evening attempts of the
# demo (19:00-19:59 in Quebec, past midnight in UTC) sit on either side of a day boundary
# depending on the time zone a query reasons in.
MOMENT = datetime(2026, 12, 4, 17, 30, tzinfo=UTC)

pytestmark = pytest.mark.skipif(
    TestConfig.SQLALCHEMY_DATABASE_URI != "sqlite://",
    reason="compares SQLite with a PostgreSQL of its own: runs once, in the SQLite run",
)


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on a Unix socket in a temporary folder."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL server binaries not found in {PG_BIN} (set PG_BIN)")
    folder = Path(tempfile.mkdtemp(prefix="lms-same-answers-pg."))
    run_as: list[str] = []
    if os.getuid() == 0:  # initdb refuses root
        shutil.chown(folder, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", "54361"

    def run(*args: str) -> None:
        subprocess.run([*run_as, *args], check=True, capture_output=True)

    try:
        run(str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust")
        run(
            str(PG_BIN / "pg_ctl"),
            *("-D", str(data), "-l", str(folder / "log"), "-w", "-o"),
            f"-k {folder} -p {port} -c listen_addresses='' -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off",
            "start",
        )
        run(str(PG_BIN / "createdb"), "-h", str(folder), "-p", port, "-U", "postgres", "lms")
        yield f"postgresql+psycopg://postgres@/lms?host={folder}&port={port}"
    finally:
        subprocess.run(
            [*run_as, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


class Keys:
    """Stable names for database ids: e-mails for users, codes for cohorts."""

    def __init__(self) -> None:
        self.users = dict(db.session.execute(select(User.id, User.email)).all())
        self.cohorts = dict(db.session.execute(select(Cohort.id, Cohort.code)).all())

    def user(self, user_id: int | None) -> str | None:
        return None if user_id is None else self.users[user_id]

    def cohort(self, cohort_id: int | None) -> str | None:
        return None if cohort_id is None else self.cohorts[cohort_id]

    def text(self, value: str) -> str:
        value = re.sub(r"student:(\d+)", lambda m: f"student:{self.users[int(m[1])]}", value)
        value = re.sub(r"/students/(\d+)", lambda m: f"/students/{self.users[int(m[1])]}", value)
        return re.sub(r"cohort:(\d+)", lambda m: f"cohort:{self.cohorts[int(m[1])]}", value)

    def plain(self, value: Any) -> Any:
        """``value`` as comparable plain data: ids in texts named, floats rounded."""
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self.plain(dataclasses.asdict(value))
        if isinstance(value, dict):
            return {self.plain(k): self.plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple | set):
            items = [self.plain(v) for v in value]
            return sorted(items, key=repr) if isinstance(value, set) else items
        if isinstance(value, float | Decimal):
            return round(float(value), 9)
        if isinstance(value, str):
            return self.text(value)
        return value


def _answers(url: str, uploads: Path, courses: ContentSet) -> dict[str, Any]:
    """Build the demo on the database at ``url`` and collect every answer in plain data."""
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app({**settings, "SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": str(uploads)})
    with app.app_context():
        db.create_all()
        # What ``lms courses load`` writes (the files are read once for both databases).
        with writing():
            write_content(courses)
            db.session.commit()
        result = app.test_cli_runner().invoke(args=["lms", "demo", "--password", "demo-pass-1"])
        assert result.exit_code == 0, result.output
        today = clock.today()
        engine.scan()
        db.session.commit()
        keys = Keys()

        alerts = sorted(
            (
                a.rule_code,
                keys.text(a.subject_key),
                keys.user(a.student_id),
                keys.cohort(a.cohort_id),
                a.severity,
                a.status,
                keys.plain(a.evidence),
                a.opened_at.astimezone(UTC).isoformat(),
            )
            for a in db.session.scalars(select(Alert))
        )
        notifications = sorted(
            (keys.user(n.user_id), n.kind, n.message)
            for n in db.session.scalars(select(Notification))
        )

        cohorts = list(db.session.scalars(select(Cohort).order_by(Cohort.code)))
        subjects = [
            (code, Subject((code, cohort.code), cohort, today, criterion.defaults))
            for cohort in cohorts
            for code, criterion in CRITERIA.items()
        ]
        criteria = {
            f"{code} {cohort_code}": keys.plain(outcome)
            for (code, (_c, cohort_code)), outcome in sorted(evaluate(subjects).items())
        }

        every = int(get_setting("interview_cadence_days"))
        followup = {}
        for cohort in cohorts:
            course = db.session.get(Course, cohort.course_id)
            followup[cohort.code] = sorted(
                (
                    keys.user(row.student.id),
                    row.enrolment.status,
                    row.enrolment.start_on,
                    keys.plain(row.attendance),
                    row.last_interview,
                    keys.plain(row.cadence),
                    keys.plain(row.levels),
                    keys.plain(row.mastery),
                    row.open_alerts,
                )
                for row in followup_dashboard(cohort, course, today, every)
            )

        admin = db.session.scalar(select(User).where(User.email == "admin@demo.lms"))
        period = Period(date(today.year, 7, 1), today, today)
        board = quality_dashboard(admin, DashboardFilters(), period)
        quality = {
            "total": keys.plain(board.total),
            "tables": {
                name: [(row.label, keys.plain(row.metrics)) for row in rows]
                for name, rows in board.tables.items()
            },
            "months": keys.plain(board.months),
        }
        scope = scoped_cohorts(admin, DashboardFilters(), period)
        infos = cohort_infos(scope)
        per_student = {
            f"{keys.cohort(cohort_id)} {month} {keys.user(student_id)}": keys.plain(metrics)
            for (cohort_id, month, student_id), metrics in collect(
                scope, period, infos, by_student=True
            ).items()
        }
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return {
        "alerts": alerts,
        "notifications": notifications,
        "criteria": criteria,
        "followup": followup,
        "quality": quality,
        "quality_by_student": dict(sorted(per_student.items())),
    }


def test_the_demo_gives_the_same_answers_on_sqlite_and_postgresql(
    postgres_url, tmp_path, monkeypatch
):
    monkeypatch.setattr(clock, "utcnow", lambda: MOMENT)
    monkeypatch.setattr(clock, "today", lambda: MOMENT.astimezone(clock.QUEBEC).date())
    courses, errors = read_content(ROOT / "courses")
    assert courses is not None and not errors
    on_sqlite = _answers(f"sqlite:///{tmp_path / 'same.sqlite3'}", tmp_path, courses)
    on_postgresql = _answers(postgres_url, tmp_path, courses)

    assert len(on_sqlite["alerts"]) > 40  # the demo raises alerts of many rules
    differences = {
        part: _differences(on_sqlite[part], on_postgresql[part])
        for part in on_sqlite
        if on_sqlite[part] != on_postgresql[part]
    }
    assert not differences, pprint.pformat(differences, width=100)


def _differences(sqlite: Any, postgresql: Any) -> dict[str, Any]:
    """What only one side has (rows of a list, entries of a dict), for a readable failure."""
    if isinstance(sqlite, dict) and isinstance(postgresql, dict):
        return {
            str(key): _differences(sqlite.get(key), postgresql.get(key))
            for key in sorted(sqlite.keys() | postgresql.keys(), key=repr)
            if sqlite.get(key) != postgresql.get(key)
        }
    if isinstance(sqlite, list) and isinstance(postgresql, list):
        return {
            "only on SQLite": [row for row in sqlite if row not in postgresql],
            "only on PostgreSQL": [row for row in postgresql if row not in sqlite],
        }
    return {"SQLite": sqlite, "PostgreSQL": postgresql}
