"""A realistic past for the demo cohorts: attendance for every past class day, online work,
level assessments, follow-up notes, a withdrawal with its exit follow-up.

Students are given situations that the pedagogical alerts must catch, by their place in the
cohort's list (the same every run):

====  ==========================================================================
0     a steady student: present, interviewed, levels rising, online every day
1     three consecutive unjustified absences on the last three class days
2     repeated lateness (four of the last ten class days)
3     two justified absences (illness)
4     low attendance: about one class day in three missed
5     no follow-up interview for more than three weeks
6     no level gain at mid-course (mid-course levels equal to placement)
7     no online activity for more than a week
8     withdrawal (in cohorts past week 6), with an exit follow-up still open
====  ==========================================================================
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, select

from lms import clock
from lms.attendance.models import AttendanceDay, AttendanceRecord
from lms.auth.models import User
from lms.catalog.models import Cohort, Course, Enrolment
from lms.extensions import db
from lms.followup.models import FollowUpNote, LevelAssessment
from lms.learning import grading
from lms.learning.grading import cloze_blanks
from lms.learning.models import Attempt, Exercise, Lesson, Unit
from lms.learning.vocab import SKILLS
from lms.programme.calendar import class_days

STEADY, ABSENT_STREAK, LATE, JUSTIFIED, LOW_ATTENDANCE = 0, 1, 2, 3, 4
NO_INTERVIEW, NO_GAIN, OFFLINE, WITHDRAWN = 5, 6, 7, 8


def _answer(exercise: Exercise, good: bool):
    """An answer a student could have given: the right one, or a plausible wrong one."""
    spec = exercise.spec
    kind = exercise.type
    if kind in ("multiple_choice", "listening"):
        right = [i for i, c in enumerate(spec["choices"]) if c["correct"]]
        wrong = [i for i, c in enumerate(spec["choices"]) if not c["correct"]]
        return right if good or not wrong else wrong[:1]
    if kind == "cloze":
        answers = [a[0] for a in cloze_blanks(spec["text"])]
        return answers if good else [grading.strip_accents(a) for a in answers]
    if kind == "short_answer":
        return spec["answers"][0] if good else grading.strip_accents(spec["answers"][0])
    if kind == "dictation":
        return spec["transcript"] if good else grading.strip_accents(spec["transcript"])
    if kind in ("ordering", "matching"):
        size = len(spec["items"] if kind == "ordering" else spec["pairs"])
        order = list(range(size))
        return order if good else order[1:] + order[:1]
    return None


def _attendance_row(situation: int, index: int, days_left: int, rng: random.Random, minutes: int):
    """(status, minutes, reason) for one student and class day (``days_left``: 0 = last)."""
    if situation == ABSENT_STREAK and days_left < 3:
        return "absent", 0, None
    if situation == LATE and days_left < 10 and days_left % 2 == 0:
        return "late", rng.choice((15, 20, 25, 30)), None
    if situation == JUSTIFIED and days_left in (4, 5):
        return "justified", 0, "maladie"
    if situation == LOW_ATTENDANCE and index % 3 == 1:
        return "absent", 0, None
    draw = rng.random()
    if situation not in (STEADY,) and draw < 0.03:
        return "absent", 0, None
    if draw < 0.08:
        return "late", rng.choice((5, 10, 15)), None
    if draw < 0.10:
        return "left_early", rng.choice((30, 60)), None
    return "present", 0, None


def seed_history(cohort: Cohort, course: Course, teacher_id: int | None, today: date) -> dict:
    """Seed the past of ``cohort`` if it has none yet (flush, no commit)."""
    if db.session.scalar(select(AttendanceDay.id).where(AttendanceDay.cohort_id == cohort.id)):
        return {"attendance_days": 0}
    rng = random.Random(cohort.code)
    enrolments = db.session.execute(
        select(Enrolment, User)
        .join(User, User.id == Enrolment.student_id)
        .where(Enrolment.cohort_id == cohort.id)
        .order_by(User.email)
    ).all()
    days = class_days(cohort, cohort.start_on, today - timedelta(days=1))
    week = cohort.week_number(today)

    # A withdrawal in cohorts past week 6: the student left in week 5.
    if week > 6 and len(enrolments) > WITHDRAWN:
        enrolment, _student = enrolments[WITHDRAWN]
        enrolment.status = "withdrawn"
        enrolment.end_on = cohort.start_on + timedelta(weeks=4, days=2)
        enrolment.withdrawal_reason = "emploi trouvé"
        db.session.add(
            FollowUpNote(
                student_id=enrolment.student_id,
                cohort_id=cohort.id,
                author_id=teacher_id,
                note_type="sortie",
                reason="emploi",
                held_on=enrolment.end_on,
                summary="Départ annoncé : a trouvé un emploi à temps plein dans un entrepôt.",
                action="Appeler l'élève pour proposer un cours du soir ou à temps partiel.",
                owner_id=teacher_id,
                due_on=enrolment.end_on + timedelta(days=7),
                visibility="team",
            )
        )

    rows = []
    for index, day in enumerate(days):
        db.session.add(
            AttendanceDay(
                cohort_id=cohort.id,
                day=day,
                taken_by_id=teacher_id,
                taken_at=datetime.combine(day, time(16, 0), clock.QUEBEC).astimezone(UTC),
            )
        )
        days_left = len(days) - 1 - index
        scheduled = cohort.minutes_on(day)
        for situation, (enrolment, student) in enumerate(enrolments):
            if not enrolment.is_active_on(day):
                continue
            status, minutes, reason = _attendance_row(situation, index, days_left, rng, scheduled)
            attended = (
                scheduled
                if status == "present"
                else (scheduled - minutes if status in ("late", "left_early") else 0)
            )
            rows.append(
                {
                    "cohort_id": cohort.id,
                    "student_id": student.id,
                    "day": day,
                    "status": status,
                    "minutes": minutes,
                    "reason": reason,
                    "scheduled_minutes": scheduled,
                    "attended_minutes": attended,
                    "comment": "Rendez-vous à la clinique" if reason else None,
                }
            )
    if rows:
        db.session.execute(insert(AttendanceRecord), rows)

    # Level assessments: placement at the start; mid-course from week 6.
    base = course.level_min
    for situation, (enrolment, student) in enumerate(enrolments):
        placed = {s: max(1, base - rng.choice((0, 1))) for s in SKILLS}
        for skill, level in placed.items():
            db.session.add(
                LevelAssessment(
                    student_id=student.id,
                    cohort_id=cohort.id,
                    skill=skill,
                    level=level,
                    kind="placement",
                    assessed_on=enrolment.start_on,
                    assessor_id=teacher_id,
                    evidence="Test de classement à l'inscription.",
                )
            )
        if week >= 7 and situation != WITHDRAWN:
            for skill, level in placed.items():
                gain = 0 if situation == NO_GAIN else rng.choice((0, 1, 1))
                db.session.add(
                    LevelAssessment(
                        student_id=student.id,
                        cohort_id=cohort.id,
                        skill=skill,
                        level=min(12, level + gain),
                        kind="mid",
                        assessed_on=cohort.start_on + timedelta(weeks=5, days=3),
                        assessor_id=teacher_id,
                        evidence="Évaluation de mi-parcours : tâche de la semaine 6.",
                    )
                )

    # Follow-up interviews every two weeks or so (not for the NO_INTERVIEW student).
    for situation, (enrolment, student) in enumerate(enrolments):
        if situation == NO_INTERVIEW:
            continue
        held = enrolment.start_on + timedelta(days=3)
        last = enrolment.end_on or today
        while held < last:
            db.session.add(
                FollowUpNote(
                    student_id=student.id,
                    cohort_id=cohort.id,
                    author_id=teacher_id,
                    note_type="entretien",
                    reason="apprentissage" if situation != LATE else "absences",
                    held_on=held,
                    summary="Entretien de suivi : progrès, objectifs de la semaine, difficultés.",
                    action="Faire les exercices de compréhension orale de l'unité en cours.",
                    owner_id=teacher_id,
                    due_on=held + timedelta(days=7),
                    outcome="Fait." if held + timedelta(days=7) < today else "",
                    done_on=held + timedelta(days=6) if held + timedelta(days=7) < today else None,
                    visibility="student" if situation % 2 == 0 else "team",
                )
            )
            held += timedelta(days=14)

    # Online work: a few exercises per past week, except for the OFFLINE student lately.
    exercises = list(
        db.session.scalars(
            select(Exercise)
            .join(Lesson, Lesson.id == Exercise.lesson_id)
            .join(Unit, Unit.id == Lesson.unit_id)
            .where(
                Unit.course_id == course.id,
                Unit.track_key.is_(None),
                Unit.week <= max(week, 1),
                Exercise.type.in_(tuple(grading.AUTO_GRADED)),
            )
            .order_by(Unit.week, Lesson.position, Exercise.position)
        )
    )
    attempts = []
    for situation, (enrolment, student) in enumerate(enrolments):
        strength = 0.85 if situation in (STEADY, JUSTIFIED) else 0.6
        for exercise in exercises:
            if rng.random() > 0.5:
                continue
            day = rng.choice(days) if days else today
            if situation == OFFLINE and day > today - timedelta(days=9):
                continue
            if not enrolment.is_active_on(day):
                continue
            answer = _answer(exercise, rng.random() < strength)
            result = grading.grade(exercise.type, exercise.spec, answer)
            attempts.append(
                {
                    "student_id": student.id,
                    "exercise_id": exercise.id,
                    "answer": answer,
                    "score": result.score,
                    "feedback": {"messages": result.messages, "details": result.details},
                    "created_at": datetime.combine(
                        day, time(19, rng.randrange(60)), clock.QUEBEC
                    ).astimezone(UTC),
                }
            )
    if attempts:
        db.session.execute(insert(Attempt), attempts)
    db.session.flush()
    return {
        "attendance_days": len(days),
        "attendance_records": len(rows),
        "attempts": len(attempts),
    }
