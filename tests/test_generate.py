"""``lms generate --size XS``: DESIGN §6's counts, the demo accounts, a plausible past."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from lms import clock
from lms.attendance.models import AttendanceDay, AttendanceRecord
from lms.auth.models import User
from lms.catalog.models import Cohort, Enrolment, Region, Site, cohort_teacher, coordinator_region
from lms.extensions import db
from lms.learning.models import Attempt
from lms.programme.calendar import is_holiday
from lms.quality.models import CheckpointReview

PASSWORD = "mot-de-passe-genere"
CONTENT_TABLES = {
    "course",
    "course_track",
    "domain",
    "situation",
    "workplace_task",
    "level_descriptor",
    "unit",
    "lesson",
    "exercise",
}


def _generate(runner, *extra: str) -> dict:
    result = runner.invoke(
        args=["lms", "generate", "--size", "XS", "--password", PASSWORD, "--json", *extra]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _empty_all_but_courses() -> None:
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in CONTENT_TABLES:
                conn.execute(table.delete())


def test_generate_xs_counts_accounts_and_history(runner, server):
    from tests.conftest import login

    assert runner.invoke(args=["lms", "courses", "load"]).exit_code == 0
    payload = _generate(runner)
    db.session.commit()

    # DESIGN §6, size XS: 1 region, 1 site, 2 cohorts, 40 students.
    assert (payload["regions"], payload["sites"], payload["cohorts"]) == (1, 1, 2)
    assert payload["employers"] == 1
    assert (_count(Region), _count(Site), _count(Cohort)) == (1, 1, 2)
    roles = dict(
        db.session.execute(select(User.role, func.count(User.id)).group_by(User.role)).all()
    )
    assert roles == {"admin": 1, "coordinator": 1, "teacher": 1, "student": 40}
    assert _count(Enrolment) == payload["enrolments"] == 40
    assert payload["attendance_records"] > 500 and payload["attempts"] > 200
    assert payload["assessments"] >= 160 and payload["notes"] > 40
    assert payload["signed_reviews"] >= 1 and payload["alerts"] > 0
    assert isinstance(payload["seconds"], float)
    assert db.session.scalar(
        select(func.count(CheckpointReview.id)).where(CheckpointReview.status == "signed")
    )

    # prof@demo.lms teaches the 2 ongoing cohorts, of about 20 students each.
    today = clock.today()
    prof = db.session.scalar(select(User).where(User.email == "prof@demo.lms"))
    cohorts = db.session.scalars(
        select(Cohort).join(cohort_teacher).where(cohort_teacher.c.user_id == prof.id)
    ).all()
    assert len(cohorts) == 2
    for cohort in cohorts:
        assert cohort.status == "ongoing" and cohort.start_on <= today <= cohort.end_on
        active = db.session.scalar(
            select(func.count(Enrolment.id)).where(
                Enrolment.cohort_id == cohort.id, Enrolment.active_on(today)
            )
        )
        assert 15 <= active <= 20

    # coordo@demo.lms coordinates the region with the most sites; eleve@demo.lms has a past.
    coordo = db.session.scalar(select(User).where(User.email == "coordo@demo.lms"))
    largest = db.session.scalar(
        select(Site.region_id).group_by(Site.region_id).order_by(func.count().desc()).limit(1)
    )
    assert (
        db.session.scalar(
            select(coordinator_region.c.region_id).where(coordinator_region.c.user_id == coordo.id)
        )
        == largest
    )
    eleve = db.session.scalar(select(User).where(User.email == "eleve@demo.lms"))
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.student_id == eleve.id))
    assert enrolment.is_active_on(today) and enrolment.cohort_id in {c.id for c in cohorts}
    assert db.session.scalar(
        select(func.count(AttendanceRecord.id)).where(AttendanceRecord.student_id == eleve.id)
    )
    assert db.session.scalar(select(func.count(Attempt.id)).where(Attempt.student_id == eleve.id))

    # Attendance only on past class days, and only while the student is enrolled.
    days = set(db.session.scalars(select(AttendanceRecord.day).distinct()))
    days |= set(db.session.scalars(select(AttendanceDay.day).distinct()))
    assert days
    assert all(d.weekday() < 5 and not is_holiday(d) and d < today for d in days)
    outside = db.session.scalar(
        select(func.count(AttendanceRecord.id))
        .join(
            Enrolment,
            (Enrolment.student_id == AttendanceRecord.student_id)
            & (Enrolment.cohort_id == AttendanceRecord.cohort_id),
        )
        .where(
            (AttendanceRecord.day < Enrolment.start_on)
            | (Enrolment.end_on.is_not(None) & (AttendanceRecord.day > Enrolment.end_on))
        )
    )
    assert outside == 0
    statuses = set(db.session.scalars(select(AttendanceRecord.status).distinct()))
    assert {"present", "absent", "late"} <= statuses

    # The demo accounts log in with the password.
    for email in ("admin@demo.lms", "coordo@demo.lms", "prof@demo.lms", "eleve@demo.lms"):
        assert login(server.test_client(), email, PASSWORD).status_code == 302, email


def test_generate_refuses_a_database_with_data(runner):
    runner.invoke(args=["lms", "courses", "load"])
    _generate(runner)
    db.session.commit()
    users = _count(User)
    again = runner.invoke(args=["lms", "generate", "--size", "XS", "--json"])
    assert again.exit_code == 1
    assert "base contient déjà des données" in json.loads(again.output)["error"]
    db.session.rollback()
    assert _count(User) == users


def test_generate_refuses_without_courses(runner):
    result = runner.invoke(args=["lms", "generate", "--size", "XS"])
    assert result.exit_code == 1
    assert "cours ne sont pas chargés" in result.output


def test_generate_is_deterministic_for_a_seed(runner):
    def snapshot() -> tuple:
        names = db.session.execute(select(User.email, User.name).order_by(User.email)).all()
        cohorts = db.session.scalars(select(Cohort.code).order_by(Cohort.code)).all()
        statuses = db.session.execute(
            select(AttendanceRecord.status, func.count()).group_by(AttendanceRecord.status)
        ).all()
        return names, cohorts, sorted(statuses)

    runner.invoke(args=["lms", "courses", "load"])
    first = _generate(runner, "--seed", "7")
    db.session.commit()
    before = snapshot()
    _empty_all_but_courses()
    second = _generate(runner, "--seed", "7")
    db.session.commit()
    for key in ("seconds", "password"):
        first.pop(key), second.pop(key)
    assert first == second
    assert snapshot() == before
    assert before[0][0][0] == "admin@demo.lms"
