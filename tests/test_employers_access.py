"""Route × role for every page and action of the employer-adapted course (``EXPECTED`` and
``POST_ONLY`` have the global matrix's format).

Coordinators see the employers of their regions (404 for the others), admins all; teachers
the needs, plan and tasks pages of their course-4 cohorts (403 on the employer pages);
students only their work plan. Cohorts of the other courses have no such pages (404).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.employers.models import CoursePlan, EmployerEmployee
from lms.extensions import db
from tests.conftest import csrf_token, login
from tests.test_employers_fixtures import course4, post

FIXTURES = (course4,)  # found by pytest under this name

ROLES = (
    "anonymous",
    "student",
    "teacher",
    "other_teacher",
    "coordinator",
    "other_coordinator",
    "admin",
)
STAFF_ONLY = {"student": 403, "other_teacher": 404, "other_coordinator": 404}
EMPLOYER_PAGE = {
    "student": 403,
    "teacher": 403,
    "other_teacher": 403,
    "coordinator": 200,
    "other_coordinator": 404,
    "admin": 200,
}
COORDINATORS = {
    "student": 403,
    "teacher": 403,
    "other_teacher": 403,
    "coordinator": 200,
    "other_coordinator": 200,
    "admin": 200,
}
COHORT_PAGE = {**dict.fromkeys(ROLES[1:], 200), **STAFF_ONLY}

# endpoint -> (path template, {role: status}); anonymous users are sent to the login page.
EXPECTED: dict[str, tuple[str, dict[str, int]]] = {
    "employers.employer_list": ("/employers/", COORDINATORS),
    "employers.employer_new": ("/employers/new", COORDINATORS),
    "employers.employer_edit": ("/employers/{employer}", EMPLOYER_PAGE),
    "employers.employer_needs": ("/employers/{employer}/needs", EMPLOYER_PAGE),
    "employers.employer_report": ("/employers/{employer}/report", EMPLOYER_PAGE),
    "employers.employer_report_csv": ("/employers/{employer}/report.csv", EMPLOYER_PAGE),
    "employers.cohort_needs": ("/cohorts/{cohort}/needs", COHORT_PAGE),
    "employers.cohort_plan": ("/cohorts/{cohort}/plan", COHORT_PAGE),
    "employers.cohort_tasks": ("/cohorts/{cohort}/tasks", COHORT_PAGE),
    "employers.work_plan": (
        "/learn/work-plan",
        {**dict.fromkeys(ROLES[1:], 403), "student": 200},
    ),
}

# POST-only actions -> (path template, {role: status with a valid token and harmless data}).
ACTIONS: dict[str, tuple[str, dict[str, int]]] = {
    "employers.employee_add": (
        "/employers/{employer}/employees",
        {**EMPLOYER_PAGE, "coordinator": 422, "admin": 422},
    ),
    "employers.employee_consent": (
        "/employers/{employer}/employees/{link}/consent",
        {**EMPLOYER_PAGE, "coordinator": 422, "admin": 422},
    ),
    "employers.employee_remove": (
        "/employers/{employer}/employees/{link}/remove",
        {**EMPLOYER_PAGE, "coordinator": 302, "admin": 302},
    ),
    "employers.cohort_employers": (
        "/cohorts/{cohort}/employers",
        {**STAFF_ONLY, "teacher": 403, "other_teacher": 403, "coordinator": 302, "admin": 302},
    ),
    "employers.plan_propose": (
        "/cohorts/{cohort}/plan/propose",
        {**COHORT_PAGE, "teacher": 302, "coordinator": 302, "admin": 302},
    ),
    "employers.plan_edit": (
        "/cohorts/{cohort}/plan/edit",
        {**COHORT_PAGE, "teacher": 422, "coordinator": 422, "admin": 422},
    ),
    "employers.plan_publish": (
        "/cohorts/{cohort}/plan/publish",
        {**COHORT_PAGE, "teacher": 422, "coordinator": 422, "admin": 422},
    ),
}


# The same format as tests/test_access_matrix.py (endpoint -> path template).
POST_ONLY = {endpoint: path for endpoint, (path, _statuses) in ACTIONS.items()}


@pytest.fixture
def ids(course4):
    w = course4
    link = EmployerEmployee(employer_id=w.employer.id, student_id=w.student.id)
    db.session.add(link)
    db.session.commit()
    return {"employer": w.employer.id, "cohort": w.cohort.id, "link": link.id}


def test_every_route_of_the_blueprint_is_listed(server):
    endpoints = {
        r.endpoint for r in server.url_map.iter_rules() if r.endpoint.startswith("employers.")
    }
    assert endpoints == set(EXPECTED) | set(ACTIONS)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_the_pages_it_may_see(role, course4, ids, server):
    client = server.test_client()
    if role != "anonymous":
        assert login(client, course4.people[role]).status_code == 302
    for template, statuses in EXPECTED.values():
        path = template.format(**ids)
        response = client.get(path)
        expected = statuses.get(role, 302)
        assert response.status_code == expected, f"{role} GET {path}"
        if expected == 302:
            assert "/auth/login" in response.headers["Location"], path


@pytest.mark.parametrize("role", ROLES[1:])
def test_each_role_may_do_exactly_the_actions_it_may(role, course4, ids, server):
    """With a valid token: refused (403/404), or accepted — 302, or 422 for the harmless
    (empty) data sent, which proves the request passed the access checks."""
    client = server.test_client()
    assert login(client, course4.people[role]).status_code == 302
    for template, statuses in ACTIONS.values():
        path = template.format(**ids)
        response = post(client, path)
        expected = statuses[role]
        assert response.status_code == expected, f"{role} POST {path}"


@pytest.mark.parametrize("endpoint", sorted(ACTIONS))
def test_actions_need_post_and_a_csrf_token(endpoint, course4, ids, server):
    client = server.test_client()
    path = ACTIONS[endpoint][0].format(**ids)
    assert client.get(path).status_code == 405
    login(client, course4.people["coordinator"])
    assert client.post(path, data={"week": "1"}).status_code == 400
    assert client.post(path, data={"csrf_token": "forged"}).status_code == 400
    anonymous = server.test_client()
    token = csrf_token(anonymous)
    response = anonymous.post(path, data={"csrf_token": token})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_pages_of_a_cohort_of_another_course_are_not_found(course4, server):
    client = server.test_client()
    login(client, course4.people["coordinator"])
    for suffix in ("needs", "plan", "tasks"):
        assert client.get(f"/cohorts/{course4.other_cohort.id}/{suffix}").status_code == 404
    assert post(client, f"/cohorts/{course4.other_cohort.id}/plan/propose").status_code == 404
    assert client.get("/employers/999999").status_code == 404
    assert client.get(f"/cohorts/{course4.cohort.id}/plan?version=7").status_code == 404
    db.session.rollback()
    assert db.session.scalar(select(func.count(CoursePlan.id))) == 0
