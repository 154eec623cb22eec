"""Accounts people can get back into: one-time reset links (admins, coordinators in their scope,
« mot de passe oublié »), temporary passwords changed at first login and void after 14 days,
and the user's own profile."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms import clock
from lms.audit.models import AuditLog
from lms.auth.models import LoginFailure, PasswordResetToken, Role, User
from lms.catalog.models import Cohort
from lms.extensions import db
from lms.mail.models import OutboxMessage
from tests.conftest import PASSWORD, audit_actions, client_for, csrf_token, login

NEW_PASSWORD = "un-nouveau-mot-de-passe-solide"
LINK_RE = re.compile(r'id="reset-link"[^>]*>(?:https?://[^/<]+)?(/auth/reset/[^<]+)</textarea>')


class FakeSMTP:
    """Stands for the mail server: keeps what would have been sent."""

    sent: list = []

    def __init__(self, *_args, **_kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        return False

    def ehlo(self):
        pass

    def has_extn(self, _name):
        return False

    def send_message(self, message):
        FakeSMTP.sent.append(message)


@pytest.fixture
def mail(server, monkeypatch):
    """MAIL_SERVER set, and a fake mail server that keeps the messages."""
    from lms.mail import outbox

    FakeSMTP.sent = []
    monkeypatch.setattr(outbox.smtplib, "SMTP", FakeSMTP)
    server.config["MAIL_SERVER"] = "mail.example.org"
    return FakeSMTP.sent


@pytest.fixture
def scope(make_user, make_region, make_cohort, enrol):
    """A coordinator of region A with a student and a teacher there; the same in region B."""
    people = {
        "coordinator": make_user(Role.COORDINATOR.value),
        "other_coordinator": make_user(Role.COORDINATOR.value),
        "teacher": make_user(Role.TEACHER.value),
        "other_teacher": make_user(Role.TEACHER.value),
        "student": make_user(Role.STUDENT.value, name="Amina Diallo"),
        "other_student": make_user(Role.STUDENT.value, name="Carlos Pérez"),
        "admin": make_user(Role.ADMIN.value),
    }
    region_a = make_region("Région A", coordinators=(people["coordinator"],))
    region_b = make_region("Région B", coordinators=(people["other_coordinator"],))
    cohort_a = make_cohort(region=region_a, teachers=(people["teacher"],), code="G-A")
    cohort_b = make_cohort(region=region_b, teachers=(people["other_teacher"],), code="G-B")
    enrol(people["student"], cohort_a)
    enrol(people["other_student"], cohort_b)
    return people


def _post(client, path: str, **data):
    token = csrf_token(client, "/auth/login")
    response = client.post(path, data={"csrf_token": token, **data})
    response.close()  # as a server does once it is sent (the forgot page mails after that)
    return response


def _link_for(client, user: User, **data) -> str:
    """Ask for a reset link on the « Comptes » page; return the link's path shown once."""
    response = _post(client, f"/accounts/{user.id}/reset-link", **data)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    match = LINK_RE.search(response.get_data(as_text=True))
    assert match, "the link is shown on the page"
    return match.group(1)


def _choose(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    token = csrf_token(client, path) if client.get(path).status_code == 200 else "x"
    return client.post(
        path,
        data={"csrf_token": token, "new_password": password, "confirm": confirm or password},
    )


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


# --- reset links given by admins and coordinators ---------------------------------------------


def test_admin_gives_a_link_shown_once_and_only_its_hash_is_stored(server, scope):
    admin, student = scope["admin"], scope["student"]
    student_session = client_for(server, student)
    path = _link_for(client_for(server, admin), student, next=f"/admin/users/{student.id}")
    token = path.rsplit("/", 1)[1]
    db.session.rollback()
    row = db.session.scalar(select(PasswordResetToken))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.expires_at - row.created_at == timedelta(hours=72)
    assert row.used_at is None and row.created_by_id == admin.id

    anonymous = server.test_client()
    page = anonymous.get(path)
    assert page.status_code == 200 and student.email in page.get_data(as_text=True)
    response = _choose(anonymous, path)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]

    assert login(server.test_client(), student, NEW_PASSWORD).status_code == 302
    assert login(server.test_client(), student, PASSWORD).status_code == 401
    # The student's open session ended with the new password.
    assert student_session.get("/learn/").status_code == 302
    db.session.rollback()
    assert db.session.get(PasswordResetToken, row.id).used_at is not None
    assert audit_actions()[-2:] == ["user.reset_link", "user.password_reset"]
    for entry in db.session.scalars(select(AuditLog)):
        text = repr(entry.before) + repr(entry.after)
        assert token not in text and NEW_PASSWORD not in text


def test_a_used_link_is_no_longer_valid_and_writes_nothing(server, scope):
    path = _link_for(client_for(server, scope["admin"]), scope["student"])
    anonymous = server.test_client()
    assert _choose(anonymous, path).status_code == 302
    before = _count(AuditLog)
    again = anonymous.get(path)
    assert again.status_code == 410
    assert "il a déjà servi ou il a expiré" in again.get_data(as_text=True)
    token = csrf_token(anonymous)
    reused = anonymous.post(
        path, data={"csrf_token": token, "new_password": "encore-un-autre-mot", "confirm": "x"}
    )
    assert reused.status_code == 410
    assert _count(AuditLog) == before
    assert login(server.test_client(), scope["student"], NEW_PASSWORD).status_code == 302


def test_an_expired_link_is_refused(server, scope, monkeypatch):
    path = _link_for(client_for(server, scope["admin"]), scope["student"])
    later = clock.utcnow() + timedelta(hours=72, minutes=1)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    before = _count(AuditLog)
    client = server.test_client()
    assert client.get(path).status_code == 410
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client),
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 410
    assert _count(AuditLog) == before
    assert login(server.test_client(), scope["student"], NEW_PASSWORD).status_code == 401


def test_an_unknown_link_is_refused(server):
    assert server.test_client().get("/auth/reset/not-a-token").status_code == 410
    assert server.test_client().get("/auth/reset/" + "x" * 200).status_code == 410


def test_a_new_link_voids_the_previous_one(server, scope):
    admin_client = client_for(server, scope["admin"])
    first = _link_for(admin_client, scope["student"])
    second = _link_for(admin_client, scope["student"])
    assert server.test_client().get(first).status_code == 410
    assert server.test_client().get(second).status_code == 200


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("court", None, "au moins 10 caractères"),
        ("password123", None, "trop courant"),
        (NEW_PASSWORD, "autre-chose-encore", "ne sont pas identiques"),
    ],
)
def test_a_weak_or_mistyped_password_is_refused_on_the_link(
    server, scope, password, confirm, message
):
    path = _link_for(client_for(server, scope["admin"]), scope["student"])
    before = _count(AuditLog)
    client = server.test_client()
    response = _choose(client, path, password, confirm)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(AuditLog) == before
    assert client.get(path).status_code == 200  # the link still works


def test_coordinator_resets_their_students_and_teachers_only(server, scope):
    coordinator = client_for(server, scope["coordinator"])
    assert _link_for(coordinator, scope["student"])
    assert _link_for(coordinator, scope["teacher"])
    before = _count(PasswordResetToken)
    for other in ("other_student", "other_teacher", "other_coordinator", "admin"):
        response = _post(coordinator, f"/accounts/{scope[other].id}/reset-link")
        assert response.status_code == 404, other
    assert _post(coordinator, "/accounts/999999/reset-link").status_code == 404
    assert _count(PasswordResetToken) == before
    teacher = client_for(server, scope["teacher"])
    assert _post(teacher, f"/accounts/{scope['student'].id}/reset-link").status_code == 403
    student = client_for(server, scope["student"])
    assert _post(student, f"/accounts/{scope['student'].id}/reset-link").status_code == 403


def test_a_disabled_account_gets_no_link(server, scope):
    scope["student"].active = False
    db.session.commit()
    client = client_for(server, scope["admin"])
    response = _post(client, f"/accounts/{scope['student'].id}/reset-link")
    assert response.status_code == 302
    assert _count(PasswordResetToken) == 0
    assert "désactivé" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_accounts_page_lists_the_coordinators_scope_with_a_fixed_query_count(
    server, scope, make_user, enrol, count_queries
):
    client = client_for(server, scope["coordinator"])
    with count_queries() as few:
        page = client.get("/accounts/").get_data(as_text=True)
    assert "Amina Diallo" in page and scope["teacher"].email in page and "G-A" in page
    assert "Carlos Pérez" not in page and scope["other_teacher"].email not in page
    assert scope["admin"].email not in page
    assert _count(PasswordResetToken) == 0  # the page writes nothing
    cohort_a = db.session.scalar(select(Cohort).where(Cohort.code == "G-A"))
    for _ in range(40):
        enrol(make_user(Role.STUDENT.value), cohort_a)
    with count_queries() as many:
        page = client.get("/accounts/").get_data(as_text=True)
    assert len(few) == len(many)
    assert "Amina" in client.get("/accounts/?q=amina").get_data(as_text=True)
    assert "Amina" not in client.get("/accounts/?q=zzz").get_data(as_text=True)


def test_with_mail_the_link_is_sent_not_shown(server, scope, mail):
    client = client_for(server, scope["admin"])
    response = _post(client, f"/accounts/{scope['student'].id}/reset-link")
    assert response.status_code == 200
    assert 'id="reset-link"' not in response.get_data(as_text=True)
    assert len(mail) == 1 and mail[0]["To"] == scope["student"].email
    body = mail[0].get_content()
    path = re.search(r"(/auth/reset/\S+)", body).group(1)
    assert server.test_client().get(path).status_code == 200
    db.session.rollback()
    assert db.session.scalar(select(OutboxMessage.sent_at)) is not None


def test_a_link_that_could_not_be_mailed_says_so(server, scope, mail, monkeypatch):
    import smtplib

    def refuse(_self, _message):
        raise smtplib.SMTPRecipientsRefused({})

    monkeypatch.setattr(FakeSMTP, "send_message", refuse)
    client = client_for(server, scope["admin"])
    response = _post(client, f"/accounts/{scope['student'].id}/reset-link")
    assert response.status_code == 200
    assert "pas pu être envoyé" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(OutboxMessage.error)) is not None


# --- « mot de passe oublié » ------------------------------------------------------------------


def test_forgot_password_exists_only_with_mail(server, mail):
    client = server.test_client()
    assert "Mot de passe oublié" in client.get("/auth/login").get_data(as_text=True)
    assert client.get("/auth/forgot").status_code == 200
    server.config["MAIL_SERVER"] = None
    assert "Mot de passe oublié" not in client.get("/auth/login").get_data(as_text=True)
    assert client.get("/auth/forgot").status_code == 404


def test_forgot_password_gives_the_same_answer_for_an_unknown_email(server, scope, mail):
    answers = []
    for email in (scope["student"].email, "personne@example.org"):
        client = server.test_client()
        response = _post(client, "/auth/forgot", email=email)
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        answers.append((response.status_code, response.headers["Location"]))
        assert "Si un compte existe avec ce courriel" in page
    assert answers[0] == answers[1]
    assert len(mail) == 1 and mail[0]["To"] == scope["student"].email
    path = re.search(r"(/auth/reset/\S+)", mail[0].get_content()).group(1)
    client = server.test_client()
    assert _choose(client, path).status_code == 302
    assert client.get(path).status_code == 410  # single use
    assert login(server.test_client(), scope["student"], NEW_PASSWORD).status_code == 302
    db.session.rollback()
    link = db.session.scalar(select(PasswordResetToken))
    assert link.created_by_id is None


def test_forgot_password_is_throttled(server, scope, mail):
    client = server.test_client()
    statuses = [
        _post(client, "/auth/forgot", email=scope["student"].email).status_code for _ in range(5)
    ]
    assert statuses[:3] == [302, 302, 302]
    assert statuses[-1] == 429
    assert len(mail) == 3
    # Asking for links does not slow the account's own logins.
    assert login(server.test_client(), scope["student"]).status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(func.count(LoginFailure.id))) >= 3


# --- temporary passwords -----------------------------------------------------------------------


def _temporary_user(make_user, days_left: int = 14) -> User:
    return make_user(
        Role.STUDENT.value,
        must_change_password=True,
        password_expires_at=clock.utcnow() + timedelta(days=days_left),
    )


def test_a_temporary_password_must_be_changed_at_first_login(server, make_user):
    user = _temporary_user(make_user)
    client = server.test_client()
    response = login(client, user)
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/password")
    blocked = client.get("/learn/")
    assert blocked.status_code == 302 and blocked.headers["Location"].endswith("/auth/password")
    page = client.get("/auth/password").get_data(as_text=True)
    assert "temporaire" in page
    response = client.post(
        "/auth/password",
        data={
            "csrf_token": csrf_token(client, "/auth/password"),
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert client.get("/learn/").status_code == 200
    db.session.rollback()
    refreshed = db.session.get(User, user.id)
    assert not refreshed.must_change_password and refreshed.password_expires_at is None


def test_a_temporary_password_no_longer_logs_in_after_14_days(server, make_user, monkeypatch):
    user = _temporary_user(make_user)
    later = clock.utcnow() + timedelta(days=14, minutes=1)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    client = server.test_client()
    response = login(client, user)
    assert response.status_code == 401
    assert "mot de passe temporaire a expiré" in response.get_data(as_text=True)
    assert client.get("/learn/").status_code == 302  # not logged in
    assert "user.login_refused" in audit_actions()


def test_accounts_created_by_an_admin_or_an_import_are_temporary(app, make_user):
    from lms.auth.services import TEMPORARY_PASSWORD_DAYS, create_user

    user = create_user(
        email="nouveau@example.org",
        name="Nouveau",
        role="student",
        password_hash="x",
        temporary=True,
    )
    assert user.must_change_password
    assert user.password_expires_at - clock.utcnow() <= timedelta(days=TEMPORARY_PASSWORD_DAYS)
    mine = create_user(email="moi@example.org", name="Moi", role="admin", password_hash="x")
    assert not mine.must_change_password and mine.password_expires_at is None
    db.session.rollback()


def test_admin_created_account_changes_its_password_at_first_login(server, make_user):
    admin = client_for(server, make_user(Role.ADMIN.value))
    token = csrf_token(admin, "/admin/users/new")
    response = admin.post(
        "/admin/users/new",
        data={
            "csrf_token": token,
            "email": "recrue@example.org",
            "name": "Recrue",
            "role": "teacher",
            "preferred_language": "fr",
            "active": "y",
            "password": "un-mot-de-passe-initial",
            "cohort_codes": "",
        },
    )
    assert response.status_code == 302
    first = login(server.test_client(), "recrue@example.org", "un-mot-de-passe-initial")
    assert first.headers["Location"].endswith("/auth/password")


# --- profile -----------------------------------------------------------------------------------


def test_a_student_edits_their_phone_and_language(server, make_user):
    student = make_user(Role.STUDENT.value)
    client = client_for(server, student)
    assert client.get("/auth/profile").status_code == 200
    response = client.post(
        "/auth/profile",
        data={
            "csrf_token": csrf_token(client, "/auth/profile"),
            "phone": "514 555-0123 poste 12",
            "preferred_language": "en",
        },
    )
    assert response.status_code == 302
    db.session.rollback()
    refreshed = db.session.get(User, student.id)
    assert refreshed.phone == "514 555-0123 poste 12" and refreshed.preferred_language == "en"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.profile_update"))
    assert entry.before == {"phone": None, "preferred_language": "fr"}
    assert entry.after == {"phone": "514 555-0123 poste 12", "preferred_language": "en"}
    assert '<html lang="en">' in client.get("/auth/profile").get_data(as_text=True)


def test_a_bad_phone_is_refused_in_french_and_nothing_is_written(server, make_user):
    student = make_user(Role.STUDENT.value)
    client = client_for(server, student)
    before = _count(AuditLog)
    response = client.post(
        "/auth/profile",
        data={
            "csrf_token": csrf_token(client, "/auth/profile"),
            "phone": "<script>",
            "preferred_language": "xx",
        },
    )
    assert response.status_code == 422
    assert "Entrez un numéro de téléphone" in response.get_data(as_text=True)
    assert _count(AuditLog) == before
    db.session.rollback()
    assert db.session.get(User, student.id).phone is None
