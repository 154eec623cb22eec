# ruff: noqa: F811  (fixtures imported from tests/test_quality.py)
"""The automatic checkpoint criteria (each with a passing and a failing case and its figures),
when checkpoints fall due, and the evaluation job (idempotent, on a frozen clock)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms.alerts.models import Alert
from lms.attendance.models import AttendanceDay
from lms.catalog.models import Cohort, Course, Enrolment
from lms.extensions import db
from lms.followup.models import FollowUpNote, LevelAssessment
from lms.learning.models import SKILLS, Exercise, Production
from lms.programme.models import ClosureDay
from lms.quality.criteria.alerts import describe_critical_alerts
from lms.quality.criteria.assessments import describe_assessed
from lms.quality.criteria.attendance import describe_attendance_recorded
from lms.quality.criteria.catalogue import CRITERIA
from lms.quality.criteria.engine import Subject
from lms.quality.criteria.followup import describe_interviews, describe_withdrawals
from lms.quality.criteria.productions import describe_productions
from lms.quality.criteria.survey import describe_survey
from lms.quality.defaults import ensure_default_templates
from lms.quality.jobs import run_quality_evaluate
from lms.quality.models import CheckpointReview, CheckpointTemplate, SurveyCompletion
from lms.quality.services.evaluation import due_date
from tests.test_quality import START, frozen, qworld  # noqa: F401


def evaluate(code: str, cohort, as_of: date, **params):
    """One criterion on one cohort: its Outcome."""
    criterion = CRITERIA[code]
    subject = Subject("s", cohort, as_of, criterion.effective(params))
    return criterion.compute([subject])["s"]


def at(day: date, hour: int = 14) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


# --- attendance recorded ------------------------------------------------------------------------


def test_attendance_recorded_passes_when_every_class_day_has_its_attendance(qworld, frozen):
    cohort = qworld["cohort"]
    frozen(date(2026, 9, 21))
    for offset in range(5):
        db.session.add(AttendanceDay(cohort_id=cohort.id, day=START + timedelta(offset)))
    db.session.commit()
    outcome = evaluate("attendance_recorded", cohort, date(2026, 9, 18))
    assert outcome.status == "pass"
    assert outcome.figures == {"expected": 5, "recorded": 5, "missing": [], "max_missing": 0}
    assert describe_attendance_recorded(outcome.figures) == (
        "Présences saisies pour 5 jours de classe sur 5."
    )


def test_attendance_recorded_fails_with_the_missing_days_and_links_to_them(qworld, frozen):
    cohort = qworld["cohort"]
    frozen(date(2026, 9, 21))
    # A closure day on Wednesday is not expected; Thursday and Friday are missing.
    db.session.add(ClosureDay(site_id=cohort.site_id, day=date(2026, 9, 16), reason="Panne"))
    for day in (date(2026, 9, 14), date(2026, 9, 15)):
        db.session.add(AttendanceDay(cohort_id=cohort.id, day=day))
    db.session.commit()
    outcome = evaluate("attendance_recorded", cohort, date(2026, 9, 18))
    assert outcome.status == "fail"
    assert outcome.figures["expected"] == 4 and outcome.figures["recorded"] == 2
    assert outcome.figures["missing"] == ["2026-09-17", "2026-09-18"]
    assert [e["url"] for e in outcome.evidence] == [
        f"/cohorts/{cohort.id}/attendance?day=2026-09-17",
        f"/cohorts/{cohort.id}/attendance?day=2026-09-18",
    ]
    assert "Jours non saisis : 17 septembre, 18 septembre." in (
        describe_attendance_recorded(outcome.figures)
    )
    # The threshold is a parameter; and today's class is only due from 17:00 (it is noon).
    assert evaluate("attendance_recorded", cohort, date(2026, 9, 18), max_missing=2).status == (
        "pass"
    )
    frozen(date(2026, 9, 18))
    assert evaluate("attendance_recorded", cohort, date(2026, 9, 18)).figures["missing"] == [
        "2026-09-17"
    ]


# --- students assessed in the 4 skills ------------------------------------------------------------


def _assess(student, cohort, kind, day, skills=SKILLS, level=3):
    for skill in skills:
        db.session.add(
            LevelAssessment(
                student_id=student.id,
                cohort_id=cohort.id,
                skill=skill,
                level=level,
                kind=kind,
                assessed_on=day,
            )
        )


def test_assessed_placement_counts_students_assessed_in_all_four_skills(qworld):
    cohort, students = qworld["cohort"], qworld["students"]
    for student in students[:5]:
        _assess(student, cohort, "placement", date(2026, 9, 15))
    _assess(students[5], cohort, "placement", date(2026, 9, 15), skills=("CO", "PO", "CE"))
    db.session.commit()
    outcome = evaluate("assessed_placement", cohort, date(2026, 9, 18))
    assert outcome.status == "fail"  # 5 of 6 = 83 % < 95 %
    figures = outcome.figures
    assert (figures["students"], figures["assessed"], figures["rate"]) == (6, 5, 0.8333)
    assert figures["missing"] == [[students[5].id, "Élève F"]]
    assert f"/students/{students[5].id}" in [e["url"] for e in outcome.evidence]
    assert describe_assessed(figures) == (
        "5 élèves sur 6 évalué·es dans les 4 compétences au classement (83 %; seuil : 95 %). "
        "À évaluer : Élève F."
    )
    assert evaluate("assessed_placement", cohort, date(2026, 9, 18), min_percent=80).status == (
        "pass"
    )
    # Assessed after the checkpoint's date: does not count for it.
    _assess(students[5], cohort, "placement", date(2026, 9, 22), skills=("PE",))
    db.session.commit()
    assert evaluate("assessed_placement", cohort, date(2026, 9, 18)).status == "fail"
    outcome = evaluate("assessed_placement", cohort, date(2026, 9, 25))
    assert outcome.status == "pass" and outcome.figures["assessed"] == 6


def test_assessed_mid_and_final_leave_out_withdrawn_students_and_need_their_own_kind(
    qworld,
):
    cohort, students = qworld["cohort"], qworld["students"]
    withdrawn = db.session.scalar(select(Enrolment).where(Enrolment.student_id == students[5].id))
    withdrawn.status, withdrawn.end_on = "withdrawn", date(2026, 10, 2)
    for student in students[:5]:
        _assess(student, cohort, "mid", date(2026, 10, 21))
        _assess(student, cohort, "placement", date(2026, 9, 15))
    db.session.commit()
    mid = evaluate("assessed_mid", cohort, date(2026, 10, 23))
    assert mid.status == "pass"
    assert (mid.figures["students"], mid.figures["assessed"], mid.figures["rate"]) == (5, 5, 1.0)
    final = evaluate("assessed_final", cohort, date(2026, 11, 27))
    assert final.status == "fail"
    assert (final.figures["assessed"], final.figures["rate"]) == (0, 0.0)


# --- interviews on cadence ----------------------------------------------------------------------


def _interview(student, cohort, day):
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


def test_interviews_on_cadence_fails_for_a_student_never_interviewed(qworld):
    cohort, students = qworld["cohort"], qworld["students"]
    for student in students[:5]:
        _interview(student, cohort, date(2026, 9, 25))
    db.session.commit()
    outcome = evaluate("interviews_on_cadence", cohort, date(2026, 10, 2))
    assert outcome.status == "fail"
    figures = outcome.figures
    assert (figures["students"], figures["on_time"], figures["cadence"]) == (6, 5, 14)
    assert figures["late"] == [[students[5].id, "Élève F", None, "2026-09-28"]]
    assert "En retard : Élève F." in describe_interviews(figures)
    assert evaluate("interviews_on_cadence", cohort, date(2026, 10, 2), min_percent=80).status == (
        "pass"
    )
    assert evaluate("interviews_on_cadence", cohort, date(2026, 10, 2), grace_days=5).status == (
        "pass"
    )


def test_interviews_on_cadence_passes_when_everyone_is_interviewed_in_time(qworld):
    cohort, students = qworld["cohort"], qworld["students"]
    for student in students:
        _interview(student, cohort, date(2026, 9, 24))
        _interview(student, cohort, date(2026, 10, 8))
    db.session.commit()
    outcome = evaluate("interviews_on_cadence", cohort, date(2026, 10, 16))
    assert outcome.status == "pass"
    assert (outcome.figures["on_time"], outcome.figures["rate"]) == (6, 1.0)
    # Two weeks later without a new interview, everyone is late.
    late = evaluate("interviews_on_cadence", cohort, date(2026, 10, 23))
    assert late.status == "fail" and late.figures["on_time"] == 0


# --- critical alerts acknowledged in time -------------------------------------------------------


def _alert(cohort, student, opened, acknowledged=None, status="open", severity="critical"):
    alert = Alert(
        rule_code="absence_streak",
        subject_key=f"student:{student.id}:cohort:{cohort.id}:{opened.isoformat()}",
        student_id=student.id,
        cohort_id=cohort.id,
        severity=severity,
        status="acknowledged" if acknowledged else status,
        evidence={},
        opened_at=opened,
        last_seen_at=opened,
        acknowledged_at=acknowledged,
    )
    db.session.add(alert)
    db.session.flush()
    return alert


def test_critical_alerts_acknowledged_within_two_working_days(qworld, frozen):
    cohort, student = qworld["cohort"], qworld["student"]
    frozen(date(2026, 10, 2))
    _alert(cohort, student, at(date(2026, 9, 21)), at(date(2026, 9, 23)))  # Mon -> Wed: 2 days
    _alert(cohort, student, at(date(2026, 10, 1)))  # pending: 1 working day so far
    _alert(cohort, student, at(date(2026, 9, 22)), severity="warning")  # not critical
    db.session.commit()
    outcome = evaluate("critical_alerts_acknowledged", cohort, date(2026, 10, 2))
    assert outcome.status == "pass"
    assert outcome.figures == {
        "total": 2,
        "on_time": 1,
        "late": 0,
        "pending": 1,
        "working_days": 2,
        "late_ids": [],
    }


def test_critical_alerts_late_when_acknowledged_or_still_open_after_the_limit(qworld, frozen):
    cohort, student = qworld["cohort"], qworld["student"]
    frozen(date(2026, 10, 2))
    slow = _alert(cohort, student, at(date(2026, 9, 21)), at(date(2026, 9, 24)))  # 3 days
    forgotten = _alert(cohort, student, at(date(2026, 9, 25)))  # Fri -> Fri: 5 days
    db.session.commit()
    outcome = evaluate("critical_alerts_acknowledged", cohort, date(2026, 10, 2))
    assert outcome.status == "fail"
    assert (outcome.figures["late"], outcome.figures["on_time"]) == (2, 0)
    assert outcome.figures["late_ids"] == [slow.id, forgotten.id]
    assert f"/alerts/{slow.id}" in [e["url"] for e in outcome.evidence]
    assert (
        evaluate("critical_alerts_acknowledged", cohort, date(2026, 10, 2), working_days=5).status
        == "pass"
    )
    assert "2 en retard" in describe_critical_alerts(outcome.figures)


# --- productions graded in time -----------------------------------------------------------------


@pytest.fixture
def exercise(qworld, make_lesson):
    course = db.session.get(Course, qworld["cohort"].course_id)
    lesson = make_lesson(course)
    return db.session.scalar(
        select(Exercise).where(Exercise.lesson_id == lesson.id, Exercise.type != "cloze")
    )


def _production(qworld, exercise, submitted, graded=None):
    production = Production(
        student_id=qworld["student"].id,
        exercise_id=exercise.id,
        cohort_id=qworld["cohort"].id,
        text="Mon texte.",
        status="returned" if graded else "submitted",
        submitted_at=submitted,
        graded_at=graded,
    )
    db.session.add(production)
    db.session.flush()
    return production


def test_productions_graded_within_five_days(qworld, exercise, frozen):
    frozen(date(2026, 10, 2))
    _production(qworld, exercise, at(date(2026, 9, 21)), at(date(2026, 9, 25)))
    _production(qworld, exercise, at(date(2026, 9, 30)))  # pending
    db.session.commit()
    outcome = evaluate("productions_graded", qworld["cohort"], date(2026, 10, 2))
    assert outcome.status == "pass"
    assert (outcome.figures["total"], outcome.figures["on_time"], outcome.figures["pending"]) == (
        2,
        1,
        1,
    )


def test_productions_graded_late_or_waiting_too_long_fail(qworld, exercise, frozen):
    frozen(date(2026, 10, 2))
    slow = _production(qworld, exercise, at(date(2026, 9, 21)), at(date(2026, 9, 28)))
    waiting = _production(qworld, exercise, at(date(2026, 9, 24)))
    db.session.commit()
    outcome = evaluate("productions_graded", qworld["cohort"], date(2026, 10, 2))
    assert outcome.status == "fail"
    assert outcome.figures["late_ids"] == [slow.id, waiting.id]
    assert outcome.evidence[0]["url"] == f"/cohorts/{qworld['cohort'].id}/productions"
    assert describe_productions(outcome.figures) == (
        "Productions : 0 corrigées dans les 5 jours, 2 en retard, 0 en attente (sur 2)."
    )
    assert evaluate("productions_graded", qworld["cohort"], date(2026, 10, 2), days=10).status == (
        "pass"
    )


# --- withdrawals have an exit follow-up ---------------------------------------------------------


def _withdraw(student, day):
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.student_id == student.id))
    enrolment.status, enrolment.end_on = "withdrawn", day


def _exit_note(student, cohort, day, due_on=None, done_on=None):
    db.session.add(
        FollowUpNote(
            student_id=student.id,
            cohort_id=cohort.id,
            note_type="sortie",
            reason="emploi",
            held_on=day,
            summary="Suivi de départ.",
            due_on=due_on,
            done_on=done_on,
        )
    )


def test_every_withdrawal_has_an_exit_followup(qworld):
    cohort, students = qworld["cohort"], qworld["students"]
    _withdraw(students[4], date(2026, 9, 25))
    _exit_note(students[4], cohort, date(2026, 9, 25), date(2026, 10, 2), date(2026, 9, 30))
    _withdraw(students[5], date(2026, 10, 1))
    _exit_note(students[5], cohort, date(2026, 10, 1), due_on=date(2026, 10, 8))  # under way
    db.session.commit()
    outcome = evaluate("withdrawals_exit_followup", cohort, date(2026, 10, 2))
    assert outcome.status == "pass"
    assert outcome.figures == {"withdrawals": 2, "followed": 2, "missing": []}
    # Once the open exit follow-up is past its due date, it no longer counts.
    late = evaluate("withdrawals_exit_followup", cohort, date(2026, 10, 9))
    assert late.status == "fail"
    assert late.figures["missing"] == [[students[5].id, "Élève F", "2026-10-01"]]


def test_a_withdrawal_without_exit_followup_fails_and_none_is_not_applicable(qworld):
    cohort, students = qworld["cohort"], qworld["students"]
    assert evaluate("withdrawals_exit_followup", cohort, date(2026, 10, 2)).status == "na"
    _withdraw(students[5], date(2026, 9, 25))
    db.session.commit()
    outcome = evaluate("withdrawals_exit_followup", cohort, date(2026, 10, 2))
    assert outcome.status == "fail"
    assert outcome.figures["followed"] == 0
    assert outcome.evidence == [{"label": "Élève F", "url": f"/students/{students[5].id}"}]
    assert "Sans suivi de départ : Élève F." in describe_withdrawals(outcome.figures)


# --- survey response rate ----------------------------------------------------------------------


def test_survey_response_rate_against_its_threshold(qworld):
    cohort, students = qworld["cohort"], qworld["students"]
    for student in students[:2]:
        db.session.add(
            SurveyCompletion(
                cohort_id=cohort.id, student_id=student.id, completed_on=date(2026, 11, 20)
            )
        )
    db.session.commit()
    outcome = evaluate("survey_response_rate", cohort, date(2026, 12, 11))
    assert outcome.status == "fail"
    assert outcome.figures == {"students": 6, "answers": 2, "rate": 0.3333, "min_percent": 50}
    db.session.add(
        SurveyCompletion(
            cohort_id=cohort.id, student_id=students[2].id, completed_on=date(2026, 11, 25)
        )
    )
    db.session.commit()
    outcome = evaluate("survey_response_rate", cohort, date(2026, 12, 11))
    assert outcome.status == "pass" and outcome.figures["rate"] == 0.5
    assert describe_survey(outcome.figures) == (
        "3 réponses au sondage de satisfaction pour 6 élèves (50 %; seuil : 50 %)."
    )


def test_a_criterion_evaluates_many_cohorts_in_a_fixed_number_of_queries(
    app, qworld, make_cohort, enrol, make_user
):
    from sqlalchemy import event

    cohorts = [qworld["cohort"]]
    for _ in range(7):
        cohort = make_cohort(region=qworld["region"], start_on=START)
        enrol(make_user(), cohort)
        cohorts.append(cohort)
    ids = [c.id for c in cohorts]
    db.session.commit()
    cohorts = list(db.session.scalars(select(Cohort).where(Cohort.id.in_(ids)).order_by(Cohort.id)))
    for code in CRITERIA:
        counts = []
        for group in (cohorts[:1], cohorts):
            statements: list[str] = []

            def before(*args, statements=statements):
                statements.append(args[2])

            event.listen(db.engine, "before_cursor_execute", before)
            try:
                subjects = [
                    Subject(c.id, c, date(2026, 10, 23), CRITERIA[code].effective({}))
                    for c in group
                ]
                result = CRITERIA[code].compute(subjects)
            finally:
                event.remove(db.engine, "before_cursor_execute", before)
            assert len(result) == len(group)
            counts.append(len(statements))
        assert counts[0] == counts[1], (code, counts)


# --- when checkpoints fall due ------------------------------------------------------------------


def test_due_dates_are_the_friday_of_week_n_or_n_days_after_the_end(app):
    ensure_default_templates()
    templates = {t.key: t for t in db.session.scalars(select(CheckpointTemplate))}
    monday = Cohort(start_on=date(2026, 9, 14), end_on=date(2026, 11, 27))
    assert due_date(templates["demarrage"], monday) == date(2026, 9, 18)
    assert due_date(templates["mi_parcours"], monday) == date(2026, 10, 23)
    assert due_date(templates["fin_de_cours"], monday) == date(2026, 11, 27)
    assert due_date(templates["bilan"], monday) == date(2026, 12, 11)
    wednesday = Cohort(start_on=date(2026, 9, 16), end_on=date(2026, 11, 27))
    assert due_date(templates["demarrage"], wednesday) == date(2026, 9, 18)
    assert due_date(templates["mi_parcours"], wednesday) == date(2026, 10, 23)
    short = Cohort(start_on=date(2026, 9, 14), end_on=date(2026, 10, 9))  # 4 weeks
    assert due_date(templates["mi_parcours"], short) is None
    assert due_date(templates["fin_de_cours"], short) is None


def test_default_templates_are_created_once(app):
    assert ensure_default_templates() == 4
    assert ensure_default_templates() == 0
    db.session.commit()
    keys = db.session.scalars(select(CheckpointTemplate.key).order_by(CheckpointTemplate.position))
    assert list(keys) == ["demarrage", "mi_parcours", "fin_de_cours", "bilan"]


def test_reviews_are_created_when_due_on_a_frozen_clock(qworld, frozen):
    def keys():
        db.session.rollback()
        return sorted(
            (c, k, d.isoformat())
            for c, k, d in db.session.execute(
                select(Cohort.code, CheckpointTemplate.key, CheckpointReview.due_on)
                .join(Cohort, Cohort.id == CheckpointReview.cohort_id)
                .join(CheckpointTemplate, CheckpointTemplate.id == CheckpointReview.template_id)
            )
        )

    frozen(date(2026, 9, 17))  # Thursday of week 1: nothing due yet
    assert run_quality_evaluate() == {"created": 0, "evaluated": 0}
    frozen(date(2026, 9, 18))
    assert run_quality_evaluate() == {"created": 2, "evaluated": 2}
    assert keys() == [("MTL-A", "demarrage", "2026-09-18"), ("QC-A", "demarrage", "2026-09-18")]
    assert run_quality_evaluate() == {"created": 0, "evaluated": 2}  # idempotent
    frozen(date(2026, 10, 23))
    assert run_quality_evaluate()["created"] == 2
    frozen(date(2026, 12, 11))  # fin de cours and bilan
    assert run_quality_evaluate()["created"] == 4
    assert len(keys()) == 8 and ("MTL-A", "bilan", "2026-12-11") in keys()
    assert run_quality_evaluate()["created"] == 0
    # Results are computed for the review's date, with figures and evidence.
    review = db.session.scalar(
        select(CheckpointReview).join(CheckpointTemplate).where(CheckpointTemplate.key == "bilan")
    )
    codes = [e["code"] for e in review.results]
    assert codes == [
        "attendance_recorded",
        "assessed_final",
        "withdrawals_exit_followup",
        "survey_response_rate",
        "sample_files",
    ]
    assert review.results[0]["status"] == "fail" and review.results[0]["figures"]["expected"] > 40
    assert review.results[-1] == {
        "key": "sample_files",
        "code": "sample_files",
        "type": "manual",
        "kind": "sample",
        "label": "Vérification d'un échantillon de dossiers d'élèves",
    }


def test_an_inactive_template_creates_no_review(qworld, frozen):
    ensure_default_templates()
    db.session.scalar(
        select(CheckpointTemplate).where(CheckpointTemplate.key == "demarrage")
    ).active = False
    db.session.commit()
    frozen(date(2026, 9, 25))
    assert run_quality_evaluate() == {"created": 0, "evaluated": 0}


def test_two_evaluations_at_once_create_each_review_once(qworld, server, frozen):
    frozen(date(2026, 10, 23))
    ensure_default_templates()
    db.session.commit()
    results, errors = [], []

    def run():
        try:
            with server.app_context():
                results.append(run_quality_evaluate())
        except Exception as exc:  # pragma: no cover - shown in the assertion
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(r["created"] for r in results) == [0, 4]
    db.session.rollback()
    assert db.session.scalar(select(func.count(CheckpointReview.id))) == 4


def test_cli_evaluate_prints_json_and_a_second_run_creates_nothing(qworld, runner, frozen):
    frozen(date(2026, 9, 25))
    first = runner.invoke(args=["lms", "quality", "evaluate", "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.output) == {"created": 2, "evaluated": 2}
    second = runner.invoke(args=["lms", "quality", "evaluate", "--json"])
    assert json.loads(second.output) == {"created": 0, "evaluated": 2}
