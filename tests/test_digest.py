"""The daily digest: one French e-mail per user with new notifications, sent to a real local
SMTP server (aiosmtpd) when MAIL_SERVER is set, else kept in the outbox that admins read."""

from __future__ import annotations

import socket
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from html import unescape

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from lms.alerts import engine
from lms.alerts.models import Alert, Notification
from lms.alerts.notify import send_digests
from lms.attendance.models import AttendanceRecord
from lms.auth.models import Role
from lms.extensions import db
from lms.mail.models import OutboxMessage
from tests.conftest import login
from tests.test_alert_lifecycle import NOW, frozen  # noqa: F401  (fixture)


class Inbox:
    """An aiosmtpd handler that keeps what arrives."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, _server, _session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def digest_world(app, make_user, make_region, make_cohort, enrol, frozen):  # noqa: F811
    """A teacher with two new alerts (through the engine), and a coordinator with none."""
    teacher = make_user(Role.TEACHER.value, name="Julie Bouchard", email="julie@example.org")
    coordinator = make_user(Role.COORDINATOR.value, name="Marc Gagnon")
    student = make_user(name="Amina Haddad")
    region = make_region("Montréal", coordinators=(coordinator,))
    cohort = make_cohort(
        region=region, teachers=(teacher,), start_on=date(2026, 9, 14), code="FTC1-A"
    )
    enrol(student, cohort)
    db.session.add_all(
        AttendanceRecord(
            cohort_id=cohort.id,
            student_id=student.id,
            day=day,
            status="absent",
            scheduled_minutes=360,
            attended_minutes=0,
        )
        for day in (date(2026, 9, 25), date(2026, 9, 28), date(2026, 9, 29))
    )
    db.session.commit()
    engine.scan()
    db.session.commit()
    return {"teacher": teacher, "coordinator": coordinator, "student": student, "cohort": cohort}


def _streak() -> Alert:
    return db.session.scalar(select(Alert).where(Alert.rule_code == "absence_streak"))


def test_digest_goes_through_the_smtp_server_once(app, smtp, digest_world):
    controller, inbox = smtp
    app.config.update(
        MAIL_SERVER=controller.hostname,
        MAIL_PORT=controller.port,
        PUBLIC_BASE_URL="https://francisation.example/",
    )
    teacher = digest_world["teacher"]
    new = db.session.scalars(
        select(Notification.message).where(Notification.user_id == teacher.id)
    ).all()
    assert "Absences consécutives : Amina Haddad (FTC1-A)" in new

    result = send_digests()
    assert result == {"messages": 1, "sent": 1, "failed": 0, "queued": 0}
    (message,) = inbox.messages
    assert inbox.envelopes[0].rcpt_tos == ["julie@example.org"]
    assert message["To"] == "julie@example.org"
    assert message["From"] == "no-reply@francisation.local"
    count = len(new)
    assert message["Subject"] == f"Francisation — {count} nouvelles alertes"
    body = message.get_content().replace("\r\n", "\n")
    assert body.startswith("Bonjour Julie Bouchard,")
    assert f"Voici les {count} nouvelles alertes qui vous concernent :" in body
    assert "- Absences consécutives : Amina Haddad (FTC1-A)" in body
    # Links in e-mails are absolute, from PUBLIC_BASE_URL.
    assert f"  https://francisation.example/alerts/{_streak().id}\n" in body
    assert "la boîte des alertes : https://francisation.example/alerts/\n" in body
    assert message.get_content_charset() == "utf-8"

    db.session.rollback()
    (stored,) = db.session.scalars(select(OutboxMessage)).all()
    assert stored.sent_at is not None and stored.error is None
    assert stored.to_address == "julie@example.org" and stored.body == body
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.digested_at.is_(None))
        )
        == 0
    )

    again = send_digests()
    assert again == {"messages": 0, "sent": 0, "failed": 0, "queued": 0}
    assert len(inbox.envelopes) == 1


def test_one_message_per_user_with_the_configured_sender(app, smtp, digest_world, frozen):  # noqa: F811
    controller, inbox = smtp
    app.config.update(
        MAIL_SERVER=controller.hostname,
        MAIL_PORT=controller.port,
        MAIL_FROM="alertes@francisation.example",
    )
    send_digests()
    assert len(inbox.envelopes) == 1  # the coordinator has nothing yet
    # Two working days later the critical alert escalates to the region's coordinator.
    frozen(NOW + timedelta(days=2))
    assert engine.scan()["escalated"] == 1
    db.session.commit()
    db.session.add(
        Notification(user_id=digest_world["teacher"].id, kind="new", message="Un autre message")
    )
    db.session.commit()
    assert send_digests()["sent"] == 2
    by_address = {m["To"]: m for m in inbox.messages[1:]}
    teacher_mail = by_address["julie@example.org"]
    coordinator_mail = by_address[digest_world["coordinator"].email]
    assert teacher_mail["Subject"] == "Francisation — 1 nouvelle alerte"
    assert "Voici la nouvelle alerte qui vous concerne :" in teacher_mail.get_content()
    assert coordinator_mail["From"] == "alertes@francisation.example"
    assert "Escalade (non prise en charge depuis 2 jours ouvrables)" in (
        coordinator_mail.get_content()
    )


def test_without_mail_server_the_digest_waits_in_the_outbox(app, server, digest_world, make_user):
    app.config["MAIL_SERVER"] = None
    result = send_digests()
    assert result["messages"] == 1 and result["queued"] == 1 and result["sent"] == 0
    (stored,) = db.session.scalars(select(OutboxMessage)).all()
    assert stored.sent_at is None and stored.error is None
    # Without PUBLIC_BASE_URL in the environment, links point at the local server, in full.
    assert "la boîte des alertes : http://127.0.0.1:5000/alerts/\n" in stored.body
    assert send_digests()["messages"] == 0  # idempotent

    server.config["MAIL_SERVER"] = None
    admin = server.test_client()
    assert login(admin, make_user(Role.ADMIN.value)).status_code == 302
    page = unescape(admin.get("/admin/outbox").get_data(as_text=True))
    assert "julie@example.org" in page and stored.subject in page
    assert "<details>" in page and "- Absences consécutives : Amina Haddad (FTC1-A)" in page
    assert "Non envoyé" in page and "Aucun serveur de courriel n'est configuré" in page
    for role in (Role.TEACHER, Role.COORDINATOR, Role.STUDENT):
        client = server.test_client()
        assert login(client, make_user(role.value)).status_code == 302
        assert client.get("/admin/outbox").status_code == 403


def test_a_mail_server_that_refuses_leaves_the_message_in_the_outbox(app, digest_world):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())  # nobody listens
    result = send_digests()
    assert result == {"messages": 1, "sent": 0, "failed": 1, "queued": 0}
    db.session.rollback()
    (stored,) = db.session.scalars(select(OutboxMessage)).all()
    assert stored.sent_at is None
    assert stored.error.startswith("Serveur de courriel injoignable :")
    assert send_digests()["messages"] == 0


def test_inactive_accounts_get_no_digest(app, digest_world):
    app.config["MAIL_SERVER"] = None
    digest_world["teacher"].active = False
    db.session.commit()
    assert send_digests()["messages"] == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.digested_at.is_(None))
        )
        == 0
    )
