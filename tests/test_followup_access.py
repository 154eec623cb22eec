"""Route × role for every follow-up page (the lead copies these lines into the global matrix)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lms import clock
from lms.auth.models import Role
from lms.extensions import db
from lms.followup.models import FollowUpNote, RemedialInvite, RemedialSession
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
STAFF_IN_SCOPE = {
    "student": 403,
    "teacher": 200,
    "other_teacher": 404,
    "coordinator": 200,
    "other_coordinator": 404,
    "admin": 200,
}
STUDENT_ONLY = {
    "student": 200,
    "teacher": 403,
    "other_teacher": 403,
    "coordinator": 403,
    "other_coordinator": 403,
    "admin": 403,
}
REGION_MANAGERS = {
    "student": 403,
    "teacher": 403,
    "other_teacher": 403,
    "coordinator": 200,
    "other_coordinator": 200,
    "admin": 200,
}

EXPECTED = {
    "followup.student_file": ("/students/{student}", STAFF_IN_SCOPE),
    "followup.assessment_new": ("/students/{student}/assessments/new", STAFF_IN_SCOPE),
    "followup.note_new": ("/students/{student}/notes/new", STAFF_IN_SCOPE),
    "followup.note_edit": ("/notes/{note}", STAFF_IN_SCOPE),
    "followup.cohort_levels": ("/cohorts/{cohort}/levels", STAFF_IN_SCOPE),
    "followup.dashboard": ("/cohorts/{cohort}/follow-up", STAFF_IN_SCOPE),
    "followup.remedial_list": ("/cohorts/{cohort}/remedial", STAFF_IN_SCOPE),
    "followup.remedial_detail": ("/remedial/{session}", STAFF_IN_SCOPE),
    "followup.decisions": ("/cohorts/{cohort}/decisions", STAFF_IN_SCOPE),
    "followup.my_followup": ("/learn/followup", STUDENT_ONLY),
    # « Suite du parcours »: a region's coordinators and admins. A coordinator with one region
    # goes straight to it from the index; an admin chooses among the regions.
    "followup.progression_index": (
        "/progression",
        {**REGION_MANAGERS, "coordinator": 302, "other_coordinator": 302},
    ),
    "followup.progression": (
        "/regions/{region}/progression",
        {**REGION_MANAGERS, "other_coordinator": 404},
    ),
}
POST_ONLY = {
    "followup.withdraw_enrolment": "/enrolments/{enrolment}/withdraw",
    "followup.progression_enrol": "/regions/{region}/progression/enrol",
}


@pytest.fixture
def world(make_user, make_region, make_cohort, enrol, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2026, 10, 14))
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
    start = date(2026, 9, 14)
    cohort = make_cohort(region=region_a, teachers=(people["teacher"],), start_on=start)
    make_cohort(region=region_b, teachers=(people["other_teacher"],), start_on=start)
    enrolment = enrol(people["student"], cohort)
    note = FollowUpNote(
        student_id=people["student"].id,
        cohort_id=cohort.id,
        note_type="entretien",
        reason="autre",
        held_on=date(2026, 10, 1),
        summary="Entretien.",
        visibility="student",
    )
    session = RemedialSession(
        cohort_id=cohort.id, starts_at=datetime(2026, 10, 2, 18, tzinfo=UTC), topic="Révision"
    )
    db.session.add_all([note, session])
    db.session.flush()
    db.session.add(RemedialInvite(session_id=session.id, student_id=people["student"].id))
    db.session.commit()
    ids = {
        "cohort": cohort.id,
        "student": people["student"].id,
        "note": note.id,
        "session": session.id,
        "enrolment": enrolment.id,
        "region": region_a.id,
    }
    return people, ids


def test_every_followup_route_is_listed(server):
    endpoints = {
        r.endpoint for r in server.url_map.iter_rules() if r.endpoint.startswith("followup.")
    }
    assert endpoints == set(EXPECTED) | set(POST_ONLY)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_the_followup_pages_it_may_see(role, world, server):
    people, ids = world
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


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", 302),
        ("student", 403),
        ("other_teacher", 404),
        ("other_coordinator", 404),
        ("teacher", 302),
        ("coordinator", 302),
        ("admin", 302),
    ],
)
def test_withdraw_by_role(role, expected, world, server):
    people, ids = world
    client = server.test_client()
    if role != "anonymous":
        assert login(client, people[role]).status_code == 302
    token = csrf_token(client, "/auth/login" if role == "anonymous" else "/auth/password")
    prefix = f"withdraw-{ids['enrolment']}-"
    response = client.post(
        POST_ONLY["followup.withdraw_enrolment"].format(**ids),
        data={
            "csrf_token": token,
            prefix + "withdrawn_on": "2026-10-09",
            prefix + "reason": "autre",
        },
    )
    assert response.status_code == expected, role
    if role == "anonymous":
        assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "path",
    [
        "/students/{student}/assessments/new",
        "/students/{student}/notes/new",
        "/notes/{note}",
        "/cohorts/{cohort}/remedial",
        "/remedial/{session}",
        "/cohorts/{cohort}/decisions",
        "/enrolments/{enrolment}/withdraw",
        "/regions/{region}/progression/enrol",
    ],
)
def test_posts_without_csrf_token_are_refused(path, world, server):
    people, ids = world
    client = server.test_client()
    assert login(client, people["teacher"]).status_code == 302
    response = client.post(path.format(**ids), data={"summary": "x", "outcome": "x"})
    assert response.status_code == 400
