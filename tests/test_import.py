import io
from datetime import date

import pytest
from sqlalchemy import func, select

from lms import clock
from lms.audit.models import AuditLog
from lms.auth.models import Role, User
from lms.catalog.models import Enrolment
from lms.extensions import db
from tests.conftest import csrf_token, login


@pytest.fixture
def setting(make_user, make_region, make_cohort, monkeypatch):
    coordinator = make_user(Role.COORDINATOR.value)
    region = make_region(coordinators=(coordinator,))
    cohort = make_cohort(region=region, capacity=20, start_on=date(2026, 9, 7))
    monkeypatch.setattr(clock, "today", lambda: date(2026, 9, 14))  # week 2 of the cohort
    return coordinator, cohort


def upload(client, cohort, content: bytes, name="eleves.csv"):
    token = csrf_token(client, f"/cohorts/{cohort.id}/import")
    return client.post(
        f"/cohorts/{cohort.id}/import",
        data={"file": (io.BytesIO(content), name), "csrf_token": token},
        content_type="multipart/form-data",
    )


def counts():
    db.session.rollback()  # see what the server committed
    return (
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(Enrolment.id))),
    )


GOOD = (
    "courriel,nom,date_debut\n"
    "amina.haddad@example.org,Amina Haddad,\n"
    "carlos.rodriguez@example.org,Carlos Rodríguez,2026-09-21\n"
).encode()


def test_preview_writes_nothing_then_confirm_writes_everything(client, setting):
    coordinator, cohort = setting
    login(client, coordinator)
    before = counts()
    preview = upload(client, cohort, GOOD)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "2 élèves prêt·es à inscrire" in page and "Amina Haddad" in page
    assert counts() == before

    payload = page.split('name="payload" type="hidden" value="')[1].split('"')[0]
    import html

    confirm = client.post(
        f"/cohorts/{cohort.id}/import",
        data={"payload": html.unescape(payload), "csrf_token": csrf_token(client, "/cohorts/")},
    )
    assert confirm.status_code == 200
    text = confirm.get_data(as_text=True)
    assert "2 élèves ont été inscrit·es" in text
    assert "Mot de passe temporaire" in text
    assert counts() == (before[0] + 2, before[1] + 2)
    late = db.session.scalar(
        select(Enrolment).join(User).where(User.email == "carlos.rodriguez@example.org")
    )
    assert str(late.start_on) == "2026-09-21"
    assert (
        db.session.scalar(
            select(func.count(AuditLog.id)).where(AuditLog.action == "cohort.import_students")
        )
        == 1
    )


def test_one_bad_row_writes_nothing_and_names_the_row_and_its_problem(client, setting):
    coordinator, cohort = setting
    login(client, coordinator)
    before = counts()
    content = (
        "courriel,nom\n"
        "amina.haddad@example.org,Amina Haddad\n"
        "pas-un-courriel,Carlos Rodríguez\n"
        "mei.chen@example.org,Mei Chen\n"
    ).encode()
    response = upload(client, cohort, content)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        "Aucun·e élève n&#39;a été inscrit·e." in page or "Aucun·e élève n'a été inscrit·e." in page
    )
    assert "Ligne 3" in page
    assert "pas-un-courriel" in page and "n&#39;est pas valide" in page
    assert 'name="payload"' not in page  # no way to confirm a file with errors
    assert counts() == before


def test_every_bad_row_is_reported_with_all_its_problems(app, setting):
    from lms.catalog.services import parse_student_csv

    _coordinator, cohort = setting
    text = (
        "courriel;nom;date_debut;langue\n"
        "a@example.org;;2026-13-01;fr\n"
        "a@example.org;Deux;;es\n"
        "b@example.org;Bé;2020-01-01;en\n"
    )
    preview = parse_student_csv(text, cohort, today=cohort.start_on)
    by_line = {r.line: r.errors for r in preview.bad_rows}
    assert set(by_line) == {2, 3, 4}
    assert any("nom est manquant" in e for e in by_line[2])
    assert any("AAAA-MM-JJ" in e for e in by_line[2])
    assert any("déjà à la ligne 2" in e for e in by_line[3])
    assert any("langue" in e for e in by_line[3])
    assert any("hors des dates du groupe" in e for e in by_line[4])


def test_windows_1252_and_semicolons_from_excel_are_accepted(app, setting):
    from lms.catalog.services import decode_csv, parse_student_csv

    _coordinator, cohort = setting
    raw = "Courriel;Nom\r\nhelene@example.org;Hélène Côté\r\n".encode("cp1252")
    preview = parse_student_csv(decode_csv(raw), cohort, today=cohort.start_on)
    assert preview.ok
    assert preview.rows[0].name == "Hélène Côté"


def test_missing_columns_and_empty_files_are_explained(client, setting):
    coordinator, cohort = setting
    login(client, coordinator)
    response = upload(client, cohort, b"email_address,full\nx@example.org,X\n")
    assert response.status_code == 422
    assert "Colonnes obligatoires absentes" in response.get_data(as_text=True)
    empty = upload(client, cohort, b"")
    assert empty.status_code == 422
    assert "Le fichier est vide." in empty.get_data(as_text=True)


def test_existing_staff_account_and_double_enrolment_are_refused(app, setting, make_user, enrol):
    from lms.catalog.services import parse_student_csv

    _coordinator, cohort = setting
    teacher = make_user(Role.TEACHER.value, email="prof@example.org")
    student = make_user(email="deja@example.org")
    enrol(student, cohort)
    text = f"courriel,nom\n{teacher.email},Prof\n{student.email},Déjà Là\n"
    preview = parse_student_csv(text, cohort, today=cohort.start_on)
    errors = {r.email: " ".join(r.errors) for r in preview.rows}
    # The preview does not name the account's role (security audit: see test_security_scope).
    assert "ne peut pas être importé dans ce groupe" in errors[teacher.email]
    assert "élève" not in errors[teacher.email]
    assert "déjà inscrite dans ce groupe" in errors[student.email]


def test_capacity_is_enforced(app, make_user, make_cohort, enrol):
    from lms.catalog.services import parse_student_csv

    cohort = make_cohort(capacity=2)
    enrol(make_user(), cohort)
    text = "courriel,nom\nun@example.org,Un\ndeux@example.org,Deux\n"
    preview = parse_student_csv(text, cohort, today=cohort.start_on)
    assert not preview.ok
    assert [r.line for r in preview.bad_rows] == [3]
    assert "complet" in preview.bad_rows[0].errors[0]


def test_temporary_passwords_are_hashed_before_the_write_transaction(client, setting, monkeypatch):
    """scrypt takes ~0.5 s: hashed inside the import's transaction, it would hold SQLite's one
    write lock for seconds (concurrent logins then fail with « database is locked »)."""
    from werkzeug.security import check_password_hash

    from lms.auth import services

    coordinator, cohort = setting
    login(client, coordinator)
    calls: list[tuple[str, bool]] = []
    real_hash = services.hash_password

    def spy(password: str) -> str:
        calls.append((password, db.session().in_transaction()))
        return real_hash(password)

    monkeypatch.setattr(services, "hash_password", spy)
    response = client.post(
        f"/cohorts/{cohort.id}/import",
        data={"payload": GOOD.decode(), "csrf_token": csrf_token(client, "/cohorts/")},
    )
    assert response.status_code == 200
    assert [in_transaction for _password, in_transaction in calls] == [False, False]
    db.session.rollback()
    for email in ("amina.haddad@example.org", "carlos.rodriguez@example.org"):
        user = db.session.scalar(select(User).where(User.email == email))
        assert user.must_change_password
        shown = [p for p, _t in calls if check_password_hash(user.password_hash, p)]
        assert len(shown) == 1 and shown[0] in response.get_data(as_text=True)


def test_confirmation_revalidates_and_writes_nothing_if_the_file_became_bad(
    client, setting, make_user
):
    coordinator, cohort = setting
    login(client, coordinator)
    # Between preview and confirmation, someone created a teacher account with this e-mail.
    make_user(Role.TEACHER.value, email="amina.haddad@example.org")
    before = counts()
    response = client.post(
        f"/cohorts/{cohort.id}/import",
        data={"payload": GOOD.decode(), "csrf_token": csrf_token(client, "/cohorts/")},
    )
    assert response.status_code == 422
    assert counts() == before


def test_import_needs_csrf(client, setting):
    coordinator, cohort = setting
    login(client, coordinator)
    response = client.post(
        f"/cohorts/{cohort.id}/import",
        data={"file": (io.BytesIO(GOOD), "e.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400


def test_other_region_coordinator_cannot_import(client, setting, make_user, make_region):
    _coordinator, cohort = setting
    outsider = make_user(Role.COORDINATOR.value)
    make_region(coordinators=(outsider,))
    login(client, outsider)
    before = counts()
    token = csrf_token(client, "/cohorts/")
    response = client.post(
        f"/cohorts/{cohort.id}/import", data={"payload": GOOD.decode(), "csrf_token": token}
    )
    assert response.status_code == 404
    assert counts() == before
