"""Issue 12 item 4 (and 8): the intake queue (« liste d'attente »).

Coordinators record candidates (an existing student of their scope or a new account) with their
placement levels, preferred sites and available date; the queue proposes the cohorts of the
course that the lowest level points to, and enrols one candidate or several at once (all or
nothing). Every refusal is a French message with nothing written; out of scope is a 404."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, insert, select

from lms import clock
from lms.audit.models import AuditLog
from lms.auth.models import Role, User
from lms.catalog.models import Course, Enrolment, Site
from lms.catalog.services import refused_email_message
from lms.extensions import db
from lms.followup.models import LevelAssessment
from lms.intake.models import Candidate, candidate_site
from lms.intake.queries import CourseRef, course_for_level
from lms.intake.vocab import CandidateStatus
from tests.conftest import audit_actions, client_for, csrf_token

TODAY = date(2026, 9, 14)  # the second Monday of the default cohorts (from 2026-09-07)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _site(region, code):
    site = Site(code=code, name=f"Centre {code}", region_id=region.id)
    db.session.add(site)
    db.session.commit()
    return site


@pytest.fixture
def world(make_user, make_region, make_cohort, enrol):
    coordinator = make_user(Role.COORDINATOR.value)
    other_coordinator = make_user(Role.COORDINATOR.value)
    admin = make_user(Role.ADMIN.value)
    region_a = make_region("Région A", coordinators=(coordinator,))
    region_b = make_region("Région B", coordinators=(other_coordinator,))
    a1, a2, b1 = _site(region_a, "A1"), _site(region_a, "A2"), _site(region_b, "B1")
    ftc1 = Course(code="X-FTC-1", title="Cours 1", level_min=1, level_max=2)
    ftc2 = Course(code="X-FTC-2", title="Cours 2", level_min=3, level_max=4)
    db.session.add_all([ftc1, ftc2])
    db.session.commit()
    ongoing = make_cohort(site=a1, course=ftc1, code="A1-FTC1", capacity=2)
    ongoing.status = "ongoing"
    later = make_cohort(site=a1, course=ftc2, code="A1-FTC2", start_on=date(2026, 10, 5))
    other_site = make_cohort(site=a2, course=ftc1, code="A2-FTC1")
    elsewhere = make_cohort(site=b1, course=ftc1, code="B1-FTC1")
    finished = make_cohort(site=a1, course=ftc1, code="A1-FINI")
    finished.status = "finished"
    db.session.commit()
    b_student = make_user(Role.STUDENT.value, email="loin@example.org")
    enrol(b_student, elsewhere)
    return {
        "coordinator": coordinator,
        "other_coordinator": other_coordinator,
        "admin": admin,
        "region_a": region_a,
        "region_b": region_b,
        "a1": a1,
        "a2": a2,
        "b1": b1,
        "ongoing": ongoing,
        "later": later,
        "other_site": other_site,
        "elsewhere": elsewhere,
        "b_student": b_student,
    }


def _form(world, **overrides):
    data = {
        "email": "nouvelle@example.org",
        "name": "Nouvelle Personne",
        "preferred_language": "fr",
        "phone": "",
        "region_id": world["region_a"].id,
        "site_ids": [world["a1"].id],
        "level_CO": 2,
        "level_PO": 1,
        "level_CE": 3,
        "level_PE": 2,
        "available_on": TODAY.isoformat(),
    }
    data.update(overrides)
    return data


def _post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/intake/new")})


def _text(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'").replace("&nbsp;", " ")


def _row(page: str, name: str) -> str:
    """The queue's table row of the candidate called ``name``."""
    rows = [r for r in page.split("<tr")[1:] if f">{name}</a>" in r]
    assert len(rows) == 1, name
    return rows[0]


def _counts():
    db.session.rollback()
    return (
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(Candidate.id))),
        db.session.scalar(select(func.count(LevelAssessment.id))),
        db.session.scalar(select(func.count(Enrolment.id))),
        len(audit_actions()),
    )


def _add_candidate(client, world, **overrides) -> Candidate:
    response = _post(client, "/intake/new", _form(world, **overrides))
    assert response.status_code == 302, _text(response)[:2000]
    db.session.rollback()
    return db.session.scalar(select(Candidate).order_by(Candidate.id.desc()).limit(1))


# --- recording -------------------------------------------------------------------------------


def test_a_new_person_gets_an_account_placement_levels_and_an_audit_trail(server, world):
    client = client_for(server, world["coordinator"])
    candidate = _add_candidate(client, world, phone="418-555-0101")
    student = db.session.get(User, candidate.student_id)
    assert (student.role, student.name, student.phone) == (
        "student",
        "Nouvelle Personne",
        "418-555-0101",
    )
    assert student.must_change_password
    assert candidate.status == CandidateStatus.WAITING
    assert candidate.region_id == world["region_a"].id
    assessments = db.session.scalars(
        select(LevelAssessment).where(LevelAssessment.student_id == student.id)
    ).all()
    assert {(a.skill, a.level, a.kind, a.cohort_id) for a in assessments} == {
        ("CO", 2, "placement", None),
        ("PO", 1, "placement", None),
        ("CE", 3, "placement", None),
        ("PE", 2, "placement", None),
    }
    actions = audit_actions()
    assert actions == ["user.create", *["assessment.create"] * 4, "candidate.create"]
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "candidate.create"))
    assert entry.after["site_ids"] == [world["a1"].id]
    assert entry.after["status"] == "waiting"


def test_the_temporary_password_is_hashed_before_the_write_transaction(server, world, monkeypatch):
    """scrypt (~0.5 s) inside the transaction would hold SQLite's one write lock meanwhile."""
    from werkzeug.security import check_password_hash

    from lms.auth import services as auth_services

    calls: list[tuple[str, bool]] = []
    real_hash = auth_services.hash_password

    def spy(password: str) -> str:
        calls.append((password, db.session().in_transaction()))
        return real_hash(password)

    monkeypatch.setattr(auth_services, "hash_password", spy)
    client = client_for(server, world["coordinator"])
    candidate = _add_candidate(client, world)
    assert [in_transaction for _password, in_transaction in calls] == [False]
    student = db.session.get(User, candidate.student_id)
    assert check_password_hash(student.password_hash, calls[0][0])


def test_an_existing_student_of_the_scope_is_taken_not_created(server, world, make_user):
    known = make_user(Role.STUDENT.value, email="deja@example.org")
    client = client_for(server, world["coordinator"])
    candidate = _add_candidate(client, world, email="DEJA@example.org", name="")
    assert candidate.student_id == known.id
    assert "user.create" not in audit_actions()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"level_CE": 13}, "Le niveau doit être un nombre de 1 à 12."),
        ({"level_PO": 0}, "Le niveau doit être un nombre de 1 à 12."),
        ({"email": "loin@example.org"}, None),  # another region's student
        ({"site_ids": []}, "Choisissez au moins un site."),
    ],
)
def test_refusals_are_french_and_write_nothing(server, world, overrides, message):
    client = client_for(server, world["coordinator"])
    before = _counts()
    response = _post(client, "/intake/new", _form(world, **overrides))
    assert response.status_code == 422
    assert (message or refused_email_message()) in _text(response)
    assert _counts() == before


def test_a_staff_e_mail_gets_the_imports_generic_answer(server, world):
    client = client_for(server, world["coordinator"])
    before = _counts()
    response = _post(client, "/intake/new", _form(world, email=world["other_coordinator"].email))
    assert response.status_code == 422
    assert refused_email_message() in _text(response)
    assert _counts() == before


def test_a_site_of_another_region_is_refused(server, world):
    client = client_for(server, world["coordinator"])
    before = _counts()
    response = _post(client, "/intake/new", _form(world, site_ids=[world["b1"].id]))
    assert response.status_code == 422
    assert _counts() == before


def test_a_student_already_waiting_is_not_added_twice(server, world):
    client = client_for(server, world["coordinator"])
    _add_candidate(client, world)
    before = _counts()
    response = _post(client, "/intake/new", _form(world))
    assert response.status_code == 409
    assert "déjà dans la liste d'attente" in _text(response)
    assert _counts() == before


# --- the queue and its proposals -----------------------------------------------------------


def test_the_course_follows_the_lowest_level():
    courses = [
        CourseRef(1, "FTC-1", "", 1, 2, False),
        CourseRef(2, "FTC-2", "", 3, 4, False),
        CourseRef(4, "FTC-4", "", 7, 8, True),
    ]
    assert course_for_level(courses, 1).code == "FTC-1"
    assert course_for_level(courses, 4).code == "FTC-2"
    assert course_for_level(courses, 8).code == "FTC-4"
    assert course_for_level(courses, 10) is None


def test_the_queue_proposes_open_cohorts_of_the_course_at_preferred_sites(server, world):
    client = client_for(server, world["coordinator"])
    _add_candidate(client, world)  # lowest level 1: course 1, site A1
    _add_candidate(
        client,
        world,
        email="deux@example.org",
        name="Deuxième",
        level_CO=4,
        level_PO=3,
        level_CE=4,
        level_PE=4,
        site_ids=[world["a1"].id, world["a2"].id],
    )
    page = _text(client.get("/intake/"))
    first, second = _row(page, "Nouvelle Personne"), _row(page, "Deuxième")
    assert "X-FTC-1" in first and "A1-FTC1" in first
    # Not at a site she did not choose, not finished, not in another region.
    assert "A2-FTC1" not in first and "A1-FINI" not in first and "B1-FTC1" not in page
    assert "X-FTC-2" in second and "A1-FTC2" in second and "A1-FTC1" not in second
    assert "Cours proposé selon le niveau le plus faible" in page
    assert "Inscrire la sélection" in page


def test_full_and_ending_cohorts_are_not_proposed(server, world, make_user, enrol):
    for _ in range(2):
        enrol(make_user(Role.STUDENT.value), world["ongoing"])
    client = client_for(server, world["coordinator"])
    _add_candidate(client, world, site_ids=[world["a1"].id, world["a2"].id])
    _add_candidate(
        client,
        world,
        email="tard@example.org",
        name="Tardive",
        site_ids=[world["a2"].id],
        available_on=date(2027, 1, 4).isoformat(),
    )
    page = _text(client.get("/intake/"))
    first, second = _row(page, "Nouvelle Personne"), _row(page, "Tardive")
    assert "A1-FTC1" not in first and "A2-FTC1" in first
    assert "A2-FTC1" not in second and "Aucun groupe de ce cours" in second


def test_scope_another_regions_candidate_is_absent_and_404(server, world):
    mine = _add_candidate(client_for(server, world["coordinator"]), world)
    other = client_for(server, world["other_coordinator"])
    assert "Nouvelle Personne" not in _text(other.get("/intake/"))
    assert other.get(f"/intake/{mine.id}").status_code == 404
    before = _counts()
    token = csrf_token(other, "/intake/new")
    response = other.post(
        f"/intake/{mine.id}/enrol",
        data={"cohort_id": world["ongoing"].id, "csrf_token": token},
    )
    assert response.status_code == 404
    response = other.post(
        "/intake/enrol",
        data={"select": mine.id, f"cohort_{mine.id}": world["ongoing"].id, "csrf_token": token},
    )
    assert response.status_code == 404
    assert _counts() == before
    admin = client_for(server, world["admin"])
    assert "Nouvelle Personne" in _text(admin.get("/intake/"))


# --- enrolling -----------------------------------------------------------------------------


def test_one_click_enrols_from_the_first_day_and_attaches_the_placement(server, world):
    client = client_for(server, world["coordinator"])
    candidate = _add_candidate(client, world)
    response = _post(client, f"/intake/{candidate.id}/enrol", {"cohort_id": world["ongoing"].id})
    assert response.status_code == 302, _text(response)[:2000]
    db.session.rollback()
    candidate = db.session.get(Candidate, candidate.id)
    enrolment = db.session.get(Enrolment, candidate.enrolment_id)
    # Joining an ongoing cohort: from today, not from the cohort's first day.
    assert (enrolment.cohort_id, enrolment.start_on) == (world["ongoing"].id, TODAY)
    assert candidate.status == CandidateStatus.ENROLLED
    cohorts = set(
        db.session.scalars(
            select(LevelAssessment.cohort_id).where(
                LevelAssessment.student_id == candidate.student_id
            )
        )
    )
    assert cohorts == {world["ongoing"].id}
    assert audit_actions()[-2:] == ["enrolment.create", "candidate.enrol"]
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "candidate.enrol"))
    assert entry.before["status"] == "waiting"
    assert entry.after["status"] == "enrolled"
    assert entry.after["enrolment_id"] == enrolment.id
    assert "Nouvelle Personne" not in _text(client.get("/intake/"))


def test_a_planned_cohort_starts_on_its_first_day(server, world):
    client = client_for(server, world["coordinator"])
    candidate = _add_candidate(client, world, level_PO=3, level_CO=3)
    response = _post(client, f"/intake/{candidate.id}/enrol", {"cohort_id": world["later"].id})
    assert response.status_code == 302
    db.session.rollback()
    enrolment = db.session.scalar(
        select(Enrolment).where(Enrolment.student_id == candidate.student_id)
    )
    assert enrolment.start_on == date(2026, 10, 5)


def test_a_full_cohort_is_refused_with_nothing_written(server, world, make_user, enrol):
    client = client_for(server, world["coordinator"])
    candidate = _add_candidate(client, world)
    for _ in range(2):
        enrol(make_user(Role.STUDENT.value), world["ongoing"])
    before = _counts()
    response = _post(client, f"/intake/{candidate.id}/enrol", {"cohort_id": world["ongoing"].id})
    assert response.status_code == 409
    assert "complet" in _text(response)
    assert _counts() == before


def test_the_selection_enrols_each_in_their_chosen_cohort(server, world):
    client = client_for(server, world["coordinator"])
    one = _add_candidate(client, world)
    two = _add_candidate(
        client, world, email="deux@example.org", name="Deux", site_ids=[world["a2"].id]
    )
    response = _post(
        client,
        "/intake/enrol",
        {
            "select": [one.id, two.id],
            f"cohort_{one.id}": world["ongoing"].id,
            f"cohort_{two.id}": world["other_site"].id,
        },
    )
    assert response.status_code == 302, _text(response)[:2000]
    db.session.rollback()
    placed = dict(
        db.session.execute(
            select(Enrolment.student_id, Enrolment.cohort_id).where(
                Enrolment.student_id.in_([one.student_id, two.student_id])
            )
        ).all()
    )
    assert placed == {
        one.student_id: world["ongoing"].id,
        two.student_id: world["other_site"].id,
    }
    assert audit_actions().count("candidate.enrol") == 2


def test_the_selection_is_all_or_nothing_with_a_message_on_the_refused_row(
    server, world, make_user, enrol
):
    enrol(make_user(Role.STUDENT.value), world["ongoing"])  # one seat left of 2
    client = client_for(server, world["coordinator"])
    one = _add_candidate(client, world)
    two = _add_candidate(client, world, email="deux@example.org", name="Deux")
    before = _counts()
    response = _post(
        client,
        "/intake/enrol",
        {
            "select": [one.id, two.id],
            f"cohort_{one.id}": world["ongoing"].id,
            f"cohort_{two.id}": world["ongoing"].id,
        },
    )
    assert response.status_code == 422
    page = _text(response)
    assert "Aucune inscription n'a été faite" in page
    assert "complet" in _row(page, "Deux")
    assert "complet" not in _row(page, "Nouvelle Personne")
    assert _counts() == before
    statuses = set(db.session.scalars(select(Candidate.status)))
    assert statuses == {"waiting"}


def test_the_selection_needs_a_cohort_and_a_candidate(server, world):
    client = client_for(server, world["coordinator"])
    one = _add_candidate(client, world)
    response = _post(client, "/intake/enrol", {"select": [one.id]})
    assert response.status_code == 422
    assert "Choisissez un groupe" in _text(response)
    response = _post(client, "/intake/enrol", {})
    assert response.status_code == 422
    assert "Cochez au moins une personne" in _text(response)


# --- queries -------------------------------------------------------------------------------


def _bulk_candidates(world, n: int, offset: int) -> None:
    users = [
        User(
            email=f"file{offset + i}@example.org",
            name=f"Personne {offset + i}",
            role="student",
            password_hash="x",
        )
        for i in range(n)
    ]
    db.session.add_all(users)
    db.session.flush()
    candidates = [
        Candidate(
            student_id=u.id,
            region_id=world["region_a"].id,
            available_on=TODAY + timedelta(days=i % 30),
        )
        for i, u in enumerate(users)
    ]
    db.session.add_all(candidates)
    db.session.flush()
    db.session.execute(
        insert(candidate_site),
        [{"candidate_id": c.id, "site_id": world["a1"].id} for c in candidates]
        + [{"candidate_id": c.id, "site_id": world["a2"].id} for c in candidates[::2]],
    )
    db.session.add_all(
        LevelAssessment(
            student_id=u.id, skill=skill, level=1 + i % 4, kind="placement", assessed_on=TODAY
        )
        for i, u in enumerate(users)
        for skill in ("CO", "PO", "CE", "PE")
    )
    db.session.commit()


def test_the_queue_takes_as_many_queries_for_5_and_200_candidates(server, world, count_queries):
    client = client_for(server, world["coordinator"])
    counts = []
    for n, offset in ((5, 0), (195, 5)):
        _bulk_candidates(world, n, offset)
        with count_queries() as statements:
            response = client.get("/intake/")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
    page = _text(response)
    assert page.count('name="select"') == 200
    assert "A1-FTC1" in page and "A1-FTC2" in page


def test_withdrawing_takes_the_candidate_off_the_queue_with_an_audit(server, world):
    client = client_for(server, world["coordinator"])
    candidate = _add_candidate(client, world)
    response = _post(client, f"/intake/{candidate.id}/withdraw", {})
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(Candidate, candidate.id).status == CandidateStatus.WITHDRAWN
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "candidate.withdraw"))
    assert (entry.before["status"], entry.after["status"]) == ("waiting", "withdrawn")
    assert "Nouvelle Personne" not in _text(client.get("/intake/"))
    other = client_for(server, world["other_coordinator"])
    token = csrf_token(other, "/intake/new")
    assert (
        other.post(f"/intake/{candidate.id}/withdraw", data={"csrf_token": token}).status_code
        == 404
    )
