"""Test fixtures (flaskr's pattern): a fresh app per test on a real database.

The database is ``TEST_DATABASE_URL`` when set (``make test-pg`` sets a throwaway PostgreSQL),
otherwise a SQLite file in a temporary folder. The schema is created once per session; every
test starts from empty tables.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import has_app_context
from sqlalchemy import create_engine, event, insert, select, text
from sqlalchemy.engine import make_url

from lms import create_app
from lms.auth.models import Role, User
from lms.catalog.models import Cohort, Course, Enrolment, Region, Site, cohort_teacher
from lms.catalog.models import coordinator_region as coordinator_region_table
from lms.config import ROOT, TestConfig
from lms.extensions import db
from lms.learning.models import Lesson

PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = TestConfig.SQLALCHEMY_DATABASE_URI
    if url == "sqlite://":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    return url


@pytest.fixture(scope="session")
def _schema(database_url: str) -> Iterator[None]:
    app = create_app({**_test_settings(), "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


_UPLOADS = tempfile.mkdtemp(prefix="lms-test-uploads-")


def _test_settings() -> dict:
    return {
        **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
        "UPLOAD_DIR": _UPLOADS,
    }


@pytest.fixture(scope="session")
def _app_pool(database_url: str, _schema) -> Iterator[list]:
    """Apps built once for the whole session and lent to the tests in turn.

    Building an app costs about 0.15 s (routes, extensions) and its first pages recompile every
    template; a test borrows the apps it asks for (the first call of ``app_factory`` gets the
    first app of the pool, the second call the second, ...). After the test the apps' settings
    are restored, the tables emptied and the engines disposed.
    """
    pool: list = []
    yield pool
    for application, _config in pool:
        with application.app_context():
            db.engine.dispose()


def _new_app(database_url: str, **overrides):
    return create_app({**_test_settings(), "SQLALCHEMY_DATABASE_URI": database_url, **overrides})


@pytest.fixture
def app_factory(database_url: str, _app_pool: list) -> Iterator[Callable[..., object]]:
    """Apps on the test database (borrowed from the session's pool unless given overrides);
    tables are emptied after the test."""
    used: list = []
    fresh: list = []

    def factory(**overrides):
        if overrides:
            application = _new_app(database_url, **overrides)
            fresh.append(application)
            return application
        if len(used) == len(_app_pool):
            application = _new_app(database_url)
            _app_pool.append((application, dict(application.config)))
        application, _config = _app_pool[len(used)]
        used.append(application)
        return application

    yield factory
    apps = used + fresh
    for application in apps:
        with application.app_context():
            db.session.remove()
    cleaner = apps[0] if apps else factory()
    with cleaner.app_context(), db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
    for application in apps or [cleaner]:
        with application.app_context():
            db.engine.dispose()
    for application, config in _app_pool:
        if application.config != config:
            application.config.clear()
            application.config.update(config)


@pytest.fixture
def app(app_factory):
    application = app_factory()
    with application.app_context():
        yield application
        db.session.remove()


@pytest.fixture
def server(app_factory, app):
    """The app that serves the test client's requests.

    A second instance on the same database, like another process: each request then gets its
    own application context (its own ``g`` and database session) instead of sharing the test's.
    """
    return app_factory()


@pytest.fixture
def client(server):
    return server.test_client()


@pytest.fixture
def runner(server):
    return server.test_cli_runner()


# --- factories -------------------------------------------------------------------------------

_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


@pytest.fixture
def make_user(app) -> Callable[..., User]:
    from lms.auth.services import hash_password

    hashed = hash_password(PASSWORD)

    def make(
        role: str = Role.STUDENT.value,
        *,
        email: str | None = None,
        name: str | None = None,
        **fields,
    ) -> User:
        n = _next()
        user = User(
            email=email or f"{role}{n}@example.org",
            name=name or f"{role.capitalize()} {n}",
            role=role,
            password_hash=hashed,
            **fields,
        )
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_region(app) -> Callable[..., Region]:
    def make(name: str | None = None, coordinators: tuple[User, ...] = ()) -> Region:
        n = _next()
        region = Region(code=f"R{n}", name=name or f"Région {n}")
        db.session.add(region)
        db.session.flush()
        if coordinators:
            db.session.execute(
                insert(coordinator_region_table),
                [{"user_id": u.id, "region_id": region.id} for u in coordinators],
            )
        db.session.commit()
        return region

    return make


@pytest.fixture
def make_cohort(app) -> Callable[..., Cohort]:
    def make(
        *,
        region: Region | None = None,
        site: Site | None = None,
        course: Course | None = None,
        teachers: tuple[User, ...] = (),
        start_on: date | None = None,
        weeks: int = 11,
        capacity: int = 20,
        code: str | None = None,
    ) -> Cohort:
        n = _next()
        if site is None:
            if region is None:
                region = Region(code=f"R{n}", name=f"Région {n}")
                db.session.add(region)
                db.session.flush()
            site = Site(code=f"S{n}", name=f"Centre {n}", region_id=region.id)
            db.session.add(site)
            db.session.flush()
        if course is None:
            course = Course(
                code=f"FTC-{n}",
                title=f"Cours {n}",
                level_min=1,
                level_max=2,
                weeks=weeks,
                hours_per_week=30,
            )
            db.session.add(course)
            db.session.flush()
        start_on = start_on or date(2026, 9, 7)
        cohort = Cohort(
            code=code or f"G-{n}",
            course_id=course.id,
            site_id=site.id,
            start_on=start_on,
            end_on=start_on + timedelta(weeks=weeks, days=-3),
            capacity=capacity,
        )
        db.session.add(cohort)
        db.session.flush()
        if teachers:
            db.session.execute(
                insert(cohort_teacher),
                [{"cohort_id": cohort.id, "user_id": t.id} for t in teachers],
            )
        db.session.commit()
        return cohort

    return make


@pytest.fixture
def enrol(app) -> Callable[..., Enrolment]:
    def make(student: User, cohort: Cohort, start_on: date | None = None, **fields) -> Enrolment:
        e = Enrolment(
            student_id=student.id,
            cohort_id=cohort.id,
            start_on=start_on or cohort.start_on,
            **fields,
        )
        db.session.add(e)
        db.session.commit()
        return e

    return make


@pytest.fixture
def make_lesson(app) -> Callable[..., Lesson]:
    """A unit with one lesson of the given exercises, in ``course``.

    ``exercises``: (type, spec) pairs; defaults to one cloze and one written production.
    """

    def make(course: Course, exercises=None, *, week: int = 1, skills=("CE",), level: int = 1):
        from lms.learning.models import Domain, Exercise, Situation, Unit, exercise_skill

        n = _next()
        if db.session.get(Domain, "vie-personnelle") is None:
            db.session.add(Domain(key="vie-personnelle", name="Vie personnelle"))
            db.session.flush()
            db.session.add(Situation(key="logement", name="Logement", domain_key="vie-personnelle"))
            db.session.flush()
        unit = Unit(
            key=f"u{n}",
            course_id=course.id,
            week=week,
            title=f"Unité {n}",
            hours=30,
            domain_key="vie-personnelle",
            situation_key="logement",
            intentions=["Se loger"],
            tasks=[],
        )
        db.session.add(unit)
        db.session.flush()
        lesson = Lesson(
            key=f"u{n}-l1",
            unit_id=unit.id,
            position=1,
            title=f"Leçon {n}",
            text_md="Un **texte** de leçon.",
        )
        db.session.add(lesson)
        db.session.flush()
        exercises = exercises or [
            ("cloze", {"text": "Mon [[élève]] habite à [[Montréal]]."}),
            ("written_production", {"min_words": 3, "max_words": 50}),
        ]
        for position, (kind, spec) in enumerate(exercises, start=1):
            exercise = Exercise(
                key=f"u{n}-l1-e{position}",
                lesson_id=lesson.id,
                position=position,
                type=kind,
                skills=list(skills),
                level=level,
                prompt="Consigne de l'exercice.",
                spec=spec,
            )
            db.session.add(exercise)
            db.session.flush()
            db.session.execute(
                insert(exercise_skill), [{"exercise_id": exercise.id, "skill": s} for s in skills]
            )
        db.session.commit()
        return lesson

    return make


# --- requests --------------------------------------------------------------------------------

_CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str = "/auth/login") -> str:
    """A CSRF token of the client's current session, read from a rendered form."""
    page = client.get(path, follow_redirects=True)
    match = _CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, user_or_email, password: str = PASSWORD):
    email = getattr(user_or_email, "email", user_or_email)
    if has_app_context():
        # A login writes (audit log, throttling): end the test's read transaction first, or
        # SQLite refuses the test's next write on its stale snapshot.
        db.session.commit()
    token = csrf_token(client, "/auth/login")
    return client.post(
        "/auth/login", data={"email": email, "password": password, "csrf_token": token}
    )


def client_for(server, user, password: str = PASSWORD):
    """A new test client of ``server``, logged in as ``user`` (each client is one browser)."""
    client = server.test_client()
    response = login(client, user, password)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


# What a login, a failed login or a logout writes to the audit log: tests of a feature's audit
# trail leave these out.
SIGN_IN_ACTIONS = ("user.login", "user.login_failed", "user.logout", "user.password_check_failed")


def audit_actions() -> list[str]:
    """The audit log's actions in order, sign-ins left out (after ending the test's
    transaction, so that what the server wrote is seen)."""
    from lms.audit.models import AuditLog

    db.session.rollback()
    return list(
        db.session.scalars(
            select(AuditLog.action)
            .where(AuditLog.action.not_in(SIGN_IN_ACTIONS))
            .order_by(AuditLog.id)
        )
    )


@pytest.fixture
def login_as(client):
    def do(user, password: str = PASSWORD):
        response = login(client, user, password)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return do


@pytest.fixture
def count_queries(server):
    """``with count_queries() as statements:`` collects the SQL statements the server runs."""
    with server.app_context():
        engine = db.engine

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


# --- migrations (pytest-alembic) -----------------------------------------------------------


@pytest.fixture
def alembic_config():
    return {"script_location": str(ROOT / "migrations")}


@pytest.fixture
def alembic_engine(database_url: str, tmp_path: Path):
    """An empty database for the migration checks, apart from the suite's own."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'alembic.sqlite3'}")
        yield engine
        engine.dispose()
        return
    name = f"{url.database}_alembic"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(url.set(database=name))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()
