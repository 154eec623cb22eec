"""The weekly participation allowance: the arithmetic (worked examples written here), the
student-weeks of a cohort (week boundaries, continuous intake, holidays, days not taken), the
reports and their CSV, by role."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy import func, select

from lms import clock
from lms.attendance.allowance import (
    AllowanceSettings,
    compute_week,
    hours,
    week_bounds,
    week_start,
)
from lms.attendance.models import AttendanceDay, AttendanceRecord
from lms.attendance.services import Entry, save_attendance
from lms.attendance.weeks import weekly_allowance
from lms.auth.models import Role
from lms.catalog.models import Site
from lms.extensions import db
from lms.programme.models import ClosureDay
from lms.programme.settings import set_setting
from tests.conftest import client_for

DAY = 360  # a 6-hour class day, in minutes
PRORATED = AllowanceSettings(Decimal("230.00"), "prorated", Fraction(4, 5), 5)
THRESHOLD = AllowanceSettings(Decimal("230.00"), "threshold", Fraction(4, 5), 5)

# --- the arithmetic ---------------------------------------------------------------------------


def test_late_20_minutes_on_a_6_hour_day_is_5_h_40_attended():
    # 6 h = 360 min; 360 − 20 = 340 min = 5 h 40 (5.67 h in decimal hours).
    week = compute_week(
        scheduled_minutes=DAY,
        attended_minutes=DAY - 20,
        justified_day_minutes=[],
        justified_days_before=0,
        settings=PRORATED,
    )
    assert week.attended_minutes == 340
    assert divmod(week.attended_minutes, 60) == (5, 40)
    assert week.hours_attended == Decimal("5.67")
    assert week.unjustified_minutes == 20


def test_worked_example_prorated_full_week_with_one_late_arrival():
    # 5 days × 6 h = 30 h scheduled (1,800 min). Late 20 min one day: 1,780 min = 29 h 40.
    # Prorated: $230 × 1,780 / 1,800 = $227.444… → $227.44.
    week = compute_week(
        scheduled_minutes=5 * DAY,
        attended_minutes=5 * DAY - 20,
        justified_day_minutes=[],
        justified_days_before=0,
        settings=PRORATED,
    )
    assert week.hours_scheduled == Decimal("30.00")
    assert week.attended_minutes == 1780 and week.hours_attended == Decimal("29.67")
    assert week.hours_unjustified == Decimal("0.33")  # 20 min
    assert week.ratio == Fraction(1780, 1800)
    assert week.eligible is True
    assert week.amount == Decimal("227.44")


def test_amounts_round_half_up_to_the_cent():
    # $230 × 1,797 / 1,800 = $229.6166… → $229.62; $230 × 1,791 / 1,800 = $228.85 exactly.
    def amount(attended):
        return compute_week(
            scheduled_minutes=1800,
            attended_minutes=attended,
            justified_day_minutes=[],
            justified_days_before=0,
            settings=PRORATED,
        ).amount

    assert amount(1797) == Decimal("229.62")
    assert amount(1791) == Decimal("228.85")
    # Half a cent rounds up: $1.00 × 1 / 8 = $0.125 → $0.13.
    one_dollar = AllowanceSettings(Decimal("1.00"), "prorated", Fraction(4, 5), 5)
    week = compute_week(
        scheduled_minutes=8,
        attended_minutes=1,
        justified_day_minutes=[],
        justified_days_before=0,
        settings=one_dollar,
    )
    assert week.amount == Decimal("0.13")


def test_worked_example_threshold_rule():
    # Threshold 80 %: 4 days of 5 present (24 h / 30 h = 80 %) → the full $230;
    # 3 days of 5 (18 h / 30 h = 60 %) → nothing; a late arrival alone keeps the full amount.
    def week(attended):
        return compute_week(
            scheduled_minutes=5 * DAY,
            attended_minutes=attended,
            justified_day_minutes=[],
            justified_days_before=0,
            settings=THRESHOLD,
        )

    assert (week(4 * DAY).eligible, week(4 * DAY).amount) == (True, Decimal("230.00"))
    assert (week(4 * DAY - 1).eligible, week(4 * DAY - 1).amount) == (False, Decimal("0.00"))
    assert (week(3 * DAY).eligible, week(3 * DAY).amount) == (False, Decimal("0.00"))
    assert week(5 * DAY - 20).amount == Decimal("230.00")


def test_justified_absences_count_as_attended_up_to_n_days_per_course_then_not():
    # N = 5 days per course. This week: 4 days present, 1 justified (6 h).
    # Nothing counted before: the justified day counts → 30 h / 30 h → $230.
    fresh = compute_week(
        scheduled_minutes=5 * DAY,
        attended_minutes=4 * DAY,
        justified_day_minutes=[DAY],
        justified_days_before=0,
        settings=PRORATED,
    )
    assert fresh.hours_justified == Decimal("6.00")
    assert fresh.justified_days_counted == 1 and fresh.hours_justified_counted == Decimal("6.00")
    assert fresh.unjustified_minutes == 0
    assert fresh.amount == Decimal("230.00")

    # 5 justified days already earlier in the course: this one no longer counts.
    # $230 × 24 / 30 = $184.00.
    spent = compute_week(
        scheduled_minutes=5 * DAY,
        attended_minutes=4 * DAY,
        justified_day_minutes=[DAY],
        justified_days_before=5,
        settings=PRORATED,
    )
    assert spent.justified_days_counted == 0 and spent.justified_counted_minutes == 0
    assert spent.hours_justified == Decimal("6.00")  # still a justified absence on the record
    assert spent.amount == Decimal("184.00")

    # 4 earlier, 2 this week (3 days present): the first counts, the second does not.
    # (18 h + 6 h) / 30 h → $230 × 24 / 30 = $184.00.
    edge = compute_week(
        scheduled_minutes=5 * DAY,
        attended_minutes=3 * DAY,
        justified_day_minutes=[DAY, DAY],
        justified_days_before=4,
        settings=PRORATED,
    )
    assert edge.justified_days_counted == 1
    assert edge.amount == Decimal("184.00")
    # Under the threshold rule that is exactly 80 %: eligible.
    assert compute_week(
        scheduled_minutes=5 * DAY,
        attended_minutes=3 * DAY,
        justified_day_minutes=[DAY, DAY],
        justified_days_before=4,
        settings=THRESHOLD,
    ).amount == Decimal("230.00")


def test_holiday_week_with_4_class_days_is_24_hours_scheduled():
    # Thanksgiving Monday: 4 class days × 6 h = 24 h. Present every day → the full amount;
    # one day absent → $230 × 18 / 24 = $172.50.
    full = compute_week(
        scheduled_minutes=4 * DAY,
        attended_minutes=4 * DAY,
        justified_day_minutes=[],
        justified_days_before=0,
        settings=PRORATED,
    )
    assert full.hours_scheduled == Decimal("24.00") and full.amount == Decimal("230.00")
    one_absence = compute_week(
        scheduled_minutes=4 * DAY,
        attended_minutes=3 * DAY,
        justified_day_minutes=[],
        justified_days_before=0,
        settings=PRORATED,
    )
    assert one_absence.hours_unjustified == Decimal("6.00")
    assert one_absence.amount == Decimal("172.50")


def test_days_not_taken_count_neither_as_attended_nor_absent():
    # 3 days taken (present), 2 not taken yet: 18 h / 18 h → $230 (provisional), 12 h not taken.
    week = compute_week(
        scheduled_minutes=5 * DAY,
        attended_minutes=3 * DAY,
        justified_day_minutes=[],
        justified_days_before=0,
        settings=PRORATED,
        not_taken_minutes=2 * DAY,
        days_not_taken=2,
    )
    assert week.hours_scheduled == Decimal("30.00")
    assert week.unjustified_minutes == 0
    assert week.amount == Decimal("230.00") and not week.complete
    nothing = compute_week(
        scheduled_minutes=5 * DAY,
        attended_minutes=0,
        justified_day_minutes=[],
        justified_days_before=0,
        settings=PRORATED,
        not_taken_minutes=5 * DAY,
        days_not_taken=5,
    )
    assert nothing.ratio is None and not nothing.eligible and nothing.amount == Decimal("0.00")


def test_prorated_absent_all_week_is_not_eligible():
    week = compute_week(
        scheduled_minutes=5 * DAY,
        attended_minutes=0,
        justified_day_minutes=[],
        justified_days_before=0,
        settings=PRORATED,
    )
    assert (week.eligible, week.amount, week.hours_unjustified) == (
        False,
        Decimal("0.00"),
        Decimal("30.00"),
    )


def test_minutes_that_do_not_add_up_are_refused():
    with pytest.raises(ValueError):
        compute_week(
            scheduled_minutes=DAY,
            attended_minutes=DAY + 1,
            justified_day_minutes=[],
            justified_days_before=0,
            settings=PRORATED,
        )


def test_settings_from_programme_values():
    settings = AllowanceSettings.from_values(
        {
            "allowance_weekly_amount": Decimal("230.00"),
            "allowance_rule": "threshold",
            "allowance_min_rate": 0.8,
            "allowance_justified_days_per_course": 5,
        }
    )
    assert settings == THRESHOLD
    with pytest.raises(ValueError):
        AllowanceSettings.from_values(
            {
                "allowance_weekly_amount": Decimal("230.00"),
                "allowance_rule": "by the moon",
                "allowance_min_rate": 0.8,
                "allowance_justified_days_per_course": 5,
            }
        )


def test_weeks_run_monday_to_sunday():
    assert week_bounds(date(2026, 9, 14)) == (date(2026, 9, 14), date(2026, 9, 20))  # Monday
    assert week_bounds(date(2026, 9, 20)) == (date(2026, 9, 14), date(2026, 9, 20))  # Sunday
    assert week_start(date(2026, 9, 21)) == date(2026, 9, 21)  # the next Monday
    assert week_start(date(2027, 1, 1)) == date(2026, 12, 28)  # across the new year
    assert hours(340) == Decimal("5.67") and hours(20) == Decimal("0.33")


# --- student-weeks of a cohort ----------------------------------------------------------------

START = date(2026, 9, 14)  # a Monday; Thanksgiving (Action de grâce) is Monday 12 October
TODAY = date(2026, 10, 30)


@pytest.fixture
def world(make_user, make_region, make_cohort, enrol, monkeypatch):
    people = {
        "teacher": make_user(Role.TEACHER.value),
        "other_teacher": make_user(Role.TEACHER.value),
        "coordinator": make_user(Role.COORDINATOR.value),
        "other_coordinator": make_user(Role.COORDINATOR.value),
        "admin": make_user(Role.ADMIN.value),
    }
    region = make_region("Montréal", coordinators=(people["coordinator"],))
    region_b = make_region("Capitale-Nationale", coordinators=(people["other_coordinator"],))
    cohort = make_cohort(region=region, teachers=(people["teacher"],), start_on=START)
    other = make_cohort(region=region_b, teachers=(people["other_teacher"],), start_on=START)
    students = {
        "amina": make_user(name="Amina Haddad", email="amina@example.org"),
        "carlos": make_user(name="Carlos Morales", email="carlos@example.org"),
        "mei": make_user(name="Mei Chen", email="mei@example.org"),
        # Continuous intake: joins on the Monday of week 3.
        "zoe": make_user(name="Zoé Tremblay", email="zoe@example.org"),
    }
    for key in ("amina", "carlos", "mei"):
        enrol(students[key], cohort)
    enrol(students["zoe"], cohort, start_on=START + timedelta(weeks=2))
    people["student"] = students["amina"]
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return {"cohort": cohort, "other": other, "students": students, **people}


def _take(world, day, changes=None, *, actor=None):
    """Take a day for everyone enrolled: present unless ``changes`` says otherwise."""
    from lms.attendance.queries import enrolled_on
    from lms.catalog.models import Cohort

    cohort = db.session.get(Cohort, world["cohort"].id)
    changes = changes or {}
    entries = []
    for sid, _name, _email in enrolled_on(cohort.id, day):
        status, minutes, reason = changes.get(sid, ("present", None, None))
        entries.append(Entry(sid, status, minutes, reason))
    version = db.session.scalar(
        select(AttendanceDay.version).where(
            AttendanceDay.cohort_id == cohort.id, AttendanceDay.day == day
        )
    )
    save_attendance(
        cohort,
        day,
        entries,
        actor=actor or world["teacher"],
        expected_version=version or 0,
        today=TODAY,
    )
    db.session.commit()


def _week(world, monday, settings=PRORATED):
    from lms.catalog.models import Cohort

    rows = weekly_allowance([db.session.get(Cohort, world["cohort"].id)], monday, settings)
    return {r.student_email.split("@")[0]: r for r in rows}


def test_a_student_who_joins_in_week_3_is_not_absent_in_weeks_1_and_2(world):
    for offset in range(5):
        _take(world, START + timedelta(days=offset))
    week1 = _week(world, START)
    assert set(week1) == {"amina", "carlos", "mei"}  # Zoé is not listed at all
    for offset in range(5):
        _take(world, START + timedelta(weeks=2, days=offset))
    week3 = _week(world, START + timedelta(weeks=2, days=3))  # any day of the week
    zoe = week3["zoe"].result
    assert zoe.hours_scheduled == Decimal("30.00") and zoe.hours_unjustified == Decimal("0.00")
    assert zoe.amount == Decimal("230.00")


def test_a_student_who_joins_mid_week_has_only_the_days_since_their_start(world, make_user, enrol):
    late = make_user(name="Yara Late", email="yara@example.org")
    enrol(late, world["cohort"], start_on=START + timedelta(days=2))  # Wednesday of week 1
    for offset in range(5):
        _take(world, START + timedelta(days=offset))
    yara = _week(world, START)["yara"]
    assert [line.day.weekday() for line in yara.days] == [2, 3, 4]
    assert yara.result.hours_scheduled == Decimal("18.00")


def test_thanksgiving_week_has_4_class_days_and_24_hours(world):
    monday = date(2026, 10, 12)  # Action de grâce
    amina = world["students"]["amina"].id
    for offset in range(1, 5):
        _take(world, monday + timedelta(days=offset), {amina: ("late", 20, None)})
    rows = _week(world, monday)
    assert [line.day for line in rows["carlos"].days] == [
        date(2026, 10, 13),
        date(2026, 10, 14),
        date(2026, 10, 15),
        date(2026, 10, 16),
    ]
    assert rows["carlos"].result.hours_scheduled == Decimal("24.00")
    # Amina: 4 × (6 h − 20 min) = 22 h 40 = 1,360 min; $230 × 1,360 / 1,440 = $217.22.
    assert rows["amina"].result.attended_minutes == 1360
    assert rows["amina"].result.amount == Decimal("217.22")


def test_a_site_closure_is_not_a_class_day(world):
    site_id = world["cohort"].site_id
    db.session.add(ClosureDay(site_id=site_id, day=START + timedelta(days=4), reason="Tempête"))
    db.session.commit()
    for offset in range(4):
        _take(world, START + timedelta(days=offset))
    row = _week(world, START)["amina"].result
    assert row.hours_scheduled == Decimal("24.00") and row.days_not_taken == 0


def test_days_not_taken_are_reported_apart(world):
    for offset in range(3):
        _take(world, START + timedelta(days=offset))
    row = _week(world, START)["mei"].result
    assert (row.days_not_taken, row.not_taken_minutes) == (2, 2 * DAY)
    assert row.hours_scheduled == Decimal("30.00") and row.hours_attended == Decimal("18.00")
    assert row.hours_unjustified == Decimal("0.00")
    assert row.amount == Decimal("230.00") and not row.complete


def test_justified_days_are_counted_across_weeks_of_the_course(world):
    # N = 2 for this test: Mei is justified-absent Mon-Tue of week 1 (both counted) and
    # Monday of week 2 (not counted any more).
    mei = world["students"]["mei"].id
    settings = AllowanceSettings(Decimal("230.00"), "prorated", Fraction(4, 5), 2)
    for offset in range(5):
        change = {mei: ("justified", None, "maladie")} if offset < 2 else {}
        _take(world, START + timedelta(days=offset), change)
    for offset in range(5):
        change = {mei: ("justified", None, "maladie")} if offset == 0 else {}
        _take(world, START + timedelta(weeks=1, days=offset), change)
    week1 = _week(world, START, settings)["mei"].result
    assert (week1.justified_days, week1.justified_days_counted) == (2, 2)
    assert week1.amount == Decimal("230.00")
    week2 = _week(world, START + timedelta(weeks=1), settings)["mei"].result
    assert (week2.justified_days, week2.justified_days_counted) == (1, 0)
    assert week2.amount == Decimal("184.00")  # $230 × 24 / 30


# --- reports and CSV ------------------------------------------------------------------------------


def _mixed_week(world):
    """Week 2 with a mix of statuses; returns its Monday."""
    s = world["students"]
    monday = START + timedelta(weeks=1)
    plan = {
        0: {s["amina"].id: ("late", 20, None), s["carlos"].id: ("absent", None, None)},
        1: {s["mei"].id: ("justified", None, "rendez-vous-medical")},
        2: {s["amina"].id: ("left_early", 45, None)},
        3: {s["carlos"].id: ("late", 5, None), s["mei"].id: ("absent", None, None)},
    }
    for offset in range(5):
        _take(world, monday + timedelta(days=offset), plan.get(offset, {}))
    return monday


def _parse_csv(response):
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode()), "UTF-8 with BOM for Excel"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_allowance_csv_totals_equal_the_attendance_records(server, world):
    monday = _mixed_week(world)
    client = client_for(server, world["teacher"])
    response = client.get(
        f"/cohorts/{world['cohort'].id}/allowance.csv?week={monday + timedelta(days=2)}"
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _parse_csv(response)
    assert list(rows[0]) == [
        "week_start",
        "cohort",
        "student_email",
        "student_name",
        "hours_scheduled",
        "hours_attended",
        "hours_justified",
        "hours_unjustified_absence",
        "days_not_taken",
        "eligible",
        "amount",
    ]
    assert {r["week_start"] for r in rows} == {monday.isoformat()}
    by_email = {r["student_email"]: r for r in rows}
    # Amina: late 20 min and left 45 min early: 30 h − 65 min = 28 h 55 = 28.92 h;
    # $230 × 1,735 / 1,800 = $221.69.
    assert by_email["amina@example.org"]["hours_attended"] == "28.92"
    assert by_email["amina@example.org"]["amount"] == "221.69"
    assert by_email["amina@example.org"]["eligible"] == "1"
    # Mei: one justified day (counted), one absence: 24 h counted of 30 → $184.00.
    assert by_email["mei@example.org"]["hours_justified"] == "6.00"
    assert by_email["mei@example.org"]["hours_unjustified_absence"] == "6.00"
    assert by_email["mei@example.org"]["amount"] == "184.00"

    # The other way: straight from the attendance records of the cohort and week.
    db.session.rollback()
    in_week = (
        AttendanceRecord.cohort_id == world["cohort"].id,
        AttendanceRecord.day >= monday,
        AttendanceRecord.day <= monday + timedelta(days=6),
    )
    scheduled, attended = db.session.execute(
        select(
            func.sum(AttendanceRecord.scheduled_minutes),
            func.sum(AttendanceRecord.attended_minutes),
        ).where(*in_week)
    ).one()
    justified = db.session.scalar(
        select(func.sum(AttendanceRecord.scheduled_minutes)).where(
            *in_week, AttendanceRecord.status == "justified"
        )
    )

    def total(column):
        return sum(Decimal(r[column]) for r in rows)

    assert total("hours_scheduled") == Decimal(scheduled) / 60
    assert total("hours_justified") == Decimal(justified) / 60
    # Hours per row are rounded to the cent: compare in minutes.
    attended_csv = sum(round(Decimal(r["hours_attended"]) * 60) for r in rows)
    assert attended_csv == attended
    unjustified_csv = sum(round(Decimal(r["hours_unjustified_absence"]) * 60) for r in rows)
    assert unjustified_csv == scheduled - attended - justified
    # The page shows the same totals.
    page = client.get(f"/cohorts/{world['cohort'].id}/allowance?week={monday}").get_data(True)
    assert "Total (3 élèves)" in page
    assert f"{attended // 60}\u00a0h\u00a0{attended % 60:02d}" in page


def test_threshold_rule_from_the_programme_settings_applies_to_the_report(server, world):
    set_setting("allowance_rule", "threshold")
    db.session.commit()
    monday = _mixed_week(world)
    client = client_for(server, world["coordinator"])
    rows = _parse_csv(client.get(f"/cohorts/{world['cohort'].id}/allowance.csv?week={monday}"))
    amounts = {r["student_email"]: (r["eligible"], r["amount"]) for r in rows}
    assert amounts["amina@example.org"] == ("1", "230.00")  # 96 %
    # Carlos: absent Monday (6 h) and late 5 min: 23 h 55 / 30 h = 79.7 % < 80 %: nothing.
    assert amounts["carlos@example.org"] == ("0", "0.00")
    # Mei: 18 h present + 6 h justified (counted) = 24 h / 30 h = 80 %: the full amount.
    assert amounts["mei@example.org"] == ("1", "230.00")


def test_site_report_lists_the_cohorts_of_the_site_and_only_them(
    server, world, make_cohort, make_user, enrol
):
    site = db.session.get(Site, world["cohort"].site_id)
    sibling = make_cohort(site=site, start_on=START, code="SIBLING")
    enrol(make_user(name="Nour Sibling", email="nour@example.org"), sibling)
    monday = _mixed_week(world)
    client = client_for(server, world["coordinator"])
    page = client.get(f"/sites/{site.id}/allowance?week={monday}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "SIBLING" in text and "Nour Sibling" in text and "Amina Haddad" in text
    rows = _parse_csv(client.get(f"/sites/{site.id}/allowance.csv?week={monday}"))
    assert {r["cohort"] for r in rows} == {world["cohort"].code, "SIBLING"}
    nour = next(r for r in rows if r["student_email"] == "nour@example.org")
    assert (nour["days_not_taken"], nour["eligible"], nour["amount"]) == ("5", "0", "0.00")


@pytest.mark.parametrize(
    ("role", "cohort_status", "site_status"),
    [
        ("teacher", 200, 403),
        ("other_teacher", 404, 403),
        ("coordinator", 200, 200),
        ("other_coordinator", 404, 404),
        ("admin", 200, 200),
        ("student", 403, 403),
    ],
)
def test_allowance_reports_by_role(server, world, role, cohort_status, site_status):
    client = client_for(server, world[role])
    cohort, site_id = world["cohort"].id, world["cohort"].site_id
    assert client.get(f"/cohorts/{cohort}/allowance").status_code == cohort_status
    assert client.get(f"/cohorts/{cohort}/allowance.csv").status_code == cohort_status
    assert client.get(f"/sites/{site_id}/allowance").status_code == site_status
    assert client.get(f"/sites/{site_id}/allowance.csv").status_code == site_status


def test_allowance_reports_send_anonymous_users_to_login_and_404_unknown_sites(server, world):
    client = server.test_client()
    for path in (
        f"/cohorts/{world['cohort'].id}/allowance",
        f"/sites/{world['cohort'].site_id}/allowance.csv",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    admin = client_for(server, world["admin"])
    assert admin.get("/sites/999999/allowance").status_code == 404
    assert admin.get(f"/sites/{world['cohort'].site_id}/allowance?week=hier").status_code == 400


def test_report_week_navigation(server, world):
    client = client_for(server, world["teacher"])
    page = client.get(f"/cohorts/{world['cohort'].id}/allowance?week=2026-09-24").get_data(True)
    assert "Semaine du 21 sept. 2026 au 27 sept. 2026" in page
    assert "semaine 2 du cours" in page
    assert "week=2026-09-14" in page and "week=2026-09-28" in page
    # Default: the current week (today is Friday 30 October).
    default = client.get(f"/cohorts/{world['cohort'].id}/allowance").get_data(True)
    assert "Semaine du 26 oct. 2026 au 1 nov. 2026" in default


def _students(make_user, enrol, cohort, n):
    for i in range(n):
        enrol(make_user(name=f"Élève {i:02d}"), cohort)


@pytest.mark.parametrize("path", ["/cohorts/{c}/allowance", "/cohorts/{c}/allowance.csv"])
def test_cohort_report_query_count_does_not_grow_with_students(
    server, make_user, make_cohort, enrol, count_queries, monkeypatch, path
):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    teacher = make_user(Role.TEACHER.value)
    small = make_cohort(teachers=(teacher,), start_on=START)
    large = make_cohort(teachers=(teacher,), start_on=START)
    _students(make_user, enrol, small, 5)
    _students(make_user, enrol, large, 40)
    for cohort in (small, large):
        _take_all_present(cohort, teacher, START)
    client = client_for(server, teacher)
    counts = []
    for cohort in (small, large):
        url = path.format(c=cohort.id) + f"?week={START}"
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_site_report_query_count_does_not_grow_with_students(
    server, make_user, make_region, make_cohort, enrol, count_queries, monkeypatch
):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    coordinator = make_user(Role.COORDINATOR.value)
    region = make_region(coordinators=(coordinator,))
    small = make_cohort(region=region, start_on=START)
    large = make_cohort(region=region, start_on=START)
    _students(make_user, enrol, small, 5)
    _students(make_user, enrol, large, 40)
    extra = make_cohort(site=db.session.get(Site, large.site_id), start_on=START)
    _students(make_user, enrol, extra, 3)
    for cohort in (small, large, extra):
        _take_all_present(cohort, coordinator, START)
    client = client_for(server, coordinator)
    counts = []
    for cohort in (small, large):
        for suffix in ("", ".csv"):
            with count_queries() as statements:
                response = client.get(f"/sites/{cohort.site_id}/allowance{suffix}?week={START}")
                assert response.status_code == 200
            counts.append(len(statements))
    assert counts[:2] == counts[2:], counts


def _take_all_present(cohort, actor, monday):
    from lms.attendance.queries import enrolled_on

    for offset in range(5):
        day = monday + timedelta(days=offset)
        entries = [Entry(sid, "present") for sid, _n, _e in enrolled_on(cohort.id, day)]
        save_attendance(cohort, day, entries, actor=actor, expected_version=0, today=TODAY)
    db.session.commit()


def test_the_allowance_csv_of_a_demo_cohort_equals_its_attendance_grid(runner, server):
    """On the demo data: last week's allowance CSV of FTC2-CDN-A (week 5) against the sums of
    the attendance grid's records for the same cohort and week, computed the other way."""
    from lms.catalog.models import Cohort

    assert runner.invoke(args=["lms", "courses", "load"]).exit_code == 0
    assert runner.invoke(args=["lms", "demo", "--password", "mot-de-passe-demo"]).exit_code == 0
    db.session.rollback()
    cohort = db.session.scalar(select(Cohort).where(Cohort.code == "FTC2-CDN-A"))
    today = clock.today()
    monday = today - timedelta(days=today.weekday() + 7)  # last week, fully taken
    client = server.test_client()
    token = client.get("/auth/login").get_data(as_text=True).split('name="csrf_token"')[1]
    token = token.split('value="')[1].split('"')[0]
    client.post(
        "/auth/login",
        data={"email": "prof@demo.lms", "password": "mot-de-passe-demo", "csrf_token": token},
    )
    response = client.get(f"/cohorts/{cohort.id}/allowance.csv?week={monday}")
    assert response.status_code == 200
    rows = _parse_csv(response)
    assert len(rows) >= 13

    in_week = (
        AttendanceRecord.cohort_id == cohort.id,
        AttendanceRecord.day >= monday,
        AttendanceRecord.day <= monday + timedelta(days=6),
    )
    scheduled, attended = db.session.execute(
        select(
            func.sum(AttendanceRecord.scheduled_minutes),
            func.sum(AttendanceRecord.attended_minutes),
        ).where(*in_week)
    ).one()
    justified = db.session.scalar(
        select(func.coalesce(func.sum(AttendanceRecord.scheduled_minutes), 0)).where(
            *in_week, AttendanceRecord.status == "justified"
        )
    )
    assert scheduled > 0
    csv_attended = sum(Decimal(r["hours_attended"]) for r in rows)
    csv_scheduled = sum(Decimal(r["hours_scheduled"]) for r in rows)
    csv_justified = sum(Decimal(r["hours_justified"]) for r in rows)
    # Each row is rounded to the hundredth of an hour: allow that rounding, no more.
    tolerance = Decimal("0.005") * len(rows)
    assert abs(csv_attended - Decimal(attended) / 60) <= tolerance
    assert abs(csv_scheduled - Decimal(scheduled) / 60) <= tolerance
    assert abs(csv_justified - Decimal(justified) / 60) <= tolerance
    assert all(r["days_not_taken"] == "0" for r in rows)
