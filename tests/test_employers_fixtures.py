"""Shared fixtures of the employer-adapted course tests (no tests here).

``course4`` builds a small FTC-4-like course (11 core units of 20 h, two sector tracks of 3
units of 10 h, the workplace-task catalogue) with a cohort, its people and two employers; the
real shipped content is in ``shipped_ftc4`` (read once per session, written per test).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from lms import clock
from lms.auth.models import Role, User
from lms.catalog.models import Cohort, Course
from lms.employers.models import Employer
from lms.extensions import db
from lms.learning.models import (
    CourseTrack,
    Domain,
    Exercise,
    Lesson,
    Situation,
    Unit,
    WorkplaceTask,
    exercise_skill,
)
from tests.conftest import csrf_token

TODAY = date(2026, 9, 30)
START = date(2026, 9, 14)

TASKS = {
    "consignes-securite": "Comprendre des consignes de sécurité",
    "rapport-incident": "Rédiger un rapport d'incident",
    "service-client": "Servir un client",
    "reunion-equipe": "Participer à une réunion d'équipe",
    "courriel-professionnel": "Rédiger un courriel professionnel",
    "echange-superviseur": "Échanger avec un superviseur",
    "telephone-professionnel": "Répondre au téléphone au travail",
    "horaire-conges": "Comprendre son horaire et demander un congé",
    "formulaires-travail": "Remplir des formulaires de travail",
    "entrevue-embauche": "Passer une entrevue d'embauche",
}
CORE_TASKS = [
    ["echange-superviseur"],
    ["consignes-securite"],
    ["consignes-securite"],
    ["formulaires-travail"],
    ["horaire-conges"],
    ["horaire-conges"],
    ["telephone-professionnel"],
    ["reunion-equipe"],
    ["formulaires-travail"],
    ["courriel-professionnel"],
    ["entrevue-embauche"],
]
TRACKS = {
    "sante": [
        (4, ["reunion-equipe", "formulaires-travail"]),
        (7, ["rapport-incident", "consignes-securite"]),
        (10, ["service-client"]),
    ],
    "fabrication": [
        (4, ["consignes-securite"]),
        (7, ["rapport-incident", "consignes-securite"]),
        (10, ["reunion-equipe"]),
    ],
    "commerce-tourisme": [
        (4, ["service-client"]),
        (7, ["service-client", "courriel-professionnel"]),
        (10, ["telephone-professionnel"]),
    ],
}


def ensure_reference() -> None:
    """Domain, situation and the workplace-task catalogue (idempotent)."""
    if db.session.get(Domain, "travail") is None:
        db.session.add(Domain(key="travail", name="Monde du travail"))
        db.session.flush()
    if db.session.get(Situation, "en-emploi") is None:
        db.session.add(Situation(key="en-emploi", name="En emploi", domain_key="travail"))
    existing = set(db.session.scalars(select(WorkplaceTask.key)))
    for key, name in TASKS.items():
        if key not in existing:
            db.session.add(WorkplaceTask(key=key, name=name))
    db.session.flush()


def add_unit(
    course: Course,
    key: str,
    *,
    week: int,
    hours: int,
    track: str | None,
    tasks: list[str],
    exercises: int = 1,
) -> Unit:
    unit = Unit(
        key=key,
        course_id=course.id,
        week=week,
        title=f"Unité {key}",
        hours=hours,
        track_key=track,
        domain_key="travail",
        situation_key="en-emploi",
        intentions=["Communiquer au travail"],
        tasks=tasks,
    )
    db.session.add(unit)
    db.session.flush()
    lesson = Lesson(key=f"{key}-l1", unit_id=unit.id, position=1, title="Leçon", text_md="Texte.")
    db.session.add(lesson)
    db.session.flush()
    for n in range(1, exercises + 1):
        exercise = Exercise(
            key=f"{key}-l1-e{n}",
            lesson_id=lesson.id,
            position=n,
            type="cloze",
            skills=["CE"],
            level=7,
            prompt="Complétez.",
            spec={"text": "Le [[casque]] est obligatoire."},
        )
        db.session.add(exercise)
        db.session.flush()
        db.session.execute(insert(exercise_skill), [{"exercise_id": exercise.id, "skill": "CE"}])
    return unit


def build_course4(code: str = "FTC-4T", *, extra_units: int = 0) -> Course:
    """An employer-adapted course: 11 core units (20 h), 3 tracks of 3 units (10 h)."""
    ensure_reference()
    course = Course(
        code=code,
        title="Français en milieu de travail",
        level_min=7,
        level_max=8,
        weeks=11,
        hours_per_week=30,
        employer_adapted=True,
    )
    db.session.add(course)
    db.session.flush()
    prefix = code.lower()
    for track in TRACKS:
        db.session.add(CourseTrack(course_id=course.id, key=track, title=f"Volet {track}"))
    for week, tasks in enumerate(CORE_TASKS, start=1):
        add_unit(course, f"{prefix}-u{week:02d}", week=week, hours=20, track=None, tasks=tasks)
    for track, units in TRACKS.items():
        for n, (week, tasks) in enumerate(units, start=1):
            add_unit(
                course, f"{prefix}-{track}-u{n}", week=week, hours=10, track=track, tasks=tasks
            )
    for n in range(extra_units):
        add_unit(course, f"{prefix}-x{n:02d}", week=1 + n % 11, hours=10, track="x", tasks=[])
    db.session.commit()
    return course


@dataclass
class World:
    people: dict[str, User]
    course: Course
    cohort: Cohort
    other_cohort: Cohort  # a cohort of a course that is not employer-adapted, same region
    employer: Employer
    other_employer: Employer  # in the other coordinator's region
    students: list[User] = field(default_factory=list)

    @property
    def student(self) -> User:
        return self.people["student"]


@pytest.fixture
def course4(make_user, make_region, make_cohort, enrol, monkeypatch) -> World:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    people = {
        "student": make_user(Role.STUDENT.value, name="Amina Haddad"),
        "teacher": make_user(Role.TEACHER.value, name="Julie Bouchard"),
        "other_teacher": make_user(Role.TEACHER.value),
        "coordinator": make_user(Role.COORDINATOR.value),
        "other_coordinator": make_user(Role.COORDINATOR.value),
        "admin": make_user(Role.ADMIN.value),
    }
    region_a = make_region("Montréal", coordinators=(people["coordinator"],))
    region_b = make_region("Capitale-Nationale", coordinators=(people["other_coordinator"],))
    course = build_course4()
    cohort = make_cohort(
        region=region_a, course=course, teachers=(people["teacher"],), start_on=START
    )
    other_cohort = make_cohort(region=region_a, teachers=(people["teacher"],), start_on=START)
    make_cohort(region=region_b, course=course, teachers=(people["other_teacher"],), start_on=START)
    enrol(people["student"], cohort)
    employer = Employer(
        name="CHSLD Les Érables", neq="1164567890", sector="sante", region_id=region_a.id
    )
    other = Employer(
        name="Usine Québec", neq="2264567890", sector="fabrication", region_id=region_b.id
    )
    db.session.add_all([employer, other])
    db.session.commit()
    return World(people, course, cohort, other_cohort, employer, other, [people["student"]])


def post(client, path: str, **data: Any):
    """A form POST with a valid CSRF token of the client's session."""
    return client.post(path, data={"csrf_token": csrf_token(client, "/auth/password"), **data})


# --- the shipped content ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def shipped_content():
    from lms.config import Config
    from lms.learning.content import read_content

    content, errors = read_content(Path(Config.COURSES_DIR))
    assert not errors, errors
    return content


@pytest.fixture
def shipped_ftc4(app, shipped_content) -> Course:
    """The real courses/ content written to the test database; returns FTC-4."""
    from lms.learning.content import write_content

    write_content(shipped_content)
    db.session.commit()
    return db.session.scalar(select(Course).where(Course.code == "FTC-4"))
