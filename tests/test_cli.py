import json
import shutil
from pathlib import Path

from sqlalchemy import func, select

from lms.auth.models import User
from lms.catalog.models import Cohort, Course, Enrolment, Region, Site
from lms.config import ROOT
from lms.extensions import db


def _counts():
    db.session.rollback()
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Region, Site, Course, Cohort, User, Enrolment)
    }


def test_courses_load_reads_the_shipped_courses(runner):
    result = runner.invoke(args=["lms", "courses", "load", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["ok"] and payload["courses"] == ["FTC-1", "FTC-2", "FTC-3", "FTC-4"]
    again = json.loads(runner.invoke(args=["lms", "courses", "load", "--json"]).output)
    assert again["created"] == 0 and again["updated"] == 0 and again["unchanged"] == 4
    ftc4 = db.session.scalar(select(Course).where(Course.code == "FTC-4"))
    assert ftc4.employer_adapted and (ftc4.level_min, ftc4.level_max) == (7, 8)
    assert ftc4.total_hours == 330


def test_broken_course_files_report_every_error_with_file_and_line_and_write_nothing(
    runner, tmp_path: Path
):
    root = tmp_path / "courses"
    shutil.copytree(ROOT / "courses", root, ignore=shutil.ignore_patterns("units", "tracks"))
    (root / "ftc-1" / "course.yml").write_text(
        "code: FTC-1\ntitle: Cours 1\nlevels: [3, 13]\nweeks: deux\nhours_per_week: 30\n",
        encoding="utf-8",
    )
    (root / "ftc-2" / "course.yml").write_text("code: FTC-2\ntitle: [oups\n", encoding="utf-8")
    before = _counts()
    result = runner.invoke(args=["lms", "courses", "load", "--path", str(root), "--json"])
    assert result.exit_code == 1
    errors = json.loads(result.output)["errors"]
    assert (
        "courses/ftc-1/course.yml:3: 'levels' must be two levels 1-12 in order, e.g. [1, 2]"
        in errors
    )
    assert "courses/ftc-1/course.yml:4: 'weeks' must be a whole number of weeks" in errors
    assert any(e.startswith("courses/ftc-2/course.yml:3: invalid YAML") for e in errors)
    assert len(errors) == 3
    assert _counts() == before


def test_demo_is_idempotent_and_prints_the_accounts(runner):
    assert runner.invoke(args=["lms", "courses", "load"]).exit_code == 0
    first = runner.invoke(args=["lms", "demo", "--password", "mot-de-passe-demo", "--json"])
    assert first.exit_code == 0, first.output
    payload = json.loads(first.output)
    emails = {a["email"] for a in payload["accounts"]}
    assert {"admin@demo.lms", "coordo@demo.lms", "prof@demo.lms", "eleve@demo.lms"} <= emails
    assert payload["password"] == "mot-de-passe-demo"
    counts = _counts()
    assert counts == {
        "Region": 2,
        "Site": 3,
        "Course": 4,
        "Cohort": 6,
        "User": 87,
        "Enrolment": 80,
    }
    roles = dict(
        db.session.execute(select(User.role, func.count(User.id)).group_by(User.role)).all()
    )
    assert roles == {"admin": 1, "coordinator": 2, "teacher": 4, "student": 80}
    assert (
        db.session.scalar(select(func.count(Cohort.id)).join(Course).where(Course.employer_adapted))
        == 1
    )

    second = runner.invoke(args=["lms", "demo", "--json"])
    assert second.exit_code == 0
    assert json.loads(second.output)["created"] == dict.fromkeys(
        ["regions", "sites", "cohorts", "users", "enrolments"], 0
    )
    assert _counts() == counts


def test_demo_text_output_lists_accounts(runner):
    runner.invoke(args=["lms", "courses", "load"])
    result = runner.invoke(args=["lms", "demo", "--password", "mot-de-passe-demo"])
    assert "coordo@demo.lms" in result.output
    assert "Password: mot-de-passe-demo" in result.output


def test_demo_accounts_log_in_to_their_home_pages(runner, client):
    from tests.conftest import login

    runner.invoke(args=["lms", "courses", "load"])
    runner.invoke(args=["lms", "demo", "--password", "mot-de-passe-demo"])
    homes = {
        "admin@demo.lms": "/admin/",
        "coordo@demo.lms": "/cohorts/",
        "prof@demo.lms": "/cohorts/",
        "eleve@demo.lms": "/my-course",
    }
    for email, home in homes.items():
        fresh = client.application.test_client()
        assert login(fresh, email, "mot-de-passe-demo").status_code == 302
        response = fresh.get("/", follow_redirects=True)
        assert response.status_code == 200
        assert response.request.path == home


def test_demo_refuses_a_short_password_and_missing_courses(runner):
    assert runner.invoke(args=["lms", "demo", "--password", "court"]).exit_code != 0
    result = runner.invoke(args=["lms", "demo"])
    assert result.exit_code != 0
    assert "courses not loaded" in result.output
