"""Issue 12 item 5: enrolling an existing student, transferring a student to another cohort.

Every refusal is a French message with nothing written; a coordinator acts only within their
regions (out of scope: 404, nothing written)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from lms import clock
from lms.attendance.models import AttendanceRecord
from lms.audit.models import AuditLog
from lms.auth.models import Role
from lms.catalog.models import Cohort, Enrolment
from lms.catalog.services import enrol_student, transfer_student
from lms.errors import ServiceError
from lms.extensions import db
from tests.conftest import audit_actions, client_for, csrf_token

TODAY = date(2026, 10, 5)  # a Monday in the default cohorts (2026-09-07 to 2026-11-20)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def world(make_user, make_region, make_cohort, enrol):
    coordinator = make_user(Role.COORDINATOR.value)
    other_coordinator = make_user(Role.COORDINATOR.value)
    region_a = make_region("Région A", coordinators=(coordinator,))
    region_b = make_region("Région B", coordinators=(other_coordinator,))
    first = make_cohort(region=region_a, code="A-FTC1", capacity=3)
    second = make_cohort(region=region_a, code="A-FTC2", capacity=3)
    elsewhere = make_cohort(region=region_b, code="B-FTC1")
    student = make_user(Role.STUDENT.value, name="Amina Diallo", email="amina@example.org")
    enrol(student, first)
    return {
        "coordinator": coordinator,
        "other_coordinator": other_coordinator,
        "first": first,
        "second": second,
        "elsewhere": elsewhere,
        "student": student,
    }


def _enrolments() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Enrolment.id)))


def _post(client, path: str, data: dict):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/cohorts/")})


def _page(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'").replace("&nbsp;", " ")


# --- the service ---------------------------------------------------------------------------


def test_enrol_student_flushes_and_audits(app, world, make_user):
    newcomer = make_user(Role.STUDENT.value)
    enrolment = enrol_student(
        world["second"], newcomer, date(2026, 10, 6), actor=world["coordinator"]
    )
    assert enrolment.id and enrolment.status == "active"
    assert enrolment.start_on == date(2026, 10, 6)
    assert db.session.scalar(
        select(AuditLog.action).where(AuditLog.entity_id == str(enrolment.id))
    ) == ("enrolment.create")
    db.session.rollback()  # flushed, never committed
    assert _enrolments() == 1


def test_a_staff_account_is_not_a_student_to_enrol(app, world, make_user):
    teacher = make_user(Role.TEACHER.value)
    with pytest.raises(ServiceError) as refused:
        enrol_student(world["second"], teacher, TODAY, actor=world["coordinator"])
    assert refused.value.status == 404


# --- enrolling from the cohort's page --------------------------------------------------------


def test_search_shows_students_in_scope_and_never_enrolled_only(server, world, make_user, enrol):
    make_user(Role.STUDENT.value, name="Amina Nouvelle", email="nouvelle@example.org")
    hidden = make_user(Role.STUDENT.value, name="Amina Ailleurs", email="ailleurs@example.org")
    enrol(hidden, world["elsewhere"])
    make_user(Role.TEACHER.value, name="Amina Enseignante")
    client = client_for(server, world["coordinator"])
    page = _page(client.get(f"/cohorts/{world['second'].id}/enrol?q=amina"))
    assert "Amina Diallo" in page and "Amina Nouvelle" in page
    assert "Ailleurs" not in page and "ailleurs@example.org" not in page
    assert "Enseignante" not in page
    # By e-mail too.
    assert "Amina Diallo" in _page(client.get(f"/cohorts/{world['second'].id}/enrol?q=AMINA@"))


def test_enrol_a_never_enrolled_student(server, world, make_user):
    newcomer = make_user(Role.STUDENT.value, name="Jorge Pérez")
    client = client_for(server, world["coordinator"])
    response = _post(
        client,
        f"/cohorts/{world['second'].id}/enrol",
        {"student_id": newcomer.id, "start_on": "2026-10-05"},
    )
    assert response.status_code == 302
    assert _enrolments() == 2
    assert audit_actions() == ["enrolment.create"]
    detail = _page(client.get(f"/cohorts/{world['second'].id}"))
    assert "Jorge Pérez" in detail


def test_a_full_cohort_is_refused_with_the_count(server, world, make_user, enrol):
    for _ in range(3):
        enrol(make_user(Role.STUDENT.value), world["second"])
    newcomer = make_user(Role.STUDENT.value)
    client = client_for(server, world["coordinator"])
    response = _post(
        client,
        f"/cohorts/{world['second'].id}/enrol",
        {"student_id": newcomer.id, "start_on": "2026-10-05"},
    )
    assert response.status_code == 409
    assert "Le groupe A-FTC2 est complet : 3 élèves inscrits pour 3 places." in _page(response)
    assert _enrolments() == 4
    assert audit_actions() == []


def test_a_student_active_elsewhere_is_refused_and_the_cohort_named(server, world):
    client = client_for(server, world["coordinator"])
    response = _post(
        client,
        f"/cohorts/{world['second'].id}/enrol",
        {"student_id": world["student"].id, "start_on": "2026-10-05"},
    )
    assert response.status_code == 409
    assert "Amina Diallo est déjà inscrit·e dans le groupe A-FTC1" in _page(response)
    assert _enrolments() == 1


def test_a_student_already_in_the_cohort_is_refused(server, world):
    client = client_for(server, world["coordinator"])
    response = _post(
        client,
        f"/cohorts/{world['first'].id}/enrol",
        {"student_id": world["student"].id, "start_on": "2026-10-05"},
    )
    assert response.status_code == 409
    assert "déjà inscrit·e dans ce groupe" in _page(response)
    assert _enrolments() == 1


@pytest.mark.parametrize("status", ["finished", "cancelled"])
def test_a_finished_or_cancelled_cohort_takes_nobody(server, world, make_user, status):
    world["second"].status = status
    db.session.commit()
    newcomer = make_user(Role.STUDENT.value)
    client = client_for(server, world["coordinator"])
    response = _post(
        client,
        f"/cohorts/{world['second'].id}/enrol",
        {"student_id": newcomer.id, "start_on": "2026-10-05"},
    )
    assert response.status_code == 422
    label = {"finished": "terminé", "cancelled": "annulé"}[status]
    assert f"Le groupe A-FTC2 est {label} : il ne reçoit plus d'inscriptions." in _page(response)
    assert _enrolments() == 1


def test_a_date_outside_the_cohort_is_refused(server, world, make_user):
    newcomer = make_user(Role.STUDENT.value)
    client = client_for(server, world["coordinator"])
    response = _post(
        client,
        f"/cohorts/{world['second'].id}/enrol",
        {"student_id": newcomer.id, "start_on": "2026-12-01"},
    )
    assert response.status_code == 422
    assert (
        "La date 2026-12-01 est hors des dates du groupe A-FTC2 (2026-09-07 au 2026-11-20)."
        in _page(response)
    )
    assert _enrolments() == 1


def test_a_student_of_another_region_cannot_be_enrolled(server, world, make_user, enrol):
    theirs = make_user(Role.STUDENT.value)
    enrol(theirs, world["elsewhere"], end_on=date(2026, 9, 30), status="withdrawn")
    client = client_for(server, world["coordinator"])
    response = _post(
        client,
        f"/cohorts/{world['second'].id}/enrol",
        {"student_id": theirs.id, "start_on": "2026-10-05"},
    )
    assert response.status_code == 404
    assert "ailleurs" not in _page(response)
    assert _enrolments() == 2


def test_another_regions_coordinator_and_teachers_cannot_enrol(server, world, make_user):
    newcomer = make_user(Role.STUDENT.value)
    teacher = make_user(Role.TEACHER.value)
    path = f"/cohorts/{world['second'].id}/enrol"
    data = {"student_id": newcomer.id, "start_on": "2026-10-05"}
    assert _post(client_for(server, world["other_coordinator"]), path, data).status_code == 404
    assert _post(client_for(server, teacher), path, data).status_code == 403
    assert _enrolments() == 1


# --- transfers -----------------------------------------------------------------------------


def _first_enrolment(world) -> Enrolment:
    db.session.rollback()
    return db.session.scalar(
        select(Enrolment).where(
            Enrolment.student_id == world["student"].id,
            Enrolment.cohort_id == world["first"].id,
        )
    )


def test_transfer_ends_the_first_enrolment_the_day_before_and_keeps_attendance(server, world):
    enrolment = _first_enrolment(world)
    db.session.add(
        AttendanceRecord(
            cohort_id=world["first"].id,
            student_id=world["student"].id,
            day=date(2026, 9, 8),
            status="present",
            scheduled_minutes=360,
            attended_minutes=360,
        )
    )
    db.session.commit()
    client = client_for(server, world["coordinator"])
    page = _page(client.get(f"/enrolments/{enrolment.id}/transfer"))
    assert "A-FTC2" in page and "B-FTC1" not in page  # only the coordinator's cohorts
    response = _post(
        client,
        f"/enrolments/{enrolment.id}/transfer",
        {
            "cohort_id": world["second"].id,
            "effective_on": "2026-10-05",
            "reason": "horaire",
            "comment": "Travaille le matin.",
        },
    )
    assert response.status_code == 302, _page(response)
    first = _first_enrolment(world)
    assert (first.status, first.end_on) == ("transferred", date(2026, 10, 4))
    new = db.session.scalar(select(Enrolment).where(Enrolment.cohort_id == world["second"].id))
    assert (new.status, new.start_on, new.end_on) == ("active", date(2026, 10, 5), None)
    # Never active in both cohorts on the same day.
    assert not (first.is_active_on(date(2026, 10, 5)) and new.is_active_on(date(2026, 10, 5)))
    assert first.is_active_on(date(2026, 10, 4)) and new.is_active_on(date(2026, 10, 5))
    # Attendance stays with the cohort where it happened.
    assert db.session.scalar(select(AttendanceRecord.cohort_id)) == world["first"].id
    assert audit_actions() == ["enrolment.create", "enrolment.transfer"]
    # The follow-up file shows both enrolments, and the first cohort's attendance.
    file_page = _page(client.get(f"/students/{world['student'].id}"))
    assert file_page.count("A-FTC1") >= 2 and "A-FTC2" in file_page  # enrolments + attendance
    assert "Transféré" in file_page or "transféré" in file_page
    assert "Horaire : Travaille le matin." in file_page


def test_a_coordinator_cannot_transfer_into_another_region(server, world):
    enrolment = _first_enrolment(world)
    client = client_for(server, world["coordinator"])
    response = _post(
        client,
        f"/enrolments/{enrolment.id}/transfer",
        {"cohort_id": world["elsewhere"].id, "effective_on": "2026-10-05", "reason": "site"},
    )
    assert response.status_code == 404
    assert _first_enrolment(world).status == "active"
    assert _enrolments() == 1
    assert audit_actions() == []


def test_another_regions_coordinator_cannot_transfer_our_student(server, world):
    enrolment = _first_enrolment(world)
    client = client_for(server, world["other_coordinator"])
    assert client.get(f"/enrolments/{enrolment.id}/transfer").status_code == 404
    response = _post(
        client,
        f"/enrolments/{enrolment.id}/transfer",
        {"cohort_id": world["elsewhere"].id, "effective_on": "2026-10-05", "reason": "site"},
    )
    assert response.status_code == 404
    assert _enrolments() == 1


def test_a_transfer_into_a_finished_cohort_is_refused(server, world):
    world["second"].status = "finished"
    db.session.commit()
    enrolment = _first_enrolment(world)
    client = client_for(server, world["coordinator"])
    response = _post(
        client,
        f"/enrolments/{enrolment.id}/transfer",
        {"cohort_id": world["second"].id, "effective_on": "2026-10-05", "reason": "niveau"},
    )
    assert response.status_code == 422
    assert "Le groupe A-FTC2 est terminé : il ne reçoit plus d'inscriptions." in _page(response)
    assert _first_enrolment(world).status == "active"
    assert _enrolments() == 1


def test_a_transfer_into_a_full_cohort_gives_the_count(server, world, make_user, enrol):
    for _ in range(3):
        enrol(make_user(Role.STUDENT.value), world["second"])
    enrolment = _first_enrolment(world)
    client = client_for(server, world["coordinator"])
    response = _post(
        client,
        f"/enrolments/{enrolment.id}/transfer",
        {"cohort_id": world["second"].id, "effective_on": "2026-10-05", "reason": "niveau"},
    )
    assert response.status_code == 409
    assert "3 élèves inscrits pour 3 places" in _page(response)
    assert _first_enrolment(world).status == "active"
    assert _enrolments() == 4


@pytest.mark.parametrize(
    ("effective_on", "message"),
    [
        ("2026-12-01", "est hors des dates du groupe A-FTC2"),
        ("2026-09-07", "doit prendre effet après le début de l'inscription actuelle"),
        ("2026-08-01", "doit prendre effet après le début de l'inscription actuelle"),
    ],
)
def test_a_transfer_date_outside_the_cohorts_is_refused(server, world, effective_on, message):
    enrolment = _first_enrolment(world)
    client = client_for(server, world["coordinator"])
    response = _post(
        client,
        f"/enrolments/{enrolment.id}/transfer",
        {"cohort_id": world["second"].id, "effective_on": effective_on, "reason": "niveau"},
    )
    assert response.status_code == 422
    assert message in _page(response)
    assert _first_enrolment(world).status == "active"
    assert _enrolments() == 1


def test_a_transfer_needs_a_known_reason_and_another_cohort(app, world):
    enrolment = _first_enrolment(world)
    second = db.session.get(Cohort, world["second"].id)
    first = db.session.get(Cohort, world["first"].id)
    with pytest.raises(ServiceError, match="Raison inconnue"):
        transfer_student(enrolment, second, TODAY, reason="caprice", actor=world["coordinator"])
    with pytest.raises(ServiceError, match="autre groupe"):
        transfer_student(enrolment, first, TODAY, reason="niveau", actor=world["coordinator"])


def test_a_transfer_refuses_a_student_enrolled_in_a_third_cohort_then(
    app, world, make_cohort, make_user, enrol
):
    later = make_cohort(region=None, code="A-LATER", start_on=date(2026, 10, 19))
    enrol(world["student"], later, end_on=date(2026, 10, 30), status="active")
    enrolment = _first_enrolment(world)
    second = db.session.get(Cohort, world["second"].id)
    # The coordinator of region A does not see A-LATER (another region): an admin transfers.
    admin = make_user(Role.ADMIN.value)
    with pytest.raises(ServiceError, match="déjà inscrit·e dans le groupe A-LATER"):
        transfer_student(enrolment, second, TODAY, reason="niveau", actor=admin)
    db.session.rollback()
    assert _first_enrolment(world).status == "active"
