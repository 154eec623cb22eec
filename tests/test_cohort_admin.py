"""« Nouveau groupe » and the cohort's edit page: the end date over class days, the refusals,
the scope of coordinators, the schedule in force on each day, the status transitions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lms import clock
from lms.attendance.models import AttendanceRecord
from lms.attendance.services import Entry, save_attendance
from lms.attendance.weeks import weekly_allowance
from lms.audit.models import AuditLog
from lms.auth.models import Role
from lms.catalog.models import Cohort, Course, Site, cohort_teacher
from lms.catalog.vocab import CohortStatus
from lms.errors import ServiceError
from lms.extensions import db
from lms.programme.calendar import class_days, end_of_course
from lms.programme.cohorts import change_status, create_cohort, plan_cohort, update_cohort
from lms.programme.models import ClosureDay
from lms.programme.settings import all_settings
from tests.conftest import audit_actions, csrf_token

START = date(2027, 6, 14)  # a Monday
SIX_HOURS = [360] * 5


@pytest.fixture
def world(make_user, make_region, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2027, 5, 3))
    coordinator = make_user(Role.COORDINATOR.value)
    other_coordinator = make_user(Role.COORDINATOR.value)
    region_a = make_region("Montréal", coordinators=(coordinator,))
    region_b = make_region("Capitale-Nationale", coordinators=(other_coordinator,))
    site_a = Site(code="MTL", name="Centre Montréal", region_id=region_a.id)
    site_b = Site(code="QC", name="Centre Québec", region_id=region_b.id)
    course = Course(
        code="FTC-1", title="Français 1", level_min=1, level_max=2, weeks=11, hours_per_week=30
    )
    db.session.add_all([site_a, site_b, course])
    db.session.commit()
    return {
        "coordinator": coordinator,
        "other_coordinator": other_coordinator,
        "admin": make_user(Role.ADMIN.value),
        "teacher": make_user(Role.TEACHER.value, name="Marie Tremblay"),
        "student": make_user(Role.STUDENT.value),
        "site_a": site_a,
        "site_b": site_b,
        "course": course,
    }


def _form(world, **changes):
    data = {
        "course_id": str(world["course"].id),
        "site_id": str(world["site_a"].id),
        "start_on": START.isoformat(),
        "code": "",
        "hours_mon": "6",
        "hours_tue": "6",
        "hours_wed": "6",
        "hours_thu": "6",
        "hours_fri": "6",
        "capacity": "20",
        "teachers": [str(world["teacher"].id)],
        "preview": "Calculer la fin",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _save(world, **changes):
    """The form as sent by « Enregistrer » after a preview of the default fields."""
    defaults = {
        "preview": None,
        "save": "Enregistrer le groupe",
        "preview_end_on": "2027-08-31",
        "preview_minutes": str(330 * 60),
    }
    return _form(world, **{**defaults, **changes})


def _post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/cohorts/")})


def _cohort_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Cohort.id)))


# --- the end date: one function for the preview and the service -----------------------------


def test_end_of_ftc1_from_june_14_2027_skips_june_24_and_july_1(app):
    end, days, minutes = end_of_course(
        START, 330 * 60, lambda d: 360 if d.weekday() < 5 else 0, set()
    )
    assert (end, days, minutes) == (date(2027, 8, 31), 55, 330 * 60)


def test_a_closure_of_the_site_pushes_the_end_one_class_day(world):
    db.session.add(ClosureDay(site_id=world["site_a"].id, day=date(2027, 7, 2), reason="Tempête"))
    db.session.commit()
    plan = plan_cohort(world["course"], world["site_a"], START, SIX_HOURS)
    assert plan.end_on == date(2027, 9, 1)  # 6 September is Labour Day, 1 September is not
    assert (plan.class_days, plan.total_minutes) == (55, 330 * 60)


def test_four_long_days_give_the_same_hours_in_fewer_class_days(world):
    plan = plan_cohort(world["course"], world["site_a"], START, [450, 450, 450, 450, 0])
    # 44 days of 7.5 h; both holidays are Thursdays: two more days, Monday 30 and Tuesday 31.
    assert (plan.class_days, plan.total_minutes) == (44, 330 * 60)
    assert plan.end_on == date(2027, 8, 31)


# --- the page: preview, then save ---------------------------------------------------------


def test_preview_shows_the_end_and_total_and_writes_nothing(client, login_as, world):
    login_as(world["coordinator"])
    response = _post(client, "/cohorts/new", _form(world))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "31 août 2027" in page and "330 h" in page and ">55<" in page
    assert 'value="2027-08-31"' in page  # the preview travels with the save
    assert 'value="FTC-1-MTL-2027-06"' in page  # the code suggested
    assert "Enregistrer le groupe" in page
    assert _cohort_count() == 0


def test_hours_with_a_decimal_comma_are_read(client, login_as, world):
    login_as(world["coordinator"])
    days = {f"hours_{d}": "7,5" for d in ("mon", "tue", "wed", "thu")}
    response = _post(client, "/cohorts/new", _form(world, hours_fri="0", **days))
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert 'value="7,5"' in page and ">44<" in page and "330 h" in page


def test_the_new_cohort_page_offers_only_the_sites_of_my_regions(client, login_as, world):
    login_as(world["coordinator"])
    page = client.get("/cohorts/new").get_data(as_text=True)
    assert "Centre Montréal" in page and "Centre Québec" not in page
    assert "Marie Tremblay" in page
    assert 'name="save"' not in page  # a preview first


def test_saving_opens_a_planned_cohort_and_audits_it(client, login_as, world):
    login_as(world["coordinator"])
    response = _post(client, "/cohorts/new", _save(world, code="FTC-1-MTL-A"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.rollback()
    cohort = db.session.scalar(select(Cohort).where(Cohort.code == "FTC-1-MTL-A"))
    assert (cohort.start_on, cohort.end_on) == (START, date(2027, 8, 31))
    assert cohort.status == CohortStatus.PLANNED and cohort.weekday_minutes == SIX_HOURS
    teachers = db.session.scalars(
        select(cohort_teacher.c.user_id).where(cohort_teacher.c.cohort_id == cohort.id)
    ).all()
    assert teachers == [world["teacher"].id]
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "cohort.create"))
    assert entry.actor_id == world["coordinator"].id and entry.before is None
    assert entry.after["end_on"] == "2027-08-31" and entry.after["site_id"] == world["site_a"].id


def test_a_blank_code_is_saved_as_the_suggested_one(client, login_as, world):
    login_as(world["admin"])
    assert _post(client, "/cohorts/new", _save(world)).status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(Cohort.code)) == "FTC-1-MTL-2027-06"


def test_a_save_without_the_preview_shows_it_and_writes_nothing(client, login_as, world):
    login_as(world["coordinator"])
    data = _save(world, preview_end_on="2027-08-27", preview_minutes="19800")
    response = _post(client, "/cohorts/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "La date de fin calculée est le 31 août 2027" in page
    assert 'value="2027-08-31"' in page
    assert _cohort_count() == 0


# --- refusals: a French message, 422, nothing written -------------------------------------


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("2027-06-24", "Le 24 juin 2027 est un jour férié (Fête nationale du Québec)"),
        ("2027-07-01", "Le 1er juillet 2027 est un jour férié (Fête du Canada)"),
        ("2027-06-12", "Le 12 juin 2027 est un samedi"),
        ("2027-06-15", "Le centre est fermé le 15 juin 2027"),
    ],
)
def test_a_start_that_is_not_a_class_day_is_refused(client, login_as, world, start, message):
    db.session.add(ClosureDay(site_id=world["site_a"].id, day=date(2027, 6, 15), reason="Congrès"))
    db.session.commit()
    login_as(world["coordinator"])
    response = _post(client, "/cohorts/new", _save(world, start_on=start))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _cohort_count() == 0


def test_a_start_on_a_day_without_class_in_the_schedule_is_refused(world):
    with pytest.raises(ServiceError, match="ne prévoit pas de classe le lundi"):
        plan_cohort(world["course"], world["site_a"], START, [0, 450, 450, 450, 450])


def test_a_31_hour_week_is_refused(client, login_as, world):
    login_as(world["coordinator"])
    response = _post(client, "/cohorts/new", _save(world, hours_fri="7"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "totalise 31 h ; le cours FTC-1 demande 30 h par semaine" in page
    assert _cohort_count() == 0


def test_a_duplicate_code_is_refused(client, login_as, world, make_cohort):
    make_cohort(site=world["site_a"], course=world["course"], code="FTC-1-MTL-A")
    login_as(world["coordinator"])
    response = _post(client, "/cohorts/new", _save(world, code="FTC-1-MTL-A"))
    assert response.status_code == 422
    assert "Le code « FTC-1-MTL-A » est déjà celui d&#39;un autre groupe" in response.get_data(
        as_text=True
    )
    assert _cohort_count() == 1


def test_an_inactive_teacher_is_refused(client, login_as, world, make_user):
    gone = make_user(Role.TEACHER.value, active=False)
    login_as(world["coordinator"])
    response = _post(client, "/cohorts/new", _save(world, teachers=[str(gone.id)]))
    assert response.status_code == 422
    assert _cohort_count() == 0


def test_an_inactive_site_is_refused(world):
    world["site_a"].active = False
    with pytest.raises(ServiceError, match="site est désactivé"):
        create_cohort(
            course=world["course"],
            site=world["site_a"],
            code="X",
            start_on=START,
            minutes=SIX_HOURS,
            capacity=20,
            teacher_ids=[],
            previewed=(date(2027, 8, 31), 19800),
            actor=world["admin"],
        )


# --- scope -------------------------------------------------------------------------------


def test_a_coordinator_cannot_open_a_cohort_at_a_site_of_another_region(client, login_as, world):
    login_as(world["coordinator"])
    for button in ({}, {"save": "Enregistrer le groupe"}):
        data = {**_save(world, site_id=str(world["site_b"].id)), **button}
        assert _post(client, "/cohorts/new", data).status_code == 404
    assert _cohort_count() == 0
    assert audit_actions() == []


def test_teachers_and_students_may_not_open_cohorts(client, login_as, world):
    login_as(world["teacher"])
    assert client.get("/cohorts/new").status_code == 403


def test_a_coordinator_cannot_edit_a_cohort_of_another_region(client, login_as, world, make_cohort):
    cohort = make_cohort(site=world["site_b"], course=world["course"], start_on=START)
    login_as(world["coordinator"])
    assert client.get(f"/cohorts/{cohort.id}/edit").status_code == 404
    assert _post(client, f"/cohorts/{cohort.id}/edit", _save(world)).status_code == 404
    token = csrf_token(client, "/cohorts/")
    response = client.post(
        f"/cohorts/{cohort.id}/status", data={"status": "cancelled", "csrf_token": token}
    )
    assert response.status_code == 404
    db.session.rollback()
    assert db.session.get(Cohort, cohort.id).status == CohortStatus.PLANNED


def test_the_new_cohort_page_makes_the_same_queries_for_5_and_50_choices(
    client, login_as, world, make_user, count_queries
):
    login_as(world["admin"])
    with count_queries() as small:
        assert client.get("/cohorts/new").status_code == 200
    for n in range(45):
        make_user(Role.TEACHER.value)
        db.session.add(Site(code=f"S-{n}", name=f"Site {n}", region_id=world["site_a"].region_id))
    db.session.commit()
    with count_queries() as large:
        page = client.get("/cohorts/new")
    assert page.get_data(as_text=True).count('name="teachers"') >= 46
    assert len(small) == len(large)


# --- editing: the schedule in force on each day -------------------------------------------


def _open(world, minutes=SIX_HOURS) -> Cohort:
    cohort = create_cohort(
        course=world["course"],
        site=world["site_a"],
        code="FTC-1-MTL-A",
        start_on=START,
        minutes=minutes,
        capacity=20,
        teacher_ids=[world["teacher"].id],
        previewed=(date(2027, 8, 31), 19800),
        actor=world["admin"],
    )
    db.session.commit()
    return cohort


def test_a_new_schedule_after_attendance_changes_only_the_days_after_today(
    world, enrol, monkeypatch
):
    cohort = _open(world)
    enrol(world["student"], cohort)
    today = date(2027, 6, 16)  # a Wednesday
    monkeypatch.setattr(clock, "today", lambda: today)
    for day in (date(2027, 6, 14), date(2027, 6, 15)):
        save_attendance(
            cohort,
            day,
            [Entry(world["student"].id, "present")],
            actor=world["teacher"],
            expected_version=0,
            today=today,
        )
    db.session.commit()

    new = [450, 450, 450, 450, 0]  # Monday to Thursday, 7.5 h
    plan = plan_cohort(world["course"], world["site_a"], START, new, cohort=cohort, today=today)
    update_cohort(
        cohort,
        course=world["course"],
        site=world["site_a"],
        code=cohort.code,
        start_on=START,
        minutes=new,
        capacity=20,
        teacher_ids=[world["teacher"].id],
        previewed=(plan.end_on, plan.total_minutes),
        today=today,
        actor=world["coordinator"],
    )
    db.session.commit()

    # Up to today: the old schedule; from tomorrow: the new one.
    assert [cohort.minutes_on(START + timedelta(days=i)) for i in range(5)] == [
        360,
        360,
        360,
        450,
        0,
    ]
    assert cohort.minutes_on(date(2027, 6, 21)) == 450
    assert class_days(cohort, START, START + timedelta(days=6)) == [
        START + timedelta(days=i) for i in range(4)
    ]
    # The last class day is a whole day: 330 h reached, on a day of 7.5 h.
    assert cohort.end_on == plan.end_on and 330 * 60 <= plan.total_minutes < 330 * 60 + 450
    # The hours recorded stay, and so does a correction of a past day.
    save_attendance(
        cohort,
        date(2027, 6, 15),
        [Entry(world["student"].id, "late", 30)],
        actor=world["teacher"],
        expected_version=1,
        today=today,
    )
    db.session.commit()
    recorded = db.session.scalars(select(AttendanceRecord.scheduled_minutes)).all()
    assert recorded == [360, 360]
    # The week's allowance reads the schedule in force on each day: 3 × 6 h + 7.5 h.
    [row] = weekly_allowance([cohort], START, _allowance_settings())
    assert [line.scheduled_minutes for line in row.days] == [360, 360, 360, 450]
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "cohort.update"))
    assert entry.before["minutes"] == SIX_HOURS and entry.after["minutes"] == new
    assert entry.after["past_schedules"] == [{"until": "2027-06-16", "minutes": SIX_HOURS}]


def _allowance_settings():
    from lms.attendance.allowance import AllowanceSettings

    return AllowanceSettings.from_values(all_settings())


def test_a_cohort_that_has_not_started_gets_its_new_schedule_from_the_start(world):
    cohort = _open(world)
    new = [450, 450, 450, 450, 0]
    today = date(2027, 6, 1)
    plan = plan_cohort(world["course"], world["site_a"], START, new, cohort=cohort, today=today)
    update_cohort(
        cohort,
        course=world["course"],
        site=world["site_a"],
        code=cohort.code,
        start_on=START,
        minutes=new,
        capacity=18,
        teacher_ids=[],
        previewed=(plan.end_on, plan.total_minutes),
        today=today,
        actor=world["admin"],
    )
    assert cohort.past_schedules == [] and cohort.minutes_on(START) == 450


def test_a_started_cohort_keeps_its_start_date(client, login_as, world, monkeypatch):
    cohort = _open(world)
    monkeypatch.setattr(clock, "today", lambda: date(2027, 6, 16))
    login_as(world["coordinator"])
    edit = client.get(f"/cohorts/{cohort.id}/edit").get_data(as_text=True)
    assert "31 août 2027" in edit and "à partir de demain" in edit
    response = _post(client, f"/cohorts/{cohort.id}/edit", _save(world, start_on="2027-06-21"))
    assert response.status_code == 422
    assert "sa date de début ne change plus" in response.get_data(as_text=True)


def test_the_edit_page_saves_a_new_capacity(client, login_as, world):
    cohort = _open(world)
    login_as(world["coordinator"])
    data = _save(world, code="FTC-1-MTL-A", capacity="16")
    response = _post(client, f"/cohorts/{cohort.id}/edit", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.rollback()
    assert db.session.get(Cohort, cohort.id).capacity == 16
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "cohort.update"))
    assert (entry.before["capacity"], entry.after["capacity"]) == (20, 16)


# --- status -------------------------------------------------------------------------------


def test_status_moves_forward_and_is_audited(client, login_as, world):
    cohort = _open(world)
    login_as(world["coordinator"])
    token = csrf_token(client, "/cohorts/")
    path = f"/cohorts/{cohort.id}/status"
    refused = client.post(path, data={"status": "finished", "csrf_token": token})
    assert refused.status_code == 303
    assert "ne peut pas passer à « terminé »" in client.get(f"/cohorts/{cohort.id}").get_data(
        as_text=True
    )
    assert client.post(path, data={"status": "ongoing", "csrf_token": token}).status_code == 302
    db.session.rollback()
    assert db.session.get(Cohort, cohort.id).status == CohortStatus.ONGOING
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "cohort.status"))
    assert (entry.before, entry.after) == ({"status": "planned"}, {"status": "ongoing"})


def test_a_cohort_that_somebody_attended_cannot_be_cancelled(world, enrol):
    cohort = _open(world)
    enrol(world["student"], cohort)
    change_status(cohort, CohortStatus.ONGOING, actor=world["admin"])
    save_attendance(
        cohort,
        START,
        [Entry(world["student"].id, "present")],
        actor=world["teacher"],
        expected_version=0,
        today=START,
    )
    with pytest.raises(ServiceError, match="ne peut plus être annulé"):
        change_status(cohort, CohortStatus.CANCELLED, actor=world["admin"])


def test_a_cohort_where_everyone_was_absent_can_be_cancelled(world, enrol):
    cohort = _open(world)
    enrol(world["student"], cohort)
    save_attendance(
        cohort,
        START,
        [Entry(world["student"].id, "absent")],
        actor=world["teacher"],
        expected_version=0,
        today=START,
    )
    change_status(cohort, CohortStatus.CANCELLED, actor=world["admin"])
    assert cohort.status == CohortStatus.CANCELLED
    with pytest.raises(ServiceError, match="ne peut pas passer"):
        change_status(cohort, CohortStatus.ONGOING, actor=world["admin"])
