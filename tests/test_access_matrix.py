"""Route × role: every route of the application, for anonymous users and each role.

A new route fails ``test_every_route_is_listed`` until it is added to ``EXPECTED`` (GET pages)
or ``POST_ONLY`` (actions), so that nobody ships a page whose access was never tested.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from lms.alerts.models import Alert
from lms.auth.models import Role
from lms.catalog.models import Course
from lms.extensions import db
from lms.intake.models import Candidate
from lms.learning.models import Exercise, Production
from tests.conftest import csrf_token, login

ROLES = (
    "anonymous",
    "student",
    "teacher",
    "other_teacher",
    "coordinator",
    "other_coordinator",
    "admin",
)
PUBLIC_ASSETS = {"static", "bootstrap.static"}

ALL = dict.fromkeys(ROLES[1:], 200)
NOBODY = dict.fromkeys(ROLES[1:], 403)
OUT_OF_SCOPE = {"other_teacher": 404, "other_coordinator": 404}

# endpoint -> (path template, {role: status}); anonymous users are sent to the login page
# unless the entry says otherwise.
EXPECTED: dict[str, tuple[str, dict[str, int]]] = {
    "core.home": ("/", dict.fromkeys(ROLES[1:], 302)),
    "core.healthz": ("/healthz", {"anonymous": 200, **ALL}),
    "auth.login": ("/auth/login", {"anonymous": 200, **dict.fromkeys(ROLES[1:], 302)}),
    "auth.password": ("/auth/password", ALL),
    "learning.home": ("/learn/", {**NOBODY, "student": 200}),
    "catalog.cohort_list": ("/cohorts/", {**ALL, "student": 403}),
    "catalog.cohort_detail": (
        "/cohorts/{cohort}",
        {
            "student": 403,
            "teacher": 200,
            "other_teacher": 404,
            "coordinator": 200,
            "other_coordinator": 404,
            "admin": 200,
        },
    ),
    "catalog.cohort_import": (
        "/cohorts/{cohort}/import",
        {
            "student": 403,
            "teacher": 403,
            "other_teacher": 403,
            "coordinator": 200,
            "other_coordinator": 404,
            "admin": 200,
        },
    ),
    "catalog.cohort_enrol": (
        "/cohorts/{cohort}/enrol?q=student",
        {
            "student": 403,
            "teacher": 403,
            "other_teacher": 403,
            "coordinator": 200,
            "other_coordinator": 404,
            "admin": 200,
        },
    ),
    "catalog.enrolment_transfer": (
        "/enrolments/{enrolment}/transfer",
        {
            "student": 403,
            "teacher": 403,
            "other_teacher": 403,
            "coordinator": 200,
            "other_coordinator": 404,
            "admin": 200,
        },
    ),
    "learning.plan": ("/learn/plan", {**NOBODY, "student": 200}),
    "learning.history": ("/learn/history", {**NOBODY, "student": 200}),
    "learning.my_productions": ("/learn/productions", {**NOBODY, "student": 200}),
    "learning.lesson": ("/learn/lessons/{lesson}", {**ALL, "other_teacher": 404}),
    "learning.exercise": ("/learn/exercises/{exercise}", {**ALL, "other_teacher": 404}),
    "learning.production": ("/productions/{production}", {**ALL, **OUT_OF_SCOPE}),
    "learning.production_audio": ("/productions/{production}/audio", {**ALL, **OUT_OF_SCOPE}),
    "learning.queue": ("/cohorts/{cohort}/productions", {**ALL, "student": 403, **OUT_OF_SCOPE}),
    "learning.grade": ("/productions/{production}/grade", {**ALL, "student": 403, **OUT_OF_SCOPE}),
    "attendance.grid": ("/cohorts/{cohort}/attendance", {**ALL, "student": 403, **OUT_OF_SCOPE}),
    "attendance.cohort_allowance": (
        "/cohorts/{cohort}/allowance",
        {**ALL, "student": 403, **OUT_OF_SCOPE},
    ),
    "attendance.cohort_allowance_csv": (
        "/cohorts/{cohort}/allowance.csv",
        {**ALL, "student": 403, **OUT_OF_SCOPE},
    ),
    "attendance.site_allowance": (
        "/sites/{site}/allowance",
        {**NOBODY, "coordinator": 200, "other_coordinator": 404, "admin": 200},
    ),
    "attendance.site_allowance_csv": (
        "/sites/{site}/allowance.csv",
        {**NOBODY, "coordinator": 200, "other_coordinator": 404, "admin": 200},
    ),
    "attendance.mine": ("/learn/attendance", {**NOBODY, "student": 200}),
    "alerts.inbox": ("/alerts/", {**ALL, "student": 403}),
    "alerts.detail": ("/alerts/{alert}", {**ALL, "student": 403, **OUT_OF_SCOPE}),
    "alerts.rules": (
        "/alerts/rules",
        {**ALL, "student": 403, "teacher": 403, "other_teacher": 403},
    ),
    "alerts.rule_course": (
        "/alerts/rules/low_attendance?course={course}",
        {**ALL, "student": 403, "teacher": 403, "other_teacher": 403},
    ),
    "alerts.at_risk": ("/cohorts/{cohort}/at-risk", {**ALL, "student": 403, **OUT_OF_SCOPE}),
    "alerts.notifications": ("/notifications", {**ALL, "student": 403}),
    "alerts.outbox": ("/admin/outbox", {**NOBODY, "admin": 200}),
    "programme.settings": (
        "/programme/settings",
        {**NOBODY, "coordinator": 200, "other_coordinator": 200, "admin": 200},
    ),
    "programme.sites": ("/sites/", {**NOBODY, "admin": 200}),
    "programme.closures": ("/sites/{site}/closures", {**NOBODY, "admin": 200}),
    "programme.regions": ("/regions/", {**NOBODY, "admin": 200}),
    "programme.region_edit": ("/regions/new", {**NOBODY, "admin": 200}),
    "programme.site_edit": ("/sites/{site}/edit", {**NOBODY, "admin": 200}),
    "programme.cohort_new": (
        "/cohorts/new",
        {**NOBODY, "coordinator": 200, "other_coordinator": 200, "admin": 200},
    ),
    "programme.cohort_edit": (
        "/cohorts/{cohort}/edit",
        {**NOBODY, "coordinator": 200, "other_coordinator": 404, "admin": 200},
    ),
    "audit.log": (
        "/audit/",
        {**NOBODY, "coordinator": 200, "other_coordinator": 200, "admin": 200},
    ),
    "audit.log_csv": (
        "/audit/export.csv",
        {**NOBODY, "coordinator": 200, "other_coordinator": 200, "admin": 200},
    ),
    "admin.index": ("/admin/", {**NOBODY, "admin": 200}),
    "admin.user_new": ("/admin/users/new", {**NOBODY, "admin": 200}),
    "admin.user_edit": ("/admin/users/{student}", {**NOBODY, "admin": 200}),
    "auth.profile": ("/auth/profile", ALL),
    # Only with MAIL_SERVER (unset in tests): tests/test_accounts.py covers it with mail.
    "auth.forgot": ("/auth/forgot", dict.fromkeys(ROLES, 404)),
    "auth.reset": ("/auth/reset/not-a-token", dict.fromkeys(ROLES, 410)),
    "accounts.index": (
        "/accounts/",
        {**NOBODY, "coordinator": 200, "other_coordinator": 200, "admin": 200},
    ),
}

EXPECTED.update(
    {
        "intake.queue": (
            "/intake/",
            {**NOBODY, "coordinator": 200, "other_coordinator": 200, "admin": 200},
        ),
        "intake.candidate_new": (
            "/intake/new",
            {**NOBODY, "coordinator": 200, "other_coordinator": 200, "admin": 200},
        ),
        "intake.candidate": (
            "/intake/{candidate}",
            {**NOBODY, "coordinator": 200, "other_coordinator": 404, "admin": 200},
        ),
    }
)

# Actions (POST only): anonymous users are sent to login; a POST without CSRF token gets 400.
POST_ONLY = {
    "auth.logout": "/auth/logout",
    "alerts.acknowledge": "/alerts/1/acknowledge",
    "alerts.resolve": "/alerts/1/resolve",
    "alerts.dismiss": "/alerts/1/dismiss",
    "alerts.notifications_read": "/notifications/read",
    "programme.closure_delete": "/closures/1/delete",
    "programme.site_delete": "/sites/1/delete",
    "programme.cohort_status": "/cohorts/1/status",
    "core.set_language": "/language",
    "accounts.reset_link": "/accounts/1/reset-link",
    "intake.enrol": "/intake/1/enrol",
    "intake.enrol_selection": "/intake/enrol",
    "intake.withdraw": "/intake/1/withdraw",
}


@pytest.fixture
def world(make_user, make_region, make_cohort, enrol, make_lesson, server):
    people = {
        "student": make_user(Role.STUDENT.value),
        "teacher": make_user(Role.TEACHER.value),
        "other_teacher": make_user(Role.TEACHER.value),
        "coordinator": make_user(Role.COORDINATOR.value),
        "other_coordinator": make_user(Role.COORDINATOR.value),
        "admin": make_user(Role.ADMIN.value),
    }
    region_a = make_region("Région A", coordinators=(people["coordinator"],))
    region_b = make_region("Région B", coordinators=(people["other_coordinator"],))
    cohort = make_cohort(region=region_a, teachers=(people["teacher"],))
    make_cohort(region=region_b, teachers=(people["other_teacher"],))
    enrolment = enrol(people["student"], cohort)
    course = db.session.get(Course, cohort.course_id)
    lesson = make_lesson(course, [("oral_production", {"max_seconds": 60})])
    exercise = db.session.scalar(select(Exercise).where(Exercise.lesson_id == lesson.id))
    audio = Path(server.config["UPLOAD_DIR"]) / "matrix.ogg"
    audio.write_bytes(b"OggS" + bytes(60))
    production = Production(
        student_id=people["student"].id,
        exercise_id=exercise.id,
        cohort_id=cohort.id,
        file_name=audio.name,
        file_type="audio/ogg",
        file_size=64,
    )
    db.session.add(production)
    alert = Alert(
        rule_code="absence_streak",
        subject_key=f"student:{people['student'].id}:cohort:{cohort.id}",
        open_key=f"absence_streak:student:{people['student'].id}:cohort:{cohort.id}",
        student_id=people["student"].id,
        cohort_id=cohort.id,
        severity="critical",
        evidence={"count": 3, "dates": ["2026-09-08", "2026-09-09", "2026-09-10"]},
    )
    db.session.add(alert)
    candidate = Candidate(
        student_id=people["student"].id, region_id=region_a.id, available_on=cohort.start_on
    )
    db.session.add(candidate)
    db.session.commit()
    ids = {
        "candidate": candidate.id,
        "alert": alert.id,
        "course": course.id,
        "cohort": cohort.id,
        "enrolment": enrolment.id,
        "student": people["student"].id,
        "lesson": lesson.key,
        "exercise": exercise.key,
        "production": production.id,
        "site": cohort.site_id,
    }
    return people, ids


def _listed_endpoints() -> set[str]:
    """Every route × role table: this file's and each feature's own (same format), each
    tested by its own module."""
    from tests import test_employers_access, test_followup_access, test_quality_access

    listed = set(EXPECTED) | set(POST_ONLY)
    for module in (test_followup_access, test_employers_access, test_quality_access):
        listed |= set(module.EXPECTED) | set(module.POST_ONLY)
    return listed


def test_every_route_is_listed(server):
    endpoints = {rule.endpoint for rule in server.url_map.iter_rules()} - PUBLIC_ASSETS
    listed = _listed_endpoints()
    unlisted = endpoints - listed
    assert not unlisted, f"routes without an access test: {sorted(unlisted)}"
    stale = listed - endpoints
    assert not stale, f"listed routes that no longer exist: {sorted(stale)}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_the_pages_it_may_see(role, world, server):
    people, ids = world
    client = server.test_client()
    if role != "anonymous":
        assert login(client, people[role]).status_code == 302
    for endpoint, (template, statuses) in EXPECTED.items():
        path = template.format(**ids)
        expected = statuses.get(role, 302)
        response = client.get(path)
        response.close()  # file downloads keep their file open until closed
        assert response.status_code == expected, f"{role} GET {path}"
        if role == "anonymous" and expected == 302 and endpoint != "auth.login":
            assert "/auth/login" in response.headers["Location"], path


@pytest.mark.parametrize("endpoint", sorted(POST_ONLY))
def test_actions_need_post_and_a_csrf_token(endpoint, world, server):
    people, _ids = world
    client = server.test_client()
    path = POST_ONLY[endpoint]
    assert client.get(path).status_code == 405
    login(client, people["teacher"])
    assert client.post(path, data={"lang": "en"}).status_code == 400


def test_anonymous_logout_and_language_switch_with_token(server):
    client = server.test_client()
    token = csrf_token(client)
    assert client.post("/language", data={"lang": "xx", "csrf_token": token}).status_code == 400
    assert client.post("/language", data={"lang": "en", "csrf_token": token}).status_code == 302
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
