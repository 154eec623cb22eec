"""Issue 12 item 6: « Suite du parcours », enrolling students in their next (or same) course
after the end-of-course decisions."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from lms import clock
from lms.auth.models import Role, User
from lms.catalog.models import Course, Enrolment, Site
from lms.extensions import db
from lms.followup.models import ProgressionDecision
from tests.conftest import audit_actions, client_for, csrf_token

TODAY = date(2026, 9, 1)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _course(code: str, level_min: int) -> Course:
    course = Course(code=code, title=code, level_min=level_min, level_max=level_min + 1)
    db.session.add(course)
    db.session.commit()
    return course


@pytest.fixture
def world(make_user, make_region, make_cohort):
    coordinator = make_user(Role.COORDINATOR.value)
    other_coordinator = make_user(Role.COORDINATOR.value)
    region = make_region("Région A", coordinators=(coordinator,))
    other_region = make_region("Région B", coordinators=(other_coordinator,))
    ftc1, ftc2 = _course("T-1", 1), _course("T-2", 3)
    _course("T-3", 5)
    done = make_cohort(region=region, course=ftc1, code="A-T1-ETE", start_on=date(2026, 6, 1))
    done.status = "finished"
    site = db.session.get(Site, done.site_id)
    next_group = make_cohort(
        site=site, course=ftc2, code="A-T2-AUT", start_on=date(2026, 9, 7), capacity=3
    )
    again = make_cohort(site=site, course=ftc1, code="A-T1-AUT", start_on=date(2026, 9, 7))
    elsewhere = make_cohort(region=other_region, course=ftc2, code="B-T2-AUT")
    db.session.commit()
    return {
        "coordinator": coordinator,
        "other_coordinator": other_coordinator,
        "region": region,
        "other_region": other_region,
        "done": done,
        "next": next_group,
        "again": again,
        "elsewhere": elsewhere,
        "decider": coordinator,
    }


def _decided(world, decision: str, name: str | None = None, cohort=None) -> User:
    cohort = cohort or world["done"]
    student = User(
        email=f"{name or decision}-{db.session.scalar(select(func.count(User.id)))}@example.org",
        name=name or f"Élève {decision}",
        role=Role.STUDENT.value,
        password_hash="x",
    )
    db.session.add(student)
    db.session.flush()
    enrolment = Enrolment(student_id=student.id, cohort_id=cohort.id, start_on=cohort.start_on)
    db.session.add(enrolment)
    db.session.flush()
    db.session.add(
        ProgressionDecision(
            enrolment_id=enrolment.id,
            decision=decision,
            decided_on=date(2026, 8, 14),
            decided_by_id=world["decider"].id,
        )
    )
    db.session.commit()
    return student


def _enrolments_in(cohort) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count(Enrolment.id)).where(Enrolment.cohort_id == cohort.id)
    )


def _page(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'")


def _row_id(student: User) -> int:
    return db.session.scalar(select(Enrolment.id).where(Enrolment.student_id == student.id))


def _post(client, region, data):
    return client.post(
        f"/regions/{region.id}/progression/enrol",
        data={**data, "csrf_token": csrf_token(client, f"/regions/{region.id}/progression")},
    )


def test_the_page_lists_who_goes_on_or_repeats_with_cohorts_of_their_site(
    server, world, make_cohort, enrol
):
    _decided(world, "passe", "Ana Passe")
    _decided(world, "reprend", "Bo Reprend")
    _decided(world, "abandon", "Cy Abandon")
    already = _decided(world, "passe", "Di Déjà")
    enrol(already, world["next"])
    client = client_for(server, world["coordinator"])
    page = _page(client.get(f"/regions/{world['region'].id}/progression"))
    assert "Ana Passe" in page and "Bo Reprend" in page
    assert "Cy Abandon" not in page and "Di Déjà" not in page
    assert "A-T2-AUT" in page and "A-T1-AUT" in page
    assert "B-T2-AUT" not in page  # another region's cohort is never offered
    assert "2 places libres" in page  # A-T2-AUT: 3 places, Di Déjà took one


def test_enrol_one_student_in_the_next_course(server, world):
    student = _decided(world, "passe", "Ana Passe")
    _decided(world, "passe", "Bo Passe")
    client = client_for(server, world["coordinator"])
    response = _post(
        client,
        world["region"],
        {"one": _row_id(student), f"cohort_{_row_id(student)}": world["next"].id},
    )
    assert response.status_code == 302
    assert _enrolments_in(world["next"]) == 1
    created = db.session.scalar(select(Enrolment).where(Enrolment.cohort_id == world["next"].id))
    assert (created.student_id, created.start_on) == (student.id, date(2026, 9, 7))
    assert audit_actions() == ["enrolment.create"]
    page = _page(client.get(f"/regions/{world['region'].id}/progression"))
    assert "Ana Passe" not in page and "Bo Passe" in page


def test_enrol_all_at_once_repeaters_in_the_same_course(server, world):
    students = [_decided(world, "passe"), _decided(world, "reprend")]
    client = client_for(server, world["coordinator"])
    data = {"all": "1", f"cohort_{_row_id(students[0])}": world["next"].id}
    data[f"cohort_{_row_id(students[1])}"] = world["again"].id
    assert _post(client, world["region"], data).status_code == 302
    assert _enrolments_in(world["next"]) == 1
    assert _enrolments_in(world["again"]) == 1


def test_enrol_all_into_a_full_cohort_writes_nothing_and_gives_the_count(server, world):
    students = [_decided(world, "passe", f"Élève {n}") for n in range(4)]
    client = client_for(server, world["coordinator"])
    data = {"all": "1", **{f"cohort_{_row_id(s)}": world["next"].id for s in students}}
    response = _post(client, world["region"], data)
    assert response.status_code == 409
    assert "Le groupe A-T2-AUT est complet : 3 élèves inscrits pour 3 places." in _page(response)
    assert _enrolments_in(world["next"]) == 0
    assert audit_actions() == []


def test_a_student_already_active_elsewhere_is_refused_and_the_cohort_named(
    server, world, make_cohort, enrol
):
    student = _decided(world, "passe", "Ana Passe")
    other_course = _course("T-X", 9)
    busy = make_cohort(region=world["region"], course=other_course, code="A-TX-AUT")
    enrol(student, busy)
    client = client_for(server, world["coordinator"])
    response = _post(
        client,
        world["region"],
        {"one": _row_id(student), f"cohort_{_row_id(student)}": world["next"].id},
    )
    assert response.status_code == 409
    assert "Ana Passe : Ana Passe est déjà inscrit·e dans le groupe A-TX-AUT" in _page(response)
    assert _enrolments_in(world["next"]) == 0


def test_a_cohort_not_offered_to_the_student_is_refused(server, world):
    student = _decided(world, "passe", "Ana Passe")
    client = client_for(server, world["coordinator"])
    for cohort in (world["elsewhere"], world["again"], world["done"]):
        response = _post(
            client,
            world["region"],
            {"one": _row_id(student), f"cohort_{_row_id(student)}": cohort.id},
        )
        assert response.status_code == 422
        assert "Choisissez un groupe offert pour Ana Passe." in _page(response)
    assert _enrolments_in(world["elsewhere"]) == 0 and _enrolments_in(world["again"]) == 0


def test_a_finished_cohort_is_not_offered(server, world):
    _decided(world, "passe", "Ana Passe")
    world["next"].status = "finished"
    db.session.commit()
    client = client_for(server, world["coordinator"])
    page = _page(client.get(f"/regions/{world['region'].id}/progression"))
    assert "Ana Passe" in page and "A-T2-AUT" not in page
    assert "Aucun groupe prévu ou en cours à ce site." in page


def test_only_the_regions_coordinators_and_admins(server, world, make_user):
    student = _decided(world, "passe", "Ana Passe")
    path = f"/regions/{world['region'].id}/progression"
    assert client_for(server, world["other_coordinator"]).get(path).status_code == 404
    assert client_for(server, make_user(Role.TEACHER.value)).get(path).status_code == 403
    assert client_for(server, make_user(Role.ADMIN.value)).get(path).status_code == 200
    other = client_for(server, world["other_coordinator"])
    response = other.post(
        f"{path}/enrol",
        data={
            "one": _row_id(student),
            f"cohort_{_row_id(student)}": world["next"].id,
            "csrf_token": csrf_token(other, "/cohorts/"),
        },
    )
    assert response.status_code == 404
    assert _enrolments_in(world["next"]) == 0


def test_the_index_leads_a_coordinator_to_their_region(server, world):
    client = client_for(server, world["coordinator"])
    response = client.get("/progression")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/regions/{world['region'].id}/progression")


def test_the_page_makes_the_same_number_of_queries_for_5_and_200_students(
    server, world, count_queries
):
    client = client_for(server, world["coordinator"])
    path = f"/regions/{world['region'].id}/progression"

    def add(n: int) -> None:
        for i in range(n):
            _decided(world, "passe" if i % 2 else "reprend")

    add(5)
    client.get(path)  # warm-up
    with count_queries() as few:
        page = client.get(path)
    assert page.status_code == 200
    add(195)
    with count_queries() as many:
        page = client.get(path)
    assert page.status_code == 200
    assert _page(page).count("<tr>") == 201  # header + 200 students
    assert len(many) == len(few), many
