"""``lms users create-admin``: the first account of an empty installation."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from lms.audit.models import AuditLog
from lms.auth.models import Role, User
from lms.extensions import db
from tests.conftest import login

STRONG = "un-mot-de-passe-solide"


def _admins() -> list[User]:
    db.session.rollback()
    return list(db.session.scalars(select(User).where(User.role == Role.ADMIN.value)))


def test_creates_the_first_admin_from_stdin_who_can_log_in(runner, server):
    result = runner.invoke(
        args=[
            "lms",
            "users",
            "create-admin",
            "Chef@Example.org",
            "--name",
            "Chef",
            "--password-stdin",
            "--json",
        ],
        input=STRONG + "\n",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["created"] is True and payload["email"] == "chef@example.org"
    (admin,) = _admins()
    assert admin.name == "Chef" and not admin.must_change_password
    assert db.session.scalar(
        select(AuditLog.action).where(AuditLog.entity_id == str(admin.id))
    ) == ("user.create")
    assert login(server.test_client(), "chef@example.org", STRONG).status_code == 302


def test_asks_for_the_password_twice_without_stdin(runner):
    result = runner.invoke(
        args=["lms", "users", "create-admin", "chef@example.org"], input=f"{STRONG}\n{STRONG}\n"
    )
    assert result.exit_code == 0, result.output
    assert "Compte administrateur créé : chef@example.org (chef)." in result.output
    assert [a.name for a in _admins()] == ["chef"]


def test_refuses_a_short_or_common_password_and_writes_nothing(runner):
    for weak, message in (("court", "au moins 10 caractères"), ("password123", "trop courant")):
        result = runner.invoke(
            args=["lms", "users", "create-admin", "chef@example.org", "--password-stdin"],
            input=weak + "\n",
        )
        assert result.exit_code == 1
        assert message in result.output
    assert _admins() == []
    assert db.session.scalar(select(func.count(AuditLog.id))) == 0


def test_refuses_to_run_when_an_admin_exists(runner, make_user):
    make_user(Role.ADMIN.value)
    result = runner.invoke(
        args=["lms", "users", "create-admin", "autre@example.org", "--password-stdin", "--json"],
        input=STRONG + "\n",
    )
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["created"] is False and "existe déjà" in payload["error"]
    assert len(_admins()) == 1


def test_refuses_an_invalid_or_taken_email(runner, make_user):
    result = runner.invoke(
        args=["lms", "users", "create-admin", "pas-un-courriel", "--password-stdin"],
        input=STRONG + "\n",
    )
    assert result.exit_code == 1 and "n'est pas valide" in result.output
    student = make_user(Role.STUDENT.value)
    result = runner.invoke(
        args=["lms", "users", "create-admin", student.email, "--password-stdin"],
        input=STRONG + "\n",
    )
    assert result.exit_code == 1 and "Un compte existe déjà avec ce courriel" in result.output
    assert _admins() == []
