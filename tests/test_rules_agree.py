"""One definition per follow-up rule: every user of a rule gives the same answer on the same
situations (the teacher's dashboard, the alert rule, the quality criterion, the quality
dashboard)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from lms import clock
from lms.alerts import engine
from lms.alerts import risk as alert_risk
from lms.alerts.models import Alert
from lms.alerts.rules import active_pairs
from lms.attendance import queries as attendance_queries
from lms.attendance import weeks as attendance_weeks
from lms.attendance.models import AttendanceDay
from lms.auth.models import Role
from lms.catalog import queries as catalog_queries
from lms.catalog.models import Cohort, Course, Enrolment
from lms.extensions import db
from lms.followup.models import FollowUpNote
from lms.followup.queries.dashboard import dashboard as followup_dashboard
from lms.followup.queries.file import student_enrolments
from lms.followup.queries.people import student_cohort_in_scope
from lms.learning import queries as learning_queries
from lms.programme.calendar import is_holiday
from lms.programme.models import ClosureDay
from lms.quality.criteria.catalogue import CRITERIA
from lms.quality.criteria.engine import Subject, members
from lms.quality.queries.dashboard import cohort_infos
from lms.quality.queries.indicators import collect
from lms.quality.queries.metrics import Period

START = date(2026, 9, 14)  # a Monday
CADENCE = 14  # the programme's default: an interview every two weeks


def _interview(student, cohort, day: date) -> None:
    db.session.add(
        FollowUpNote(
            student_id=student.id,
            cohort_id=cohort.id,
            note_type="entretien",
            reason="apprentissage",
            held_on=day,
            summary="Entretien de suivi.",
        )
    )


@pytest.fixture
def cadence_world(app, make_user, make_region, make_cohort, enrol):
    """Three students of one cohort that started on 14 Sept.:

    - ``moved``: interviewed on 7 Aug. in an earlier cohort, then joined this one on 14 Sept.
      (the cross-cohort case: the earlier interview does not count here);
    - ``met``: interviewed on 21 Sept. in this cohort;
    - ``never``: never interviewed.
    """
    teacher = make_user(Role.TEACHER.value)
    region = make_region()
    earlier = make_cohort(region=region, teachers=(teacher,), start_on=date(2026, 5, 25))
    cohort = make_cohort(region=region, teachers=(teacher,), start_on=START)
    moved, met, never = (make_user(name=name) for name in ("Moved", "Met", "Never"))
    enrol(moved, earlier, end_on=earlier.end_on)
    for student in (moved, met, never):
        enrol(student, cohort)
    _interview(moved, earlier, date(2026, 8, 7))
    _interview(met, cohort, date(2026, 9, 21))
    db.session.commit()
    return {"cohort": cohort, "moved": moved, "met": met, "never": never}


def _overdue_by_dashboard(cohort: Cohort, today: date) -> set[int]:
    course = db.session.get(Course, cohort.course_id)
    rows = followup_dashboard(cohort, course, today, CADENCE)
    return {r.student.id for r in rows if r.cadence.status == "overdue"}


def _overdue_by_alert_rule(today: date, monkeypatch) -> set[int]:
    now = datetime(today.year, today.month, today.day, 15, 0, tzinfo=UTC)
    monkeypatch.setattr(clock, "utcnow", lambda: now)
    monkeypatch.setattr(clock, "today", lambda: today)
    engine.scan(today=today, now=now, only={"interview_overdue"})
    db.session.flush()
    ids = set(
        db.session.scalars(
            select(Alert.student_id).where(
                Alert.rule_code == "interview_overdue", Alert.open_key.is_not(None)
            )
        )
    )
    db.session.rollback()
    return ids


def _overdue_by_criterion(cohort: Cohort, today: date) -> set[int]:
    criterion = CRITERIA["interviews_on_cadence"]
    subject = Subject("s", cohort, today, criterion.effective({}))
    outcome = criterion.compute([subject])["s"]
    return {row[0] for row in outcome.figures["late"]}


def _overdue_by_quality_dashboard(cohort: Cohort, today: date) -> set[int]:
    assert today.weekday() == 4, "the quality dashboard checks the cadence on Fridays"
    scope = select(Cohort.id).where(Cohort.id == cohort.id)
    infos = cohort_infos(scope)
    period = Period(today, today, today)
    buckets = collect(scope, period, infos, by_student=True)
    return {
        student_id
        for (_cohort, _month, student_id), m in buckets.items()
        if m.cadence_checks and not m.cadence_ok
    }


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        # 25 Sept.: `moved` is due on 28 Sept. (14 days after joining), not on 21 Aug.
        (date(2026, 9, 25), set()),
        # 2 Oct.: `moved` and `never` are late (due 28 Sept.); `met` is due on 5 Oct.
        (date(2026, 10, 2), {"moved", "never"}),
        # 9 Oct.: everyone is late.
        (date(2026, 10, 9), {"moved", "met", "never"}),
    ],
)
def test_interview_cadence_is_the_same_for_the_dashboard_the_alert_and_quality(
    cadence_world, monkeypatch, today, expected
):
    cohort = cadence_world["cohort"]
    want = {cadence_world[name].id for name in expected}
    assert _overdue_by_dashboard(cohort, today) == want
    assert _overdue_by_criterion(cohort, today) == want
    assert _overdue_by_quality_dashboard(cohort, today) == want
    assert _overdue_by_alert_rule(today, monkeypatch) == want


# --- "active on a day" (lms.catalog.models: Enrolment.active_on and its Python twin) -------------

GONE_ON = date(2026, 10, 2)  # a Friday: `gone` withdraws, `moved` leaves for another cohort
JOINS_ON = date(2026, 10, 5)  # a Monday: `late` joins, `moved` starts in the other cohort
THANKSGIVING = date(2026, 10, 12)


@pytest.fixture
def roll_world(app, make_user, make_region, make_cohort, enrol):
    """One cohort that started on 14 Sept., and another one of the same teacher:

    - ``stays``: enrolled from the start, no end;
    - ``late``: joins on Monday 5 Oct. (an enrolment that starts mid-cohort);
    - ``gone``: withdrew on Friday 2 Oct. (the day of the withdrawal);
    - ``moved``: transferred to the other cohort: here until Friday 2 Oct., there from 5 Oct.
    """
    teacher = make_user(Role.TEACHER.value)
    region = make_region()
    cohort = make_cohort(region=region, teachers=(teacher,), start_on=START)
    other = make_cohort(region=region, teachers=(teacher,), start_on=START)
    people = {name: make_user(name=name.title()) for name in ("stays", "late", "gone", "moved")}
    enrol(people["stays"], cohort)
    enrol(people["late"], cohort, start_on=JOINS_ON)
    enrol(people["gone"], cohort, status="withdrawn", end_on=GONE_ON, withdrawal_reason="emploi")
    enrol(people["moved"], cohort, status="transferred", end_on=GONE_ON)
    enrol(people["moved"], other, start_on=JOINS_ON)
    return {"teacher": teacher, "cohort": cohort, "other": other, **people}


def _pairs(day: date, cohort: Cohort) -> set[int]:
    pairs = active_pairs(day, [cohort.id])
    return set(db.session.scalars(select(pairs.c.student_id)))


def _members(day: date, cohort: Cohort) -> set[int]:
    subject = Subject("s", cohort, day, {})
    return set(members([subject], active_on_as_of=True)["s"])


def _interviewed_students(day: date, cohort: Cohort) -> int:
    criterion = CRITERIA["interviews_on_cadence"]
    subject = Subject("s", cohort, day, criterion.effective({}))
    return criterion.compute([subject])["s"].figures["students"]


def _cadence_checked(day: date, cohort: Cohort) -> set[int]:
    scope = select(Cohort.id).where(Cohort.id == cohort.id)
    infos = cohort_infos(scope)
    period = Period(day, day, day)
    buckets = collect(scope, period, infos, by_student=True)
    return {sid for (_c, _m, sid), m in buckets.items() if m.cadence_checks}


def _allowance_days(day: date, cohort: Cohort) -> set[int]:
    settings = attendance_weeks.allowance_settings()
    rows = attendance_weeks.weekly_allowance([cohort], day, settings)
    return {r.student_id for r in rows if any(line.day == day for line in r.days)}


@pytest.mark.parametrize(
    ("day", "active", "to_come"),
    [
        # Before the withdrawal and the move: both were there (a past day reads the same
        # whatever was recorded since); `late` has not started yet.
        (date(2026, 9, 25), {"stays", "gone", "moved"}, {"late"}),
        # The day of the withdrawal and of the move: the last day of those enrolments.
        (GONE_ON, {"stays", "gone", "moved"}, {"late"}),
        # The first day of `late`: the others have left.
        (JOINS_ON, {"stays", "late"}, set()),
        # A holiday: nobody's enrolment depends on the calendar (no class, no allowance hour).
        (THANKSGIVING, {"stays", "late"}, set()),
        (date(2026, 10, 16), {"stays", "late"}, set()),
    ],
)
def test_who_is_active_on_a_day_is_the_same_for_every_page_alert_and_criterion(
    roll_world, day, active, to_come
):
    cohort = roll_world["cohort"]
    want = {roll_world[name].id for name in active}
    on_the_roll = want | {roll_world[name].id for name in to_come}
    # Attendance: the grid of the day and the weekly allowance (on class days).
    assert {sid for sid, _name, _email in attendance_queries.enrolled_on(cohort.id, day)} == want
    assert {r.student_id for r in attendance_queries.grid(cohort.id, day).rows} == want
    if not is_holiday(day):
        assert _allowance_days(day, cohort) == want
    # The catalogue's list of cohorts: « active students ».
    rows, _total = catalog_queries.cohort_list(roll_world["teacher"], today=day)
    [row] = [r for r in rows if r.cohort.id == cohort.id]
    assert row.active_students == len(want)
    # The alerts: the students every student rule looks at, and the at-risk page.
    assert _pairs(day, cohort) == want
    assert {r.student_id for r in alert_risk.at_risk(cohort, day)} == want
    # Quality: the criteria's students, and the dashboard's cadence checks (on Fridays).
    assert _members(day, cohort) == want
    assert _interviewed_students(day, cohort) == len(want)
    if day.weekday() == 4:
        assert _cadence_checked(day, cohort) == want
    # Follow-up: the teacher's dashboard and the student's file list those still to come too.
    course = db.session.get(Course, cohort.course_id)
    dashboard = followup_dashboard(cohort, course, day, CADENCE)
    assert {r.student.id for r in dashboard} == on_the_roll
    current = {
        line.enrolment.student_id
        for name in ("stays", "late", "gone", "moved")
        for line in student_enrolments(roll_world[name].id)
        if line.cohort.id == cohort.id and line.is_current(day)
    }
    assert current == on_the_roll


@pytest.mark.parametrize(
    ("day", "expected"),
    [(date(2026, 9, 25), "cohort"), (GONE_ON, "cohort"), (JOINS_ON, "other")],
)
def test_a_moved_students_current_cohort_is_the_one_active_that_day(roll_world, day, expected):
    moved, want = roll_world["moved"], roll_world[expected].id
    enrolment, cohort, _course = attendance_weeks.current_enrolment(moved.id, day)
    assert cohort.id == want
    assert learning_queries.current_course(moved.id, day).cohort.id == want
    teacher = roll_world["teacher"]
    assert student_cohort_in_scope(teacher, moved.id, day) == want


def test_the_python_twin_of_active_on_agrees_with_the_sql(roll_world):
    days = [START + timedelta(days=n) for n in range(-3, 90)]
    rows = db.session.scalars(select(Enrolment)).all()
    for day in days:
        in_sql = set(db.session.scalars(select(Enrolment.id).where(Enrolment.active_on(day))))
        assert in_sql == {e.id for e in rows if e.is_active_on(day)}, day


# --- the exit follow-up after a withdrawal (lms.followup.rules.exit_followup) -----------------


def _exit_note(student, cohort, held_on, *, due_on=None, done_on=None) -> None:
    db.session.add(
        FollowUpNote(
            student_id=student.id,
            cohort_id=cohort.id,
            note_type="sortie",
            reason="emploi",
            held_on=held_on,
            summary="Suivi de départ.",
            due_on=due_on,
            done_on=done_on,
            outcome="Joint·e." if done_on else "",
        )
    )


@pytest.fixture
def exit_world(app, make_user, make_region, make_cohort, enrol):
    """Students who all withdrew on Friday 2 Oct. from a cohort that started on 14 Sept.:

    - ``same_day``: exit note opened the day of the withdrawal, due 9 Oct., not done;
    - ``before``: a call 14 days before the withdrawal, done (it counts);
    - ``too_early``: a call 15 days before, done (it does not count);
    - ``none``: no exit note;
    - ``moved``: went on to another cohort on 5 Oct.; the exit note, written from the file on
      6 Oct. (due 13 Oct.), is filed under the new cohort: it counts all the same;
    - ``later``: exit note opened on 8 Oct. only (due 15 Oct.).
    """
    teacher = make_user(Role.TEACHER.value)
    region = make_region()
    cohort = make_cohort(region=region, teachers=(teacher,), start_on=START)
    other = make_cohort(region=region, teachers=(teacher,), start_on=START)
    names = ("same_day", "before", "too_early", "none", "moved", "later")
    people = {name: make_user(name=name.title()) for name in names}
    for student in people.values():
        enrol(student, cohort, status="withdrawn", end_on=GONE_ON, withdrawal_reason="emploi")
    enrol(people["moved"], other, start_on=JOINS_ON)
    _exit_note(people["same_day"], cohort, GONE_ON, due_on=date(2026, 10, 9))
    _exit_note(people["before"], cohort, date(2026, 9, 18), done_on=date(2026, 9, 18))
    _exit_note(people["too_early"], cohort, date(2026, 9, 17), done_on=date(2026, 9, 17))
    _exit_note(people["moved"], other, date(2026, 10, 6), due_on=date(2026, 10, 13))
    _exit_note(people["later"], cohort, date(2026, 10, 8), due_on=date(2026, 10, 15))
    db.session.commit()
    return {"cohort": cohort, **people}


def _scan(rule: str, now: datetime, monkeypatch) -> list[Alert]:
    """Run one alert rule at ``now`` (the clock frozen there); the open alerts, rolled back."""
    today = clock.local_date(now)
    monkeypatch.setattr(clock, "utcnow", lambda: now)
    monkeypatch.setattr(clock, "today", lambda: today)
    engine.scan(today=today, now=now, only={rule})
    db.session.flush()
    found = list(
        db.session.scalars(
            select(Alert).where(Alert.rule_code == rule, Alert.open_key.is_not(None))
        )
    )
    evidence = [(a.student_id, a.cohort_id, dict(a.evidence)) for a in found]
    db.session.rollback()
    return evidence


def _quebec(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=clock.QUEBEC).astimezone(UTC)


@pytest.mark.parametrize(
    ("day", "missing", "overdue"),
    [
        # The day of the withdrawal: the note opened that day counts; 6 Oct. is still to come.
        (GONE_ON, {"too_early", "none", "moved", "later"}, {}),
        (date(2026, 10, 7), {"too_early", "none", "later"}, {}),
        # A holiday changes nothing; `same_day`'s note was due on 9 Oct. and is not done.
        (THANKSGIVING, {"same_day", "too_early", "none"}, {"same_day": "2026-10-09"}),
    ],
)
def test_the_exit_follow_up_is_the_same_for_the_alert_and_the_criterion(
    exit_world, monkeypatch, day, missing, overdue
):
    cohort = exit_world["cohort"]
    want = {exit_world[name].id for name in missing}
    alerts = _scan("withdrawal_without_exit", _quebec(day, 12), monkeypatch)
    assert {student_id for student_id, _cohort, _e in alerts} == want
    assert {cohort_id for _s, cohort_id, _e in alerts} == {cohort.id}
    assert {student_id: e["exit_due"] for student_id, _c, e in alerts if e["exit_due"]} == {
        exit_world[name].id: due for name, due in overdue.items()
    }
    criterion = CRITERIA["withdrawals_exit_followup"]
    outcome = criterion.compute([Subject("s", cohort, day, criterion.effective({}))])["s"]
    assert outcome.figures["withdrawals"] == 6
    assert {row[0] for row in outcome.figures["missing"]} == want


# --- « présences non saisies » (lms.attendance.queries.attendance_not_taken) --------------------

CLASS_START = date(2026, 10, 5)  # a Monday
CLOSED_ON = date(2026, 10, 7)  # a Wednesday: the site is closed


@pytest.fixture
def taken_world(app, make_user, make_region, make_cohort, enrol):
    """A cohort that started on Monday 5 Oct. (a student from the start, another from Thursday
    8 Oct.); the site is closed on Wednesday 7 Oct.; Monday 12 Oct. is Thanksgiving. Attendance
    was taken on 5, 6 and 9 Oct.: not on Thursday 8 Oct., nor on 13 and 14 Oct."""
    teacher = make_user(Role.TEACHER.value)
    cohort = make_cohort(region=make_region(), teachers=(teacher,), start_on=CLASS_START)
    enrol(make_user(name="Depuis le début"), cohort)
    enrol(make_user(name="Arrivée jeudi"), cohort, start_on=date(2026, 10, 8))
    db.session.add(ClosureDay(site_id=cohort.site_id, day=CLOSED_ON, reason="Panne"))
    for day in (date(2026, 10, 5), date(2026, 10, 6), date(2026, 10, 9)):
        db.session.add(AttendanceDay(cohort_id=cohort.id, day=day))
    db.session.commit()
    return {"teacher": teacher, "cohort": cohort}


def _missing_on_the_attendance_page(client, cohort: Cohort, day: date) -> list[str]:
    page = client.get(f"/cohorts/{cohort.id}/attendance?day={day.isoformat()}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    section = html[html.index('id="missing-title"') :]
    section = section[: section.index("</section>")]
    return re.findall(r"day=(\d{4}-\d{2}-\d{2})", section)


@pytest.mark.parametrize(
    ("now", "missing"),
    [
        # Tuesday morning: Thursday is missing (Wednesday was closed, Monday a holiday).
        (_quebec(date(2026, 10, 13), 10), ["2026-10-08"]),
        # Tuesday from 17:00: the day itself is due.
        (_quebec(date(2026, 10, 13), 17), ["2026-10-08", "2026-10-13"]),
        (_quebec(date(2026, 10, 14), 16, 59), ["2026-10-08", "2026-10-13"]),
        (_quebec(date(2026, 10, 14), 17), ["2026-10-08", "2026-10-13", "2026-10-14"]),
    ],
)
def test_attendance_not_taken_is_the_same_for_the_page_the_alert_and_the_criterion(
    taken_world, client, login_as, monkeypatch, now, missing
):
    cohort = taken_world["cohort"]
    alerts = _scan("attendance_not_taken", now, monkeypatch)  # freezes the clock at `now`
    assert [e["dates"] for _s, _c, e in alerts] == [missing]
    today = clock.local_date(now)
    criterion = CRITERIA["attendance_recorded"]
    outcome = criterion.compute([Subject("s", cohort, today, criterion.effective({}))])["s"]
    assert outcome.figures["missing"] == missing
    login_as(taken_world["teacher"])
    assert _missing_on_the_attendance_page(client, cohort, CLASS_START) == missing
