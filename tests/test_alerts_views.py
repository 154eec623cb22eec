"""The alert pages through the web: who sees what, the inbox and its filters, an alert's
evidence and lifecycle forms, the rules' settings, the students at risk, the notifications."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from lms.alerts.models import Alert, AlertRuleSetting, Notification
from lms.attendance.models import AttendanceDay, AttendanceRecord
from lms.audit.models import AuditLog
from lms.auth.models import Role
from lms.catalog.models import Course
from lms.extensions import db
from lms.followup.models import FollowUpNote
from lms.learning.models import Attempt, Exercise
from tests.conftest import audit_actions, csrf_token, login
from tests.test_alert_lifecycle import NOW, frozen, make_alert  # noqa: F401  (fixture)

ROLES = ("student", "teacher", "other_teacher", "coordinator", "other_coordinator", "admin")
STAFF_200 = {
    "student": 403,
    "teacher": 200,
    "other_teacher": 200,
    "coordinator": 200,
    "other_coordinator": 200,
    "admin": 200,
}
SCOPED = {**STAFF_200, "other_teacher": 404, "other_coordinator": 404}
COORDINATORS = {**STAFF_200, "teacher": 403, "other_teacher": 403}
ADMIN_ONLY = dict.fromkeys(ROLES, 403) | {"admin": 200}


@pytest.fixture
def world(make_user, make_region, make_cohort, enrol, frozen):  # noqa: F811
    people = {
        "student": make_user(Role.STUDENT.value, name="Amina Haddad"),
        "teacher": make_user(Role.TEACHER.value, name="Julie Bouchard"),
        "other_teacher": make_user(Role.TEACHER.value, name="Paul Tremblay"),
        "coordinator": make_user(Role.COORDINATOR.value, name="Marc Gagnon"),
        "other_coordinator": make_user(Role.COORDINATOR.value, name="Lise Roy"),
        "admin": make_user(Role.ADMIN.value, name="Admin"),
    }
    region_a = make_region("Montréal", coordinators=(people["coordinator"],))
    region_b = make_region("Capitale-Nationale", coordinators=(people["other_coordinator"],))
    cohort = make_cohort(
        region=region_a, teachers=(people["teacher"],), start_on=date(2026, 9, 14), code="FTC1-A"
    )
    other_cohort = make_cohort(
        region=region_b,
        teachers=(people["other_teacher"],),
        start_on=date(2026, 9, 14),
        code="FTC1-B",
    )
    enrol(people["student"], cohort)
    alert = make_alert(cohort, people["student"])
    cohort_alert = make_alert(cohort, rule="attendance_not_taken", severity="warning")
    return {
        "people": people,
        "cohort": cohort,
        "other_cohort": other_cohort,
        "alert": alert,
        "cohort_alert": cohort_alert,
    }


def _client(server, user=None):
    """A test client whose responses' ``.text`` is the page with HTML entities decoded."""
    client = server.test_client()
    wrapper = client.response_wrapper
    client.response_wrapper = type(
        "Response", (wrapper,), {"text": property(lambda r: unescape(r.get_data(as_text=True)))}
    )
    if user is not None:
        assert login(client, user).status_code == 302
    return client


def _token(client) -> str:
    return csrf_token(client, "/auth/password")


# --- access ------------------------------------------------------------------------------------


def test_each_role_gets_exactly_the_alert_pages_it_may_see(world, server):
    people = world["people"]
    cohort, alert = world["cohort"], world["alert"]
    course = cohort.course_id
    pages = {
        "/alerts/": STAFF_200,
        f"/alerts/{alert.id}": SCOPED,
        f"/alerts/{world['cohort_alert'].id}": SCOPED,
        "/alerts/rules": COORDINATORS,
        "/alerts/rules/low_attendance": COORDINATORS,
        f"/alerts/rules/low_attendance?course={course}": COORDINATORS,
        f"/cohorts/{cohort.id}/at-risk": SCOPED,
        "/notifications": STAFF_200,
        "/admin/outbox": ADMIN_ONLY,
    }
    anonymous = _client(server)
    for path in pages:
        response = anonymous.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    for role in ROLES:
        client = _client(server, people[role])
        for path, statuses in pages.items():
            assert client.get(path).status_code == statuses[role], f"{role} GET {path}"


def test_missing_alerts_rules_and_courses_are_404(world, server):
    admin = _client(server, world["people"]["admin"])
    assert admin.get("/alerts/999999").status_code == 404
    assert admin.get("/alerts/rules/no_such_rule").status_code == 404
    assert admin.get("/alerts/rules/low_attendance?course=999999").status_code == 404
    assert admin.get("/cohorts/999999/at-risk").status_code == 404


ACTIONS = ("acknowledge", "resolve", "dismiss")


@pytest.mark.parametrize("action", ACTIONS)
def test_lifecycle_actions_are_scoped_and_need_a_csrf_token(world, server, action):
    people, alert = world["people"], world["alert"]
    path = f"/alerts/{alert.id}/{action}"
    anonymous = _client(server)
    assert anonymous.get(path).status_code == 405
    response = anonymous.post(path, data={"csrf_token": _token(anonymous)})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    expected = {"student": 403, "other_teacher": 404, "other_coordinator": 404}
    for role, status in expected.items():
        client = _client(server, people[role])
        assert client.post(path, data={"csrf_token": _token(client)}).status_code == status
    teacher = _client(server, people["teacher"])
    assert teacher.post(path, data={"dismiss_reason": "x", "summary": "x"}).status_code == 400
    db.session.rollback()
    assert db.session.get(Alert, alert.id).status == "open"
    assert len(audit_actions()) == 0


def test_post_only_routes_refuse_get_and_need_csrf(world, server):
    teacher = _client(server, world["people"]["teacher"])
    assert teacher.get("/notifications/read").status_code == 405
    assert teacher.post("/notifications/read").status_code == 400
    coordinator = _client(server, world["people"]["coordinator"])
    assert coordinator.post("/alerts/rules", data={}).status_code == 400
    assert coordinator.post("/alerts/rules/low_attendance?course=1", data={}).status_code == 400
    student = _client(server, world["people"]["student"])
    assert (
        student.post("/notifications/read", data={"csrf_token": _token(student)}).status_code == 403
    )


# --- the inbox ---------------------------------------------------------------------------------


def test_the_inbox_lists_the_alerts_in_scope_with_severity_as_text(world, server):
    people = world["people"]
    make_alert(world["other_cohort"], rule="attendance_not_taken", severity="warning")
    page = _client(server, people["teacher"]).get("/alerts/").text
    assert "2 alertes." in page
    assert "Absences consécutives" in page and "Présences non saisies" in page
    assert "⚠</span> Critique" in page and "▲</span> Attention" in page
    assert "Amina Haddad" in page and "Tout le groupe" in page and "FTC1-A" in page
    assert f'href="/students/{people["student"].id}"' in page
    assert "FTC1-B" not in page
    other = _client(server, people["other_teacher"]).get("/alerts/").text
    assert "1 alerte." in other and "Amina Haddad" not in other
    everything = _client(server, people["admin"]).get("/alerts/").text
    assert "3 alertes." in everything


def _rows(html: str) -> list[int]:
    return [int(m) for m in re.findall(r'href="/alerts/(\d+)"', html)]


def test_inbox_filters(world, server):
    cohort, student, people = world["cohort"], world["people"]["student"], world["people"]
    alert, cohort_alert = world["alert"], world["cohort_alert"]
    closed = make_alert(
        cohort,
        student,
        rule="low_scores",
        severity="warning",
        status="dismissed",
        evidence={"count": 6, "mean": 0.3, "days": 14},
        closed_at=NOW,
    )
    escalated = make_alert(
        cohort,
        student,
        rule="withdrawal_without_exit",
        severity="critical",
        evidence={"withdrawn_on": "2026-09-28", "exit_due": None},
        escalated_at=NOW,
    )
    client = _client(server, people["coordinator"])

    def ids(query: str) -> set[int]:
        response = client.get(f"/alerts/?{query}")
        assert response.status_code == 200
        return set(_rows(response.text))

    assert ids("") == {alert.id, cohort_alert.id, escalated.id}
    assert ids("status=all") == {alert.id, cohort_alert.id, escalated.id, closed.id}
    assert ids("status=closed") == {closed.id}
    assert ids("severity=warning") == {cohort_alert.id}
    assert ids("severity=warning&status=all") == {cohort_alert.id, closed.id}
    assert ids("rule=absence_streak") == {alert.id}
    assert ids(f"cohort={cohort.id}") == {alert.id, cohort_alert.id, escalated.id}
    assert ids(f"cohort={world['other_cohort'].id}") == set()
    assert ids("escalated=y") == {escalated.id}
    assert ids("status=bogus&severity=bogus&rule=bogus&cohort=abc") == ids("")


def test_inbox_is_paginated_newest_first(world, server, make_user, enrol):
    cohort = world["cohort"]
    for n in range(54):
        student = make_user(name=f"Élève {n:02d}")
        enrol(student, cohort)
        make_alert(cohort, student, opened_at=NOW - timedelta(minutes=n + 1))
    client = _client(server, world["people"]["teacher"])
    first = client.get("/alerts/").text
    assert "56 alertes." in first and "Page 1 sur 2" in first
    assert len(_rows(first)) == 50
    assert first.index("Élève 00") < first.index("Élève 01")
    second = client.get("/alerts/?page=2").text
    assert len(_rows(second)) == 6 and "Élève 53" in second
    assert client.get("/alerts/?page=3").status_code == 404
    assert client.get("/alerts/?page=0").status_code == 404


def test_inbox_query_count_does_not_grow_with_alerts(
    world, server, make_user, enrol, count_queries
):
    cohort = world["cohort"]

    def add(n: int) -> None:
        for _ in range(n):
            student = make_user()
            enrol(student, cohort)
            make_alert(cohort, student, escalated_at=NOW)

    client = _client(server, world["people"]["coordinator"])
    add(3)  # 5 alerts
    with count_queries() as five:
        assert client.get("/alerts/?status=all").status_code == 200
    add(45)  # 50 alerts
    with count_queries() as fifty:
        page = client.get("/alerts/?status=all")
        assert page.status_code == 200
    assert "50 alertes." in page.text
    assert len(fifty) == len(five)


# --- one alert ---------------------------------------------------------------------------------


def test_the_alert_page_shows_the_evidence_the_rule_and_the_forms(world, server):
    page = _client(server, world["people"]["teacher"]).get(f"/alerts/{world['alert'].id}")
    text = page.text
    assert "3 absences non motivées consécutives : 25, 28 et 29 septembre." in text
    assert "Plusieurs absences non motivées de suite." in text
    assert "Ouverte" in text and "Historique" in text
    assert f'action="/alerts/{world["alert"].id}/acknowledge"' in text
    assert 'name="summary"' in text and 'name="dismiss_reason"' in text
    # The owner select: the cohort's teacher (preselected) and the region's coordinator.
    assert re.search(r'<option selected value="\d+">Julie Bouchard \(enseignant·e\)', text)
    assert "Marc Gagnon (conseiller·ère)" in text and "Lise Roy" not in text
    assert '<option selected value="absences">' in text  # the note's reason fits the rule


def test_teacher_acknowledges_then_resolves_with_a_note(world, server):
    people, alert = world["people"], world["alert"]
    client = _client(server, people["teacher"])
    token = _token(client)
    assert (
        client.post(f"/alerts/{alert.id}/acknowledge", data={"csrf_token": token}).status_code
        == 302
    )
    page = client.get(f"/alerts/{alert.id}").text
    assert "Vous avez pris cette alerte en charge." in page
    assert "par Julie Bouchard" in page and f'action="/alerts/{alert.id}/acknowledge"' not in page
    again = client.post(f"/alerts/{alert.id}/acknowledge", data={"csrf_token": token})
    assert again.status_code == 409
    assert "Cette alerte est déjà prise en charge." in again.text

    response = client.post(
        f"/alerts/{alert.id}/resolve",
        data={
            "csrf_token": token,
            "note_type": "appel",
            "reason": "absences",
            "summary": "Appel : l'élève a eu la grippe, retour jeudi.",
            "action": "Vérifier le retour jeudi.",
            "owner_id": str(people["coordinator"].id),
            "due_on": "2026-10-02",
            "visibility": "team",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/alerts/{alert.id}").text
    assert "L'alerte est résolue." in page
    assert "Résolue" in page and "Appel : l" in page and "Marc Gagnon" in page
    assert 'name="summary"' not in page  # no more forms
    db.session.rollback()
    stored = db.session.get(Alert, alert.id)
    note = db.session.get(FollowUpNote, stored.resolution_note_id)
    assert stored.status == "resolved" and stored.open_key is None
    assert note.owner_id == people["coordinator"].id and note.due_on == date(2026, 10, 2)
    assert note.student_id == people["student"].id and note.author_id == people["teacher"].id
    actions = audit_actions()
    assert actions == ["alert.acknowledge", "note.create", "alert.resolve"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"summary": ""}, "Résumez ce qui a été fait auprès de l'élève."),
        ({"reason": "inconnu"}, "Motif inconnu."),
        ({"owner_id": "abc"}, "Responsable inconnu·e."),
        ({"owner_id": "999999"}, "Choisissez la ou le responsable parmi"),
        ({"due_on": "2026-09-01"}, "L'échéance ne peut pas précéder la date de l'échange."),
    ],
)
def test_bad_resolution_input_is_refused_in_french_and_nothing_is_written(
    world, server, data, message
):
    alert = world["alert"]
    client = _client(server, world["people"]["teacher"])
    form = {
        "csrf_token": _token(client),
        "note_type": "appel",
        "reason": "absences",
        "summary": "Appel fait.",
        "action": "Rappeler.",
        "owner_id": str(world["people"]["teacher"].id),
        "visibility": "team",
        **data,
    }
    response = client.post(f"/alerts/{alert.id}/resolve", data=form)
    assert response.status_code == 422
    assert message in response.text
    db.session.rollback()
    assert db.session.get(Alert, alert.id).status == "open"
    assert db.session.scalar(select(func.count(FollowUpNote.id))) == 0
    assert len(audit_actions()) == 0


def test_resolution_with_a_bad_date_is_refused(world, server):
    client = _client(server, world["people"]["teacher"])
    response = client.post(
        f"/alerts/{world['alert'].id}/resolve",
        data={
            "csrf_token": _token(client),
            "note_type": "appel",
            "reason": "absences",
            "summary": "Appel fait.",
            "due_on": "30/02/2026",
            "visibility": "team",
        },
    )
    assert response.status_code == 422
    assert "N'est pas une date valide." in response.text
    db.session.rollback()
    assert db.session.scalar(select(func.count(FollowUpNote.id))) == 0


def test_a_cohort_alert_is_resolved_with_an_intervention(world, server):
    alert = world["cohort_alert"]
    client = _client(server, world["people"]["coordinator"])
    token = _token(client)
    page = client.get(f"/alerts/{alert.id}").text
    assert "Présences non saisies pour 2 jours de classe : 28 et 29 septembre." in page
    assert 'name="intervention"' in page and 'name="summary"' not in page
    empty = client.post(f"/alerts/{alert.id}/resolve", data={"csrf_token": token})
    assert empty.status_code == 422
    assert "Décrivez l'intervention faite pour résoudre cette alerte." in empty.get_data(
        as_text=True
    )
    done = client.post(
        f"/alerts/{alert.id}/resolve",
        data={"csrf_token": token, "intervention": "Rappel à l'enseignante, présences saisies."},
    )
    assert done.status_code == 302
    page = client.get(f"/alerts/{alert.id}").text
    assert "Intervention : Rappel à l" in page and "par Marc Gagnon" in page


def test_dismiss_needs_a_reason_and_a_closed_alert_cannot_change(world, server):
    alert = world["alert"]
    client = _client(server, world["people"]["admin"])
    token = _token(client)
    empty = client.post(f"/alerts/{alert.id}/dismiss", data={"csrf_token": token})
    assert empty.status_code == 422
    assert "Indiquez pourquoi cette alerte est écartée." in empty.text
    db.session.rollback()
    assert db.session.get(Alert, alert.id).status == "open"
    ok = client.post(
        f"/alerts/{alert.id}/dismiss",
        data={"csrf_token": token, "dismiss_reason": "Absences motivées par un billet médical."},
    )
    assert ok.status_code == 302
    page = client.get(f"/alerts/{alert.id}").text
    assert "Écartée" in page and "Raison : Absences motivées par un billet médical." in page
    for action in ACTIONS:
        refused = client.post(
            f"/alerts/{alert.id}/{action}",
            data={"csrf_token": token, "dismiss_reason": "Encore", "summary": "Encore"},
        )
        assert refused.status_code == 409, action
        assert "Cette alerte est fermée : elle ne peut plus être modifiée." in refused.get_data(
            as_text=True
        )
    db.session.rollback()
    assert len(audit_actions()) == 1


# --- rules -------------------------------------------------------------------------------------


def _rules_form(client) -> dict[str, str]:
    """The rules page's fields as the browser would send them (checked boxes only)."""
    html = client.get("/alerts/rules").text
    data = {"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)}
    for name, value in re.findall(
        r'<input[^>]*name="([\w-]+)"[^>]*type="text" value="([^"]*)"', html
    ):
        data[name] = value
    for name in re.findall(r'<input checked[^>]*name="([\w-]+-enabled)"', html):
        data[name] = "y"
    return data


def test_admin_tunes_the_rules_programme_wide(world, server):
    client = _client(server, world["people"]["admin"])  # coordinators only read them
    data = _rules_form(client)
    assert data["low_attendance-min_rate"] == "0,8" and data["absence_streak-count"] == "3"
    assert "absence_streak-enabled" in data
    unchanged = client.post("/alerts/rules", data=data, follow_redirects=True)
    assert "Aucun changement à enregistrer." in unchanged.text
    db.session.rollback()
    assert db.session.scalar(select(func.count(AlertRuleSetting.id))) == 0

    data["low_attendance-min_rate"] = "0,7"
    data["absence_streak-count"] = "4"
    del data["behind_plan-enabled"]
    saved = client.post("/alerts/rules", data=data, follow_redirects=True)
    assert "Les règles d'alerte ont été enregistrées." in saved.text
    db.session.rollback()
    rows = {r.rule_code: r for r in db.session.scalars(select(AlertRuleSetting))}
    assert set(rows) == {"low_attendance", "absence_streak", "behind_plan"}
    assert rows["low_attendance"].params == {"min_rate": 0.7}
    assert rows["absence_streak"].params == {"count": 4}
    assert rows["behind_plan"].enabled is False and rows["behind_plan"].params == {}
    audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "alert_rule.create")).all()
    assert len(audit) == 3 and all(e.actor_id == world["people"]["admin"].id for e in audit)
    page = _rules_form(client)
    assert page["low_attendance-min_rate"] == "0,7" and "behind_plan-enabled" not in page


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("low_attendance-min_rate", "1,5", "Entrez un taux de 0 à 1 (par exemple 0,8)."),
        ("low_attendance-min_rate", "beaucoup", "Entrez un taux de 0 à 1 (par exemple 0,8)."),
        ("absence_streak-count", "0", "Entrez un nombre entier de 1 ou plus."),
        ("interview_overdue-grace_days", "-2", "Entrez un nombre entier de 0 ou plus."),
        ("interview_overdue-grace_days", "2.5", "Entrez un nombre entier de 0 ou plus."),
        ("attendance_not_taken-after_hour", "25", "Entrez un nombre entier de 0 à 23."),
    ],
)
def test_bad_thresholds_are_refused_in_french(world, server, name, value, message):
    client = _client(server, world["people"]["admin"])
    data = _rules_form(client)
    data[name] = value
    response = client.post("/alerts/rules", data=data)
    assert response.status_code == 422
    assert message in response.text
    db.session.rollback()
    assert db.session.scalar(select(func.count(AlertRuleSetting.id))) == 0
    assert len(audit_actions()) == 0


def test_teachers_cannot_change_the_rules(world, server):
    client = _client(server, world["people"]["teacher"])
    assert client.post("/alerts/rules", data={"csrf_token": _token(client)}).status_code == 403


def test_a_course_override(world, server):
    course = db.session.get(Course, world["cohort"].course_id)
    client = _client(server, world["people"]["admin"])
    path = f"/alerts/rules/low_attendance?course={course.id}"
    page = client.get(path).text
    assert "Ce cours suit le réglage général." in page
    assert "Laissez vide pour suivre le réglage général (0,8)." in page
    token = _token(client)
    bad = client.post(path, data={"csrf_token": token, "enabled": "y", "min_rate": "2"})
    assert bad.status_code == 422 and "Entrez un taux de 0 à 1" in bad.text
    same = client.post(path, data={"csrf_token": token, "enabled": "y"}, follow_redirects=True)
    assert "Aucun changement à enregistrer." in same.text
    db.session.rollback()
    assert db.session.scalar(select(func.count(AlertRuleSetting.id))) == 0
    saved = client.post(
        path,
        data={"csrf_token": token, "window_days": "5", "min_days": "", "min_rate": ""},
        follow_redirects=True,
    )
    text = saved.text
    assert f"Le réglage de la règle pour le cours {course.code} a été enregistré." in text
    assert "Ce cours a son propre réglage." in text
    db.session.rollback()
    (row,) = db.session.scalars(select(AlertRuleSetting)).all()
    assert (row.course_id, row.enabled, row.params) == (course.id, False, {"window_days": 5})
    listing = client.get("/alerts/rules/low_attendance").text
    assert f"?course={course.id}" in listing and course.code in listing
    cleared = client.post(path, data={"csrf_token": token, "clear": "y"}, follow_redirects=True)
    assert "Le cours suit de nouveau le réglage général." in cleared.text
    db.session.rollback()
    assert db.session.scalar(select(func.count(AlertRuleSetting.id))) == 0
    actions = audit_actions()
    assert actions == ["alert_rule.create", "alert_rule.delete"]


# --- students at risk --------------------------------------------------------------------------


@pytest.fixture
def risk_world(world, make_user, enrol, make_lesson):
    cohort = world["cohort"]
    course = db.session.get(Course, cohort.course_id)
    lesson = make_lesson(course)
    exercise = db.session.scalar(select(Exercise).where(Exercise.lesson_id == lesson.id))
    days = [
        date(2026, 9, 14) + timedelta(days=n)
        for n in range(17)
        if (date(2026, 9, 14) + timedelta(days=n)).weekday() < 5
    ]
    days = days[-10:]
    db.session.add_all(AttendanceDay(cohort_id=cohort.id, day=d) for d in days)
    db.session.commit()

    def add_student(name: str, *, absent: int, score: float | None, last_seen: int | None):
        student = make_user(name=name)
        enrol(student, cohort)
        for index, day in enumerate(days):
            is_absent = index < absent
            db.session.add(
                AttendanceRecord(
                    cohort_id=cohort.id,
                    student_id=student.id,
                    day=day,
                    status="absent" if is_absent else "present",
                    scheduled_minutes=360,
                    attended_minutes=0 if is_absent else 360,
                )
            )
        if score is not None:
            for _ in range(3):
                db.session.add(
                    Attempt(
                        student_id=student.id,
                        exercise_id=exercise.id,
                        answer=[],
                        score=score,
                        feedback={},
                        created_at=NOW - timedelta(days=last_seen or 0),
                    )
                )
        db.session.commit()
        return student

    return {"add_student": add_student, "cohort": cohort, "days": days}


def test_at_risk_ranks_students_with_their_reasons(world, server, risk_world):
    add = risk_world["add_student"]
    add("Bruno Steady", absent=0, score=0.9, last_seen=1)
    add("Chloé Offline", absent=6, score=0.3, last_seen=9)
    client = _client(server, world["people"]["teacher"])
    page = client.get(f"/cohorts/{world['cohort'].id}/at-risk").text
    order = [page.index(n) for n in ("Chloé Offline", "Amina Haddad", "Bruno Steady")]
    assert order == sorted(order)
    assert "Présence 40 % (10 derniers jours saisis) <strong>(+4)</strong>" in page
    assert "Moyenne des exercices 30 % (3 essais en 14 jours) <strong>(+2)</strong>" in page
    assert "Aucune activité en ligne depuis 9 jours <strong>(+2)</strong>" in page
    assert "Risque élevé" in page and "Risque faible" in page
    # Amina has no attendance nor online work, but her open critical alert counts.
    assert "1 alerte critique ouverte <strong>(+3)</strong>" in page
    assert "Aucune présence saisie" in page
    assert "Dernière activité en ligne hier" in page


def test_at_risk_query_count_does_not_grow_with_students(world, server, risk_world, count_queries):
    add = risk_world["add_student"]
    client = _client(server, world["people"]["coordinator"])
    path = f"/cohorts/{world['cohort'].id}/at-risk"
    for n in range(4):
        add(f"Élève {n}", absent=n % 4, score=0.5, last_seen=n)
    with count_queries() as five:
        assert client.get(path).status_code == 200
    for n in range(35):
        student = add(f"Élève {n + 4}", absent=n % 5, score=0.6, last_seen=n % 10)
        if n % 3 == 0:
            make_alert(world["cohort"], student, rule="absence_streak")
    with count_queries() as forty:
        page = client.get(path)
    assert page.text.count('<th scope="row">') == 40
    assert len(forty) == len(five)


# --- notifications -----------------------------------------------------------------------------


def test_notifications_newest_first_and_mark_all_read(world, server):
    people, alert = world["people"], world["alert"]
    teacher, other = people["teacher"], people["other_teacher"]
    db.session.add_all(
        [
            Notification(
                user_id=teacher.id,
                alert_id=alert.id,
                kind="new",
                message="Ancienne",
                created_at=NOW - timedelta(days=1),
                read_at=NOW,
            ),
            Notification(
                user_id=teacher.id,
                alert_id=alert.id,
                kind="new",
                message="Absences consécutives : Amina Haddad (FTC1-A)",
                created_at=NOW,
            ),
            Notification(user_id=other.id, kind="new", message="Pour un autre", created_at=NOW),
        ]
    )
    db.session.commit()
    client = _client(server, teacher)
    page = client.get("/notifications").text
    assert page.index("Absences consécutives : Amina Haddad") < page.index("Ancienne")
    assert page.count("Non lue") == 1 and "Pour un autre" not in page
    assert f'href="/alerts/{alert.id}"' in page
    done = client.post("/notifications/read", data={"csrf_token": _token(client)})
    assert done.status_code == 302
    assert "Non lue" not in client.get("/notifications").text
    db.session.rollback()
    unread = db.session.scalars(select(Notification.message).where(Notification.read_at.is_(None)))
    assert unread.all() == ["Pour un autre"]


def test_escalated_alert_is_flagged_in_the_inbox_and_on_its_page(world, server):
    alert = world["alert"]
    stored = db.session.get(Alert, alert.id)
    stored.escalated_at = NOW
    db.session.commit()
    client = _client(server, world["people"]["coordinator"])
    inbox = client.get("/alerts/?escalated=y").text
    assert "Escaladée le" in inbox
    page = client.get(f"/alerts/{alert.id}").text
    assert "Escaladée aux conseiller·ères" in page


def test_alert_times_are_shown_in_quebec_time(world, server):
    opened = datetime(2026, 9, 30, 3, 30, tzinfo=UTC)  # 23 h 30 the day before in Montréal
    stored = db.session.get(Alert, world["alert"].id)
    stored.opened_at = opened
    db.session.commit()
    page = _client(server, world["people"]["teacher"]).get(f"/alerts/{stored.id}")
    assert "29 sept. 2026 23:30" in page.text
