from datetime import date, timedelta

import pytest

from lms import clock
from lms.auth.models import Role


@pytest.fixture
def two_regions(make_user, make_region):
    coordinator = make_user(Role.COORDINATOR.value)
    other = make_user(Role.COORDINATOR.value)
    return coordinator, make_region("Montréal", (coordinator,)), make_region("Estrie", (other,))


def test_coordinator_sees_only_the_cohorts_of_their_regions(
    client, login_as, two_regions, make_cohort
):
    coordinator, mine, theirs = two_regions
    make_cohort(region=mine, code="MTL-A")
    make_cohort(region=theirs, code="EST-A")
    login_as(coordinator)
    page = client.get("/cohorts/").get_data(as_text=True)
    assert "MTL-A" in page and "EST-A" not in page
    assert "Les groupes de mes régions" in page


def test_teacher_sees_only_their_cohorts(client, login_as, make_user, make_cohort):
    teacher = make_user(Role.TEACHER.value)
    make_cohort(teachers=(teacher,), code="MINE-1")
    make_cohort(code="NOT-MINE")
    login_as(teacher)
    page = client.get("/cohorts/").get_data(as_text=True)
    assert "MINE-1" in page and "NOT-MINE" not in page


def test_cohort_list_shows_week_and_active_students(
    client, login_as, make_user, make_cohort, enrol, monkeypatch
):
    teacher = make_user(Role.TEACHER.value)
    start = date(2026, 9, 7)
    cohort = make_cohort(teachers=(teacher,), start_on=start, code="G-WEEK")
    enrol(make_user(), cohort)
    enrol(make_user(), cohort, start_on=start + timedelta(weeks=4))  # joins later
    enrol(make_user(), cohort, status="withdrawn", end_on=start + timedelta(days=3))
    monkeypatch.setattr(clock, "today", lambda: start + timedelta(weeks=2, days=1))
    login_as(teacher)
    page = client.get("/cohorts/").get_data(as_text=True)
    assert "Semaine 3 sur 11" in page
    assert "1 / 20" in page  # one student active today: the late one has not started yet


def test_coordinator_cohort_list_query_count_does_not_grow_with_cohorts(
    client, login_as, two_regions, make_cohort, make_user, enrol, count_queries
):
    coordinator, mine, _theirs = two_regions
    teacher = make_user(Role.TEACHER.value)
    for _ in range(2):
        cohort = make_cohort(region=mine, teachers=(teacher,))
        enrol(make_user(), cohort)
    login_as(coordinator)
    with count_queries() as small:
        assert client.get("/cohorts/").status_code == 200
    for _ in range(38):
        cohort = make_cohort(region=mine, teachers=(teacher,))
        enrol(make_user(), cohort)
    with count_queries() as large:
        page = client.get("/cohorts/")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("/cohorts/") >= 40
    assert len(small) == len(large), (len(small), len(large))


def test_cohort_detail_lists_students(client, login_as, make_user, make_cohort, enrol):
    teacher = make_user(Role.TEACHER.value)
    cohort = make_cohort(teachers=(teacher,))
    enrol(make_user(name="Amina Haddad"), cohort)
    login_as(teacher)
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Amina Haddad" in page
    assert "Importer des élèves" not in page  # teachers do not manage membership


def test_cohort_detail_query_count_does_not_grow_with_students(
    client, login_as, make_user, make_cohort, enrol, count_queries
):
    teacher = make_user(Role.TEACHER.value)
    cohort = make_cohort(teachers=(teacher,))
    enrol(make_user(), cohort)
    login_as(teacher)
    with count_queries() as small:
        client.get(f"/cohorts/{cohort.id}")
    for _ in range(19):
        enrol(make_user(), cohort)
    with count_queries() as large:
        client.get(f"/cohorts/{cohort.id}")
    assert len(small) == len(large)


def test_unknown_cohort_is_404(client, login_as, make_user):
    login_as(make_user(Role.ADMIN.value))
    assert client.get("/cohorts/999999").status_code == 404
    assert client.get("/cohorts/?page=0").status_code == 404
    assert client.get("/cohorts/?page=7").status_code == 404


def test_student_home_shows_their_course(client, login_as, make_user, make_cohort, enrol):
    student = make_user()
    cohort = make_cohort(code="FTC1-TEST")
    enrol(student, cohort)
    login_as(student)
    page = client.get("/learn/").get_data(as_text=True)
    assert "FTC1-TEST" in page


def test_student_without_enrolment_gets_an_explanation(client, login_as, make_user):
    login_as(make_user())
    page = client.get("/learn/").get_data(as_text=True)
    assert "inscrit·e à aucun cours" in page
