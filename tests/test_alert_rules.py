"""Each rule: the situation gives exactly one alert with its evidence; just under the
threshold, none. Plus the scan's idempotence, clearing, concurrency and query count."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from lms import clock
from lms.alerts import engine
from lms.alerts.models import Alert, AlertRuleSetting, Notification
from lms.alerts.rules import RULES
from lms.attendance.models import AttendanceDay, AttendanceRecord
from lms.auth.models import Role, User
from lms.catalog.models import Course, Enrolment
from lms.extensions import db
from lms.followup.models import FollowUpNote, LevelAssessment
from lms.learning.models import Attempt, Exercise, Production

START = date(2026, 9, 14)  # a Monday
TODAY = date(2026, 10, 2)  # Friday of week 3
NOW = datetime(2026, 10, 2, 14, 0, tzinfo=UTC)  # 10:00 in Quebec
DAYS = [START + timedelta(days=d) for d in range(19) if (START + timedelta(days=d)).weekday() < 5]


@pytest.fixture
def frozen(monkeypatch):
    def freeze(now: datetime):
        monkeypatch.setattr(clock, "utcnow", lambda: now)
        monkeypatch.setattr(clock, "today", lambda: now.astimezone(clock.QUEBEC).date())

    freeze(NOW)
    return freeze


@pytest.fixture
def world(app, make_user, make_region, make_cohort, enrol, frozen):
    teacher = make_user(Role.TEACHER.value)
    coordinator = make_user(Role.COORDINATOR.value)
    region = make_region(coordinators=(coordinator,))
    cohort = make_cohort(region=region, teachers=(teacher,), start_on=START)
    student = make_user(name="Amina Haddad")
    enrolment = enrol(student, cohort)
    return {
        "teacher": teacher,
        "coordinator": coordinator,
        "cohort": cohort,
        "student": student,
        "enrolment": enrolment,
    }


def attend(student, cohort, statuses: dict[date, tuple[str, int]] | None = None, days=DAYS):
    """Take attendance on ``days`` (present unless ``statuses`` says otherwise)."""
    statuses = statuses or {}
    for day in days:
        if (
            db.session.scalar(
                select(AttendanceDay.id).where(
                    AttendanceDay.cohort_id == cohort.id, AttendanceDay.day == day
                )
            )
            is None
        ):
            db.session.add(AttendanceDay(cohort_id=cohort.id, day=day))
        status, minutes = statuses.get(day, ("present", 0))
        attended = (
            360
            if status == "present"
            else (360 - minutes if status in ("late", "left_early") else 0)
        )
        db.session.add(
            AttendanceRecord(
                cohort_id=cohort.id,
                student_id=student.id,
                day=day,
                status=status,
                minutes=minutes,
                scheduled_minutes=360,
                attended_minutes=attended,
                reason="maladie" if status == "justified" else None,
            )
        )
    db.session.commit()


def scan(**kwargs):
    counts = engine.scan(**kwargs)
    db.session.commit()
    return counts


def alerts(rule: str) -> list[Alert]:
    return list(
        db.session.scalars(
            select(Alert).where(Alert.rule_code == rule, Alert.open_key.is_not(None))
        )
    )


def only(rule: str):
    return scan(only={rule})


def test_three_consecutive_unjustified_absences_raise_one_critical_alert(world):
    last3 = DAYS[-3:]
    attend(world["student"], world["cohort"], {d: ("absent", 0) for d in last3})
    assert only("absence_streak")["opened"] == 1
    [alert] = alerts("absence_streak")
    assert alert.severity == "critical" and alert.student_id == world["student"].id
    assert alert.evidence == {"count": 3, "dates": [d.isoformat() for d in last3]}
    assert RULES["absence_streak"].describe(alert.evidence) == (
        "3 absences non motivées consécutives : 30 septembre, 1 et 2 octobre."
    )


def test_two_absences_then_a_justified_one_raise_no_streak_alert(world):
    statuses = {DAYS[-1]: ("absent", 0), DAYS[-2]: ("absent", 0), DAYS[-3]: ("justified", 0)}
    attend(world["student"], world["cohort"], statuses)
    assert only("absence_streak")["opened"] == 0


def test_attendance_under_80_percent_over_10_days_raises_one_alert(world):
    absent = {DAYS[-2]: ("absent", 0), DAYS[-5]: ("absent", 0), DAYS[-8]: ("absent", 0)}
    attend(world["student"], world["cohort"], absent)
    assert only("low_attendance")["opened"] == 1
    [alert] = alerts("low_attendance")
    assert alert.evidence["rate"] == 0.7 and alert.evidence["days"] == 10
    assert alert.evidence["attended_minutes"] == 7 * 360
    text = RULES["low_attendance"].describe(alert.evidence)
    assert "Présence de 70 % sur les 10 derniers jours de classe" in text


def test_attendance_at_exactly_80_percent_raises_nothing(world):
    attend(world["student"], world["cohort"], {DAYS[-2]: ("absent", 0), DAYS[-5]: ("absent", 0)})
    assert only("low_attendance")["opened"] == 0


def test_three_late_arrivals_in_10_days_raise_one_alert(world):
    late = {DAYS[-1]: ("late", 20), DAYS[-4]: ("late", 15), DAYS[-7]: ("late", 30)}
    attend(world["student"], world["cohort"], late)
    assert only("repeated_lateness")["opened"] == 1
    [alert] = alerts("repeated_lateness")
    assert alert.evidence["count"] == 3
    assert "20 min" in RULES["repeated_lateness"].describe(alert.evidence)


def test_two_late_arrivals_raise_nothing(world):
    attend(world["student"], world["cohort"], {DAYS[-1]: ("late", 20), DAYS[-4]: ("late", 15)})
    assert only("repeated_lateness")["opened"] == 0


@pytest.fixture
def exercise(world, make_lesson):
    course = db.session.get(Course, world["cohort"].course_id)
    lesson = make_lesson(course, [("cloze", {"text": "[[a]]"})] * 10)
    return db.session.scalars(select(Exercise).where(Exercise.lesson_id == lesson.id)).all()


def _attempt(student, exercise, day: date, score=1.0):
    db.session.add(
        Attempt(
            student_id=student.id,
            exercise_id=exercise.id,
            answer=["a"],
            score=score,
            feedback={"messages": []},
            created_at=datetime.combine(day, datetime.min.time(), clock.QUEBEC).replace(hour=19),
        )
    )
    db.session.commit()


def test_no_online_activity_for_7_days_raises_one_alert(world, exercise):
    _attempt(world["student"], exercise[0], TODAY - timedelta(days=8))
    assert only("no_online_activity")["opened"] == 1
    [alert] = alerts("no_online_activity")
    assert alert.evidence == {"days": 7, "last": "2026-09-24"}


def test_activity_7_days_ago_raises_nothing(world, exercise):
    _attempt(world["student"], exercise[0], TODAY - timedelta(days=7))
    assert only("no_online_activity")["opened"] == 0


def test_low_scores_raise_one_alert(world, exercise):
    for item in exercise[:5]:
        _attempt(world["student"], item, TODAY - timedelta(days=2), score=0.4)
    assert only("low_scores")["opened"] == 1
    [alert] = alerts("low_scores")
    assert alert.evidence["attempts"] == 5 and alert.evidence["mean"] == pytest.approx(0.4)


def test_a_mean_of_50_percent_raises_nothing(world, exercise):
    for item in exercise[:5]:
        _attempt(world["student"], item, TODAY - timedelta(days=2), score=0.5)
    assert only("low_scores")["opened"] == 0


def test_behind_the_course_plan_raises_one_alert(world, exercise):
    # The 10 exercises are in week 1's unit; the cohort is in week 3.
    for item in exercise[:3]:
        _attempt(world["student"], item, TODAY - timedelta(days=1))
    assert only("behind_plan")["opened"] == 1
    [alert] = alerts("behind_plan")
    assert alert.evidence == {"done": 3, "expected": 10, "weeks": 2}


def test_40_percent_of_the_plan_done_raises_nothing(world, exercise):
    for item in exercise[:4]:
        _attempt(world["student"], item, TODAY - timedelta(days=1))
    assert only("behind_plan")["opened"] == 0


def _levels(world, kind: str, levels: dict[str, int], on: date):
    for skill, level in levels.items():
        db.session.add(
            LevelAssessment(
                student_id=world["student"].id,
                cohort_id=world["cohort"].id,
                skill=skill,
                level=level,
                kind=kind,
                assessed_on=on,
            )
        )
    db.session.commit()


def _override(rule: str, course_id: int | None, **params):
    db.session.add(AlertRuleSetting(rule_code=rule, course_id=course_id, params=params))
    db.session.commit()


def test_no_level_gain_at_mid_course_raises_one_alert_with_a_course_override(world):
    _levels(world, "placement", dict(CO=2, PO=2, CE=3, PE=2), START)
    _levels(world, "mid", dict(CO=2, PO=2, CE=3, PE=2), TODAY - timedelta(days=1))
    assert only("no_level_gain")["opened"] == 0  # programme-wide: from week 6 only
    _override("no_level_gain", world["cohort"].course_id, min_week=3)
    assert only("no_level_gain")["opened"] == 1
    [alert] = alerts("no_level_gain")
    assert alert.evidence["levels"]["CE"] == [3, 3]


def test_a_gain_in_one_skill_raises_no_level_alert(world):
    _override("no_level_gain", None, min_week=3)
    _levels(world, "placement", dict(CO=2, PO=2, CE=3, PE=2), START)
    _levels(world, "mid", dict(CO=3, PO=2, CE=3, PE=2), TODAY - timedelta(days=1))
    assert only("no_level_gain")["opened"] == 0


def test_overdue_interview_raises_one_alert(world):
    assert only("interview_overdue")["opened"] == 1  # none since 14 Sept, due on 28 Sept
    [alert] = alerts("interview_overdue")
    assert alert.evidence == {"last": None, "due": "2026-09-28", "late_days": 4, "cadence": 14}


def test_an_interview_within_the_cadence_raises_nothing(world):
    db.session.add(
        FollowUpNote(
            student_id=world["student"].id,
            cohort_id=world["cohort"].id,
            note_type="entretien",
            reason="apprentissage",
            held_on=date(2026, 9, 20),
            summary="Entretien.",
        )
    )
    db.session.commit()
    assert only("interview_overdue")["opened"] == 0


def test_attendance_not_taken_raises_one_alert_for_the_cohort(world):
    attend(world["student"], world["cohort"], days=[d for d in DAYS if d != date(2026, 9, 30)])
    assert only("attendance_not_taken")["opened"] == 1
    [alert] = alerts("attendance_not_taken")
    assert alert.student_id is None and alert.subject_key == f"cohort:{world['cohort'].id}"
    assert alert.evidence == {"dates": ["2026-09-30"]}  # today counts only after 17:00


def test_attendance_taken_every_past_day_raises_nothing(world):
    attend(world["student"], world["cohort"], days=DAYS[:-1])
    assert only("attendance_not_taken")["opened"] == 0


def _production(world, exercise, days_ago: int):
    db.session.add(
        Production(
            student_id=world["student"].id,
            exercise_id=exercise.id,
            cohort_id=world["cohort"].id,
            text="Texte.",
            submitted_at=NOW - timedelta(days=days_ago),
        )
    )
    db.session.commit()


def test_productions_ungraded_for_5_days_raise_one_alert(world, exercise):
    _production(world, exercise[0], 6)
    _production(world, exercise[1], 2)
    assert only("productions_ungraded")["opened"] == 1
    [alert] = alerts("productions_ungraded")
    assert alert.evidence == {"count": 1, "oldest": "2026-09-26", "days": 5}


def test_productions_of_4_days_raise_nothing(world, exercise):
    _production(world, exercise[0], 4)
    assert only("productions_ungraded")["opened"] == 0


def _withdraw(world):
    enrolment = db.session.get(Enrolment, world["enrolment"].id)
    enrolment.status = "withdrawn"
    enrolment.end_on = date(2026, 9, 28)
    db.session.commit()


def test_withdrawal_without_exit_follow_up_raises_one_alert(world):
    _withdraw(world)
    assert only("withdrawal_without_exit")["opened"] == 1
    [alert] = alerts("withdrawal_without_exit")
    assert alert.evidence == {"withdrawn_on": "2026-09-28", "exit_due": None}


def test_withdrawal_with_an_exit_follow_up_under_way_raises_nothing(world):
    _withdraw(world)
    db.session.add(
        FollowUpNote(
            student_id=world["student"].id,
            cohort_id=world["cohort"].id,
            note_type="sortie",
            reason="emploi",
            held_on=date(2026, 9, 28),
            summary="Départ.",
            due_on=date(2026, 10, 5),
        )
    )
    db.session.commit()
    assert only("withdrawal_without_exit")["opened"] == 0


def test_every_rule_has_a_test_here(app):  # the app: higher features register their rules
    tested = {
        "absence_streak",
        "low_attendance",
        "repeated_lateness",
        "no_online_activity",
        "low_scores",
        "behind_plan",
        "no_level_gain",
        "interview_overdue",
        "attendance_not_taken",
        "productions_ungraded",
        "withdrawal_without_exit",
        "corrective_action_overdue",
    }
    assert set(RULES) == tested


# --- the scan ------------------------------------------------------------------------------


def test_running_the_scan_twice_opens_nothing_the_second_time(world):
    attend(world["student"], world["cohort"], {d: ("absent", 0) for d in DAYS[-3:]})
    first = scan()
    assert first["opened"] >= 2  # absence streak, low attendance, interview overdue...
    second = scan()
    assert second["opened"] == 0 and second["kept"] == first["opened"]
    assert db.session.scalar(select(func.count(Alert.id))) == first["opened"]


def test_new_alerts_notify_the_cohorts_teachers(world):
    attend(world["student"], world["cohort"], {d: ("absent", 0) for d in DAYS[-3:]})
    only("absence_streak")
    [note] = db.session.scalars(select(Notification)).all()
    assert note.user_id == world["teacher"].id
    assert note.message == "Absences consécutives : Amina Haddad (" + world["cohort"].code + ")"


def test_an_alert_whose_condition_is_gone_is_cleared(world, frozen):
    attend(world["student"], world["cohort"], {d: ("absent", 0) for d in DAYS[-3:]})
    only("absence_streak")
    frozen(NOW + timedelta(days=3))  # Monday 5 October: present
    attend(world["student"], world["cohort"], days=[date(2026, 10, 5)])
    counts = only("absence_streak")
    assert counts["closed"] == 1 and counts["opened"] == 0
    alert = db.session.scalar(select(Alert))
    assert alert.status == "cleared" and alert.open_key is None


def test_two_scans_at_once_create_no_duplicates(world, app_factory):
    attend(world["student"], world["cohort"], {d: ("absent", 0) for d in DAYS[-3:]})
    results, errors = [], []

    def run():
        worker = app_factory()
        with worker.app_context():
            try:
                from lms.alerts.jobs import run_alert_scan

                results.append(run_alert_scan())
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    opened = sorted(r["opened"] for r in results)
    assert opened[0] == 0 and opened[1] > 0
    db.session.rollback()
    total = db.session.scalar(select(func.count(Alert.id)))
    distinct = db.session.scalar(
        select(func.count(func.distinct(Alert.rule_code + ":" + Alert.subject_key)))
    )
    assert total == distinct == opened[1]


def _many_students(world, make_cohort, count: int):
    """``count`` more students spread over new cohorts of 20, each absent 3 days in a row."""
    from lms.auth.services import hash_password

    hashed = hash_password("x" * 12)
    cohorts = [world["cohort"]] + [
        make_cohort(start_on=START, teachers=(world["teacher"],)) for _ in range(count // 20)
    ]
    offset = db.session.scalar(select(func.count(User.id)))
    for index in range(count):
        cohort = cohorts[index % len(cohorts)]
        user_id = db.session.execute(
            insert(User)
            .values(
                email=f"many{offset + index}@example.org",
                name=f"Élève {index}",
                role="student",
                password_hash=hashed,
                active=True,
                preferred_language="fr",
                session_token="t",
                created_at=NOW,
            )
            .returning(User.id)
        ).scalar_one()
        db.session.execute(
            insert(Enrolment).values(
                student_id=user_id, cohort_id=cohort.id, status="active", start_on=START
            )
        )
        db.session.execute(
            insert(AttendanceRecord),
            [
                {
                    "cohort_id": cohort.id,
                    "student_id": user_id,
                    "day": day,
                    "status": "absent" if day in DAYS[-3:] else "present",
                    "minutes": 0,
                    "scheduled_minutes": 360,
                    "attended_minutes": 0 if day in DAYS[-3:] else 360,
                }
                for day in DAYS
            ],
        )
    for cohort in cohorts:
        existing = set(
            db.session.scalars(
                select(AttendanceDay.day).where(AttendanceDay.cohort_id == cohort.id)
            )
        )
        missing = [
            {"cohort_id": cohort.id, "day": day, "version": 1}
            for day in DAYS
            if day not in existing
        ]
        if missing:
            db.session.execute(insert(AttendanceDay), missing)
    db.session.commit()


def _count_scan() -> tuple[int, dict]:
    from sqlalchemy import event

    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        counts = scan()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements), counts, statements


def test_scan_query_count_is_the_same_for_20_and_500_students(world, make_cohort):
    _many_students(world, make_cohort, 19)
    small, counts_small, _ = _count_scan()
    assert counts_small["opened"] >= 20
    db.session.execute(Notification.__table__.delete())
    db.session.execute(Alert.__table__.delete())
    db.session.commit()
    _many_students(world, make_cohort, 480)
    large, counts_large, statements = _count_scan()
    assert counts_large["opened"] >= 500
    from collections import Counter

    assert small == large, Counter(s[:80] for s in statements).most_common(5)


def test_critical_alert_escalates_after_two_working_days(world, frozen):
    thursday = datetime(2026, 10, 1, 14, 0, tzinfo=UTC)
    frozen(thursday)
    attend(
        world["student"], world["cohort"], {d: ("absent", 0) for d in DAYS[-4:-1]}, days=DAYS[:-1]
    )
    only("absence_streak")
    frozen(datetime(2026, 10, 2, 20, 0, tzinfo=UTC))  # Friday: 1 working day
    assert engine.escalate(date(2026, 10, 2), clock.utcnow()) == 0
    frozen(datetime(2026, 10, 5, 14, 0, tzinfo=UTC))  # Monday: 2 working days
    assert engine.escalate(date(2026, 10, 5), clock.utcnow()) == 1
    db.session.commit()
    alert = db.session.scalar(select(Alert))
    assert alert.escalated_at is not None
    escalated = db.session.scalars(select(Notification).where(Notification.kind == "escalated"))
    assert [n.user_id for n in escalated] == [world["coordinator"].id]
    assert engine.escalate(date(2026, 10, 6), clock.utcnow()) == 0  # once


def test_escalation_skips_quebec_holidays(world, frozen):
    db.session.add(
        Alert(
            rule_code="absence_streak",
            subject_key=f"student:{world['student'].id}:cohort:1",
            open_key="x",
            student_id=world["student"].id,
            cohort_id=world["cohort"].id,
            severity="critical",
            status="open",
            evidence={"count": 3, "dates": []},
            opened_at=datetime(2026, 10, 9, 14, 0, tzinfo=UTC),  # Friday before Thanksgiving
        )
    )
    db.session.commit()
    assert engine.escalate(date(2026, 10, 13), NOW) == 0  # Tue: Mon 12 was a holiday
    assert engine.escalate(date(2026, 10, 14), NOW) == 1


def test_an_acknowledged_critical_alert_does_not_escalate(world):
    db.session.add(
        Alert(
            rule_code="absence_streak",
            subject_key="s",
            open_key="y",
            student_id=None,
            cohort_id=world["cohort"].id,
            severity="critical",
            status="acknowledged",
            evidence={},
            opened_at=datetime(2026, 9, 1, tzinfo=UTC),
        )
    )
    db.session.commit()
    assert engine.escalate(TODAY, NOW) == 0


def _action(world, due_on: date):
    from lms.quality.defaults import ensure_default_templates
    from lms.quality.models import CheckpointReview, CheckpointTemplate, CorrectiveAction

    ensure_default_templates()
    template = db.session.scalars(select(CheckpointTemplate)).first()
    review = CheckpointReview(
        cohort_id=world["cohort"].id,
        template_id=template.id,
        origin_key="x",
        due_on=START + timedelta(days=4),
    )
    db.session.add(review)
    db.session.flush()
    db.session.add(
        CorrectiveAction(
            review_id=review.id,
            description="Faire les entretiens.",
            owner_id=world["teacher"].id,
            due_on=due_on,
        )
    )
    db.session.commit()


def test_an_overdue_corrective_action_raises_one_alert_to_its_owner(world):
    _action(world, TODAY - timedelta(days=2))
    assert only("corrective_action_overdue")["opened"] == 1
    [alert] = alerts("corrective_action_overdue")
    assert alert.evidence["late_days"] == 2 and alert.student_id is None
    [note] = db.session.scalars(select(Notification)).all()
    assert note.user_id == world["teacher"].id
    assert "Faire les entretiens." in RULES["corrective_action_overdue"].describe(alert.evidence)


def test_a_corrective_action_due_today_raises_nothing(world):
    _action(world, TODAY)
    assert only("corrective_action_overdue")["opened"] == 0
