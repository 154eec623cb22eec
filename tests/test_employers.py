"""Partner employers, their employees' consent, needs profiles, the employer report and the
workplace-task follow-up, through the web (and the NEQ rules on their own)."""

from __future__ import annotations

import html
from datetime import date

import pytest
from sqlalchemy import func, select

from lms.attendance.models import AttendanceRecord
from lms.audit.models import AuditLog
from lms.auth.models import Role
from lms.catalog.models import Region
from lms.employers.models import (
    Employer,
    EmployerEmployee,
    NeedsProfile,
    TaskAssessment,
    cohort_employer,
)
from lms.employers.neq import format_neq, is_valid_neq, neq_message, neq_problem, normalize_neq
from lms.employers.profiles import ProfileData, merge_profiles
from lms.extensions import db
from lms.followup.models import LevelAssessment
from lms.learning.models import Attempt, Exercise, Lesson, Unit
from tests.conftest import audit_actions
from tests.test_employers_fixtures import TODAY, course4, post

FIXTURES = (course4,)  # found by pytest under this name


def _text(response) -> str:
    """The page as a reader sees it (entities decoded)."""
    return html.unescape(response.get_data(as_text=True))


def _count(model) -> int:
    db.session.rollback()  # see what the server wrote
    return db.session.scalar(select(func.count()).select_from(model)) or 0


# --- the NEQ -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("1164567890", None),
        ("1164 567 890", None),
        ("1164-567-890", None),
        (" 1164\u00a0567\u00a0890 ", None),
        ("", "empty"),
        ("   ", "empty"),
        ("116456789", "length"),
        ("11645678901", "length"),
        ("11645678AB", "not_digits"),
        ("١١٦٤٥٦٧٨٩٠", "not_digits"),  # Arabic-Indic digits are not accepted
    ],
)
def test_neq_is_ten_digits_once_spaces_and_dashes_are_removed(raw, expected):
    assert neq_problem(raw) == expected
    assert is_valid_neq(raw) is (expected is None)


def test_neq_normalized_and_formatted(app):
    assert normalize_neq("1164-567 890") == "1164567890"
    assert format_neq("1164567890") == "1164 567 890"
    with app.test_request_context():
        assert (
            neq_message("116456789")
            == "Le NEQ compte exactement 10 chiffres; celui-ci en compte 9."
        )
        assert "que des chiffres" in neq_message("11645678AB")
        assert neq_message("") == "Le NEQ est obligatoire."


# --- employers ---------------------------------------------------------------------------------


def _employer_form(region_id: int, **overrides) -> dict:
    return {
        "name": "Manufacture Laval inc.",
        "neq": "3345-678 901",
        "sector": "fabrication",
        "region_id": str(region_id),
        "contact_name": "Sophie Tremblay",
        "contact_email": "Sophie.Tremblay@example.org",
        "contact_phone": "514 555-0101",
        "agreement_start_on": "2026-09-01",
        "agreement_end_on": "2027-08-31",
        **overrides,
    }


def _region_of(employer: Employer) -> int:
    return employer.region_id


def test_a_coordinator_adds_an_employer_of_their_region_and_it_is_audited(
    client, login_as, course4
):
    w = course4
    login_as(w.people["coordinator"])
    page = client.get("/employers/new").get_data(as_text=True)
    assert "Montréal" in page and "Capitale-Nationale" not in page  # their regions only
    response = post(client, "/employers/new", **_employer_form(_region_of(w.employer)))
    assert response.status_code == 302
    db.session.rollback()
    employer = db.session.scalar(select(Employer).where(Employer.name == "Manufacture Laval inc."))
    assert employer.neq == "3345678901"
    assert employer.contact_email == "sophie.tremblay@example.org"
    assert employer.agreement_end_on == date(2027, 8, 31)
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "employer.create"))
    assert entry.actor_id == w.people["coordinator"].id and entry.after["neq"] == "3345678901"
    listing = client.get("/employers/").get_data(as_text=True)
    assert "Manufacture Laval inc." in listing and "3345 678 901" in listing
    assert "Usine Québec" not in listing  # another region's employer


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"neq": "12345"}, "Le NEQ compte exactement 10 chiffres; celui-ci en compte 5."),
        ({"neq": "12345ABCDE"}, "Le NEQ ne contient que des chiffres"),
        ({"neq": ""}, "Le NEQ est obligatoire."),
        ({"neq": "1164 567 890"}, "Une entreprise partenaire porte déjà ce NEQ (1164567890)."),
        ({"name": ""}, "Le nom de l'entreprise est obligatoire."),
        ({"sector": "espace"}, "Choisissez un secteur de la liste."),
        ({"contact_email": "pas-un-courriel"}, "Ce courriel n'est pas valide."),
        (
            {"agreement_start_on": "2027-01-01", "agreement_end_on": "2026-12-31"},
            "La fin de l'entente ne peut pas précéder son début.",
        ),
    ],
)
def test_bad_employer_input_gets_a_french_message_and_writes_nothing(
    client, login_as, course4, overrides, message
):
    w = course4
    login_as(w.people["coordinator"])
    before = _count(Employer)
    response = post(client, "/employers/new", **_employer_form(w.employer.region_id, **overrides))
    assert response.status_code == 422
    assert message in _text(response)
    assert _count(Employer) == before
    assert len(audit_actions()) == 0


def test_a_coordinator_cannot_place_an_employer_in_another_region(client, login_as, course4):
    w = course4
    login_as(w.people["coordinator"])
    response = post(client, "/employers/new", **_employer_form(w.other_employer.region_id))
    assert response.status_code == 422
    assert "Choisissez une de vos régions." in _text(response)
    # An admin may place it anywhere.
    post(client, "/auth/logout")
    login_as(w.people["admin"])
    response = post(client, "/employers/new", **_employer_form(w.other_employer.region_id))
    assert response.status_code == 302


def test_editing_an_employer_records_before_and_after(client, login_as, course4):
    w = course4
    login_as(w.people["coordinator"])
    path = f"/employers/{w.employer.id}"
    form = _employer_form(w.employer.region_id, name="CHSLD Les Érables (Laval)", neq="1164567890")
    assert post(client, path, **form).status_code == 302
    db.session.rollback()
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "employer.update"))
    assert entry.before["name"] == "CHSLD Les Érables"
    assert entry.after["name"] == "CHSLD Les Érables (Laval)"
    # The other employer's NEQ is taken.
    response = post(client, path, **{**form, "neq": "2264567890"})
    assert response.status_code == 422
    assert "Une entreprise partenaire porte déjà ce NEQ (2264567890)." in _text(response)
    db.session.rollback()
    assert db.session.get(Employer, w.employer.id).neq == "1164567890"


# --- employees and consent ---------------------------------------------------------------------


def test_employees_are_added_by_email_with_their_consent_which_can_be_withdrawn(
    client, login_as, course4, make_user, enrol
):
    w = course4
    other = make_user(Role.STUDENT.value, name="Carlos Morales")
    enrol(other, w.other_cohort)  # only students of the coordinator's cohorts can be added
    login_as(w.people["coordinator"])
    base = f"/employers/{w.employer.id}/employees"
    response = post(
        client, base, email=w.student.email.upper(), consent="y", consent_on="2026-09-15"
    )
    assert response.status_code == 302
    assert post(client, base, email=other.email).status_code == 302
    db.session.rollback()
    links = {
        link.student_id: link
        for link in db.session.scalars(
            select(EmployerEmployee).where(EmployerEmployee.employer_id == w.employer.id)
        )
    }
    assert links[w.student.id].consent and links[w.student.id].consent_on == date(2026, 9, 15)
    assert not links[other.id].consent and links[other.id].consent_on is None
    page = client.get(f"/employers/{w.employer.id}").get_data(as_text=True)
    assert "Consentement donné" in page and "Pas de consentement" in page

    # Withdraw, with the date.
    link = links[w.student.id]
    response = post(
        client,
        f"{base}/{link.id}/consent",
        **{f"consent-{link.id}-consent": "no", f"consent-{link.id}-consent_on": "2026-09-29"},
    )
    assert response.status_code == 302
    db.session.rollback()
    link = db.session.get(EmployerEmployee, link.id)
    assert (link.consent, link.consent_on) == (False, date(2026, 9, 29))
    actions = audit_actions()
    assert actions == [
        "employer.employee_add",
        "employer.employee_add",
        "employer.consent_withdraw",
    ]
    withdrawal = db.session.scalar(
        select(AuditLog).where(AuditLog.action == "employer.consent_withdraw")
    )
    assert withdrawal.before["consent"] is True and withdrawal.after["consent"] is False
    assert "Consentement retiré" in client.get(f"/employers/{w.employer.id}").get_data(as_text=True)

    # Removing an employee.
    other_link = links[other.id]
    assert post(client, f"{base}/{other_link.id}/remove").status_code == 302
    assert _count(EmployerEmployee) == 1


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"email": "personne@example.org"},
            "Aucun compte élève de vos groupes ne correspond à ce courriel.",
        ),
        ({"email": "pas un courriel"}, "Ce courriel n'est pas valide."),
        ({"email": ""}, "Indiquez le courriel de l'élève."),
        (
            {"email": "STUDENT", "consent": "y", "consent_on": "2026-10-30"},
            "La date du consentement ne peut pas être dans le futur.",
        ),
    ],
)
def test_bad_employee_input_is_refused_in_french(client, login_as, course4, data, message):
    w = course4
    login_as(w.people["coordinator"])
    if data.get("email") == "STUDENT":
        data = {**data, "email": w.student.email}
    response = post(client, f"/employers/{w.employer.id}/employees", **data)
    assert response.status_code == 422
    assert message in _text(response)
    assert _count(EmployerEmployee) == 0


def test_staff_accounts_and_duplicates_cannot_be_added_as_employees(client, login_as, course4):
    w = course4
    login_as(w.people["coordinator"])
    base = f"/employers/{w.employer.id}/employees"
    response = post(client, base, email=w.people["teacher"].email)
    assert "Aucun compte élève de vos groupes ne correspond à ce courriel." in _text(response)
    assert post(client, base, email=w.student.email).status_code == 302
    again = post(client, base, email=w.student.email)
    assert again.status_code == 422
    assert "Amina Haddad est déjà inscrit·e comme employé·e" in _text(again)


def test_a_consent_in_the_future_or_without_date_is_refused(client, login_as, course4):
    w = course4
    login_as(w.people["coordinator"])
    assert (
        post(client, f"/employers/{w.employer.id}/employees", email=w.student.email).status_code
        == 302
    )
    db.session.rollback()
    link = db.session.scalar(select(EmployerEmployee))
    path = f"/employers/{w.employer.id}/employees/{link.id}/consent"
    for when, message in [
        ("2026-10-01", "La date du consentement ne peut pas être dans le futur."),
        ("", "Indiquez la date du consentement."),
    ]:
        response = post(
            client,
            path,
            **{f"consent-{link.id}-consent": "yes", f"consent-{link.id}-consent_on": when},
        )
        assert response.status_code == 422
        assert message in _text(response)
    db.session.rollback()
    assert db.session.get(EmployerEmployee, link.id).consent is False
    # Another employer's employee id: 404.
    other = f"/employers/{w.other_employer.id}/employees/{link.id}/consent"
    assert post(client, other).status_code == 404


# --- needs profiles ----------------------------------------------------------------------------


def _needs_form(priorities: dict[str, int], weights=(35, 35, 15, 15), **extra) -> dict:
    data = {f"priority_{key}": str(rank) for key, rank in priorities.items()}
    data.update(
        {f"weight_{s}": str(v) for s, v in zip(("CO", "PO", "CE", "PE"), weights, strict=True)}
    )
    data.setdefault("target_level", "7")
    data.update(extra)
    return data


def test_an_employer_needs_profile_keeps_the_tasks_in_priority_order(client, login_as, course4):
    w = course4
    login_as(w.people["coordinator"])
    path = f"/employers/{w.employer.id}/needs"
    form = _needs_form(
        {"service-client": 3, "rapport-incident": 1, "consignes-securite": 2},
        vocabulary_themes="soins aux résidents, équipement de protection",
        schedule_constraints="Quarts de soir",
        target_level="8",
    )
    assert post(client, path, **form).status_code == 302
    db.session.rollback()
    profile = db.session.scalar(
        select(NeedsProfile).where(NeedsProfile.employer_id == w.employer.id)
    )
    assert profile.tasks == ["rapport-incident", "consignes-securite", "service-client"]
    assert profile.skill_weights == {"CO": 35, "PO": 35, "CE": 15, "PE": 15}
    assert profile.target_level == 8 and profile.schedule_constraints == "Quarts de soir"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "needs_profile.save"))
    assert entry.after["tasks"] == profile.tasks and entry.before is None
    page = _text(client.get(path))
    assert '<option selected value="1">1</option>' in page  # the saved priorities come back


@pytest.mark.parametrize(
    "form, message",
    [
        (
            _needs_form({"rapport-incident": 1}, weights=(35, 35, 15, 10)),
            "Les pondérations des quatre compétences doivent totaliser 100 %; elles totalisent 95 %.",
        ),
        (
            _needs_form({"rapport-incident": 1, "service-client": 1}),
            "Chaque priorité ne peut être donnée qu'à une seule tâche.",
        ),
        (_needs_form({}, weights=(150, -50, 0, 0)), "Indiquez un pourcentage de 0 à 100."),
        (_needs_form({}, target_level="13"), "Choisissez un niveau de 1 à 12."),
        (_needs_form({"rapport-incident": 11}), "Choisissez une priorité de la liste."),
    ],
)
def test_bad_needs_profiles_are_refused_in_french(client, login_as, course4, form, message):
    w = course4
    login_as(w.people["coordinator"])
    response = post(client, f"/employers/{w.employer.id}/needs", **form)
    assert response.status_code == 422
    assert message in _text(response)
    assert _count(NeedsProfile) == 0


def test_profiles_of_several_employers_merge_by_turns_of_priority():
    a = ProfileData(tasks=["a", "b", "c"], skill_weights={"CO": 40, "PO": 40, "CE": 10, "PE": 10})
    b = ProfileData(
        tasks=["d", "a"], skill_weights={"CO": 25, "PO": 25, "CE": 25, "PE": 25}, target_level=8
    )
    merged = merge_profiles([a, b])
    assert merged.tasks == ["a", "d", "b", "c"]
    assert sum(merged.skill_weights.values()) == 100
    assert merged.skill_weights["CO"] in (32, 33) and merged.target_level == 8
    assert merge_profiles([]) is None


def test_a_cohort_profile_defaults_to_its_employers_and_can_be_adapted(client, login_as, course4):
    w = course4
    db.session.add(
        NeedsProfile(
            employer_id=w.employer.id,
            tasks=["service-client", "rapport-incident"],
            skill_weights={"CO": 40, "PO": 40, "CE": 10, "PE": 10},
            target_level=7,
        )
    )
    db.session.execute(
        cohort_employer.insert(), [{"cohort_id": w.cohort.id, "employer_id": w.employer.id}]
    )
    db.session.commit()
    login_as(w.people["teacher"])
    path = f"/cohorts/{w.cohort.id}/needs"
    page = _text(client.get(path))
    assert "le formulaire reprend celui de ses entreprises partenaires (CHSLD Les Érables)" in page
    assert 'id="priority_service-client" name="priority_service-client"><option value="">' in page
    assert post(client, path, **_needs_form({"telephone-professionnel": 1})).status_code == 302
    db.session.rollback()
    own = db.session.scalar(select(NeedsProfile).where(NeedsProfile.cohort_id == w.cohort.id))
    assert own.tasks == ["telephone-professionnel"]
    assert "Ce profil est propre au groupe." in client.get(path).get_data(as_text=True)
    # A cohort of another course has no needs page.
    assert client.get(f"/cohorts/{w.other_cohort.id}/needs").status_code == 404


# --- linking cohorts and employers -------------------------------------------------------------


def test_coordinators_link_their_employers_to_a_course4_cohort(client, login_as, course4):
    w = course4
    # An admin linked the other region's employer before: the coordinator cannot see it.
    db.session.execute(
        cohort_employer.insert(), [{"cohort_id": w.cohort.id, "employer_id": w.other_employer.id}]
    )
    db.session.commit()
    login_as(w.people["coordinator"])
    path = f"/cohorts/{w.cohort.id}/employers"
    page = client.get(f"/cohorts/{w.cohort.id}/plan").get_data(as_text=True)
    assert "CHSLD Les Érables (Santé et services sociaux)" in page and "Usine Québec" not in page
    assert post(client, path, employer_ids=str(w.employer.id)).status_code == 302
    db.session.rollback()
    linked = set(
        db.session.scalars(
            select(cohort_employer.c.employer_id).where(cohort_employer.c.cohort_id == w.cohort.id)
        )
    )
    assert linked == {w.employer.id, w.other_employer.id}  # the invisible link is kept
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "cohort.employers"))
    assert entry.after == {"employer_ids": sorted(linked)}
    # An employer out of scope cannot be linked.
    response = post(client, path, employer_ids=str(w.other_employer.id))
    assert response.status_code == 422
    assert "Choisissez des entreprises de la liste." in _text(response)
    # Unlinking.
    assert post(client, path).status_code == 302
    db.session.rollback()
    assert set(
        db.session.scalars(
            select(cohort_employer.c.employer_id).where(cohort_employer.c.cohort_id == w.cohort.id)
        )
    ) == {w.other_employer.id}


# --- the employer report -----------------------------------------------------------------------


def _attendance(student, cohort, day: date, scheduled: int, attended: int) -> None:
    db.session.add(
        AttendanceRecord(
            cohort_id=cohort.id,
            student_id=student.id,
            day=day,
            status="present" if attended == scheduled else "late",
            minutes=scheduled - attended,
            scheduled_minutes=scheduled,
            attended_minutes=attended,
        )
    )


def _level(student, skill: str, level: int, kind: str, day: date) -> None:
    db.session.add(
        LevelAssessment(student_id=student.id, skill=skill, level=level, kind=kind, assessed_on=day)
    )


def _report_figures(client, employer_id: int) -> tuple[str, str]:
    page = client.get(f"/employers/{employer_id}/report")
    assert page.status_code == 200
    csv_text = client.get(f"/employers/{employer_id}/report.csv").get_data(as_text=True)
    return _text(page), csv_text


def test_the_employer_report_leaves_out_employees_who_did_not_consent(
    client, login_as, course4, make_user, enrol
):
    w = course4
    consenting = [
        w.student,
        make_user(Role.STUDENT.value, name="Mei Chen"),
        make_user(Role.STUDENT.value, name="Lina Saad"),
    ]  # three at least: below that, the report shows no figure
    refusing = make_user(Role.STUDENT.value, name="Omar El-Amin")
    withdrawn = make_user(Role.STUDENT.value, name="Fatou Diallo")
    undated = make_user(Role.STUDENT.value, name="Rahul Sharma")
    for s in consenting[1:] + [refusing, withdrawn, undated]:
        enrol(s, w.cohort)
    for s, consent, on in [
        (consenting[0], True, date(2026, 9, 14)),
        (consenting[1], True, date(2026, 9, 20)),
        (consenting[2], True, date(2026, 9, 21)),
        (refusing, False, None),
        (withdrawn, False, date(2026, 9, 25)),
        (undated, True, None),  # consent without its date does not count
    ]:
        db.session.add(
            EmployerEmployee(
                employer_id=w.employer.id, student_id=s.id, consent=consent, consent_on=on
            )
        )
    # Consenting employees: 2 days each; 720, 660 and 720 of 720 minutes.
    _attendance(consenting[0], w.cohort, date(2026, 9, 15), 360, 360)
    _attendance(consenting[0], w.cohort, date(2026, 9, 16), 360, 360)
    _attendance(consenting[1], w.cohort, date(2026, 9, 15), 360, 300)
    _attendance(consenting[1], w.cohort, date(2026, 9, 16), 360, 360)
    _attendance(consenting[2], w.cohort, date(2026, 9, 15), 360, 360)
    _attendance(consenting[2], w.cohort, date(2026, 9, 16), 360, 360)
    _level(consenting[0], "CO", 6, "placement", date(2026, 9, 14))
    _level(consenting[0], "CO", 8, "mid", date(2026, 9, 28))
    _level(consenting[1], "CO", 7, "placement", date(2026, 9, 14))
    _level(consenting[1], "CO", 8, "mid", date(2026, 9, 28))
    _level(consenting[2], "CO", 6, "placement", date(2026, 9, 14))
    _level(consenting[2], "CO", 9, "mid", date(2026, 9, 28))
    db.session.commit()

    login_as(w.people["coordinator"])
    page, csv_text = _report_figures(client, w.employer.id)
    assert '<dd class="col-sm-7" data-figure="included">3</dd>' in page
    assert '<dd class="col-sm-7" data-figure="not-included">3</dd>' in page
    assert "97,2 %" in page  # 2 100 of 2 160 minutes
    assert 'data-figure="gain-CO">+2<' in page  # CO: (2 + 1 + 3) / 3
    names = ("Amina Haddad", "Mei Chen", "Lina Saad", "Omar El-Amin", "Fatou Diallo")
    for name in (*names, "Rahul Sharma"):
        assert name not in page and name not in csv_text
    assert "personnes incluses (consentement enregistré),3" in csv_text
    assert "taux de présence (pourcentage),97.2" in csv_text
    assert "compréhension orale : gain moyen (niveaux),2.00" in csv_text

    # Whatever happens to those who did not consent changes nothing in the figures.
    for s in (refusing, withdrawn, undated):
        _attendance(s, w.cohort, date(2026, 9, 15), 360, 0)
        _attendance(s, w.cohort, date(2026, 9, 16), 360, 0)
        _level(s, "CO", 3, "placement", date(2026, 9, 14))
        _level(s, "CO", 9, "mid", date(2026, 9, 28))
        _level(s, "PE", 2, "placement", date(2026, 9, 14))
    db.session.commit()
    again, csv_again = _report_figures(client, w.employer.id)

    def figures(text: str) -> str:
        return text[text.index('data-figure="included"') : text.index("</table>")]

    assert figures(again) == figures(page)
    assert csv_again == csv_text


def test_an_employer_without_consenting_employees_has_an_empty_report(client, login_as, course4):
    w = course4
    db.session.add(EmployerEmployee(employer_id=w.employer.id, student_id=w.student.id))
    db.session.commit()
    login_as(w.people["admin"])
    page = _text(client.get(f"/employers/{w.employer.id}/report"))
    assert "Aucun·e employé·e n'a donné son consentement" in page


# --- workplace-task follow-up ------------------------------------------------------------------


def _profile(cohort_id: int, tasks: list[str]) -> None:
    db.session.add(
        NeedsProfile(
            cohort_id=cohort_id,
            tasks=tasks,
            skill_weights={"CO": 25, "PO": 25, "CE": 25, "PE": 25},
        )
    )
    db.session.commit()


def test_task_assessments_are_recorded_for_the_profile_tasks_and_shown_with_online_mastery(
    client, login_as, course4
):
    w = course4
    _profile(w.cohort.id, ["rapport-incident", "service-client"])
    # Online work: one of the two exercises practising « rapport-incident » done at 100 %.
    exercises = db.session.scalars(
        select(Exercise)
        .join(Lesson, Lesson.id == Exercise.lesson_id)
        .join(Unit, Unit.id == Lesson.unit_id)
        .where(Unit.course_id == w.course.id)
    ).all()
    unit_of = dict(
        db.session.execute(
            select(Exercise.id, Unit.tasks)
            .join(Lesson, Lesson.id == Exercise.lesson_id)
            .join(Unit, Unit.id == Lesson.unit_id)
        ).all()
    )
    incident = [e for e in exercises if "rapport-incident" in unit_of[e.id]]
    assert len(incident) == 2
    db.session.add_all(
        [
            Attempt(
                student_id=w.student.id,
                exercise_id=incident[0].id,
                answer=["x"],
                score=0.5,
                feedback={},
            ),
            Attempt(
                student_id=w.student.id,
                exercise_id=incident[0].id,
                answer=["x"],
                score=1.0,
                feedback={},
            ),
        ]
    )
    db.session.commit()

    login_as(w.people["teacher"])
    path = f"/cohorts/{w.cohort.id}/tasks"
    page = _text(client.get(path))
    assert "Rédiger un rapport d'incident" in page and "Servir un client" in page
    assert "Passer une entrevue d'embauche" not in page  # not a profile task
    assert "50 %" in page  # online mastery: (1.0 + 0) / 2
    response = post(
        client,
        path,
        student_id=str(w.student.id),
        kind="placement",
        assessed_on="2026-09-15",
        **{"score_rapport-incident": "1", "score_service-client": "2"},
        evidence="Mise en situation : rapport d'incident au poste.",
    )
    assert response.status_code == 302
    post(
        client,
        path,
        student_id=str(w.student.id),
        kind="final",
        assessed_on="2026-09-29",
        **{"score_rapport-incident": "3"},
    )
    db.session.rollback()
    rows = db.session.scalars(select(TaskAssessment).order_by(TaskAssessment.id)).all()
    assert [(r.task_key, r.kind, r.score) for r in rows] == [
        ("rapport-incident", "placement", 1),
        ("service-client", "placement", 2),
        ("rapport-incident", "final", 3),
    ]
    assert all(r.assessor_id == w.people["teacher"].id for r in rows)
    assert len(audit_actions()) == 3
    page = _text(client.get(path))
    row = page[page.index('data-student="Amina Haddad"') :]
    row = row[: row.index("</tr>")]
    assert "pas encore" in row and "avec aide" in row
    assert "de façon autonome dans des situations simples" in row


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Donnez une cote à au moins une tâche."),
        ({"score_rapport-incident": "5"}, "Chaque cote est un nombre de 1 à 4."),
        (
            {"score_rapport-incident": "2", "assessed_on": "2026-10-05"},
            "ne peut pas être dans le futur",
        ),
        ({"score_rapport-incident": "2", "kind": "mid"}, "Type d'évaluation inconnu."),
        (
            {"score_rapport-incident": "2", "student_id": "OTHER"},
            "Choisissez un·e élève du groupe.",
        ),
        (
            {"score_rapport-incident": "2", "assessed_on": ""},
            "Indiquez la date de l'évaluation.",
        ),
    ],
)
def test_bad_task_assessments_are_refused_in_french(
    client, login_as, course4, make_user, data, message
):
    w = course4
    _profile(w.cohort.id, ["rapport-incident"])
    outsider = make_user(Role.STUDENT.value)
    login_as(w.people["teacher"])
    form = {
        "student_id": str(w.student.id),
        "kind": "placement",
        "assessed_on": "2026-09-15",
        **data,
    }
    if form["student_id"] == "OTHER":
        form["student_id"] = str(outsider.id)
    response = post(client, f"/cohorts/{w.cohort.id}/tasks", **form)
    assert response.status_code == 422
    assert message in _text(response)
    assert _count(TaskAssessment) == 0


# --- query counts ------------------------------------------------------------------------------


def test_employer_pages_make_the_same_number_of_queries_for_5_and_40_rows(
    client, login_as, course4, make_user, enrol, count_queries
):
    w = course4
    region = db.session.get(Region, w.employer.region_id)

    def grow(n: int) -> None:
        for i in range(n):
            student = make_user(Role.STUDENT.value)
            enrol(student, w.cohort)
            db.session.add(
                EmployerEmployee(
                    employer_id=w.employer.id,
                    student_id=student.id,
                    consent=i % 2 == 0,
                    consent_on=TODAY if i % 2 == 0 else None,
                )
            )
            db.session.add(
                Employer(
                    name=f"Entreprise {student.id}",
                    neq=f"{8000000000 + student.id}",
                    sector="autre",
                    region_id=region.id,
                )
            )
            _attendance(student, w.cohort, date(2026, 9, 15), 360, 300)
            _level(student, "PO", 6, "placement", date(2026, 9, 14))
            db.session.add(
                TaskAssessment(
                    student_id=student.id,
                    cohort_id=w.cohort.id,
                    task_key="service-client",
                    kind="placement",
                    score=2,
                    assessed_on=date(2026, 9, 15),
                )
            )
        db.session.commit()

    _profile(w.cohort.id, ["service-client", "rapport-incident"])
    login_as(w.people["coordinator"])
    pages = [
        "/employers/",
        f"/employers/{w.employer.id}",
        f"/employers/{w.employer.id}/report",
        f"/employers/{w.employer.id}/report.csv",
        f"/cohorts/{w.cohort.id}/tasks",
        f"/cohorts/{w.cohort.id}/needs",
    ]
    grow(5)
    few = {}
    for page in pages:
        with count_queries() as statements:
            assert client.get(page).status_code == 200, page
        few[page] = len(statements)
    grow(35)
    for page in pages:
        with count_queries() as statements:
            assert client.get(page).status_code == 200, page
        assert len(statements) == few[page], page
