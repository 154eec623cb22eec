# ruff: noqa: F811  (fixtures imported from tests/test_quality.py)
"""Route × role for every quality page and action (the same shape as tests/test_access_matrix.py,
whose EXPECTED and POST_ONLY tables the lead merges these entries into)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.quality.jobs import run_quality_evaluate
from lms.quality.models import CheckpointTemplate, CorrectiveAction
from tests.conftest import csrf_token, login
from tests.test_quality import frozen, qworld, review_of  # noqa: F401

ROLES = (
    "anonymous",
    "student",
    "teacher",
    "other_teacher",
    "coordinator",
    "other_coordinator",
    "admin",
)
MANAGERS = {
    "student": 403,
    "teacher": 403,
    "other_teacher": 403,
    "coordinator": 200,
    "other_coordinator": 200,
    "admin": 200,
}
IN_SCOPE_MANAGERS = {**MANAGERS, "other_coordinator": 404}
COHORT_STAFF = {
    "student": 403,
    "teacher": 200,
    "other_teacher": 404,
    "coordinator": 200,
    "other_coordinator": 404,
    "admin": 200,
}

# endpoint -> (path template, {role: status}); anonymous users are sent to the login page.
EXPECTED: dict[str, tuple[str, dict[str, int]]] = {
    "quality.review_list": ("/quality/", MANAGERS),
    "quality.review_detail": ("/quality/reviews/{review}", COHORT_STAFF),
    "quality.action_list": ("/quality/actions", {**dict.fromkeys(ROLES[2:], 200), "student": 403}),
    "quality.template_list": ("/quality/templates", MANAGERS),
    "quality.template_new": (  # programme-wide: admins only (coordinators read templates)
        "/quality/templates/new",
        {**MANAGERS, "coordinator": 403, "other_coordinator": 403},
    ),
    "quality.template_edit": ("/quality/templates/{template}", MANAGERS),
    "quality.dashboard": ("/quality/dashboard", MANAGERS),
    "quality.dashboard_csv": ("/quality/dashboard.csv?table=cohorts", MANAGERS),
    "quality.cohort_report": ("/quality/cohorts/{cohort}/report", IN_SCOPE_MANAGERS),
    "quality.survey_results": ("/quality/cohorts/{cohort}/survey", COHORT_STAFF),
    "quality.survey": ("/learn/survey", {**dict.fromkeys(ROLES[2:], 403), "student": 200}),
}

# Actions (POST only): 405 on GET, 400 without a CSRF token; with one, by role.
POST_ONLY: dict[str, tuple[str, dict[str, int]]] = {
    "quality.review_evaluate": ("/quality/reviews/{review}/evaluate", IN_SCOPE_MANAGERS),
    "quality.review_sample": ("/quality/reviews/{review}/sample", IN_SCOPE_MANAGERS),
    "quality.review_finding": ("/quality/reviews/{review}/findings", IN_SCOPE_MANAGERS),
    "quality.review_action_add": ("/quality/reviews/{review}/actions", IN_SCOPE_MANAGERS),
    "quality.review_sign": ("/quality/reviews/{review}/sign", IN_SCOPE_MANAGERS),
    "quality.review_amend": ("/quality/reviews/{review}/amend", IN_SCOPE_MANAGERS),
    "quality.action_status": (
        "/quality/actions/{action}/status",
        {
            **IN_SCOPE_MANAGERS,
            "coordinator": 302,
            "admin": 302,
            "teacher": 302,
            "other_teacher": 404,
        },
    ),
}


@pytest.fixture
def matrix(qworld):
    run_quality_evaluate()
    review = review_of(qworld["cohort"].id)
    action = CorrectiveAction(
        review_id=review.id,
        description="Saisir les présences.",
        owner_id=qworld["teacher"].id,
        due_on=review.due_on,
    )
    db.session.add(action)
    db.session.commit()
    template = db.session.scalar(select(CheckpointTemplate.id).limit(1))
    ids = {
        "review": review.id,
        "action": action.id,
        "cohort": qworld["cohort"].id,
        "template": template,
    }
    return qworld, ids


def test_every_quality_route_is_listed(server):
    endpoints = {
        r.endpoint for r in server.url_map.iter_rules() if r.endpoint.startswith("quality.")
    }
    assert endpoints == set(EXPECTED) | set(POST_ONLY)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_the_quality_pages_it_may_see(role, matrix, server):
    people, ids = matrix
    client = server.test_client()
    if role != "anonymous":
        assert login(client, people[role]).status_code == 302
    for _endpoint, (template, statuses) in EXPECTED.items():
        path = template.format(**ids)
        response = client.get(path)
        expected = statuses.get(role, 302)
        assert response.status_code == expected, f"{role} GET {path}"
        if role == "anonymous":
            assert "/auth/login" in response.headers["Location"], path


@pytest.mark.parametrize("endpoint", sorted(POST_ONLY))
def test_quality_actions_need_post_a_csrf_token_and_the_right_role(endpoint, matrix, server):
    people, ids = matrix
    template, statuses = POST_ONLY[endpoint]
    path = template.format(**ids)
    anonymous = server.test_client()
    assert anonymous.get(path).status_code == 405
    assert (
        "/auth/login"
        in anonymous.post(path, data={"csrf_token": csrf_token(anonymous)}).headers["Location"]
    )
    for role, expected in statuses.items():
        client = server.test_client()
        assert login(client, people[role]).status_code == 302
        assert client.post(path).status_code == 400, f"{role} POST {path} without token"
        data = {"csrf_token": csrf_token(client, "/auth/password")}
        if endpoint == "quality.action_status":
            data[f"a{ids['action']}-status"] = "open"
        if role in ("coordinator", "admin") and endpoint != "quality.action_status":
            continue  # the allowed roles' effects are tested in tests/test_quality.py
        assert client.post(path, data=data).status_code == expected, f"{role} POST {path}"


def test_unknown_ids_get_404(matrix, server):
    people, _ids = matrix
    client = server.test_client()
    login(client, people["admin"])
    for path in (
        "/quality/reviews/999999",
        "/quality/templates/999999",
        "/quality/cohorts/999999/report",
        "/quality/cohorts/999999/survey",
        "/quality/?page=9",
    ):
        assert client.get(path).status_code == 404, path
    token = csrf_token(client, "/auth/password")
    assert (
        client.post("/quality/actions/999999/status", data={"csrf_token": token}).status_code == 404
    )
