"""Time and data on both engines: aware UTC timestamps, defaults from the project's clock,
money as decimal strings, one active enrolment per student and cohort."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError

from lms import clock
from lms.catalog.models import Enrolment, EnrolmentStatus
from lms.extensions import db
from lms.mail.models import OutboxMessage
from lms.programme.models import Setting
from lms.programme.settings import all_settings, get_setting, set_setting


def _message(**fields) -> OutboxMessage:
    message = OutboxMessage(to_address="a@example.org", subject="s", body="b", **fields)
    db.session.add(message)
    db.session.commit()
    return message


def test_timestamps_come_back_aware_and_in_utc(app):
    evening = datetime(2026, 12, 3, 19, 30, tzinfo=clock.QUEBEC)  # 00:30 UTC on 4 Dec.
    message_id = _message(created_at=evening, sent_at=evening).id
    db.session.expire_all()

    message = db.session.get(OutboxMessage, message_id)
    assert message.created_at == evening
    assert message.created_at.tzinfo is UTC
    assert message.sent_at == datetime(2026, 12, 4, 0, 30, tzinfo=UTC)
    latest = db.session.scalar(select(sa.func.max(OutboxMessage.created_at)))
    assert latest == evening and latest.tzinfo is UTC


def test_a_quebec_time_compares_with_stored_timestamps_as_the_same_moment(app):
    """The cause of the demo's 68 alerts on SQLite and 69 on PostgreSQL: an evening in Quebec
    is past midnight in UTC, and a Quebec midnight bound must not shift the window."""
    _message(created_at=datetime(2026, 12, 3, 19, 30, tzinfo=clock.QUEBEC))
    midnight = datetime.combine(datetime(2026, 12, 4).date(), time.min, clock.QUEBEC)

    assert (
        db.session.scalar(select(sa.func.count()).where(OutboxMessage.created_at >= midnight)) == 0
    )
    assert (
        db.session.scalar(select(sa.func.count()).where(OutboxMessage.created_at < midnight)) == 1
    )


def test_a_naive_datetime_is_refused(app):
    with pytest.raises(StatementError, match="naive datetime"):
        _message(created_at=datetime(2026, 12, 4, 12, 0))
    db.session.rollback()


def test_column_defaults_read_the_frozen_clock(app, monkeypatch):
    frozen = datetime(2026, 10, 5, 14, 0, tzinfo=UTC)
    monkeypatch.setattr(clock, "utcnow", lambda: frozen)
    message_id = _message().id
    db.session.expire_all()

    assert db.session.get(OutboxMessage, message_id).created_at == frozen


def test_the_allowance_amount_is_kept_as_a_decimal_string(app):
    assert get_setting("allowance_weekly_amount") == Decimal("230.00")

    set_setting("allowance_weekly_amount", Decimal("245.5"))
    db.session.commit()

    assert db.session.get(Setting, "allowance_weekly_amount").value == "245.50"
    assert get_setting("allowance_weekly_amount") == Decimal("245.50")
    assert all_settings()["allowance_weekly_amount"] == Decimal("245.50")


def test_a_second_active_enrolment_in_the_same_cohort_is_refused_by_the_database(
    make_user, make_cohort, enrol
):
    student, cohort = make_user(), make_cohort()
    first = enrol(student, cohort)
    with pytest.raises(IntegrityError):
        enrol(student, cohort)
    db.session.rollback()

    # Once the first one has ended, the student may be enrolled again.
    first = db.session.get(Enrolment, first.id)
    first.status, first.end_on = EnrolmentStatus.WITHDRAWN.value, cohort.start_on
    db.session.commit()
    enrol(student, cohort)
    assert (
        db.session.scalar(
            select(sa.func.count(Enrolment.id)).where(Enrolment.student_id == student.id)
        )
        == 2
    )
