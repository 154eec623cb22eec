"""Sessions, redirects, the production secret key and login throttling (security audit,
findings 4, 5, 8 and 9)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms import clock, create_app
from lms.audit.models import AuditLog
from lms.auth.models import LoginFailure, Role, User
from lms.config import ROOT, Config
from lms.extensions import db
from tests.conftest import PASSWORD, _test_settings, csrf_token, login

ATTACKER = "203.0.113.66"
VICTIM_HOME = "198.51.100.20"


class FrozenClock:
    def __init__(self) -> None:
        self.now = clock.utcnow().replace(microsecond=0)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def frozen(monkeypatch) -> FrozenClock:
    frozen_clock = FrozenClock()
    monkeypatch.setattr(clock, "utcnow", lambda: frozen_clock.now)
    return frozen_clock


def _client_at(server, address: str):
    client = server.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _fresh() -> None:
    """End the test's own read transaction, so that it sees what the server committed since."""
    db.session.rollback()


def _text(response) -> str:
    return response.get_data(as_text=True)


def _logout(client, page: str = "/auth/password"):
    return client.post("/auth/logout", data={"csrf_token": csrf_token(client, page)})


# --- 4. sessions end on logout, after 2 hours idle and after 8 hours in all ------------------


def test_a_cookie_captured_before_logout_is_anonymous_after_it(server, client, make_user, login_as):
    teacher = make_user(Role.TEACHER.value)
    login_as(teacher)
    assert client.get("/cohorts/").status_code == 200
    captured = client.get_cookie("session").value
    assert _logout(client, "/cohorts/").status_code == 302

    replay = server.test_client()
    replay.set_cookie("session", captured)
    response = replay.get("/cohorts/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_logout_rotates_the_session_token(client, make_user, login_as):
    user = make_user()
    token = user.session_token
    login_as(user)
    _logout(client)
    _fresh()
    assert user.session_token != token


def test_logout_ends_the_users_other_sessions_too(server, client, make_user, login_as):
    """One token per user: logging out anywhere ends every session of that account."""
    user = make_user(Role.TEACHER.value)
    other_device = server.test_client()
    assert login(other_device, user).status_code == 302
    login_as(user)
    _logout(client, "/cohorts/")
    assert other_device.get("/cohorts/").status_code == 302


def test_session_lifetimes_are_settings_with_the_audit_values():
    assert Config.SESSION_ABSOLUTE_HOURS == 8
    assert Config.SESSION_IDLE_MINUTES == 120
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`SESSION_ABSOLUTE_HOURS`" in readme and "`SESSION_IDLE_MINUTES`" in readme
    assert "`LMS_PROXY_COUNT`" in readme


def _age(client, *, since_login: int = 0, since_seen: int = 0) -> None:
    """Move the session's login and last-seen times back (seconds), as if time had passed."""
    with client.session_transaction() as session:
        session["auth_login_at"] -= since_login
        session["auth_seen_at"] -= since_seen


def _seen_ago(client) -> int:
    with client.session_transaction() as session:
        return int(time.time()) - session["auth_seen_at"]


def test_session_ends_after_two_idle_hours_with_a_french_message(client, make_user, login_as):
    login_as(make_user(Role.TEACHER.value))
    _age(client, since_login=119 * 60, since_seen=119 * 60)
    assert client.get("/cohorts/").status_code == 200  # activity: the idle clock restarts
    assert _seen_ago(client) < 60
    _age(client, since_seen=120 * 60)
    response = client.get("/cohorts/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=/cohorts/"
    page = _text(client.get(response.headers["Location"]))
    assert "Votre session a pris fin après 2 heures d&#39;inactivité." in page
    assert "Reconnectez-vous" in page
    assert client.get("/cohorts/").status_code == 302  # still anonymous


def test_session_ends_after_eight_hours_even_when_active(client, make_user, login_as):
    login_as(make_user(Role.TEACHER.value))
    _age(client, since_login=8 * 3600 - 60)
    assert client.get("/cohorts/").status_code == 200  # 7 h 59 of activity
    _age(client, since_login=60)
    response = client.get("/cohorts/")
    assert response.status_code == 302
    page = _text(client.get(response.headers["Location"]))
    assert "Votre session a pris fin après 8 heures de connexion." in page
    assert "inactivité" not in page


def test_session_lifetimes_follow_the_settings(app_factory, make_user):
    server = app_factory(SESSION_IDLE_MINUTES=30, SESSION_ABSOLUTE_HOURS=1)
    user = make_user(Role.TEACHER.value)
    client = server.test_client()
    assert login(client, user).status_code == 302
    _age(client, since_seen=29 * 60)
    assert client.get("/cohorts/").status_code == 200
    _age(client, since_seen=30 * 60)
    assert client.get("/cohorts/").status_code == 302
    assert "après 30 minutes d&#39;inactivité" in _text(client.get("/auth/login"))

    assert login(client, user).status_code == 302
    _age(client, since_login=3600)
    assert client.get("/cohorts/").status_code == 302
    assert "après 1 heure de connexion" in _text(client.get("/auth/login"))


def test_session_lifetime_is_real_time_not_the_frozen_calendar(frozen, client, make_user, login_as):
    """Tests play a course out by moving lms.clock by days: sessions do not follow it."""
    login_as(make_user(Role.TEACHER.value))
    frozen.advance(days=3)
    assert client.get("/cohorts/").status_code == 200


def test_a_session_without_a_login_time_is_ended(client, make_user, login_as):
    """A session signed before these checks existed (or edited) carries no login time."""
    login_as(make_user(Role.TEACHER.value))
    with client.session_transaction() as session:
        session.pop("auth_login_at")
    response = client.get("/cohorts/")
    assert response.status_code == 302
    assert "Votre session a pris fin." in _text(client.get(response.headers["Location"]))


def test_an_expired_session_posting_a_form_is_sent_to_login(client, make_user, login_as):
    login_as(make_user(Role.TEACHER.value))
    token = csrf_token(client, "/auth/password")
    _age(client, since_seen=3 * 3600)
    response = client.post(
        "/language", data={"lang": "en", "next": "/cohorts/", "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"


# --- 5. one helper for every `next` -------------------------------------------------------------

ATTACKS = [
    "/\t/evil.example",  # /%09/evil.example once decoded
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "http:evil.example",
    "javascript:alert(1)",
    "%2F%2Fevil.example",
    "/\r\n/evil.example",
    " //evil.example",
    "\x00//evil.example",
    "/\x7f/evil.example",
    "///evil.example",
    "/cohorts/\\..\\\\evil.example",
    "evil.example",
]


@pytest.mark.parametrize("target", ATTACKS)
def test_safe_next_refuses_attack_strings(target):
    from lms.urls import safe_next

    assert safe_next(target) is None


@pytest.mark.parametrize(
    "target", ["/", "/cohorts/", "/cohorts/?page=2&q=jean", "/auth/login", "/learn/#lecon-3"]
)
def test_safe_next_keeps_local_paths(target):
    from lms.urls import safe_next

    assert safe_next(target) == target


@pytest.mark.parametrize("target", ATTACKS)
def test_login_never_redirects_off_site(target, client, make_user):
    user = make_user(Role.TEACHER.value)
    token = csrf_token(client)
    response = client.post(
        "/auth/login",
        query_string={"next": target},
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("raw", ["/%09/evil.example", "%2F%2Fevil.example", "/%5Cevil.example"])
def test_login_with_the_audited_raw_query_strings(raw, client, make_user):
    user = make_user(Role.TEACHER.value)
    token = csrf_token(client)
    response = client.post(
        f"/auth/login?next={raw}",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_login_follows_a_local_next(client, make_user):
    user = make_user(Role.TEACHER.value)
    token = csrf_token(client)
    response = client.post(
        "/auth/login?next=/cohorts/%3Fpage%3D1",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/cohorts/?page=1"


@pytest.mark.parametrize("target", ATTACKS)
def test_language_switch_never_redirects_off_site(target, client):
    response = client.post(
        "/language", data={"lang": "en", "next": target, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_language_switch_returns_to_a_local_page(client):
    response = client.post(
        "/language",
        data={"lang": "en", "next": "/auth/login?x=1", "csrf_token": csrf_token(client)},
    )
    assert response.headers["Location"] == "/auth/login?x=1"


# --- 8. production refuses the development key ----------------------------------------------


def _production(database_url: str, **settings):
    return create_app(
        {
            **_test_settings(),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TESTING": False,
            "LMS_ENV": "production",
            **settings,
        }
    )


@pytest.mark.parametrize("key", [None, "", "dev-only-change-me", "test-secret", "x" * 31], ids=repr)
def test_production_refuses_a_missing_weak_or_development_key(key, database_url, _schema):
    from lms.config import InsecureSettingsError

    with pytest.raises(InsecureSettingsError) as caught:
        _production(database_url, SECRET_KEY=key)
    assert isinstance(caught.value, RuntimeError)
    message = str(caught.value)
    assert "SECRET_KEY" in message and "32" in message
    assert "production" in message


def test_production_starts_with_a_long_random_key(database_url, _schema):
    app = _production(database_url, SECRET_KEY=secrets.token_urlsafe(32))
    assert app.config["LMS_ENV"] == "production"


def test_development_still_starts_with_its_built_in_key(database_url, _schema):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "LMS_ENV": "development",
            "SECRET_KEY": "dev-only-change-me",
        }
    )
    assert app.config["LMS_ENV"] == "development"


def test_flask_command_exits_non_zero_in_production_without_a_key(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "LMS_SCHEDULER")}
    env.update(LMS_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    result = subprocess.run(
        [str(Path(sys.executable).with_name("flask")), "--app", "wsgi", "lms", "--help"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr  # a message, not a crash


# --- 9. throttling per account and per address, growing delays, common passwords ---------------


def _fail(client, email: str, times: int = 1) -> None:
    for _ in range(times):
        response = login(client, email, "wrong-password")
        assert response.status_code == 401, _text(response)[:300]


def test_one_address_spraying_many_accounts_is_slowed_down(server, make_user):
    user = make_user(Role.TEACHER.value)
    sprayer = _client_at(server, ATTACKER)
    for n in range(20):
        _fail(sprayer, f"person{n}@example.org")
    response = login(sprayer, user)  # even the right password: the address must wait
    assert response.status_code == 429
    assert "réessayez dans 30 secondes" in _text(response)
    assert response.headers["Retry-After"] == "30"
    # Other addresses are not concerned.
    assert login(_client_at(server, VICTIM_HOME), user).status_code == 302


def test_account_delays_grow_and_are_capped(frozen, server, make_user):
    user = make_user()
    attacker = _client_at(server, ATTACKER)
    _fail(attacker, user.email, 10)
    expected = ["30 secondes", "1 minute", "2 minutes", "4 minutes", "8 minutes", "15 minutes"]
    waits = [30, 60, 120, 240, 480, 900]
    for text, wait in zip(expected + ["15 minutes"], waits + [900], strict=True):
        response = login(attacker, user, "wrong-password")
        assert response.status_code == 429
        assert f"réessayez dans {text}" in _text(response)
        frozen.advance(seconds=wait - 1)
        assert login(attacker, user, "wrong-password").status_code == 429  # not yet
        frozen.advance(seconds=1)
        _fail(attacker, user.email)


def test_attempts_during_a_delay_do_not_extend_it(frozen, server, make_user):
    """Not a lock that a stranger keeps: hammering during the delay changes nothing, and the
    owner logs in from home as soon as the short delay is over."""
    user = make_user()
    attacker = _client_at(server, ATTACKER)
    _fail(attacker, user.email, 10)
    for _ in range(30):
        assert login(attacker, user, "wrong-password").status_code == 429
    _fresh()
    assert db.session.scalar(select(func.count(LoginFailure.id))) == 10
    frozen.advance(seconds=30)
    assert login(_client_at(server, VICTIM_HOME), user).status_code == 302


def test_throttled_answers_are_identical_for_known_and_unknown_accounts(server, make_user):
    user = make_user()
    known = _client_at(server, "192.0.2.1")
    unknown = _client_at(server, "192.0.2.2")
    _fail(known, user.email, 10)
    _fail(unknown, "ghost@example.org", 10)
    a = login(known, user, "wrong-password")
    b = login(unknown, "ghost@example.org", "wrong-password")
    assert a.status_code == b.status_code == 429
    assert a.headers["Retry-After"] == b.headers["Retry-After"]

    def alerts(response):
        return [line for line in _text(response).splitlines() if 'class="alert' in line]

    assert alerts(a) == alerts(b) and alerts(a)


def test_failures_record_the_client_address_and_no_password(server, make_user):
    user = make_user()
    _fail(_client_at(server, ATTACKER), user.email)
    _fail(_client_at(server, ATTACKER), "ghost@example.org")
    _fresh()
    failures = db.session.execute(select(LoginFailure.email, LoginFailure.ip)).all()
    assert sorted(failures) == [("ghost@example.org", ATTACKER), (user.email, ATTACKER)]


def test_proxy_count_takes_the_address_from_the_proxy(app_factory, app):
    behind_proxy = app_factory(LMS_PROXY_COUNT=1)
    direct = app_factory()
    for server, email in ((behind_proxy, "a@example.org"), (direct, "b@example.org")):
        client = server.test_client()
        client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.7"
        assert login(client, email, "wrong-password").status_code == 401
    _fresh()
    addresses = dict(db.session.execute(select(LoginFailure.email, LoginFailure.ip)).all())
    assert addresses == {"a@example.org": "198.51.100.7", "b@example.org": "127.0.0.1"}


def test_login_success_clears_only_this_address_failures_for_the_account(server, make_user):
    user = make_user()
    _fail(_client_at(server, ATTACKER), user.email, 3)
    home = _client_at(server, VICTIM_HOME)
    _fail(home, user.email, 2)
    assert login(home, user).status_code == 302
    _fresh()
    rows = db.session.scalars(select(LoginFailure.ip)).all()
    assert rows == [ATTACKER] * 3


def test_attempts_in_flight_count_for_the_account_not_for_the_address(app, make_user):
    """A class logging in at once behind its school's one address: the attempts still being
    checked (across workers and servers) are not failures of the address; an account's are
    (parallel guesses on one account see each other), and failed ones count for both."""
    from lms.auth.services import (
        attempt_failed,
        attempt_succeeded,
        login_wait,
        start_attempt,
    )

    school = "198.51.100.20"
    in_flight = [start_attempt(f"eleve{n}@example.org", school) for n in range(30)]
    assert [a.wait_seconds for a in in_flight] == [0] * 30  # more than the 20 free ones
    user = make_user()
    guesses = [start_attempt(user.email, f"192.0.2.{n}") for n in range(10)]
    assert start_attempt(user.email, "192.0.2.99").wait_seconds > 0
    for attempt in in_flight[:10]:
        attempt_succeeded(attempt)
    for attempt in in_flight[10:]:
        attempt_failed(attempt, "user.login_failed")
    db.session.flush()
    assert login_wait("late@example.org", school) > 0  # 20 failures: now the address waits
    assert guesses[0].failure_id is not None
    rows = db.session.execute(select(LoginFailure.email, LoginFailure.ip)).all()
    assert sorted(ip for email, ip in rows if email.startswith("eleve")) == [school] * 20
    assert [ip for email, ip in rows if email == user.email] == [None] * 10


def _change_password(client, current: str, new: str = "une-phrase-de-passe-neuve"):
    return client.post(
        "/auth/password",
        data={
            "current_password": current,
            "new_password": new,
            "confirm": new,
            "csrf_token": csrf_token(client, "/auth/password"),
        },
    )


def test_password_page_throttles_the_current_password_check(frozen, client, make_user, login_as):
    user = make_user()
    login_as(user)
    for _ in range(10):
        assert _change_password(client, "not-my-password").status_code == 422
    refused = _change_password(client, PASSWORD)  # the right one, refused for now
    assert refused.status_code == 429
    assert "réessayez dans 30 secondes" in _text(refused)
    stored = user.password_hash
    _fresh()
    assert user.password_hash == stored
    frozen.advance(seconds=30)
    assert _change_password(client, PASSWORD).status_code == 302


def test_password_page_failures_count_for_the_login_too(server, client, make_user, login_as):
    user = make_user()
    login_as(user)
    for _ in range(10):
        _change_password(client, "not-my-password")
    assert login(server.test_client(), user).status_code == 429


@pytest.mark.parametrize("common", ["password123", "QWERTYUIOP", "1234567890", "azertyuiop"])
def test_password_page_refuses_common_passwords(common, client, make_user, login_as):
    user = make_user()
    login_as(user)
    response = _change_password(client, PASSWORD, common)
    assert response.status_code == 422
    assert "Ce mot de passe est trop courant" in _text(response)
    assert login(client.application.test_client(), user).status_code == 302


def test_admin_cannot_give_a_new_account_a_common_password(client, make_user, login_as):
    login_as(make_user(Role.ADMIN.value))
    response = client.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf_token(client, "/admin/users/new"),
            "email": "nouveau@example.org",
            "name": "Nouveau",
            "role": "student",
            "preferred_language": "fr",
            "active": "y",
            "password": "iloveyou123",
        },
    )
    assert response.status_code == 422
    assert "Ce mot de passe est trop courant" in _text(response)
    _fresh()
    assert db.session.scalar(select(User).where(User.email == "nouveau@example.org")) is None


def test_common_password_list_is_shipped_and_spares_our_own_passwords():
    from lms.auth.passwords import common_passwords, is_common

    assert len(common_passwords()) >= 10_000
    assert is_common("123456") and is_common("Password1")
    for ours in ("demo-francisation", PASSWORD, "une-phrase-de-passe-neuve"):
        assert not is_common(ours)


def test_logins_failures_and_logouts_are_audited(server, client, make_user, login_as):
    user = make_user()
    _fail(client, "Ghost@Example.org")
    _fail(client, user.email)
    login_as(user)
    _logout(client)
    _fresh()
    entries = db.session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    assert [e.action for e in entries] == [
        "user.login_failed",
        "user.login_failed",
        "user.login",
        "user.logout",
    ]
    unknown, known, success, out = entries
    assert unknown.after["email"] == "ghost@example.org" and unknown.entity_id is None
    assert known.after["email"] == user.email and known.entity_id == str(user.id)
    assert unknown.actor_id is None and known.actor_id is None
    assert success.actor_id == out.actor_id == user.id
    assert unknown.after["address"] == "127.0.0.1"
    dumped = json.dumps([e.after for e in entries])
    assert "wrong-password" not in dumped and PASSWORD not in dumped


def test_passwords_are_checked_and_hashed_outside_database_transactions(
    server, client, make_user, login_as, monkeypatch
):
    """PITFALLS: scrypt inside a SQLite write transaction holds the one write lock."""
    from lms.auth import services

    seen: list[tuple[str, bool]] = []
    real_check, real_hash = services.check_password_hash, services.generate_password_hash

    def check(*args, **kwargs):
        seen.append(("check", db.session().in_transaction()))
        return real_check(*args, **kwargs)

    def generate(*args, **kwargs):
        seen.append(("hash", db.session().in_transaction()))
        return real_hash(*args, **kwargs)

    user = make_user()
    _fail(client, "warm-up@example.org")  # computes the dummy hash for unknown e-mails once
    monkeypatch.setattr(services, "check_password_hash", check)
    monkeypatch.setattr(services, "generate_password_hash", generate)
    _fail(client, user.email)
    _fail(client, "ghost@example.org")
    login_as(user)
    assert _change_password(client, PASSWORD).status_code == 302
    assert [kind for kind, _ in seen] == ["check", "check", "check", "check", "hash"]
    assert not any(in_transaction for _, in_transaction in seen), seen
