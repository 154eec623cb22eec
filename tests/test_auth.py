from datetime import timedelta

from sqlalchemy import func, select

from lms import clock
from lms.auth.models import LoginFailure, Role, User
from lms.extensions import db
from tests.conftest import PASSWORD, csrf_token, login

GENERIC_ERROR = "Courriel ou mot de passe incorrect."


def test_each_role_lands_on_its_home_page(client, make_user):
    homes = {
        Role.STUDENT: "/learn/",
        Role.TEACHER: "/cohorts/",
        Role.COORDINATOR: "/cohorts/",
        Role.ADMIN: "/admin/",
    }
    # Accounts first: a login writes (audit log) while the test's own read transaction is open.
    users = {role: make_user(role.value) for role in homes}
    for role, home in homes.items():
        user = users[role]
        response = login(client, user)
        assert response.status_code == 302
        assert client.get("/").headers["Location"].endswith(home)
        assert client.get(home).status_code == 200
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, home)})


def test_wrong_password_and_unknown_email_get_the_same_french_message(client, make_user):
    user = make_user()
    wrong = login(client, user, "not-the-password")
    unknown = login(client, "nobody@example.org", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert GENERIC_ERROR in wrong.get_data(as_text=True)
    assert GENERIC_ERROR in unknown.get_data(as_text=True)


def test_login_page_is_in_french_by_default(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'lang="fr-CA"' in page
    assert "Connexion" in page and "Mot de passe" in page


def test_post_without_csrf_token_is_refused_with_400(client, make_user):
    user = make_user()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.get_data(as_text=True)


def test_login_is_case_insensitive_on_email(client, make_user):
    user = make_user(email="Marie.Dubois@Example.org")
    assert user.email == "marie.dubois@example.org"
    assert login(client, "MARIE.DUBOIS@example.org").status_code == 302


def test_login_starts_a_new_session(client, make_user):
    user = make_user()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, user)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{user.id}:")


def test_login_refuses_a_deactivated_account(client, make_user):
    user = make_user(active=False)
    assert login(client, user).status_code == 401


def test_open_redirect_after_login_is_ignored(client, make_user):
    user = make_user(Role.TEACHER.value)
    token = csrf_token(client)
    response = client.post(
        "/auth/login?next=//evil.example.org/",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_logout_requires_post_and_ends_the_session(client, make_user, login_as):
    login_as(make_user(Role.TEACHER.value))
    assert client.get("/auth/logout").status_code == 405
    response = client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/cohorts/")})
    assert response.status_code == 302
    assert client.get("/cohorts/").status_code == 302


def test_password_change_checks_the_current_password(client, make_user, login_as):
    user = make_user()
    login_as(user)
    token = csrf_token(client, "/auth/password")
    response = client.post(
        "/auth/password",
        data={
            "current_password": "wrong-one",
            "new_password": "a-new-password-1",
            "confirm": "a-new-password-1",
            "csrf_token": token,
        },
    )
    assert response.status_code == 422
    assert "Le mot de passe actuel est incorrect." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert login(client.application.test_client(), user).status_code == 302


def test_password_change_rejects_short_and_mismatched_passwords(client, make_user, login_as):
    login_as(make_user())
    token = csrf_token(client, "/auth/password")
    short = client.post(
        "/auth/password",
        data={
            "current_password": PASSWORD,
            "new_password": "court",
            "confirm": "court",
            "csrf_token": token,
        },
    )
    assert short.status_code == 422
    assert "au moins 10 caractères" in short.get_data(as_text=True)
    mismatch = client.post(
        "/auth/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a-new-password-1",
            "confirm": "a-new-password-2",
            "csrf_token": token,
        },
    )
    assert mismatch.status_code == 422
    assert "ne sont pas identiques" in mismatch.get_data(as_text=True)


def test_password_change_ends_other_sessions(server, make_user, login_as, client):
    user = make_user()
    other_device = server.test_client()
    assert login(other_device, user).status_code == 302
    login_as(user)
    token = csrf_token(client, "/auth/password")
    response = client.post(
        "/auth/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a-new-password-1",
            "confirm": "a-new-password-1",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert client.get("/learn/").status_code == 200  # this session goes on
    assert other_device.get("/learn/").status_code == 302  # the other one is logged out
    assert login(server.test_client(), user, "a-new-password-1").status_code == 302


def _fail(client, email, times):
    for _ in range(times):
        assert login(client, email, "wrong-password").status_code == 401


def test_ten_failures_slow_the_account_down_for_a_while(client, make_user, monkeypatch):
    user = make_user()
    start = clock.utcnow()
    monkeypatch.setattr(clock, "utcnow", lambda: start)
    _fail(client, user.email, 10)
    locked = login(client, user)  # the right password, refused
    assert locked.status_code == 429
    text = locked.get_data(as_text=True)
    assert "Trop de tentatives de connexion" in text and "réessayez dans 30 secondes" in text
    assert client.get("/learn/").status_code == 302  # not logged in

    monkeypatch.setattr(clock, "utcnow", lambda: start + timedelta(minutes=15, seconds=1))
    assert login(client, user).status_code == 302
    assert db.session.scalar(select(func.count(LoginFailure.id))) == 0


def test_nine_failures_do_not_lock(client, make_user):
    user = make_user()
    _fail(client, user.email, 9)
    assert login(client, user).status_code == 302


def test_throttling_holds_across_processes(app_factory, make_user):
    """Two app instances (two workers) share the count through the database."""
    user = make_user()
    worker_a, worker_b = app_factory(), app_factory()
    _fail(worker_a.test_client(), user.email, 5)
    _fail(worker_b.test_client(), user.email, 5)
    assert login(worker_a.test_client(), user).status_code == 429
    assert login(worker_b.test_client(), user).status_code == 429


def test_unknown_emails_are_throttled_like_known_ones(client):
    _fail(client, "ghost@example.org", 10)
    response = login(client, "ghost@example.org", "whatever")
    assert response.status_code == 429


def test_emails_are_unique_case_insensitively(app, make_user):
    make_user(email="same@example.org")
    duplicate = User(email="SAME@example.org", name="x", role="student", password_hash="x")
    db.session.add(duplicate)
    try:
        db.session.commit()
    except Exception as exc:  # noqa: BLE001
        db.session.rollback()
        assert "unique" in str(exc).lower()
    else:
        raise AssertionError("a second account with the same e-mail was created")
