import json
import re
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


def _line_of(path: Path, needle: str, after: int = 0) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if number > after and needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def test_broken_course_files_report_every_error_with_file_and_line_and_write_nothing(
    runner, tmp_path: Path
):
    root = tmp_path / "courses"
    shutil.copytree(ROOT / "courses", root)
    course = root / "ftc-1" / "course.yml"
    course.write_text(
        course.read_text(encoding="utf-8").replace("levels: [1, 2]", "levels: [3, 13]"),
        encoding="utf-8",
    )
    unit = root / "ftc-2" / "units" / "week-03.md"
    text = unit.read_text(encoding="utf-8")
    text = text.replace("domain: vie-personnelle", "domain: vie-perso", 1)
    text = text.replace("correct: true", "correct: false", 1)  # a question nobody can answer
    text = text.replace("level: 3", "level: 13", 1)
    unit.write_text(text, encoding="utf-8")
    other = root / "ftc-3" / "units" / "week-01.md"
    other_text = other.read_text(encoding="utf-8")
    first_exercise = re.search(r"- id: (ftc3-u01-l1-e1)\b", other_text).group(1)
    other.write_text(other_text.replace(first_exercise, "ftc2-u04-l1-e1", 1), encoding="utf-8")
    duplicated = root / "ftc-2" / "units" / "week-04.md"

    before = _counts(), _content_counts()
    result = runner.invoke(args=["lms", "courses", "load", "--path", str(root), "--json"])
    assert result.exit_code == 1
    errors = json.loads(result.output)["errors"]
    unbroken_choice = _line_of(unit, "correct: false")
    expected = {
        f"courses/ftc-1/course.yml:{_line_of(course, 'levels:')}: 'levels' must be two levels "
        "1-12 in order, e.g. [1, 2]",
        f"courses/ftc-2/units/week-03.md:{_line_of(unit, 'domain: vie-perso')}: "
        "unknown domain 'vie-perso'",
        f"courses/ftc-2/units/week-03.md:{_line_of(unit, 'level: 13')}: "
        "'level' must be a whole number from 1 to 12",
        f"courses/ftc-2/units/week-03.md:{_line_of(unit, 'choices:', after=unbroken_choice - 12)}:"
        " no choice is marked correct: the exercise cannot be answered",
        f"courses/ftc-3/units/week-01.md:{_line_of(other, 'ftc2-u04-l1-e1')}: exercise id "
        f"'ftc2-u04-l1-e1' is also used at courses/ftc-2/units/week-04.md:"
        f"{_line_of(duplicated, '- id: ftc2-u04-l1-e1')}",
    }
    assert set(errors) == expected, errors
    assert (_counts(), _content_counts()) == before


def _content_counts():
    from lms.learning.models import Exercise, Lesson, Unit

    return [
        db.session.scalar(select(func.count()).select_from(m)) for m in (Unit, Lesson, Exercise)
    ]


def test_shipped_content_loads_and_reloading_keeps_attempts(runner, make_user):
    from lms.learning.models import Attempt, Exercise

    first = json.loads(runner.invoke(args=["lms", "courses", "load", "--json"]).output)
    assert first["ok"] and first["units"] >= 44 and first["exercises"] >= 44 * 3 * 4
    db.session.rollback()
    exercise = db.session.scalar(select(Exercise).where(Exercise.key == "ftc1-u01-l1-e1"))
    student = make_user()
    db.session.add(
        Attempt(
            student_id=student.id,
            exercise_id=exercise.id,
            answer=[0],
            score=1.0,
            feedback={"messages": []},
        )
    )
    db.session.commit()
    again = json.loads(runner.invoke(args=["lms", "courses", "load", "--json"]).output)
    assert again["ok"] and again["retired"] == 0
    db.session.rollback()
    assert db.session.scalar(select(Exercise.id).where(Exercise.key == "ftc1-u01-l1-e1")) == (
        exercise.id
    )
    assert db.session.scalar(select(func.count(Attempt.id))) == 1


def test_courses_report_gives_the_volumes_of_the_four_courses(runner):
    runner.invoke(args=["lms", "courses", "load"])
    report = json.loads(runner.invoke(args=["lms", "courses", "report", "--json"]).output)
    courses = report["courses"]
    assert list(courses) == ["FTC-1", "FTC-2", "FTC-3", "FTC-4"]
    for code, volumes in courses.items():
        assert volumes["units"] >= 11, code
        assert volumes["lessons"] >= 33, code
        assert volumes["exercises"] >= 132, code
        assert all(volumes["per_skill"][s] > 0 for s in ("CO", "PO", "CE", "PE")), code
        assert len(volumes["per_domain"]) == 5, code
        assert len(volumes["per_type"]) == 9, code
    tracks = courses["FTC-4"]["tracks"]
    assert set(tracks) == {"sante", "fabrication", "commerce-tourisme", "services-administratifs"}
    assert all(t["units"] >= 3 for t in tracks.values())


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
        ["regions", "sites", "cohorts", "users", "enrolments", "attendance_days"], 0
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
        "eleve@demo.lms": "/learn/",
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


def test_demo_scan_opens_alerts_for_the_at_risk_students_then_none(runner):
    from lms.alerts.models import Alert

    runner.invoke(args=["lms", "courses", "load"])
    runner.invoke(args=["lms", "demo", "--password", "mot-de-passe-demo"])
    first = json.loads(runner.invoke(args=["lms", "alerts", "scan", "--json"]).output)
    assert set(first) >= {"opened", "kept", "closed"}
    assert first["opened"] > 0
    db.session.rollback()
    streaks = db.session.scalars(
        select(User.email)
        .join(Alert, Alert.student_id == User.id)
        .where(Alert.rule_code == "absence_streak")
    ).all()
    assert len(streaks) == 6  # the demo's "three absences in a row" student of each cohort
    late = db.session.scalar(
        select(func.count(Alert.id)).where(Alert.rule_code == "repeated_lateness")
    )
    assert late >= 6
    second = json.loads(runner.invoke(args=["lms", "alerts", "scan", "--json"]).output)
    assert second["opened"] == 0 and second["kept"] == first["opened"]
