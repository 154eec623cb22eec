from datetime import date
from decimal import Decimal

from sqlalchemy import select

from lms.audit.models import AuditLog
from lms.auth.models import Role
from lms.catalog.models import Site
from lms.extensions import db
from lms.programme.calendar import class_days, working_days_between
from lms.programme.models import ClosureDay
from lms.programme.settings import DEFAULTS, get_setting, set_setting
from tests.conftest import csrf_token

VALID = {
    "allowance_weekly_amount": "240.00",
    "allowance_rule": "threshold",
    "allowance_min_rate": "85",
    "allowance_justified_days_per_course": "3",
    "interview_cadence_days": "10",
}


def test_settings_default_from_code_until_changed(app, make_user):
    assert get_setting("allowance_weekly_amount") == Decimal("230.00")
    assert get_setting("interview_cadence_days") == 14
    set_setting("interview_cadence_days", 21, actor=make_user(Role.ADMIN.value))
    db.session.commit()
    assert get_setting("interview_cadence_days") == 21
    assert set(DEFAULTS) >= {"allowance_rule", "allowance_justified_days_per_course"}


def test_admin_changes_settings_and_the_change_is_audited(client, login_as, make_user):
    admin = make_user(Role.ADMIN.value)  # programme-wide: coordinators only read them
    login_as(admin)
    response = client.post(
        "/programme/settings",
        data={**VALID, "csrf_token": csrf_token(client, "/programme/settings")},
    )
    assert response.status_code == 302
    db.session.rollback()
    assert get_setting("allowance_weekly_amount") == Decimal("240.00")
    assert get_setting("allowance_rule") == "threshold"
    assert get_setting("allowance_min_rate") == 0.85
    entry = db.session.scalar(
        select(AuditLog).where(AuditLog.entity_id == "interview_cadence_days")
    )
    assert entry.actor_id == admin.id
    assert entry.before == {"value": 14} and entry.after == {"value": 10}


def test_bad_settings_get_french_messages_and_change_nothing(client, login_as, make_user):
    login_as(make_user(Role.ADMIN.value))
    response = client.post(
        "/programme/settings",
        data={
            **VALID,
            "allowance_weekly_amount": "-5",
            "interview_cadence_days": "0",
            "csrf_token": csrf_token(client, "/programme/settings"),
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Le montant doit être entre 0 et 2000 $." in page
    assert "Le nombre doit être entre 1 et 90." in page
    db.session.rollback()
    assert get_setting("allowance_weekly_amount") == Decimal("230.00")


def test_teachers_and_students_cannot_change_settings(client, login_as, make_user):
    login_as(make_user(Role.TEACHER.value))
    assert client.get("/programme/settings").status_code == 403


def test_class_days_skip_weekends_quebec_holidays_and_site_closures(app, make_cohort):
    cohort = make_cohort(start_on=date(2026, 10, 5))  # Thanksgiving is Monday 12 October
    db.session.add(ClosureDay(site_id=cohort.site_id, day=date(2026, 10, 16), reason="Tempête"))
    db.session.commit()
    days = class_days(cohort, date(2026, 10, 12), date(2026, 10, 18))
    assert days == [date(2026, 10, 13), date(2026, 10, 14), date(2026, 10, 15)]
    # Before the cohort's start, nothing.
    assert class_days(cohort, date(2026, 9, 28), date(2026, 10, 2)) == []
    # Working days after Friday 9 October until Wednesday 14: Tue 13, Wed 14 (Mon is a holiday).
    assert working_days_between(date(2026, 10, 9), date(2026, 10, 14)) == 2


def test_admin_adds_and_removes_a_closure_day(client, login_as, make_user, make_cohort):
    cohort = make_cohort()
    login_as(make_user(Role.ADMIN.value))
    path = f"/sites/{cohort.site_id}/closures"
    token = csrf_token(client, path)
    added = client.post(
        path, data={"day": "2026-10-16", "reason": "Journée pédagogique", "csrf_token": token}
    )
    assert added.status_code == 302
    holiday = client.post(path, data={"day": "2026-10-12", "reason": "x", "csrf_token": token})
    assert holiday.status_code == 422
    assert "Action de grâce" in holiday.get_data(as_text=True)
    weekend = client.post(path, data={"day": "2026-10-17", "reason": "x", "csrf_token": token})
    assert weekend.status_code == 422
    db.session.rollback()
    closure = db.session.scalar(select(ClosureDay).where(ClosureDay.site_id == cohort.site_id))
    assert closure.day == date(2026, 10, 16)
    removed = client.post(f"/closures/{closure.id}/delete", data={"csrf_token": token})
    assert removed.status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(ClosureDay.id)) is None
    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"closure.create", "closure.delete"} <= actions


def test_only_admins_edit_closures(client, login_as, make_user, make_cohort):
    cohort = make_cohort()
    login_as(make_user(Role.COORDINATOR.value))
    assert client.get(f"/sites/{cohort.site_id}/closures").status_code == 403
    assert db.session.get(Site, cohort.site_id) is not None
