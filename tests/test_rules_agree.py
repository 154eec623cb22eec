"""One definition per follow-up rule: every user of a rule gives the same answer on the same
situations (the teacher's dashboard, the alert rule, the quality criterion, the quality
dashboard)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from lms import clock
from lms.alerts import engine
from lms.alerts.models import Alert
from lms.auth.models import Role
from lms.catalog.models import Cohort, Course
from lms.extensions import db
from lms.followup import queries as followup_queries
from lms.followup.models import FollowUpNote
from lms.quality import queries as quality_queries
from lms.quality.criteria import CRITERIA, Subject

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
    rows = followup_queries.dashboard(cohort, course, today, CADENCE)
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
    infos = quality_queries._cohort_infos(scope)
    period = quality_queries.Period(today, today, today)
    buckets = quality_queries.collect(scope, period, infos, by_student=True)
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
