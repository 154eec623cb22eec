"""The satisfaction survey: when a student may answer it, and the cohort's aggregated answers
(nothing but their count under :data:`ANONYMITY_THRESHOLD` answers)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from lms.catalog.models import Cohort, Enrolment, EnrolmentStatus
from lms.extensions import db
from lms.quality.models import SurveyCompletion, SurveyResponse

ANONYMITY_THRESHOLD = 5
SURVEY_OPEN_DAYS_BEFORE_END = 14
SURVEY_OPEN_DAYS_AFTER_END = 30


def survey_cohort(student_id: int, today: date) -> Cohort | None:
    """The cohort whose end-of-course survey ``student_id`` may answer today: an enrolment still
    running or completed (not withdrawn or transferred), in the last 2 weeks of the course or
    ended within 30 days, not answered yet (one query)."""
    answered = select(SurveyCompletion.cohort_id).where(SurveyCompletion.student_id == student_id)
    return db.session.scalar(
        select(Cohort)
        .join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .where(
            Enrolment.student_id == student_id,
            Enrolment.status.in_(("active", "completed")),
            Cohort.end_on > today - timedelta(days=SURVEY_OPEN_DAYS_AFTER_END + 1),
            Cohort.end_on < today + timedelta(days=SURVEY_OPEN_DAYS_BEFORE_END),
            Enrolment.start_on <= today,
            Cohort.id.not_in(answered),
        )
        .order_by(Cohort.end_on.desc())
        .limit(1)
    )


def survey_completed(student_id: int) -> list[int]:
    """The cohorts whose survey ``student_id`` answered."""
    return list(
        db.session.scalars(
            select(SurveyCompletion.cohort_id).where(SurveyCompletion.student_id == student_id)
        )
    )


@dataclass
class QuestionResult:
    key: str
    counts: dict[int, int]
    mean: float | None
    agree: float | None  # share of 3 and 4


@dataclass
class SurveyResults:
    answers: int
    students: int
    shown: bool
    questions: list[QuestionResult]
    comments: list[str]


def survey_results(cohort_id: int, questions: list[str]) -> SurveyResults:
    """The cohort's survey answers, aggregated; nothing but the count below
    :data:`ANONYMITY_THRESHOLD` answers. Comments are sorted (not in answer order)."""
    students = (
        db.session.scalar(
            select(func.count(Enrolment.id)).where(
                Enrolment.cohort_id == cohort_id,
                Enrolment.status.not_in(
                    (EnrolmentStatus.WITHDRAWN.value, EnrolmentStatus.TRANSFERRED.value)
                ),
            )
        )
        or 0
    )
    rows = list(
        db.session.scalars(
            select(SurveyResponse.answers).where(SurveyResponse.cohort_id == cohort_id)
        )
    )
    if len(rows) < ANONYMITY_THRESHOLD:
        return SurveyResults(len(rows), students, False, [], [])
    results = []
    for key in questions:
        values = [int(r[key]) for r in rows if isinstance(r.get(key), int) and 1 <= r[key] <= 4]
        counts = {v: values.count(v) for v in (1, 2, 3, 4)}
        results.append(
            QuestionResult(
                key,
                counts,
                statistics.fmean(values) if values else None,
                (counts[3] + counts[4]) / len(values) if values else None,
            )
        )
    comments = sorted(r["comment"] for r in rows if r.get("comment"))
    return SurveyResults(len(rows), students, True, results, comments)
